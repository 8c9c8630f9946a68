/**
 * VMs in VM groups: the `VMGROUP = [ VMGROUP_ID | VMGROUP_NAME (+ VMGROUP_UID / VMGROUP_UNAME),
 * ROLE ]` of a VM's template names the group and role it is in; the role's VMS lists it.
 */
import type { Template, Vector } from '../common/template/index.js';
import type { Transaction } from '../pool/index.js';
import { VmGroup, VmGroupError, type VmGroupPool } from './vm-group.js';

/** The group a VMGROUP vector names (by id, or by name among `uid`'s groups), or a VmGroupError. */
export function groupOf(pool: VmGroupPool, v: Vector, uid: number, uidOfName: (uname: string) => number | undefined): VmGroup {
  const name = v.get('VMGROUP_NAME');
  let g: VmGroup | undefined;
  if (name !== undefined && name !== '') {
    let owner = uid;
    const uidText = v.get('VMGROUP_UID');
    const uname = v.get('VMGROUP_UNAME');
    if (uidText !== undefined && /^\d+$/.test(uidText.trim())) owner = Number(uidText);
    else if (uname !== undefined) owner = uidOfName(uname) ?? -2;
    g = owner >= 0 ? pool.getByName(name, owner) : undefined;
  } else {
    const id = v.get('VMGROUP_ID');
    if (id !== undefined && /^\s*\d+\s*$/.test(id)) g = pool.get(Number(id));
  }
  if (!g) throw new VmGroupError('Cannot find VM Group to associate the VM');
  return g;
}

/** Checks that a VMGROUP vector names a role of `g` (nothing is changed). */
export function checkJoin(g: VmGroup, v: Vector): string {
  const role = (v.get('ROLE') ?? '').trim();
  if (role === '') throw new VmGroupError('Missing role name in VM Group definition');
  if (!g.roleByName(role)) throw new VmGroupError(`Role ${role} does not exist in VM Group ${g.oid} (${g.name})`);
  return role;
}

/** The VM joins the group's role in `tx`; its VMGROUP gets VMGROUP_ID. */
export function join(tx: Transaction, pool: VmGroupPool, g: VmGroup, v: Vector, vmId: number): void {
  const role = checkJoin(g, v);
  tx.touch(pool, g).addVm(role, vmId);
  v.set('VMGROUP_ID', String(g.oid));
  v.set('ROLE', role);
}

/** The VM leaves the group its template names (DONE, vmgroupdel); nothing when it is in none. */
export function leave(tx: Transaction, pool: VmGroupPool, template: Template, vmId: number): void {
  const v = template.getVector('VMGROUP');
  const id = v?.get('VMGROUP_ID');
  const role = v?.get('ROLE');
  if (!v || id === undefined || role === undefined) return;
  const g = pool.get(Number(id));
  const r = g?.roleByName(role);
  if (g && r && VmGroup.vmsOf(r).includes(vmId)) tx.touch(pool, g).deleteVm(role, vmId);
}
