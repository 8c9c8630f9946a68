/**
 * The Dispatch Manager: checks each user action against the VM's STATE / LCM_STATE (the matrix
 * of spec §4.2) and makes the first state change, in the caller's transaction. The driver work
 * the new state stands for follows once the caller has committed (`LifeCycleManager.queue`).
 */
import type { Transaction } from '../pool/index.js';
import type { Host } from '../host/index.js';
import type { Datastore } from '../datastore/index.js';
import type { LifeCycleManager } from '../lcm/index.js';
import { retryStateOf, operationOf } from '../lcm/index.js';
import {
  displayState,
  HISTORY_TABLE,
  isFailureState,
  LcmState,
  RecoverOp,
  VmAction,
  VmState,
  type LcmStateValue,
  type VirtualMachine,
  type VirtualMachinePool,
  type VmActionValue,
  type VmResources,
} from '../vm/index.js';

/** Who asked: recorded in the history record's UID, GID and REQUEST_ID. */
export interface Who {
  readonly uid: number;
  readonly gid: number;
  readonly reqId: number;
}

/** An action the VM's state does not allow; the message is OpenNebula's. */
export class ActionNotAvailable extends Error {
  /** OpenNebula's words: one.vm.deploy says "Deploy action is not available...", the other actions "Error performing action...". */
  constructor(action: string, vm: VirtualMachine) {
    const state = displayState(vm.state, vm.lcmState);
    super(action === 'deploy' ? `Deploy action is not available for state ${state}` : `Error performing action "${action}": This action is not available for state ${state}`);
  }
}

const { ACTIVE } = VmState;
const L = LcmState;

export class DispatchManager {
  constructor(
    private readonly vms: VirtualMachinePool,
    private readonly lcm: LifeCycleManager,
    /** Fills what a VM takes of the system datastore it is deployed on (see VmResources.placeOnSystemDatastore). */
    private readonly resources?: VmResources,
  ) {}

  /**
   * `one.vm.deploy`: from PENDING or HOLD → PROLOG, STOPPED → PROLOG_RESUME, UNDEPLOYED →
   * PROLOG_UNDEPLOY, on `host` with system datastore `ds`. Opens a history record and accounts
   * the VM on the host. The scheduler's SCHED_MESSAGE (why it was pending) no longer holds.
   */
  deploy(tx: Transaction, vm: VirtualMachine, host: Host, ds: Datastore, who: Who): void {
    const from = vm.state;
    const lcm: LcmStateValue | undefined =
      from === VmState.PENDING || from === VmState.HOLD ? L.PROLOG : from === VmState.STOPPED ? L.PROLOG_RESUME : from === VmState.UNDEPLOYED ? L.PROLOG_UNDEPLOY : undefined;
    if (lcm === undefined) throw new ActionNotAvailable('deploy', vm);
    tx.touch(this.vms, vm);
    vm.userTemplate.remove('SCHED_MESSAGE');
    this.resources?.placeOnSystemDatastore(vm.template, vm.oid, ds);
    this.open(vm, host, ds, VmAction.DEPLOY, who).pstime = now();
    this.lcm.place(tx, vm, host);
    this.lcm.enter(tx, vm, ACTIVE, lcm);
  }

  /**
   * `one.vm.migrate`: live (RUNNING → MIGRATE) or cold (RUNNING → SAVE_MIGRATE; POWEROFF,
   * SUSPENDED, UNKNOWN → PROLOG_MIGRATE_*), `mode` 0 save, 1 poweroff, 2 poweroff-hard. A new
   * history record is opened on the destination, which is accounted at once.
   */
  migrate(tx: Transaction, vm: VirtualMachine, host: Host, ds: Datastore, live: boolean, mode: number, who: Who): void {
    const name = live ? 'live-migrate' : 'migrate';
    let lcm: LcmStateValue | undefined;
    if (live) lcm = vm.state === ACTIVE && vm.lcmState === L.RUNNING ? L.MIGRATE : undefined;
    else if (vm.state === ACTIVE && vm.lcmState === L.RUNNING) lcm = L.SAVE_MIGRATE;
    else if (vm.state === ACTIVE && vm.lcmState === L.UNKNOWN) lcm = L.PROLOG_MIGRATE_UNKNOWN;
    else if (vm.state === VmState.POWEROFF) lcm = L.PROLOG_MIGRATE_POWEROFF;
    else if (vm.state === VmState.SUSPENDED) lcm = L.PROLOG_MIGRATE_SUSPEND;
    if (lcm === undefined) throw new ActionNotAvailable(name, vm);
    const action: VmActionValue = live ? VmAction.LIVE_MIGRATE : mode === 1 ? VmAction.POWEROFF_MIGRATE : mode === 2 ? VmAction.POWEROFF_HARD_MIGRATE : VmAction.MIGRATE;
    tx.touch(this.vms, vm);
    vm.lastHistory?.setAction(action, who.uid, who.gid, who.reqId);
    const t = now();
    const h = this.open(vm, host, ds, VmAction.NONE, who);
    if (lcm !== L.SAVE_MIGRATE && lcm !== L.MIGRATE) h.pstime = t;
    this.lcm.place(tx, vm, host);
    this.lcm.enter(tx, vm, ACTIVE, lcm);
    vm.resched = 0;
  }

  /**
   * `one.vm.action`: the user actions of §1.6. REBOOT / RESET are sent at once (they change no
   * state); the others change the state here and the LCM follows.
   */
  action(tx: Transaction, name: string, code: VmActionValue, vm: VirtualMachine, who: Who): void {
    const s = vm.state;
    const lcm = vm.lcmState;
    const running = s === ACTIVE && lcm === L.RUNNING;
    const unknown = s === ACTIVE && lcm === L.UNKNOWN;
    const refuse = () => new ActionNotAvailable(name, vm);
    const record = () => {
      tx.touch(this.vms, vm);
      vm.lastHistory?.setAction(code, who.uid, who.gid, who.reqId);
    };
    switch (code) {
      case VmAction.TERMINATE:
      case VmAction.TERMINATE_HARD: {
        const hard = code === VmAction.TERMINATE_HARD;
        if (s === VmState.INIT || s === VmState.PENDING || s === VmState.HOLD || s === VmState.CLONING || s === VmState.CLONING_FAILURE) {
          this.lcm.done(tx, vm);
          return;
        }
        if (running || unknown || (hard && s === ACTIVE && lcm === L.SHUTDOWN)) {
          record();
          this.lcm.enter(tx, vm, ACTIVE, L.SHUTDOWN);
          return;
        }
        if (s === VmState.POWEROFF || s === VmState.SUSPENDED || s === VmState.STOPPED || s === VmState.UNDEPLOYED) {
          record();
          const last = vm.lastHistory;
          if (last && (s === VmState.POWEROFF || s === VmState.SUSPENDED)) {
            last.retime ||= now();
            last.estime = now();
          }
          this.lcm.enter(tx, vm, ACTIVE, L.EPILOG);
          return;
        }
        if (s === ACTIVE && isFailureState(lcm)) {
          record();
          this.lcm.enter(tx, vm, ACTIVE, L.CLEANUP_DELETE);
          return;
        }
        throw refuse();
      }
      case VmAction.POWEROFF:
      case VmAction.POWEROFF_HARD:
        if (!(running || unknown || (code === VmAction.POWEROFF_HARD && s === ACTIVE && lcm === L.SHUTDOWN_POWEROFF))) throw refuse();
        record();
        this.lcm.enter(tx, vm, ACTIVE, L.SHUTDOWN_POWEROFF);
        return;
      case VmAction.UNDEPLOY:
      case VmAction.UNDEPLOY_HARD:
        if (running || unknown || (code === VmAction.UNDEPLOY_HARD && s === ACTIVE && lcm === L.SHUTDOWN_UNDEPLOY)) {
          record();
          this.lcm.enter(tx, vm, ACTIVE, L.SHUTDOWN_UNDEPLOY);
          return;
        }
        if (s === VmState.POWEROFF) {
          record();
          const last = vm.lastHistory;
          if (last) last.estime = now();
          this.lcm.enter(tx, vm, ACTIVE, L.EPILOG_UNDEPLOY);
          return;
        }
        throw refuse();
      case VmAction.STOP:
        if (running) {
          record();
          this.lcm.enter(tx, vm, ACTIVE, L.SAVE_STOP);
          return;
        }
        if (s === VmState.SUSPENDED) {
          record();
          const last = vm.lastHistory;
          if (last) last.estime = now();
          this.lcm.enter(tx, vm, ACTIVE, L.EPILOG_STOP);
          return;
        }
        throw refuse();
      case VmAction.SUSPEND:
        if (!running) throw refuse();
        record();
        this.lcm.enter(tx, vm, ACTIVE, L.SAVE_SUSPEND);
        return;
      case VmAction.RESUME:
        if (s === VmState.STOPPED || s === VmState.UNDEPLOYED) {
          record();
          this.lcm.enter(tx, vm, VmState.PENDING);
          return;
        }
        if (s === VmState.SUSPENDED || s === VmState.POWEROFF || unknown) {
          record();
          this.lcm.enter(tx, vm, ACTIVE, s === VmState.SUSPENDED ? L.BOOT_SUSPENDED : s === VmState.POWEROFF ? L.BOOT_POWEROFF : L.BOOT_UNKNOWN);
          return;
        }
        throw refuse();
      case VmAction.REBOOT:
      case VmAction.REBOOT_HARD:
        if (!running) throw refuse();
        record();
        return;
      case VmAction.HOLD:
        if (s !== VmState.PENDING) throw refuse();
        this.lcm.enter(tx, vm, VmState.HOLD);
        return;
      case VmAction.RELEASE:
        if (s !== VmState.HOLD) throw refuse();
        this.lcm.enter(tx, vm, VmState.PENDING);
        return;
      case VmAction.RESCHED:
      case VmAction.UNRESCHED:
        if (!(running || unknown || s === VmState.POWEROFF)) throw refuse();
        tx.touch(this.vms, vm).resched = code === VmAction.RESCHED ? 1 : 0;
        if (code === VmAction.RESCHED) this.vms.pendingMark.bump();
        return;
      default:
        throw refuse();
    }
  }

  /** `one.vm.recover(id, op)` (§4.3). */
  recover(tx: Transaction, vm: VirtualMachine, op: number, who: Who): void {
    const s = vm.state;
    const lcm = vm.lcmState;
    const refuse = () => new ActionNotAvailable('recover', vm);
    tx.touch(this.vms, vm);
    switch (op) {
      case RecoverOp.SUCCESS:
      case RecoverOp.FAILURE: {
        if (s !== ACTIVE) throw refuse();
        const failureState = isFailureState(lcm);
        if (op === RecoverOp.FAILURE && (failureState || !operationOf(vm))) throw refuse();
        if (op === RecoverOp.SUCCESS && !failureState && !operationOf(vm) && lcm !== L.UNKNOWN) throw refuse();
        vm.lastHistory?.setAction(VmAction.RECOVER, who.uid, who.gid, who.reqId);
        if (op === RecoverOp.SUCCESS) this.lcm.succeeded(tx, vm);
        else this.lcm.failed(tx, vm, 'Recovered as failure by the user');
        return;
      }
      case RecoverOp.RETRY: {
        if (s !== ACTIVE) throw refuse();
        const twin = retryStateOf(lcm);
        if (twin === undefined && !operationOf(vm)) throw refuse();
        vm.lastHistory?.setAction(VmAction.RETRY, who.uid, who.gid, who.reqId);
        vm.setError(null);
        if (twin !== undefined) this.lcm.enter(tx, vm, ACTIVE, twin);
        else this.lcm.queue(tx, vm); // a transient state: its operation is sent again
        return;
      }
      case RecoverOp.DELETE:
        if (s === VmState.DONE) throw refuse();
        if (s === ACTIVE) {
          vm.lastHistory?.setAction(VmAction.DELETE, who.uid, who.gid, who.reqId);
          this.lcm.enter(tx, vm, ACTIVE, L.CLEANUP_DELETE);
        } else this.lcm.done(tx, vm);
        return;
      case RecoverOp.DELETE_RECREATE:
        if (s === VmState.DONE) throw refuse();
        if (s === ACTIVE || s === VmState.POWEROFF || s === VmState.SUSPENDED) {
          vm.lastHistory?.setAction(VmAction.DELETE_RECREATE, who.uid, who.gid, who.reqId);
          this.lcm.enter(tx, vm, ACTIVE, L.CLEANUP_RESUBMIT);
        } else this.lcm.resubmit(tx, vm);
        return;
      case RecoverOp.DELETE_DB:
        this.lcm.done(tx, vm);
        for (const h of vm.history) tx.write({ kind: 'delete', table: HISTORY_TABLE, where: { vid: vm.oid, seq: h.seq } });
        tx.delete(this.vms, vm);
        return;
      default:
        throw new RangeError(`Unknown recover operation ${op}: use 0 failure, 1 success, 2 retry, 3 delete, 4 delete-recreate, 5 delete-db.`);
    }
  }

  /**
   * Starts a hot-plug of a DISK or NIC that `change` adds to the template with `ATTACH=YES`
   * (attach) or marks `ATTACH=YES, DETACH=YES` (detach); `change` runs once the state allows it
   * and may throw before changing anything. RUNNING → HOTPLUG / HOTPLUG_NIC (the VMM plugs it);
   * POWEROFF → HOTPLUG_PROLOG_POWEROFF / HOTPLUG_EPILOG_POWEROFF for a disk (the TM makes or
   * deletes it), while a NIC of a powered-off VM only changes the template.
   */
  hotplug(tx: Transaction, vm: VirtualMachine, action: 'disk-attach' | 'disk-detach' | 'nic-attach' | 'nic-detach', change: () => void): void {
    const running = vm.state === ACTIVE && vm.lcmState === L.RUNNING;
    if (!running && vm.state !== VmState.POWEROFF) throw new ActionNotAvailable(action, vm);
    const nic = action.startsWith('nic');
    tx.touch(this.vms, vm);
    change();
    if (running) this.lcm.enter(tx, vm, ACTIVE, nic ? L.HOTPLUG_NIC : L.HOTPLUG);
    else if (nic) this.lcm.hotplugDone(tx, vm, 'NIC', true);
    else this.lcm.enter(tx, vm, ACTIVE, action === 'disk-attach' ? L.HOTPLUG_PROLOG_POWEROFF : L.HOTPLUG_EPILOG_POWEROFF);
  }

  /**
   * Starts a system snapshot operation (`change` marks the SNAPSHOT with its ACTION, and may
   * throw before changing anything): only a RUNNING VM, which goes HOTPLUG_SNAPSHOT while the
   * VMM driver works and back to RUNNING after.
   */
  snapshot(tx: Transaction, vm: VirtualMachine, action: 'snapshot-create' | 'snapshot-revert' | 'snapshot-delete', change: () => void): void {
    if (vm.state !== ACTIVE || vm.lcmState !== L.RUNNING) throw new ActionNotAvailable(action, vm);
    tx.touch(this.vms, vm);
    change();
    this.lcm.enter(tx, vm, ACTIVE, L.HOTPLUG_SNAPSHOT);
  }

  private open(vm: VirtualMachine, host: Host, ds: Datastore, action: VmActionValue, who: Who) {
    const h = vm.openHistory(
      { hostname: host.name, hid: host.oid, cid: host.clusterId, vmMad: host.vmMad, tmMad: ds.fields.tmMad, dsId: ds.oid },
      now(),
    );
    if (action !== VmAction.NONE) h.setAction(action, who.uid, who.gid, who.reqId);
    return h;
  }
}

const now = () => Math.floor(Date.now() / 1000);
