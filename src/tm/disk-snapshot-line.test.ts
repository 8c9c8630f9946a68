import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Template } from '../common/template/index.js';
import { operationOf } from '../lcm/operations.js';
import { Permissions } from '../pool/index.js';
import { LcmState, markDiskSnapshot, VirtualMachine, VmState, vectors } from '../vm/index.js';
import { diskSnapshotLine } from './disk-snapshot-line.js';

const at = { tmMad: 'shared', dsId: 0, vmDir: '/ds/0/7', host: 'node1' };

function vm(lcm: number): VirtualMachine {
  const v = VirtualMachine.create(7, 'db', { uid: 0, gid: 0, uname: 'oneadmin', gname: 'oneadmin' }, Permissions.fromOctal(0o600),
    Template.parse('DISK = [ DISK_ID = 0, IMAGE_ID = 1, TM_MAD = qcow2, DATASTORE_ID = 1 ]\nDISK = [ DISK_ID = 1, IMAGE_ID = 2, TM_MAD = qcow2, DATASTORE_ID = 1 ]'),
    new Template(), false, 0);
  v.setState(VmState.ACTIVE, lcm as never);
  markDiskSnapshot(vectors(v.template, 'DISK')[1]!, 3);
  return v;
}

test('the line of each DISK_SNAPSHOT state names the marked disk, the snapshot, the disk TM_MAD and datastore', () => {
  const cases: [number, string][] = [
    [LcmState.DISK_SNAPSHOT_POWEROFF, 'SNAP_CREATE'],
    [LcmState.DISK_SNAPSHOT_SUSPENDED, 'SNAP_CREATE'],
    [LcmState.DISK_SNAPSHOT_REVERT_POWEROFF, 'SNAP_REVERT'],
    [LcmState.DISK_SNAPSHOT_REVERT_SUSPENDED, 'SNAP_REVERT'],
    [LcmState.DISK_SNAPSHOT_DELETE_POWEROFF, 'SNAP_DELETE'],
    [LcmState.DISK_SNAPSHOT_DELETE_SUSPENDED, 'SNAP_DELETE'],
    [LcmState.DISK_SNAPSHOT_DELETE, 'SNAP_DELETE'],
  ];
  for (const [lcm, command] of cases) {
    const v = vm(lcm);
    assert.deepEqual(diskSnapshotLine(v, at), [`${command} qcow2 node1:/ds/0/7/disk.1 3 7 1`]);
    assert.deepEqual(operationOf(v), { kind: 'tm', op: 'disk_snapshot' });
  }
});

test('a running VM: the VMM takes it (DISKSNAPSHOTCREATE) with a SNAP_CREATE_LIVE line; nothing pending, no line', () => {
  const v = vm(LcmState.DISK_SNAPSHOT);
  assert.deepEqual(operationOf(v), { kind: 'vmm', action: 'DISKSNAPSHOTCREATE', on: 'host' });
  assert.deepEqual(diskSnapshotLine(v, at, true), ['SNAP_CREATE_LIVE qcow2 node1:/ds/0/7/disk.1 3 7 1']);
  assert.deepEqual(diskSnapshotLine(vm(LcmState.RUNNING), at), []);
});
