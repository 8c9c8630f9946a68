import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Template } from '../common/template/index.js';
import { Permissions } from '../pool/index.js';
import { DiskSnapshots } from './disk-snapshots.js';
import { VirtualMachine } from './virtual-machine.js';
import { diskSnapshotDone, diskSnapshotQuota, diskSnapshotState, diskSnapshotStep, markDiskSnapshot, pendingDiskSnapshot, snapshotDisk, snapshotsOf } from './vm-disk-snapshots.js';
import { LcmState, VmState } from './vm-state.js';

function vm(): VirtualMachine {
  const t = Template.parse(
    'DISK = [ DISK_ID = 0, IMAGE_ID = 3, SIZE = 100, DATASTORE_ID = 1 ]\nDISK = [ DISK_ID = 1, IMAGE_ID = 4, SIZE = 50, PERSISTENT = YES, DATASTORE_ID = 1 ]\nDISK = [ DISK_ID = 2, TYPE = fs, SIZE = 10 ]\nDISK = [ DISK_ID = 3, IMAGE_ID = 5, TYPE = CDROM, READONLY = YES ]',
  );
  return VirtualMachine.create(7, 'v', { uid: 0, gid: 0, uname: 'oneadmin', gname: 'oneadmin' }, Permissions.fromOctal(0o600), t, new Template(), false, 1);
}

test('states: create/delete in POWEROFF, SUSPENDED, RUNNING; revert not RUNNING; and back', () => {
  assert.equal(diskSnapshotState('create', VmState.POWEROFF, false), LcmState.DISK_SNAPSHOT_POWEROFF);
  assert.equal(diskSnapshotState('create', VmState.ACTIVE, true), LcmState.DISK_SNAPSHOT);
  assert.equal(diskSnapshotState('delete', VmState.ACTIVE, true), LcmState.DISK_SNAPSHOT_DELETE);
  assert.equal(diskSnapshotState('revert', VmState.SUSPENDED, false), LcmState.DISK_SNAPSHOT_REVERT_SUSPENDED);
  assert.equal(diskSnapshotState('revert', VmState.ACTIVE, true), undefined);
  assert.equal(diskSnapshotState('create', VmState.STOPPED, false), undefined);
  assert.deepEqual(diskSnapshotStep(LcmState.DISK_SNAPSHOT_DELETE_SUSPENDED), { action: 'delete', back: VmState.SUSPENDED });
  assert.deepEqual(diskSnapshotStep(LcmState.DISK_SNAPSHOT), { action: 'create', back: VmState.ACTIVE });
  assert.equal(diskSnapshotStep(LcmState.RUNNING), undefined);
});

test('disks that cannot have snapshots are named', () => {
  const v = vm();
  assert.throws(() => snapshotDisk(v, 9), /no disk with DISK_ID 9/);
  assert.throws(() => snapshotDisk(v, 2), /disk 2 is volatile/);
  assert.throws(() => snapshotDisk(v, 3), /disk 3 is read-only/);
  assert.equal(snapshotDisk(v, 0).get('IMAGE_ID'), '3');
});

test('a create that succeeds becomes active; one that fails goes and gives its quota back', () => {
  const v = vm();
  const d0 = snapshotDisk(v, 0);
  const s = snapshotsOf(v, d0);
  markDiskSnapshot(d0, s.create('a', 100, 1).id);
  assert.deepEqual(pendingDiskSnapshot(v), { disk: d0, diskId: 0, snapId: 0 });
  assert.deepEqual(diskSnapshotDone(v, 'create', true), []);
  assert.equal(s.active, 0);
  assert.equal(pendingDiskSnapshot(v), undefined);
  markDiskSnapshot(d0, s.create('b', 100, 2).id);
  d0.set('DISK_SNAPSHOT_TOTAL_SIZE', '200');
  assert.deepEqual(diskSnapshotDone(v, 'create', false), [{ kind: 'VM', amounts: { SYSTEM_DISK_SIZE: 100 } }]);
  assert.equal(d0.get('DISK_SNAPSHOT_TOTAL_SIZE'), '100');
  assert.equal(s.active, 0);
  markDiskSnapshot(d0, 0);
  assert.deepEqual(diskSnapshotDone(v, 'delete', false), [], 'a failed delete keeps it');
  assert.equal(v.diskSnapshots.get(0)?.size, 1);
});

test("quota: a persistent disk's snapshots are not charged to the VM; a VM disk without snapshots has no SNAPSHOTS", () => {
  const v = vm();
  assert.deepEqual(diskSnapshotQuota(snapshotDisk(v, 0), 50), [{ kind: 'VM', amounts: { SYSTEM_DISK_SIZE: 50 } }]);
  assert.deepEqual(diskSnapshotQuota(snapshotDisk(v, 1), 50), [], 'they stay with the image');
  const image = new DiskSnapshots(-1);
  image.activate(image.create('kept', 50, 1).id);
  const looked = snapshotsOf(v, snapshotDisk(v, 1), image, false);
  assert.equal(looked.get(0).name, 'kept');
  assert.equal(v.diskSnapshots.size, 0, 'only looked');
  snapshotsOf(v, snapshotDisk(v, 1), image);
  assert.equal(v.diskSnapshots.get(1)?.diskId, 1);
  assert.match(v.toXml(), /<\/HISTORY_RECORDS><SNAPSHOTS><ALLOW_ORPHANS>NO<\/ALLOW_ORPHANS><CURRENT_BASE>-1<\/CURRENT_BASE><DISK_ID>1<\/DISK_ID>/);
});
