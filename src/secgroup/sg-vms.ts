/**
 * Which VMs use which security groups, and the rules a VM gets: each NIC names its groups in
 * SECURITY_GROUPS (a network's NICs inherit the network's, 0 by default); the VM's TEMPLATE
 * holds one SECURITY_GROUP_RULE per rule of those groups (with SECURITY_GROUP_ID and
 * SECURITY_GROUP_NAME), a rule naming a NETWORK_ID becoming one rule per address range of that
 * network (its IP and SIZE), as OpenNebula 7.4 writes them. The network drivers build the host's
 * filters from these rules (remotes/vnm/security_groups.sh).
 */
import type { Template, Vector } from '../common/template/index.js';
import type { Transaction } from '../pool/index.js';
import { formatIp4, type VirtualNetworkPool } from '../vnet/index.js';
import { vectors } from '../vm/vm-resources.js';
import { groupIds, type SecurityGroupPool } from './security-group.js';

export class SecurityGroupVms {
  constructor(
    private readonly groups: SecurityGroupPool,
    private readonly vnets: Pick<VirtualNetworkPool, 'get'>,
  ) {}

  /** A NIC's groups must exist; the VM joins them (UPDATED_VMS) once `tx` commits. Throws Error naming a missing one. */
  takeNic(tx: Transaction, nic: Vector, vmId: number): void {
    const ids = groupIds(nic.get('SECURITY_GROUPS'));
    for (const id of ids) if (!this.groups.get(id)) throw new Error(`Security group ${id} (in SECURITY_GROUPS) does not exist.`);
    tx.afterCommit(() => {
      for (const id of ids) this.groups.use(id, vmId, true);
    });
  }

  /** Every VM that is not DONE in the groups its NICs name (at start: who uses a group is not stored). */
  learn(vms: Iterable<{ readonly oid: number; readonly template: Template; readonly state: number }>, done: number): void {
    for (const vm of vms) {
      if (vm.state === done) continue;
      for (const id of this.groupsOf(vm.template)) this.groups.get(id)?.addVm(vm.oid);
    }
  }

  /**
   * A NIC left the VM (`template` holds its other NICs): the VM leaves the groups no other NIC
   * names, and its rules are those of the groups left.
   */
  releaseNic(tx: Transaction, nic: Vector, vmId: number, template: Template): void {
    const kept = new Set(vectors(template, 'NIC').filter((n) => n !== nic).flatMap((n) => groupIds(n.get('SECURITY_GROUPS'))));
    const left = groupIds(nic.get('SECURITY_GROUPS')).filter((id) => !kept.has(id));
    tx.afterCommit(() => {
      for (const id of left) this.groups.use(id, vmId, false);
    });
    this.setRules(template);
  }

  /** The VM is gone (DONE): out of every group its NICs name. */
  releaseVm(tx: Transaction, template: Template, vmId: number): void {
    const left = this.groupsOf(template);
    tx.afterCommit(() => {
      for (const id of left) this.groups.use(id, vmId, false);
    });
  }

  /** The ids of the groups a VM's NICs name, in the order they first appear. */
  groupsOf(template: Template): number[] {
    return [...new Set(vectors(template, 'NIC').flatMap((n) => groupIds(n.get('SECURITY_GROUPS'))))];
  }

  /** The SECURITY_GROUP_RULEs of a VM's groups. */
  rules(template: Template): Vector[] {
    const out: Vector[] = [];
    for (const id of this.groupsOf(template)) {
      const sg = this.groups.get(id);
      if (!sg) continue;
      for (const rule of sg.vmRules()) {
        const net = rule.get('NETWORK_ID');
        if (net === undefined || (rule.get('IP') ?? '') !== '') {
          out.push(rule);
          continue;
        }
        // One rule per address range of the network (a network that is gone: no rule).
        for (const ar of this.vnets.get(Number(net))?.ars.values() ?? []) {
          if (ar.ip === undefined) continue;
          const r = new Map(rule);
          r.set('IP', formatIp4(ar.ip));
          r.set('SIZE', String(ar.size));
          out.push(r);
        }
      }
    }
    return out;
  }

  /** Writes the VM's SECURITY_GROUP_RULEs anew. */
  setRules(template: Template): void {
    template.remove('SECURITY_GROUP_RULE');
    for (const r of this.rules(template)) template.add('SECURITY_GROUP_RULE', r);
  }
}
