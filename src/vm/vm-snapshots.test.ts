import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Template } from '../common/template/index.js';
import { vectors } from './vm-resources.js';
import { findSnapshot, newSnapshot, pendingSnapshot, snapshotDone } from './vm-snapshots.js';

const view = (t: Template) => vectors(t, 'SNAPSHOT').map((s) => Object.fromEntries(s));

test('create: ACTION=CREATE while pending; success takes the hypervisor id and the ACTIVE mark', () => {
  const t = Template.parse('CPU = 1');
  assert.equal(newSnapshot(t, 'a', 100), 0);
  assert.equal(pendingSnapshot(t)?.action, 'CREATE');
  snapshotDone(t, true, 'hv-0');
  assert.deepEqual(view(t), [{ ACTIVE: 'YES', HYPERVISOR_ID: 'hv-0', NAME: 'a', SNAPSHOT_ID: '0', SYSTEM_DISK_SIZE: '0', TIME: '100' }]);
  assert.equal(newSnapshot(t, '', 101), 1);
  snapshotDone(t, true, 'hv-1');
  assert.deepEqual(view(t).map((s) => [s['SNAPSHOT_ID'], s['NAME'], s['ACTIVE']]), [['0', 'a', undefined], ['1', 'snapshot-1', 'YES']]);
  assert.equal(pendingSnapshot(t), undefined);
});

test('a failed create drops the new snapshot; the active one stays', () => {
  const t = Template.parse('CPU = 1');
  newSnapshot(t, 'a', 1);
  snapshotDone(t, true, 'hv-0');
  newSnapshot(t, 'b', 2);
  snapshotDone(t, false);
  assert.deepEqual(view(t).map((s) => [s['SNAPSHOT_ID'], s['ACTIVE']]), [['0', 'YES']]);
});

test('revert moves ACTIVE on success only; delete drops on success only', () => {
  const t = Template.parse('CPU = 1');
  for (const n of ['a', 'b']) {
    newSnapshot(t, n, 1);
    snapshotDone(t, true, `hv-${n}`);
  }
  findSnapshot(t, 0)!.set('ACTION', 'REVERT');
  snapshotDone(t, false);
  assert.deepEqual(view(t).map((s) => [s['SNAPSHOT_ID'], s['ACTIVE'], s['ACTION']]), [['0', undefined, undefined], ['1', 'YES', undefined]]);
  findSnapshot(t, 0)!.set('ACTION', 'REVERT');
  snapshotDone(t, true);
  assert.deepEqual(view(t).map((s) => [s['SNAPSHOT_ID'], s['ACTIVE']]), [['0', 'YES'], ['1', undefined]]);
  findSnapshot(t, 1)!.set('ACTION', 'DELETE');
  snapshotDone(t, false);
  assert.equal(view(t).length, 2);
  findSnapshot(t, 1)!.set('ACTION', 'DELETE');
  snapshotDone(t, true);
  assert.deepEqual(view(t).map((s) => s['SNAPSHOT_ID']), ['0']);
  assert.equal(findSnapshot(t, 1), undefined);
});
