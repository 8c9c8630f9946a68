/** ENABLE_OTHER_PERMISSIONS = "NO": owners may no longer grant OTHER rights; admins still may. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Oned } from './harness.js';
import { Code, addUser, okId, okXml, permissionsOf, refused } from './api-helpers.js';

let oned: Oned;
before(async () => {
  oned = await Oned.start({ backend: 'sqlite', conf: 'ENABLE_OTHER_PERMISSIONS = "NO"' });
});
after(() => oned?.stop());

test('an owner cannot grant OTHER rights; oneadmin can', async () => {
  const bob = await addUser(oned, 'o-bob');
  const id = await okId(oned, 'one.document.allocate', ['NAME = "o-doc"', 1], bob.session);
  await refused(oned, 'one.document.chmod', [id, -1, -1, -1, -1, -1, -1, 1, -1, -1], Code.AUTHORIZATION, /OTHER/, bob.session);
  assert.equal(permissionsOf(await okXml(oned, 'one.document.info', [id])), '110000000');
  await okId(oned, 'one.document.chmod', [id, -1, -1, -1, -1, -1, -1, 1, -1, -1]);
  assert.equal(permissionsOf(await okXml(oned, 'one.document.info', [id])), '110000100');
});
