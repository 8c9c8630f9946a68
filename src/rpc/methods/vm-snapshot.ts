/**
 * System snapshots of a running VM: `one.vm.snapshotcreate`, `one.vm.snapshotrevert`,
 * `one.vm.snapshotdelete`. The call marks the SNAPSHOT and moves the VM to HOTPLUG_SNAPSHOT;
 * the VMM driver does the work after the commit and the LCM brings the VM back to RUNNING
 * (see src/vm/vm-snapshots.ts). A refused call changes nothing.
 */
import { AuthOp } from '../../auth/operation.js';
import { ActionNotAvailable } from '../../dm/index.js';
import { findSnapshot, newSnapshot, type VirtualMachine } from '../../vm/index.js';
import { ApiError, ErrorCode } from '../api-error.js';
import { method, type MethodDef } from '../request-manager.js';
import type { Request } from '../request.js';

type Action = 'snapshot-create' | 'snapshot-revert' | 'snapshot-delete';

async function step(req: Request, vm: VirtualMachine, action: Action, change: () => void): Promise<void> {
  const tx = req.transaction();
  try {
    req.core.dm.snapshot(tx, vm, action, change);
  } catch (err) {
    tx.rollback();
    // As the other state changes: OpenNebula 7.4 names no object (id -1).
    if (err instanceof ActionNotAvailable) throw new ApiError(ErrorCode.ACTION, err.message, -1);
    throw err;
  }
  await tx.commit(); // the LCM sends the VMM action once committed
}

function existing(vm: VirtualMachine, snapId: number, what: string) {
  const snap = findSnapshot(vm.template, snapId);
  if (!snap) throw new ApiError(ErrorCode.ACTION, `${what}: VM ${vm.oid} has no snapshot with SNAPSHOT_ID ${snapId}.`, vm.oid);
  return snap;
}

export const vmSnapshotMethods: MethodDef[] = [
  method({
    name: 'one.vm.snapshotcreate',
    params: ['i', 's'],
    run: async (req, [oid, name]) => {
      const vm = req.authorized(req.core.vms, oid, AuthOp.MANAGE);
      let id = -1;
      await step(req, vm, 'snapshot-create', () => {
        id = newSnapshot(vm.template, name.trim(), Math.floor(Date.now() / 1000));
      });
      return id;
    },
  }),
  method({
    name: 'one.vm.snapshotrevert',
    params: ['i', 'i'],
    run: async (req, [oid, snapId]) => {
      const vm = req.authorized(req.core.vms, oid, AuthOp.MANAGE);
      await step(req, vm, 'snapshot-revert', () => existing(vm, snapId, `Could not revert VM ${oid} to snapshot ${snapId}`).set('ACTION', 'REVERT'));
      return oid;
    },
  }),
  method({
    name: 'one.vm.snapshotdelete',
    params: ['i', 'i'],
    run: async (req, [oid, snapId]) => {
      const vm = req.authorized(req.core.vms, oid, AuthOp.MANAGE);
      await step(req, vm, 'snapshot-delete', () => existing(vm, snapId, `Could not delete snapshot ${snapId} of VM ${oid}`).set('ACTION', 'DELETE'));
      return oid;
    },
  }),
];
