/**
 * Security groups (OpenNebula `SECURITY_GROUP`): a named list of firewall RULEs (TEMPLATE/RULE =
 * [PROTOCOL, RULE_TYPE, RANGE, ICMP_TYPE, ICMPv6_TYPE, IP + SIZE or NETWORK_ID]) that NICs name
 * in SECURITY_GROUPS, and the VMs using it, by the state of their rules: UPDATED_VMS (the host
 * has the current rules), OUTDATED_VMS (waiting for them), UPDATING_VMS (being sent) and
 * ERROR_VMS (the host refused them). Group 0, "default" (allow everything both ways), exists
 * from the first start; the groups users make start at id 100, as in OpenNebula.
 */
import type { XmlNode } from '../common/xml-tree.js';
import { child, childInt, childText } from '../common/xml-tree.js';
import { xmlElement } from '../common/xml.js';
import { Template, type Vector } from '../common/template/index.js';
import { Pool, PoolObject, Permissions, templateFromNode, type Lock, type Ownership } from '../pool/index.js';

export const DEFAULT_SECGROUP_ID = 0;
export const DEFAULT_SECGROUP_NAME = 'default';
/** Ids below this are kept for system groups: the first a user makes is 100. */
export const FIRST_USER_SECGROUP_ID = 100;

export const SG_PROTOCOLS = ['TCP', 'UDP', 'ICMP', 'ICMPV6', 'IPSEC', 'ALL'] as const;
const RANGE_RE = /^(\d+(:\d+)?)(,\d+(:\d+)?)*$/;
const IP4_RE = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IP6_RE = /^[0-9a-fA-F:]+$/;

/** Why a RULE is not valid (OpenNebula's checks), or null. */
export function ruleError(rule: Vector): string | null {
  const proto = (rule.get('PROTOCOL') ?? '').trim().toUpperCase();
  if (!(SG_PROTOCOLS as readonly string[]).includes(proto)) return `Wrong PROTOCOL "${rule.get('PROTOCOL') ?? ''}" in rule. Valid options: TCP, UDP, ICMP, ICMPv6, IPSEC, ALL.`;
  const range = (rule.get('RANGE') ?? '').trim();
  if (range !== '') {
    if (proto !== 'TCP' && proto !== 'UDP') return 'RANGE is supported only for TCP and UDP protocols.';
    if (!RANGE_RE.test(range)) return `Invalid RANGE specification "${range}": ports or first:last port ranges separated by commas, e.g. 22,80:90.`;
    for (const part of range.split(',')) {
      const [a, b = a] = part.split(':').map(Number);
      if (a! > 65535 || b! > 65535 || a! > b!) return `Invalid RANGE specification "${range}": ports go from 0 to 65535, first before last.`;
    }
  }
  for (const [attr, wants] of [['ICMP_TYPE', 'ICMP'], ['ICMPv6_TYPE', 'ICMPV6']] as const) {
    const v = (rule.get(attr) ?? '').trim();
    if (v === '') continue;
    if (proto !== wants) return `${attr} is supported only for ${attr === 'ICMP_TYPE' ? 'ICMP' : 'ICMPv6'} protocol.`;
    if (!/^\d+$/.test(v) || Number(v) > 255) return `Wrong ${attr} "${v}", it must be an integer from 0 to 255.`;
  }
  const type = (rule.get('RULE_TYPE') ?? '').trim().toUpperCase();
  if (type !== 'INBOUND' && type !== 'OUTBOUND') return `Wrong RULE_TYPE "${rule.get('RULE_TYPE') ?? ''}" in rule. Valid options: INBOUND, OUTBOUND.`;
  const ip = (rule.get('IP') ?? '').trim();
  if (ip !== '') {
    const size = (rule.get('SIZE') ?? '').trim();
    if (!/^\d+$/.test(size) || Number(size) < 1) return 'Wrong or empty SIZE.';
    if (!IP4_RE.test(ip) && !(ip.includes(':') && IP6_RE.test(ip))) return `Wrong format for IP value "${ip}".`;
    if (IP4_RE.test(ip) && ip4ToInt(ip) + Number(size) - 1 > 0xffffffff) return `IP ${ip} with SIZE ${size} goes past 255.255.255.255.`;
  } else {
    const net = rule.get('NETWORK_ID');
    if (net !== undefined && !/^\d+$/.test(net.trim())) return `Wrong NETWORK_ID "${net}".`;
  }
  return null;
}

/** The first problem of a template's RULEs, or null. */
export function rulesError(template: Template): string | null {
  for (const a of template.getAll('RULE')) {
    if (typeof a.value === 'string') return 'RULE must be a vector attribute: RULE = [ PROTOCOL = ..., RULE_TYPE = ... ].';
    const e = ruleError(a.value);
    if (e) return e;
  }
  return null;
}

export function ip4ToInt(ip: string): number {
  return ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
}

function idsXml(root: string, ids: ReadonlySet<number>): string {
  if (ids.size === 0) return `<${root}/>`;
  let s = `<${root}>`;
  for (const i of [...ids].sort((a, b) => a - b)) s += `<ID>${i}</ID>`;
  return `${s}</${root}>`;
}

/** The lists a VM can be in: which rules its host has. */
export type SgVmList = 'updated' | 'outdated' | 'updating' | 'errors';

/**
 * A security group. Which VMs use it (`users`) is not stored with it: oned learns it from the
 * VMs' NICs at start and follows their changes once committed (src/secgroup/sg-vms.ts), so a
 * new VM in group 0 costs no write of a group listing every VM. Stored are only the VMs whose
 * rules are not current (OUTDATED, UPDATING, ERROR); UPDATED_VMS is the users not in those.
 */
export class SecurityGroup extends PoolObject {
  readonly type = 'SECGROUP' as const;
  readonly users = new Set<number>();
  readonly outdated = new Set<number>();
  readonly updating = new Set<number>();
  readonly errors = new Set<number>();

  constructor(oid: number, name: string, owner: Ownership, perms: Permissions, public template: Template, lock: Lock | null = null) {
    super(oid, name, owner, perms, lock);
  }

  /** The VMs with the current rules. */
  get updated(): Set<number> {
    const out = new Set<number>();
    for (const id of this.users) if (!this.outdated.has(id) && !this.updating.has(id) && !this.errors.has(id)) out.add(id);
    return out;
  }

  /** Whether any VM uses the group. */
  get inUse(): boolean {
    return this.users.size > 0;
  }

  /** Every VM using the group. */
  vms(): number[] {
    return [...this.users].sort((a, b) => a - b);
  }

  /** Puts a VM using the group in one list (out of the others). */
  move(vmId: number, to: SgVmList): void {
    this.outdated.delete(vmId);
    this.updating.delete(vmId);
    this.errors.delete(vmId);
    if (to !== 'updated') this[to].add(vmId);
  }

  /** A VM starts using the group (with the current rules). */
  addVm(vmId: number): void {
    this.users.add(vmId);
  }

  dropVm(vmId: number): void {
    this.users.delete(vmId);
    this.move(vmId, 'updated');
  }

  /**
   * A commit: the VMs' hosts must get the rules again. All of them, or with `recovery` only
   * those in ERROR and those still UPDATING; returns the VMs now OUTDATED.
   */
  commit(recovery: boolean): number[] {
    const again = recovery ? [...this.errors, ...this.updating] : [...this.users];
    for (const id of again) this.move(id, 'outdated');
    return [...this.outdated];
  }

  /** The rules as a VM's TEMPLATE/SECURITY_GROUP_RULE vectors (NETWORK_ID not yet expanded). */
  vmRules(): Vector[] {
    const out: Vector[] = [];
    for (const a of this.template.getAll('RULE')) {
      if (typeof a.value === 'string') continue;
      const r = new Map(a.value);
      r.set('SECURITY_GROUP_ID', String(this.oid));
      r.set('SECURITY_GROUP_NAME', this.name);
      out.push(r);
    }
    return out;
  }

  protected renderXml(): string {
    return this.render(this.updated);
  }

  /** The stored row: the XML without UPDATED_VMS (learnt from the VMs at start). */
  override toBody(): string {
    return this.render(new Set());
  }

  private render(updated: ReadonlySet<number>): string {
    return (
      `<SECURITY_GROUP>${this.idAndOwnerXml()}${xmlElement('NAME', this.name)}${this.lockXml()}${this.perms.toXml()}` +
      `${idsXml('UPDATED_VMS', updated)}${idsXml('OUTDATED_VMS', this.outdated)}${idsXml('UPDATING_VMS', this.updating)}${idsXml('ERROR_VMS', this.errors)}` +
      `${this.template.toXml()}</SECURITY_GROUP>`
    );
  }

  static fromXml(node: XmlNode): SecurityGroup {
    const sg = new SecurityGroup(childInt(node, 'ID'), childText(node, 'NAME'), PoolObject.ownerFromXml(node), Permissions.fromXml(child(node, 'PERMISSIONS')), templateFromNode(child(node, 'TEMPLATE')), PoolObject.lockFromXml(node));
    for (const [el, set] of [['OUTDATED_VMS', sg.outdated], ['UPDATING_VMS', sg.updating], ['ERROR_VMS', sg.errors]] as const) {
      for (const c of child(node, el)?.children ?? []) set.add(Number(c.text));
    }
    return sg;
  }

  /** OpenNebula's group 0: owned by oneadmin, u:uma g:u-- o:u--, all traffic allowed both ways. */
  static createDefault(): SecurityGroup {
    const t = Template.parse(
      'DESCRIPTION = "The default security group is added to every network. Use it to add default filter rules for your networks. You may remove this security group from any network by updating its properties."\n' +
        'RULE = [ PROTOCOL = "ALL", RULE_TYPE = "OUTBOUND" ]\nRULE = [ PROTOCOL = "ALL", RULE_TYPE = "INBOUND" ]',
    );
    return new SecurityGroup(DEFAULT_SECGROUP_ID, DEFAULT_SECGROUP_NAME, { uid: 0, gid: 0, uname: 'oneadmin', gname: 'oneadmin' }, Permissions.fromOctal(0o744), t);
  }
}

/** The security group pool: table `secgroup_pool`, names unique per owner. */
export class SecurityGroupPool extends Pool<SecurityGroup> {
  constructor() {
    super({ table: 'secgroup_pool', type: 'SECGROUP', root: 'SECURITY_GROUP_POOL', nameScope: 'owner' });
  }

  protected fromXml(node: XmlNode): SecurityGroup {
    return SecurityGroup.fromXml(node);
  }

  /** A group put back after a failed commit keeps the VMs using it (they are not stored). */
  override restore(oid: number, xml: string | null): void {
    const users = this.get(oid)?.users;
    super.restore(oid, xml);
    const now = this.get(oid);
    if (users && now && now.users !== users) for (const u of users) now.users.add(u);
  }

  /** A VM starts or stops using a group (its change committed): the group's XML follows. */
  use(sgId: number, vmId: number, using: boolean): void {
    const sg = this.get(sgId);
    if (!sg) return;
    if (using) sg.addVm(vmId);
    else sg.dropVm(vmId);
    this.objectChanged(sg);
  }
}

/** The group ids a SECURITY_GROUPS value names ("0, 100"), in order, once each. */
export function groupIds(value: string | undefined): number[] {
  const out: number[] = [];
  for (const s of (value ?? '').split(',')) {
    const t = s.trim();
    if (/^\d+$/.test(t) && !out.includes(Number(t))) out.push(Number(t));
  }
  return out;
}
