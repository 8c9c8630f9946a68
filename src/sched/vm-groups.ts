/**
 * VM groups as the scheduler obeys them (read from `one.vmgrouppool.info`): for a VM in role R
 * of group G, a host is refused when
 *  - R's HOST_AFFINED lists hosts and not this one, or R's HOST_ANTI_AFFINED lists it;
 *  - R's POLICY is AFFINED and other VMs of R already run elsewhere (they share one host);
 *  - R's POLICY is ANTI_AFFINED and another VM of R runs there;
 *  - an AFFINED rule of G names R and role S, S has VMs placed, and none of them is there;
 *  - an ANTI_AFFINED rule of G names R and role S, and a VM of S runs there.
 * "Placed" counts the VMs hosts already run (HOST/VMS) and those this cycle dispatched. Each
 * refusal says the rule it broke, which becomes part of the VM's SCHED_MESSAGE.
 */
import { child, childInt, childText, select, type XmlNode } from '../common/xml-tree.js';

export interface SchedRole {
  readonly id: number;
  readonly name: string;
  readonly policy: 'NONE' | 'AFFINED' | 'ANTI_AFFINED';
  readonly hostAffined: readonly number[];
  readonly hostAntiAffined: readonly number[];
  readonly vms: readonly number[];
}

const ids = (text: string) => text.split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
const names = (text: string) => [...new Set(text.split(',').map((s) => s.trim()).filter((s) => s !== ''))];

export class SchedVmGroup {
  constructor(
    readonly id: number,
    readonly name: string,
    readonly roles: readonly SchedRole[],
    /** Rules between roles, as role-name lists. */
    readonly affined: readonly string[][],
    readonly antiAffined: readonly string[][],
  ) {}

  role(name: string): SchedRole | undefined {
    return this.roles.find((r) => r.name === name);
  }

  static fromXml(node: XmlNode): SchedVmGroup {
    const roles: SchedRole[] = select(child(node, 'ROLES') ?? node, 'ROLE').map((r) => {
      const p = childText(r, 'POLICY').trim().toUpperCase();
      return {
        id: childInt(r, 'ID'),
        name: childText(r, 'NAME'),
        policy: p === 'AFFINED' || p === 'ANTI_AFFINED' ? p : 'NONE',
        hostAffined: ids(childText(r, 'HOST_AFFINED')),
        hostAntiAffined: ids(childText(r, 'HOST_ANTI_AFFINED')),
        vms: ids(childText(r, 'VMS')),
      };
    });
    const t = child(node, 'TEMPLATE') ?? node;
    const rules = (kind: string) => select(t, kind).map((n) => names(n.text));
    return new SchedVmGroup(childInt(node, 'ID'), childText(node, 'NAME'), roles, rules('AFFINED'), rules('ANTI_AFFINED'));
  }

  /** The groups of a `VM_GROUP_POOL` document. */
  static poolOf(pool: XmlNode): SchedVmGroup[] {
    return pool.children.filter((n) => n.name === 'VM_GROUP').map((n) => SchedVmGroup.fromXml(n));
  }
}

/** Where each VM is, and which group and role it is in, kept up to date as the cycle dispatches. */
export class Affinity {
  private readonly member = new Map<number, { group: SchedVmGroup; role: SchedRole }>();
  private readonly hostOf = new Map<number, number>();

  /** `placed`: the VMs each host runs (host id → VM ids). */
  constructor(groups: readonly SchedVmGroup[], placed: Iterable<[number, Iterable<number>]>) {
    for (const group of groups) for (const role of group.roles) for (const vm of role.vms) this.member.set(vm, { group, role });
    for (const [host, vms] of placed) for (const vm of vms) if (this.member.has(vm)) this.hostOf.set(vm, host);
  }

  /** Whether the VM is in a VM group (its placement is checked VM by VM). */
  has(vmId: number): boolean {
    return this.member.has(vmId);
  }

  /** The VM is (about to be) on `hostId`. */
  place(vmId: number, hostId: number): void {
    if (this.member.has(vmId)) this.hostOf.set(vmId, hostId);
  }

  /** Hosts running VMs of `role`, `vmId` left out. */
  private hostsOf(role: SchedRole, vmId: number): Set<number> {
    const out = new Set<number>();
    for (const v of role.vms) {
      const h = v === vmId ? undefined : this.hostOf.get(v);
      if (h !== undefined) out.add(h);
    }
    return out;
  }

  /** The rule `vmId` would break on `hostId`, said for its SCHED_MESSAGE; undefined when none. */
  check(vmId: number, hostId: number): string | undefined {
    const m = this.member.get(vmId);
    if (!m) return undefined;
    const { group, role } = m;
    const at = `VM group ${group.name} (${group.id}), role ${role.name}`;
    const list = (hosts: Iterable<number>) => [...hosts].sort((a, b) => a - b).join(', ');
    if (role.hostAffined.length > 0 && !role.hostAffined.includes(hostId)) return `${at}: HOST_AFFINED allows only hosts ${list(role.hostAffined)}`;
    if (role.hostAntiAffined.includes(hostId)) return `${at}: HOST_ANTI_AFFINED excludes hosts ${list(role.hostAntiAffined)}`;
    if (role.policy !== 'NONE') {
      const hosts = this.hostsOf(role, vmId);
      if (role.policy === 'AFFINED' && hosts.size > 0 && !hosts.has(hostId)) return `${at}: POLICY AFFINED keeps its VMs on host ${list(hosts)}`;
      if (role.policy === 'ANTI_AFFINED' && hosts.has(hostId)) return `${at}: POLICY ANTI_AFFINED, hosts ${list(hosts)} already run VMs of the role`;
    }
    for (const rule of group.affined) {
      if (!rule.includes(role.name)) continue;
      for (const other of rule) {
        const r = other === role.name ? undefined : group.role(other);
        const hosts = r ? this.hostsOf(r, vmId) : new Set<number>();
        if (hosts.size > 0 && !hosts.has(hostId)) return `${at}: AFFINED = "${rule.join(', ')}", role ${other} runs on host ${list(hosts)}`;
      }
    }
    for (const rule of group.antiAffined) {
      if (!rule.includes(role.name)) continue;
      for (const other of rule) {
        const r = other === role.name ? undefined : group.role(other);
        if (r && this.hostsOf(r, vmId).has(hostId)) return `${at}: ANTI_AFFINED = "${rule.join(', ')}", role ${other} runs on host ${hostId}`;
      }
    }
    return undefined;
  }
}
