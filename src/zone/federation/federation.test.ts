import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withLocalZone } from './federation.js';

test('a rule added through a slave without a zone is sent with the slave\'s zone', () => {
  assert.deepEqual(withLocalZone('one.acl.addrule', ['s', '100000001', '2000000000', '1'], 100), ['s', '100000001', '2000000000', '1', '100000064']);
  assert.deepEqual(withLocalZone('one.acl.addrule', ['s', '100000001', '2000000000', '1', ''], 100), ['s', '100000001', '2000000000', '1', '100000064']);
  assert.deepEqual(withLocalZone('one.acl.addrule', ['s', '1', '2', '1', '400000000'], 100), ['s', '1', '2', '1', '400000000'], 'a zone given stays');
  assert.deepEqual(withLocalZone('one.user.allocate', ['s', 'ann', 'pw'], 100), ['s', 'ann', 'pw']);
});
