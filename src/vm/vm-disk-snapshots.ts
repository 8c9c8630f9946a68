/**
 * Disk snapshots of a VM: which disks can have them, the operation pending on a disk while the
 * VM is in a DISK_SNAPSHOT* state (marked on its DISK as OpenNebula does: DISK_SNAPSHOT_ACTIVE=YES,
 * DISK_SNAPSHOT_ID), and its end. The LCM state says which operation it is, so a restarted oned
 * sends it again.
 */
import { findDisk } from './vm-disk-ops.js';
import type { Vector } from '../common/template/index.js';
import type { QuotaUsage } from '../auth/quotas.js';
import { DiskSnapshotError, DiskSnapshots } from './disk-snapshots.js';
import type { VirtualMachine } from './virtual-machine.js';
import { vectors } from './vm-resources.js';
import { LcmState, VmState, type LcmStateValue, type VmStateValue } from './vm-state.js';

export type DiskSnapshotAction = 'create' | 'revert' | 'delete';

const L = LcmState;

/** The LCM state a disk snapshot operation of a VM in `state` (`running`: ACTIVE/RUNNING) goes through; undefined: not allowed there. */
export function diskSnapshotState(action: DiskSnapshotAction, state: number, running: boolean): LcmStateValue | undefined {
  const poweroff = state === VmState.POWEROFF;
  const suspended = state === VmState.SUSPENDED;
  switch (action) {
    case 'create':
      return poweroff ? L.DISK_SNAPSHOT_POWEROFF : suspended ? L.DISK_SNAPSHOT_SUSPENDED : running ? L.DISK_SNAPSHOT : undefined;
    case 'revert':
      return poweroff ? L.DISK_SNAPSHOT_REVERT_POWEROFF : suspended ? L.DISK_SNAPSHOT_REVERT_SUSPENDED : undefined;
    case 'delete':
      return poweroff ? L.DISK_SNAPSHOT_DELETE_POWEROFF : suspended ? L.DISK_SNAPSHOT_DELETE_SUSPENDED : running ? L.DISK_SNAPSHOT_DELETE : undefined;
  }
}

/** The operation of a DISK_SNAPSHOT* LCM state and the state the VM goes back to. */
export function diskSnapshotStep(lcm: number): { action: DiskSnapshotAction; back: VmStateValue } | undefined {
  switch (lcm) {
    case L.DISK_SNAPSHOT_POWEROFF: return { action: 'create', back: VmState.POWEROFF };
    case L.DISK_SNAPSHOT_REVERT_POWEROFF: return { action: 'revert', back: VmState.POWEROFF };
    case L.DISK_SNAPSHOT_DELETE_POWEROFF: return { action: 'delete', back: VmState.POWEROFF };
    case L.DISK_SNAPSHOT_SUSPENDED: return { action: 'create', back: VmState.SUSPENDED };
    case L.DISK_SNAPSHOT_REVERT_SUSPENDED: return { action: 'revert', back: VmState.SUSPENDED };
    case L.DISK_SNAPSHOT_DELETE_SUSPENDED: return { action: 'delete', back: VmState.SUSPENDED };
    case L.DISK_SNAPSHOT: return { action: 'create', back: VmState.ACTIVE };
    case L.DISK_SNAPSHOT_DELETE: return { action: 'delete', back: VmState.ACTIVE };
    default: return undefined;
  }
}

/** The DISK a snapshot operation may work on, or why not (unknown, volatile, CD-ROM). */
export function snapshotDisk(vm: VirtualMachine, diskId: number): Vector {
  const disk = findDisk(vm.template, diskId);
  if (!disk) throw new DiskSnapshotError(`VM ${vm.oid} has no disk with DISK_ID ${diskId}`);
  const type = (disk.get('TYPE') ?? '').toLowerCase();
  if (type === 'fs' || type === 'swap' || !disk.has('IMAGE_ID')) throw new DiskSnapshotError(`disk ${diskId} is volatile: volatile disks cannot have snapshots`);
  if (type === 'cdrom' || disk.get('READONLY') === 'YES') throw new DiskSnapshotError(`disk ${diskId} is read-only: it cannot have snapshots`);
  return disk;
}

/**
 * The snapshots of a disk, made (empty, or a copy of a persistent image's: `imageSnapshots`) the
 * first time they are needed; `keep` false only looks (the VM is not changed).
 */
export function snapshotsOf(vm: VirtualMachine, disk: Vector, imageSnapshots?: DiskSnapshots, keep = true): DiskSnapshots {
  const id = Number(disk.get('DISK_ID'));
  let s = vm.diskSnapshots.get(id);
  if (!s) {
    s = imageSnapshots && disk.get('PERSISTENT') === 'YES' ? imageSnapshots.clone(id) : new DiskSnapshots(id, disk.get('ALLOW_ORPHANS') ?? 'NO');
    if (!keep) return s;
    vm.diskSnapshots.set(id, s);
    disk.set('DISK_SNAPSHOT_TOTAL_SIZE', String(s.totalSize));
  }
  return s;
}

/** Marks the disk an operation is pending on. */
export function markDiskSnapshot(disk: Vector, snapId: number): void {
  disk.set('DISK_SNAPSHOT_ACTIVE', 'YES');
  disk.set('DISK_SNAPSHOT_ID', String(snapId));
}

/** The disk and snapshot the pending operation is on. */
export function pendingDiskSnapshot(vm: VirtualMachine): { disk: Vector; diskId: number; snapId: number } | undefined {
  const disk = vectors(vm.template, 'DISK').find((d) => d.get('DISK_SNAPSHOT_ACTIVE') === 'YES');
  if (!disk) return undefined;
  return { disk, diskId: Number(disk.get('DISK_ID')), snapId: Number(disk.get('DISK_SNAPSHOT_ID')) };
}

/**
 * What a snapshot of `size` MB of this disk counts in its owner's quota: the VM's
 * SYSTEM_DISK_SIZE for a disk cloned to the host. A persistent disk's snapshots live in its
 * image (they outlive the VM, and may come from an earlier VM), so they are not charged to a VM.
 */
export function diskSnapshotQuota(disk: Vector, size: number): QuotaUsage[] {
  if (size <= 0 || disk.get('PERSISTENT') === 'YES') return [];
  return [{ kind: 'VM', amounts: { SYSTEM_DISK_SIZE: size } }];
}

/** What every disk snapshot of the VM counts in the quota (given back when the VM is done). */
export function vmDiskSnapshotQuota(vm: VirtualMachine): QuotaUsage[] {
  return vectors(vm.template, 'DISK').flatMap((d) => diskSnapshotQuota(d, vm.diskSnapshots.get(Number(d.get('DISK_ID')))?.totalSize ?? 0));
}

/**
 * Ends the pending operation: a taken snapshot becomes active (a failed one goes), a reverted one
 * becomes active, a deleted one goes. Returns the quota to give back (a failed create, a delete).
 */
export function diskSnapshotDone(vm: VirtualMachine, action: DiskSnapshotAction, ok: boolean): QuotaUsage[] {
  const p = pendingDiskSnapshot(vm);
  if (!p) return [];
  p.disk.delete('DISK_SNAPSHOT_ACTIVE');
  p.disk.delete('DISK_SNAPSHOT_ID');
  const snaps = vm.diskSnapshots.get(p.diskId);
  const snap = snaps?.snaps.get(p.snapId);
  if (!snaps || !snap) return [];
  let freed = 0;
  if (action === 'create') {
    if (ok) snaps.activate(p.snapId);
    else {
      snaps.remove(p.snapId);
      freed = snap.size;
    }
  } else if (action === 'revert') {
    if (ok) snaps.activate(p.snapId);
  } else if (ok) {
    snaps.remove(p.snapId);
    freed = snap.size;
  }
  // As OpenNebula, a disk whose last snapshot goes has no SNAPSHOTS any more (ids start again at 0).
  if (snaps.size === 0) vm.diskSnapshots.delete(p.diskId);
  p.disk.set('DISK_SNAPSHOT_TOTAL_SIZE', String(snaps.totalSize));
  return diskSnapshotQuota(p.disk, freed);
}

/**
 * The disk leaves the VM (detached) or gets a fresh copy of its image (the VM is resubmitted):
 * its snapshots go from the VM; answers the quota they counted.
 */
export function dropDiskSnapshots(vm: VirtualMachine, disk: Vector): QuotaUsage[] {
  const id = Number(disk.get('DISK_ID'));
  const snaps = vm.diskSnapshots.get(id);
  if (!snaps) return [];
  vm.diskSnapshots.delete(id);
  disk.set('DISK_SNAPSHOT_TOTAL_SIZE', '0');
  return diskSnapshotQuota(disk, snaps.totalSize);
}
