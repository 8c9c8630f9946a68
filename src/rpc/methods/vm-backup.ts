/**
 * VM backups (OpenNebula 7.4): `one.vm.backup(id, backup_ds_id, reset)` and
 * `one.vm.backupcancel(id)`. A backup is taken of a POWEROFF VM: it goes BACKUP_POWEROFF while
 * the drivers copy its disks to the backup datastore and back to POWEROFF after, with a backup
 * image (or one more increment) on success (see src/backup). A RUNNING VM is refused: live
 * backups (libvirt backup-begin) are not implemented. A refused call changes nothing.
 */
import { AuthOp } from '../../auth/operation.js';
import { ActionNotAvailable } from '../../dm/index.js';
import { checkBackupDatastore } from '../../backup/backup-manager.js';
import { DatastoreType } from '../../datastore/index.js';
import { LcmState, VmState, vectors, type VirtualMachine } from '../../vm/index.js';
import { ApiError, ErrorCode } from '../api-error.js';
import { method, type MethodDef } from '../request-manager.js';
import type { Request } from '../request.js';
import type { Transaction } from '../../pool/index.js';
import type { Image } from '../../image/index.js';

/** MB the VM's disks take (their SIZE), what a full backup needs at most. */
function disksMb(vm: VirtualMachine): number {
  return vectors(vm.template, 'DISK').reduce((sum, d) => sum + (Number(d.get('SIZE') ?? 0) || 0), 0);
}

function backupsOf(req: Request) {
  const b = req.core.backups;
  if (!b) throw new ApiError(ErrorCode.INTERNAL, 'Backups are not available in this oned.', -1);
  return b;
}

async function backup(req: Request, oid: number, dsArg: number, reset: boolean): Promise<number> {
  const { vms, datastores } = req.core;
  const backups = backupsOf(req);
  const vm = req.authorized(vms, oid, AuthOp.ADMIN);
  const dsId = dsArg >= 0 ? dsArg : Number(vm.backups.get('LAST_DATASTORE_ID') ?? -1);
  if (dsId < 0) throw new ApiError(ErrorCode.ACTION, `VM ${oid} has no backup datastore: give one (one.vm.backup's second argument).`, oid);
  const ds = req.get(datastores, dsId);
  req.authorize(ds, AuthOp.USE, ds.clusterIds);
  try {
    checkBackupDatastore(ds);
  } catch (e) {
    throw new ApiError(ErrorCode.ACTION, (e as Error).message, dsId);
  }
  if (ds.fields.dsType === DatastoreType.BACKUP_DS && ds.fields.capacity.totalMb > 0 && ds.fields.capacity.freeMb < disksMb(vm)) {
    throw new ApiError(ErrorCode.ACTION, `Not enough space in backup datastore ${dsId}: ${disksMb(vm)} MB needed, ${ds.fields.capacity.freeMb} MB free.`, dsId);
  }
  if (vm.state === VmState.ACTIVE && vm.lcmState === LcmState.RUNNING) {
    throw new ApiError(ErrorCode.ACTION, `Cannot back up VM ${oid} while RUNNING: live backups are not supported by this installation's drivers; power the VM off first.`, oid);
  }
  if (vm.state !== VmState.POWEROFF) throw new ApiError(ErrorCode.ACTION, new ActionNotAvailable('backup', vm).message, -1);
  const tx = req.transaction();
  try {
    tx.touch(vms, vm);
    backups.start(vm, ds, reset);
  } catch (e) {
    tx.rollback();
    throw new ApiError(ErrorCode.ACTION, (e as Error).message, oid);
  }
  req.core.lcm.enter(tx, vm, VmState.ACTIVE, LcmState.BACKUP_POWEROFF);
  await tx.commit(); // the LCM sends BACKUP once committed
  return oid;
}

export const vmBackupMethods: MethodDef[] = [
  method({
    name: 'one.vm.backup',
    params: ['i', { opt: 'i', def: -1 }, { opt: 'b', def: false }],
    run: (req, [oid, dsId, reset]) => backup(req, oid, dsId, reset),
  }),
  method({
    name: 'one.vm.backupcancel',
    params: ['i'],
    run: async (req, [oid]) => {
      const vm = req.authorized(req.core.vms, oid, AuthOp.ADMIN);
      if (vm.state !== VmState.ACTIVE || (vm.lcmState !== LcmState.BACKUP_POWEROFF && vm.lcmState !== LcmState.BACKUP)) {
        throw new ApiError(ErrorCode.ACTION, `VM ${oid} is not being backed up (state ${vm.state === VmState.ACTIVE ? 'ACTIVE' : 'not ACTIVE'}).`, oid);
      }
      const tx = req.transaction();
      req.core.lcm.cancelBackup(tx, vm);
      await tx.commit();
      return oid;
    },
  }),
];

/** A backup image is being deleted: it leaves the BACKUP_IDS of the VM it was made of. */
export function forgetBackup(req: Request, tx: Transaction, image: Image): void {
  for (const vid of image.vms) {
    const vm = req.core.vms.get(vid);
    if (!vm) continue;
    tx.touch(req.core.vms, vm);
    req.core.backups?.forget(vm, image.oid);
  }
}
