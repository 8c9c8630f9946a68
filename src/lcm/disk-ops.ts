/**
 * The end of a disk operation the LCM waited for: `one.vm.diskresize` (DISK_RESIZE*) and
 * `one.vm.disksaveas` (HOTPLUG_SAVEAS*). Success keeps the new size (a persistent image takes it
 * too) or makes the new image READY; failure gives the size, and the quota it took, back, or
 * puts the new image in ERROR. Either way the VM goes back to the state it came from.
 */
import type { Transaction } from '../pool/index.js';
import { QuotaExceededError, releaseQuotas, type QuotaPayers } from '../auth/quota-charge.js';
import type { ImagePool } from '../image/index.js';
import { LcmState, resizeDone, resizeQuota, saveAsDone, VmState, type LcmStateValue, type VirtualMachine, type VmLogs, type VmStateValue } from '../vm/index.js';

/** The state each disk operation state returns to. */
const BACK_TO: ReadonlyMap<number, [VmStateValue, LcmStateValue?]> = new Map<number, [VmStateValue, LcmStateValue?]>([
  [LcmState.DISK_RESIZE, [VmState.ACTIVE, LcmState.RUNNING]],
  [LcmState.DISK_RESIZE_POWEROFF, [VmState.POWEROFF]],
  [LcmState.DISK_RESIZE_UNDEPLOYED, [VmState.UNDEPLOYED]],
  [LcmState.HOTPLUG_SAVEAS, [VmState.ACTIVE, LcmState.RUNNING]],
  [LcmState.HOTPLUG_SAVEAS_POWEROFF, [VmState.POWEROFF]],
  [LcmState.HOTPLUG_SAVEAS_SUSPENDED, [VmState.SUSPENDED]],
  [LcmState.HOTPLUG_SAVEAS_UNDEPLOYED, [VmState.UNDEPLOYED]],
  [LcmState.HOTPLUG_SAVEAS_STOPPED, [VmState.STOPPED]],
]);

const RESIZE_STATES: ReadonlySet<number> = new Set([LcmState.DISK_RESIZE, LcmState.DISK_RESIZE_POWEROFF, LcmState.DISK_RESIZE_UNDEPLOYED]);

export interface DiskOpsEnv {
  readonly payers: QuotaPayers;
  readonly logs: VmLogs;
  readonly images?: ImagePool;
}

/**
 * Applies the end of the VM's disk operation when its LCM state is one; returns the state to go
 * back to (the caller enters it), or undefined when the VM is in no such state.
 */
export function diskOpEnded(tx: Transaction, env: DiskOpsEnv, vm: VirtualMachine, ok: boolean, message = ''): [VmStateValue, LcmStateValue?] | undefined {
  const back = BACK_TO.get(vm.lcmState);
  if (!back) return undefined;
  if (RESIZE_STATES.has(vm.lcmState)) resizeEnded(tx, env, vm, ok);
  else saveAsEnded(tx, env, vm, ok, message);
  return back;
}

/**
 * A VM that ends (DONE) while a disk operation was pending: it counts as failed (the size and
 * quota go back, the new image is ERROR), so nothing stays charged or LOCKED.
 */
export function abandonDiskOps(tx: Transaction, env: DiskOpsEnv, vm: VirtualMachine): void {
  resizeEnded(tx, env, vm, false);
  saveAsEnded(tx, env, vm, false, 'the VM ended before the copy was done');
}

function resizeEnded(tx: Transaction, env: DiskOpsEnv, vm: VirtualMachine, ok: boolean): void {
  const r = resizeDone(vm.template, ok);
  if (!r) return;
  const id = r.disk.get('DISK_ID');
  const { payer, usage } = resizeQuota(r.disk, r.to - r.from);
  const image = r.disk.get('IMAGE_ID') === undefined ? undefined : env.images?.get(Number(r.disk.get('IMAGE_ID')));
  if (ok) {
    // A persistent image is the disk: it has the new size (its datastore quota was charged so).
    if (payer === 'image' && image) tx.touch(env.images!, image).fields.size = r.to;
    env.logs.write(vm.oid, 'LCM', 'I', `Disk ${id} resized from ${r.from} MB to ${r.to} MB.`);
    return;
  }
  const owner = payer === 'image' && image ? image.owner : vm.owner;
  try {
    releaseQuotas(tx, env.payers, owner.uid, owner.gid, [usage]);
  } catch (err) {
    if (!(err instanceof QuotaExceededError)) throw err;
  }
  env.logs.write(vm.oid, 'LCM', 'I', `Disk ${id} resize failed: it keeps its former size of ${r.from} MB.`);
}

function saveAsEnded(tx: Transaction, env: DiskOpsEnv, vm: VirtualMachine, ok: boolean, message: string): void {
  const imageId = saveAsDone(vm.template);
  if (imageId === undefined) return;
  const image = env.images?.get(imageId);
  if (ok) {
    env.images?.savedAsReady(tx, imageId);
    env.logs.write(vm.oid, 'LCM', 'I', `Disk saved as image ${imageId}.`);
  } else {
    if (image) tx.touch(env.images!, image).failed(`Cannot save the disk of VM ${vm.oid}: ${message || 'driver failure'}`);
    env.logs.write(vm.oid, 'LCM', 'E', `Disk could not be saved as image ${imageId}.`);
  }
}
