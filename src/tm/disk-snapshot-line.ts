/**
 * The transfer line of a disk snapshot operation (spec §6.4): `SNAP_CREATE`, `SNAP_REVERT` or
 * `SNAP_DELETE` (`SNAP_CREATE_LIVE` for a running VM, sent by the VMM driver) with
 * `<host:vmdir/disk.N> <snap_id> <vm_id> <ds_id>`, by the disk's own TM_MAD and datastore.
 */
import { diskSnapshotStep, pendingDiskSnapshot, type VirtualMachine } from '../vm/index.js';

const COMMAND = { create: 'SNAP_CREATE', revert: 'SNAP_REVERT', delete: 'SNAP_DELETE' } as const;

export function diskSnapshotLine(vm: VirtualMachine, at: { tmMad: string; dsId: number; vmDir: string; host: string }, live = false): string[] {
  const p = pendingDiskSnapshot(vm);
  const step = diskSnapshotStep(vm.lcmState);
  if (!p || !step) return [];
  const command = live && step.action === 'create' ? 'SNAP_CREATE_LIVE' : COMMAND[step.action];
  return [`${command} ${p.disk.get('TM_MAD') ?? at.tmMad} ${at.host}:${at.vmDir}/disk.${p.diskId} ${p.snapId} ${vm.oid} ${p.disk.get('DATASTORE_ID') ?? at.dsId}`];
}
