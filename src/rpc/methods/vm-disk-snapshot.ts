/**
 * Disk snapshots of a VM: `one.vm.disksnapshotcreate`, `disksnapshotrevert`, `disksnapshotdelete`,
 * `disksnapshotrename`. Create, revert and delete mark the disk and move the VM to a DISK_SNAPSHOT*
 * state (POWEROFF and SUSPENDED VMs through the TM; a RUNNING VM's create through the VMM, its
 * delete through the TM); the LCM brings it back when the driver answers (see
 * src/vm/vm-disk-snapshots.ts). A refused call changes nothing.
 */
import { AuthOp } from '../../auth/operation.js';
import { chargeQuotas, QuotaExceededError } from '../../auth/quota-charge.js';
import { imageSnapshotsOf } from '../../image/image-snapshots.js';
import {
  diskSnapshotQuota,
  DiskSnapshotError,
  diskSnapshotState,
  displayState,
  LcmState,
  markDiskSnapshot,
  snapshotDisk,
  snapshotsOf,
  VmState,
  type DiskSnapshotAction,
  type LcmStateValue,
  type VirtualMachine,
} from '../../vm/index.js';
import { ApiError, ErrorCode } from '../api-error.js';
import { method, type MethodDef } from '../request-manager.js';
import type { Request } from '../request.js';

/** The disk's snapshots (`keep`: made part of the VM), or an ACTION error saying why the disk cannot have any. */
function diskOf(req: Request, vm: VirtualMachine, diskId: number, what: string, keep = false) {
  try {
    const disk = snapshotDisk(vm, diskId);
    return { disk, snaps: snapshotsOf(vm, disk, imageSnapshotsOf(req.core.images, Number(disk.get('IMAGE_ID'))), keep) };
  } catch (err) {
    if (err instanceof DiskSnapshotError) throw new ApiError(ErrorCode.ACTION, `${what}: ${err.message}.`, vm.oid);
    throw err;
  }
}

/** The LCM state of `action` for the VM now, or the state error OpenNebula gives. */
function stateFor(vm: VirtualMachine, action: DiskSnapshotAction): LcmStateValue {
  const running = vm.state === VmState.ACTIVE && vm.lcmState === LcmState.RUNNING;
  const lcm = diskSnapshotState(action, vm.state, running);
  if (lcm === undefined) {
    const allowed = action === 'revert' ? 'POWEROFF or SUSPENDED' : 'POWEROFF, SUSPENDED or RUNNING';
    throw new ApiError(ErrorCode.ACTION, `Error performing action "disk-snapshot-${action}": This action is not available for state ${displayState(vm.state, vm.lcmState)} (only ${allowed}).`, vm.oid);
  }
  return lcm;
}

/** Marks the disk, moves the VM and commits (the LCM then sends the driver operation). */
async function start(req: Request, vm: VirtualMachine, lcm: LcmStateValue, change: (tx: ReturnType<Request['transaction']>) => void): Promise<void> {
  const tx = req.transaction();
  try {
    tx.touch(req.core.vms, vm);
    change(tx);
    req.core.lcm.enter(tx, vm, VmState.ACTIVE, lcm);
  } catch (err) {
    tx.rollback();
    if (err instanceof QuotaExceededError) throw new ApiError(ErrorCode.AUTHORIZATION, err.message, vm.oid);
    throw err;
  }
  await tx.commit();
}

export const vmDiskSnapshotMethods: MethodDef[] = [
  method({
    name: 'one.vm.disksnapshotcreate',
    params: ['i', 'i', 's'],
    run: async (req, [oid, diskId, name]) => {
      const vm = req.authorized(req.core.vms, oid, AuthOp.MANAGE);
      const what = `Cannot create a snapshot of disk ${diskId} of VM ${oid}`;
      const lcm = stateFor(vm, 'create');
      const { disk } = diskOf(req, vm, diskId, what);
      const size = Number(disk.get('SIZE') ?? 0);
      let id = -1;
      await start(req, vm, lcm, (tx) => {
        chargeQuotas(tx, req.core, vm.owner.uid, vm.owner.gid, diskSnapshotQuota(disk, size));
        // Kept inside the transaction: a rollback restores the VM as it was stored.
        const { snaps } = diskOf(req, vm, diskId, what, true);
        id = snaps.create(name.trim(), size, Math.floor(Date.now() / 1000)).id;
        disk.set('DISK_SNAPSHOT_TOTAL_SIZE', String(snaps.totalSize));
        markDiskSnapshot(disk, id);
      });
      req.core.vmLogs.write(oid, 'ReM', 'I', `Disk snapshot ${id} of disk ${diskId} requested`);
      return id;
    },
  }),
  method({
    name: 'one.vm.disksnapshotrevert',
    params: ['i', 'i', 'i'],
    run: async (req, [oid, diskId, snapId]) => {
      const vm = req.authorized(req.core.vms, oid, AuthOp.MANAGE);
      const what = `Cannot revert disk ${diskId} of VM ${oid} to snapshot ${snapId}`;
      const lcm = stateFor(vm, 'revert');
      const { disk, snaps } = diskOf(req, vm, diskId, what);
      if (!snaps.snaps.has(snapId)) throw new ApiError(ErrorCode.ACTION, `${what}: snapshot ${snapId} does not exist.`, oid);
      await start(req, vm, lcm, () => {
        diskOf(req, vm, diskId, what, true);
        markDiskSnapshot(disk, snapId);
      });
      return oid;
    },
  }),
  method({
    name: 'one.vm.disksnapshotdelete',
    params: ['i', 'i', 'i'],
    run: async (req, [oid, diskId, snapId]) => {
      const vm = req.authorized(req.core.vms, oid, AuthOp.MANAGE);
      const what = `Cannot delete snapshot ${snapId} of disk ${diskId} of VM ${oid}`;
      const lcm = stateFor(vm, 'delete');
      const { disk, snaps } = diskOf(req, vm, diskId, what);
      const problem = snaps.deleteError(snapId);
      if (problem) throw new ApiError(ErrorCode.ACTION, `${what}: ${problem}.`, oid);
      await start(req, vm, lcm, () => {
        diskOf(req, vm, diskId, what, true);
        markDiskSnapshot(disk, snapId);
      });
      return oid;
    },
  }),
  method({
    name: 'one.vm.disksnapshotrename',
    params: ['i', 'i', 'i', 's'],
    run: async (req, [oid, diskId, snapId, newName]) => {
      const vm = req.authorized(req.core.vms, oid, AuthOp.MANAGE);
      const what = `Cannot rename snapshot ${snapId} of disk ${diskId} of VM ${oid}`;
      const name = newName.trim();
      if (name === '') throw new ApiError(ErrorCode.ACTION, `${what}: the new name is empty.`, oid);
      if (!diskOf(req, vm, diskId, what).snaps.snaps.has(snapId)) throw new ApiError(ErrorCode.ACTION, `${what}: snapshot ${snapId} does not exist.`, oid);
      const tx = req.transaction();
      tx.touch(req.core.vms, vm);
      diskOf(req, vm, diskId, what, true).snaps.get(snapId).name = name;
      await tx.commit();
      return oid;
    },
  }),
];
