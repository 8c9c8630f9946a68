/**
 * A VM group (OpenNebula `VM_GROUP`): named ROLES whose VMs the scheduler places together
 * (POLICY = AFFINED), apart (ANTI_AFFINED) or freely (NONE), on or off given hosts
 * (HOST_AFFINED / HOST_ANTI_AFFINED = "1,2"), and rules between roles in its TEMPLATE
 * (AFFINED = "db, app": VMs of these roles share hosts; ANTI_AFFINED = "db, web": they never do).
 * Each role lists the VMs that joined it (VMS = "3,4"): a VM joins with `VMGROUP = [VMGROUP_ID,
 * ROLE]` in its template and leaves when it is DONE. An owned object with permissions and a lock.
 */
import type { XmlNode } from '../common/xml-tree.js';
import { child, childInt, childText } from '../common/xml-tree.js';
import { xmlElement } from '../common/xml.js';
import { Template, type Vector } from '../common/template/index.js';
import { templateToXml } from '../common/template/serialize.js';
import { Pool, PoolObject, Permissions, templateFromNode, type Lock, type Ownership } from '../pool/index.js';

/** Most roles a group may have (OpenNebula's VMGroupRoles::MAX_ROLES). */
export const MAX_ROLES = 32;

export const POLICIES = ['NONE', 'AFFINED', 'ANTI_AFFINED'] as const;
export type RolePolicy = (typeof POLICIES)[number];

/** The two kinds of rule between roles, as the group's TEMPLATE names them. */
export const RULE_KINDS = ['AFFINED', 'ANTI_AFFINED'] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

/** "1, 2,3" as numbers, in order, without repeats. */
export function idList(text: string | undefined): number[] {
  const out: number[] = [];
  for (const s of (text ?? '').split(',')) {
    const t = s.trim();
    if (t !== '' && !out.includes(Number(t))) out.push(Number(t));
  }
  return out;
}

/** The role names of a rule ("db, app"), trimmed, without repeats. */
export function ruleRoles(text: string): string[] {
  return [...new Set(text.split(',').map((s) => s.trim()).filter((s) => s !== ''))];
}

/** A role's policy (unknown or missing: NONE, as OpenNebula reads it). */
export function rolePolicy(role: Vector): RolePolicy {
  const p = (role.get('POLICY') ?? '').trim().toUpperCase();
  return p === 'AFFINED' || p === 'ANTI_AFFINED' ? p : 'NONE';
}

/** A plain Error naming what is wrong with a group's roles or rules. */
export class VmGroupError extends Error {}

/** Checks what a user may give of one role: its POLICY and host lists. */
function checkRole(role: Vector): void {
  const name = role.get('NAME') ?? '';
  const policy = role.get('POLICY');
  if (policy !== undefined && !(POLICIES as readonly string[]).includes(policy.trim().toUpperCase())) {
    throw new VmGroupError(`Role ${name}: POLICY must be AFFINED, ANTI_AFFINED or NONE, got "${policy}"`);
  }
  if (policy !== undefined) role.set('POLICY', policy.trim().toUpperCase());
  for (const k of ['HOST_AFFINED', 'HOST_ANTI_AFFINED']) {
    const v = role.get(k);
    if (v !== undefined && !/^\s*\d+(\s*,\s*\d+)*\s*$/.test(v)) throw new VmGroupError(`Role ${name}: ${k} must list host IDs separated by commas, got "${v}"`);
  }
  const anti = idList(role.get('HOST_ANTI_AFFINED'));
  const both = idList(role.get('HOST_AFFINED')).filter((h) => anti.includes(h));
  if (both.length > 0) throw new VmGroupError(`Role ${name}: host ${both.join(', ')} is both in HOST_AFFINED and HOST_ANTI_AFFINED`);
}

export class VmGroup extends PoolObject {
  readonly type = 'VMGROUP' as const;
  /** ROLE vectors (ID, NAME, POLICY, HOST_AFFINED, HOST_ANTI_AFFINED, VMS and user keys), by ID. */
  roles: Vector[] = [];

  constructor(oid: number, name: string, owner: Ownership, perms: Permissions, public template: Template, lock: Lock | null = null) {
    super(oid, name, owner, perms, lock);
  }

  role(id: number): Vector | undefined {
    return this.roles.find((r) => r.get('ID') === String(id));
  }

  roleByName(name: string): Vector | undefined {
    return this.roles.find((r) => r.get('NAME') === name);
  }

  /** The VM ids of a role. */
  static vmsOf(role: Vector): number[] {
    return idList(role.get('VMS'));
  }

  /** VMs in all roles. */
  get vmCount(): number {
    return this.roles.reduce((n, r) => n + VmGroup.vmsOf(r).length, 0);
  }

  /** Adds a role (NAME required, unique); VMS is the system's, ID the next free one. */
  addRole(given: Vector): Vector {
    const role = new Map(given);
    const name = (role.get('NAME') ?? '').trim();
    if (name === '') throw new VmGroupError('Missing NAME in VM group role');
    if (name.includes(',')) throw new VmGroupError(`Role name "${name}" cannot hold a comma: rules list role names separated by commas`);
    role.set('NAME', name);
    if (this.roleByName(name)) throw new VmGroupError(`Role ${name} already exists`);
    if (this.roles.length >= MAX_ROLES) throw new VmGroupError('Maximum number of roles in a VM Group reached');
    role.delete('VMS');
    checkRole(role);
    const id = this.roles.reduce((m, r) => Math.max(m, Number(r.get('ID'))), -1) + 1;
    role.set('ID', String(id));
    this.roles.push(role);
    return role;
  }

  /** Removes a role without VMs. */
  deleteRole(id: number): void {
    const role = this.role(id);
    if (!role) throw new VmGroupError(`Unable to delete role ${id}, the role doesn't exist`);
    if (VmGroup.vmsOf(role).length > 0) throw new VmGroupError(`Unable to delete role ${id}, the role has assigned VMs`);
    this.roles = this.roles.filter((r) => r !== role);
  }

  /** Merges `given` into a role without VMs (VMS and ID stay the system's); a new NAME must be free. */
  updateRole(id: number, given: Vector): void {
    const role = this.role(id);
    if (!role) throw new VmGroupError(`VM group ${this.oid} doesn't have role ${id}`);
    if (VmGroup.vmsOf(role).length > 0) throw new VmGroupError(`VM group ${this.oid} role ${id} has VMs, unable to update`);
    const name = (given.get('NAME') ?? '').trim();
    if (name !== '' && name !== role.get('NAME') && this.roleByName(name)) {
      throw new VmGroupError(`VM group ${this.oid} role ${id} cannot be renamed: a role named ${name} already exists`);
    }
    for (const [k, v] of given) if (k !== 'VMS' && k !== 'ID') role.set(k, k === 'NAME' ? v.trim() : v);
    checkRole(role);
  }

  /** The rules of one kind, as role-name lists, after checking every name is a role. */
  rules(kind: RuleKind): string[][] {
    const out: string[][] = [];
    for (const a of this.template.getAll(kind)) {
      if (typeof a.value !== 'string') throw new VmGroupError(`${kind} must be a list of role names ("db, app"), not a vector`);
      const names = ruleRoles(a.value);
      if (names.some((n) => !this.roleByName(n))) throw new VmGroupError(`Some roles used in ${kind} attribute (${a.value}) are not defined`);
      out.push(names);
    }
    return out;
  }

  /**
   * Checks the rules against the roles, as OpenNebula does: every role a rule names exists, no
   * rule is given twice, no role of an AFFINED rule is ANTI_AFFINED itself, and no role is both
   * in an AFFINED rule and in an ANTI_AFFINED one.
   */
  checkConsistency(): void {
    const sets: Record<RuleKind, Set<string>> = { AFFINED: new Set(), ANTI_AFFINED: new Set() };
    for (const kind of RULE_KINDS) {
      const seen = new Set<string>();
      for (const names of this.rules(kind)) {
        const key = [...names].sort().join(',');
        if (seen.has(key)) throw new VmGroupError(`Duplicated ${kind} rule (${names.join(', ')}) detected.`);
        seen.add(key);
        for (const n of names) sets[kind].add(n);
      }
    }
    for (const n of sets.AFFINED) {
      if (rolePolicy(this.roleByName(n)!) === 'ANTI_AFFINED') throw new VmGroupError(`Role ${n} is in an AFFINED rule but the role policy is ANTI_AFFINED`);
    }
    const both = [...sets.AFFINED].filter((n) => sets.ANTI_AFFINED.has(n));
    if (both.length > 0) throw new VmGroupError(`Roles defined in AFFINED and ANTI_AFFINED rules: ${both.join(' ')}`);
  }

  /** A VM joins a role (by name); false when the group has no such role. */
  addVm(roleName: string, vmId: number): boolean {
    const role = this.roleByName(roleName);
    if (!role) return false;
    const vms = VmGroup.vmsOf(role);
    if (!vms.includes(vmId)) role.set('VMS', [...vms, vmId].sort((a, b) => a - b).join(','));
    return true;
  }

  /** A VM leaves its role. */
  deleteVm(roleName: string, vmId: number): void {
    const role = this.roleByName(roleName);
    if (!role) return;
    const vms = VmGroup.vmsOf(role).filter((v) => v !== vmId);
    if (vms.length === 0) role.delete('VMS');
    else role.set('VMS', vms.join(','));
  }

  /** A copy to change and check before it replaces this one's roles and template. */
  draft(): { roles: Vector[]; template: Template } {
    return { roles: this.roles.map((r) => new Map(r)), template: this.template.clone() };
  }

  protected renderXml(): string {
    const roles = templateToXml(this.roles.map((value) => ({ name: 'ROLE', value })), 'ROLES');
    return `<VM_GROUP>${this.idAndOwnerXml()}${xmlElement('NAME', this.name)}${this.perms.toXml()}${this.lockXml()}${roles === '<ROLES/>' ? '<ROLES></ROLES>' : roles}${this.template.toXml()}</VM_GROUP>`;
  }

  static fromXml(node: XmlNode): VmGroup {
    const g = new VmGroup(childInt(node, 'ID'), childText(node, 'NAME'), PoolObject.ownerFromXml(node), Permissions.fromXml(child(node, 'PERMISSIONS')), templateFromNode(child(node, 'TEMPLATE')), PoolObject.lockFromXml(node));
    for (const a of templateFromNode(child(node, 'ROLES')).getAll('ROLE')) if (typeof a.value !== 'string') g.roles.push(new Map(a.value));
    return g;
  }
}

/** Builds a group's roles from the ROLE vectors of a template (allocate, update), checked. */
export function rolesFrom(group: VmGroup, template: Template): void {
  const given = template.getAll('ROLE');
  template.remove('ROLE');
  if (given.length > MAX_ROLES) throw new VmGroupError('Maximum number of roles in a VM Group reached');
  for (const a of given) {
    if (typeof a.value === 'string') throw new VmGroupError('ROLE must be a vector: ROLE = [ NAME = "db", POLICY = "AFFINED" ]');
    group.addRole(a.value);
  }
}

/** The VM group pool: table `vmgroup_pool`, names unique per owner. */
export class VmGroupPool extends Pool<VmGroup> {
  constructor() {
    super({ table: 'vmgroup_pool', type: 'VMGROUP', root: 'VM_GROUP_POOL', nameScope: 'owner' });
  }

  protected fromXml(node: XmlNode): VmGroup {
    return VmGroup.fromXml(node);
  }
}
