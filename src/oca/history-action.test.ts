import assert from 'node:assert/strict';
import { test } from 'node:test';
import { historyActionName } from './history-action.js';

test('history action codes read as OpenNebula names them', () => {
  assert.equal(historyActionName(0), 'none');
  assert.equal(historyActionName(2), 'live-migrate');
  assert.equal(historyActionName('19'), 'poweroff');
  assert.equal(historyActionName(27), 'terminate');
  assert.equal(historyActionName(30), 'deploy');
  assert.equal(historyActionName(49), 'poweroff-hard-migrate');
  assert.equal(historyActionName(999), '999');
});
