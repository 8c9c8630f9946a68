/**
 * Disk operations on a VM, as OpenNebula 7.4:
 * - `one.vm.diskresize(id, disk_id, new_size_mb)`: grows a disk. RUNNING → DISK_RESIZE (the VMM
 *   driver's RESIZEDISK: TM RESIZE, then `virsh blockresize`), POWEROFF / UNDEPLOYED →
 *   DISK_RESIZE_POWEROFF / DISK_RESIZE_UNDEPLOYED (the TM RESIZE). The quota and the datastore's
 *   free space are checked and charged first; a failed driver gives both back.
 * - `one.vm.disksaveas(id, disk_id, image_name, image_type, snap_id)`: a new image in the disk's
 *   image datastore, LOCKED at once, filled by the TM CPDS while the VM is HOTPLUG_SAVEAS
 *   (RUNNING), HOTPLUG_SAVEAS_POWEROFF, _SUSPENDED, _UNDEPLOYED or _STOPPED; READY after, or
 *   ERROR when the copy failed. The VM goes back to its state either way.
 * The LCM ends both (src/lcm/disk-ops.ts). A refused call changes nothing.
 */
import { AuthOp } from '../../auth/operation.js';
import { chargeQuotas, QuotaExceededError } from '../../auth/quota-charge.js';
import { ActionNotAvailable } from '../../dm/index.js';
import {
  diskOpPending,
  findDisk,
  LcmState,
  markResize,
  markSaveAs,
  resizeQuota,
  VmAction,
  VmState,
  type LcmStateValue,
  type VirtualMachine,
  type VmActionValue,
} from '../../vm/index.js';
import { ApiError, ErrorCode } from '../api-error.js';
import { method, type MethodDef } from '../request-manager.js';
import type { Request } from '../request.js';
import { makeSavedImage } from './vm-savedisk.js';

/** The LCM state a disk-resize goes through from the VM's state, or undefined when refused. */
function resizeState(vm: VirtualMachine): LcmStateValue | undefined {
  if (vm.state === VmState.ACTIVE) return vm.lcmState === LcmState.RUNNING ? LcmState.DISK_RESIZE : undefined;
  if (vm.state === VmState.POWEROFF) return LcmState.DISK_RESIZE_POWEROFF;
  if (vm.state === VmState.UNDEPLOYED) return LcmState.DISK_RESIZE_UNDEPLOYED;
  return undefined;
}

/** The LCM state a disk-saveas goes through from the VM's state, or undefined when refused. */
function saveAsState(vm: VirtualMachine): LcmStateValue | undefined {
  if (vm.state === VmState.ACTIVE) return vm.lcmState === LcmState.RUNNING ? LcmState.HOTPLUG_SAVEAS : undefined;
  return new Map<number, LcmStateValue>([
    [VmState.POWEROFF, LcmState.HOTPLUG_SAVEAS_POWEROFF],
    [VmState.SUSPENDED, LcmState.HOTPLUG_SAVEAS_SUSPENDED],
    [VmState.UNDEPLOYED, LcmState.HOTPLUG_SAVEAS_UNDEPLOYED],
    [VmState.STOPPED, LcmState.HOTPLUG_SAVEAS_STOPPED],
  ]).get(vm.state);
}

/** The refusal of an action the VM's state does not allow (OpenNebula's words, no object id). */
function notAvailable(action: string, vm: VirtualMachine): ApiError {
  return new ApiError(ErrorCode.ACTION, new ActionNotAvailable(action, vm).message, -1);
}

/** Starts the disk operation: the VM ACTIVE in `lcm`, the history action recorded. */
function enter(req: Request, tx: ReturnType<Request['transaction']>, vm: VirtualMachine, lcm: LcmStateValue, action: VmActionValue): void {
  tx.touch(req.core.vms, vm);
  vm.lastHistory?.setAction(action, req.caller.uid, req.caller.gid, req.id);
  req.core.lcm.enter(tx, vm, VmState.ACTIVE, lcm);
}

async function diskResize(req: Request, oid: number, diskId: number, sizeText: string): Promise<number> {
  const text = sizeText.trim();
  if (!/^\d+$/.test(text)) throw new ApiError(ErrorCode.ACTION, `Disk SIZE is not a valid integer: "${sizeText}" (give the new size in MB)`, oid);
  const size = Number(text);
  const vm = req.authorized(req.core.vms, oid, AuthOp.MANAGE);
  const disk = findDisk(vm.template, diskId);
  if (!disk) throw new ApiError(ErrorCode.ACTION, `VM disk does not exist: VM ${oid} has no DISK with DISK_ID ${diskId}`, oid);
  if (disk.get('TYPE') === 'CDROM') throw new ApiError(ErrorCode.ACTION, `Cannot resize DISK ${diskId} of VM ${oid}: it is a CDROM`, oid);
  const current = Number(disk.get('SIZE') ?? 0);
  if (size <= current) throw new ApiError(ErrorCode.ACTION, `New disk size has to be greater than current one (DISK ${diskId} of VM ${oid} has ${current} MB, ${size} MB asked)`, oid);
  const lcm = resizeState(vm);
  if (lcm === undefined || diskOpPending(vm.template)) throw notAvailable('disk-resize', vm);
  const delta = size - current;
  const { payer, usage } = resizeQuota(disk, delta);
  const image = disk.get('IMAGE_ID') === undefined ? undefined : req.core.images.get(Number(disk.get('IMAGE_ID')));
  // The space comes from the image's datastore (persistent) or the VM's system datastore.
  const dsId = payer === 'image' ? Number(disk.get('DATASTORE_ID')) : vm.lastHistory?.placement.dsId;
  const ds = dsId === undefined ? undefined : req.core.datastores.get(dsId);
  const cap = ds?.fields.capacity;
  if (ds && cap && cap.totalMb > 0 && cap.freeMb < delta) {
    throw new ApiError(ErrorCode.ACTION, `Cannot resize DISK ${diskId} of VM ${oid}: datastore ${ds.oid} (${ds.name}) has ${cap.freeMb} MB free, ${delta} MB more asked`, oid);
  }
  const owner = payer === 'image' && image ? image.owner : vm.owner;
  const tx = req.transaction();
  try {
    chargeQuotas(tx, req.core, owner.uid, owner.gid, [usage]);
  } catch (err) {
    tx.rollback();
    if (err instanceof QuotaExceededError) throw new ApiError(ErrorCode.AUTHORIZATION, `Cannot resize DISK ${diskId} of VM ${oid}: ${err.message}`, oid);
    throw err;
  }
  markResize(disk, size);
  enter(req, tx, vm, lcm, VmAction.DISK_RESIZE);
  await tx.commit();
  req.core.vmLogs.write(oid, 'ReM', 'I', `Disk ${diskId} resize: ${current} MB → ${size} MB`);
  return oid;
}

async function diskSaveAs(req: Request, oid: number, diskId: number, name: string, typeText: string, snapId: number): Promise<number> {
  const { vms, images } = req.core;
  const vm = req.authorized(vms, oid, AuthOp.MANAGE);
  const disk = findDisk(vm.template, diskId);
  if (!disk) throw new ApiError(ErrorCode.ACTION, `VM disk does not exist: VM ${oid} has no DISK with DISK_ID ${diskId}`, oid);
  if (disk.get('IMAGE_ID') === undefined) throw new ApiError(ErrorCode.ACTION, `Cannot save DISK ${diskId} of VM ${oid}: it is volatile (no image), only disks of images can be saved`, oid);
  if (snapId !== -1 && !vm.diskSnapshots.get(diskId)?.snaps.has(snapId)) {
    throw new ApiError(ErrorCode.ACTION, `Cannot save DISK ${diskId} of VM ${oid}: it has no snapshot ${snapId} (use -1 for its current state)`, oid);
  }
  if (saveAsState(vm) === undefined || diskOpPending(vm.template)) throw notAvailable('disk-saveas', vm);
  const made = await makeSavedImage(req, vm, disk, name, typeText, Number(disk.get('SIZE') ?? 0));
  // The driver made the image meanwhile: the VM must still be where a save-as can start.
  const now = vms.get(oid);
  const d = now && findDisk(now.template, diskId);
  const lcm = now && saveAsState(now);
  const tx = req.transaction();
  if (!now || !d || lcm === undefined || diskOpPending(now.template)) {
    tx.touch(images, made).failed(`VM ${oid} changed state before its DISK ${diskId} could be saved`);
    await tx.commit();
    throw new ApiError(ErrorCode.ACTION, `VM ${oid} changed state before DISK ${diskId} could be saved: image ${made.oid} is in ERROR`, oid);
  }
  markSaveAs(d, made.oid, made.fields.source, snapId);
  enter(req, tx, now, lcm, VmAction.DISK_SAVEAS);
  await tx.commit();
  req.core.vmLogs.write(oid, 'ReM', 'I', `Disk ${diskId} to be saved as image ${made.oid} "${name}"`);
  return made.oid;
}

export const vmDiskOpsMethods: MethodDef[] = [
  method({
    name: 'one.vm.diskresize',
    params: ['i', 'i', 's'],
    run: (req, [oid, diskId, size]) => diskResize(req, oid, diskId, size),
  }),
  method({
    name: 'one.vm.disksaveas',
    params: ['i', 'i', 's', 's', { opt: 'i', def: -1 }],
    run: (req, [oid, diskId, name, type, snapId]) => diskSaveAs(req, oid, diskId, name, type, snapId),
  }),
];
