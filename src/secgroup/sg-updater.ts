/**
 * Pushing a security group's rules to the hosts of the VMs using it (one.secgroup.commit, and
 * one.secgroup.update, which commits): the VMs go to OUTDATED_VMS, each gets its
 * SECURITY_GROUP_RULEs written anew, then
 * - a VM running on a host goes to UPDATING_VMS and its host is sent UPDATESG (the network
 *   drivers' update_sg); the reply moves it to UPDATED_VMS, or ERROR_VMS when the host failed;
 * - a VM not on a host (pending, held, powered off, stopped, undeployed...) goes to UPDATED_VMS:
 *   its host gets the new rules when it starts there;
 * - a VM busy with another operation stays in OUTDATED_VMS (a recovery commit retries it).
 * A commit with `recovery` retries only the VMs OUTDATED or in ERROR.
 */
import type { Database } from '../db/database.js';
import type { DriverReply } from '../mad/index.js';
import { Transaction } from '../pool/index.js';
import { LcmState, VmState, type VirtualMachine, type VirtualMachinePool } from '../vm/index.js';
import type { SecurityGroup, SecurityGroupPool } from './security-group.js';
import type { SecurityGroupVms } from './sg-vms.js';

export interface SecurityGroupUpdaterOptions {
  readonly groups: SecurityGroupPool;
  readonly vms: VirtualMachinePool;
  readonly sgVms: SecurityGroupVms;
  readonly db: Database;
  /** Sends UPDATESG for the VM (its LCM). */
  readonly send: (vm: VirtualMachine, sgId: number) => Promise<DriverReply>;
  readonly log?: (message: string) => void;
}

export class SecurityGroupUpdater {
  constructor(private readonly o: SecurityGroupUpdaterOptions) {}

  /** Marks the group's VMs (all, or with `recovery` those in ERROR) for new rules, in `tx`; after it commits, call push. */
  mark(tx: Transaction, sg: SecurityGroup, recovery: boolean): VirtualMachine[] {
    tx.touch(this.o.groups, sg).commit(recovery);
    const send: VirtualMachine[] = [];
    for (const vid of [...sg.outdated]) {
      const vm = this.o.vms.get(vid);
      if (!vm || vm.state === VmState.DONE) {
        sg.dropVm(vid);
        continue;
      }
      this.o.sgVms.setRules(tx.touch(this.o.vms, vm).template);
      if (vm.state === VmState.ACTIVE && vm.lcmState === LcmState.RUNNING && vm.lastHistory) {
        sg.move(vid, 'updating');
        send.push(vm);
      } else if (vm.state !== VmState.ACTIVE) sg.move(vid, 'updated');
    }
    return send;
  }

  /** Sends UPDATESG to each VM's host; each reply moves the VM on (when still UPDATING). */
  push(sg: SecurityGroup, vms: readonly VirtualMachine[]): Promise<void[]> {
    return Promise.all(
      vms.map(async (vm) => {
        const reply = await this.o.send(vm, sg.oid);
        const current = this.o.groups.get(sg.oid);
        if (!current || !current.updating.has(vm.oid)) return;
        const tx = new Transaction(this.o.db);
        tx.touch(this.o.groups, current).move(vm.oid, reply.ok ? 'updated' : 'errors');
        await tx.commit();
        if (!reply.ok) this.o.log?.(`Security group ${sg.oid}: VM ${vm.oid}'s host refused the rules: ${reply.info}`);
      }),
    );
  }
}
