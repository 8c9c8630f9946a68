/**
 * System snapshots of a VM (`one.vm.snapshotcreate/revert/delete`): TEMPLATE/SNAPSHOT vectors
 * `[ ACTIVE?, ACTION?, HYPERVISOR_ID, NAME, SNAPSHOT_ID, SYSTEM_DISK_SIZE, TIME ]`.
 * ACTION (CREATE, REVERT, DELETE) marks the one the VMM driver is working on while the VM is
 * HOTPLUG_SNAPSHOT; ACTIVE=YES marks the current one (last created or reverted to).
 */
import type { Template, Vector } from '../common/template/index.js';
import { vectors } from './vm-resources.js';

export type SnapshotAction = 'CREATE' | 'REVERT' | 'DELETE';

export function findSnapshot(t: Template, id: number): Vector | undefined {
  return vectors(t, 'SNAPSHOT').find((s) => s.get('SNAPSHOT_ID') === String(id));
}

/** The snapshot a driver operation is pending on, with its action. */
export function pendingSnapshot(t: Template): { snap: Vector; action: SnapshotAction } | undefined {
  const snap = vectors(t, 'SNAPSHOT').find((s) => s.has('ACTION'));
  return snap ? { snap, action: snap.get('ACTION') as SnapshotAction } : undefined;
}

/** Adds a snapshot being created (ACTION=CREATE); returns its id (one more than the highest). */
export function newSnapshot(t: Template, name: string, time: number): number {
  const id = vectors(t, 'SNAPSHOT').reduce((m, s) => Math.max(m, Number(s.get('SNAPSHOT_ID') ?? -1)), -1) + 1;
  const snap: Vector = new Map([
    ['ACTION', 'CREATE'],
    ['HYPERVISOR_ID', ''],
    ['NAME', name === '' ? `snapshot-${id}` : name],
    ['SNAPSHOT_ID', String(id)],
    ['SYSTEM_DISK_SIZE', '0'],
    ['TIME', String(time)],
  ]);
  t.add('SNAPSHOT', snap);
  return id;
}

function setActive(t: Template, target: Vector): void {
  for (const s of vectors(t, 'SNAPSHOT')) s.delete('ACTIVE');
  const ordered = new Map([['ACTIVE', 'YES'], ...target]);
  target.clear();
  for (const [k, v] of ordered) target.set(k, v);
}

function drop(t: Template, target: Vector): void {
  const rest = t.getAll('SNAPSHOT').filter((a) => a.value !== target);
  t.remove('SNAPSHOT');
  for (const a of rest) t.add('SNAPSHOT', a.value);
}

/**
 * Ends the pending snapshot operation. Success: a new snapshot takes the hypervisor's id and
 * becomes the active one, a reverted one becomes active, a deleted one goes. Failure: a new
 * snapshot goes, the others stay as they were.
 */
export function snapshotDone(t: Template, ok: boolean, hypervisorId = ''): void {
  const p = pendingSnapshot(t);
  if (!p) return;
  p.snap.delete('ACTION');
  if (p.action === 'CREATE') {
    if (!ok) return drop(t, p.snap);
    p.snap.set('HYPERVISOR_ID', hypervisorId);
    setActive(t, p.snap);
  } else if (p.action === 'REVERT') {
    if (ok) setActive(t, p.snap);
  } else if (ok) drop(t, p.snap);
}
