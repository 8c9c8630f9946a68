/**
 * The Life-Cycle Manager: every transition of spec §4.2 once a VM is ACTIVE, the driver work each
 * transient LCM state stands for, and the success / failure callbacks of those drivers.
 *
 * How the managers talk: entering an ACTIVE state queues the VM in the transaction (`queue`);
 * once it commits (the API method returns then), `dispatch` sends the driver operation the new
 * state stands for. Its reply comes back as a new transaction that applies `succeeded` or
 * `failed`, whose commit dispatches the next state's operation. Each operation carries a token:
 * a reply to an operation that was superseded (retried, recovered, overridden by
 * terminate-hard) is dropped. Because the operation follows from the state alone,
 * re-dispatching a VM after a restart re-issues whatever was pending.
 */
import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import type { Database } from '../db/database.js';
import type { Logger } from '../common/log.js';
import type { Template, Vector } from '../common/template/index.js';
import { timestamp } from '../common/log.js';
import { Transaction } from '../pool/index.js';
import { HostState, type Host, type HostPool } from '../host/index.js';
import type { DatastorePool } from '../datastore/index.js';
import { QuotaExceededError, releaseQuotas, type QuotaPayers } from '../auth/quota-charge.js';
import type { DriverReply } from '../mad/index.js';
import {
  contextFile,
  contextFiles,
  hostCapacity,
  resizeQuotaDelta,
  setSize,
  sizeOf,
  takeResize,
  ContextFilesError,
  DEFAULT_CONTEXT_DIRS,
  diskQuotaUsage,
  HISTORY_TABLE,
  LcmState,
  lcmStateName,
  parsePollText,
  reportedPoll,
  sampleOf,
  snapshotDone,
  diskSnapshotDone,
  diskSnapshotStep,
  dropDiskSnapshots,
  vmDiskSnapshotQuota,
  stateName,
  vectors,
  VmAction,
  nicQuotaUsage,
  vmHookSubject,
  vmQuotaUsage,
  VmState,
  type ContextDirs,
  type History,
  type LcmStateValue,
  type VirtualMachine,
  type VirtualMachinePool,
  type VmLogs,
  type VmResources,
  type VmSample,
  type VmStateValue,
} from '../vm/index.js';
import type { HookManager } from '../hm/index.js';
import type { ContextSource, TransferManager, TransferOp, TransferPlace } from '../tm/index.js';
import { diskSnapshotLine } from '../tm/disk-snapshot-line.js';
import { BOOT_STATES, FAILURE_OF, operationOf, RETRY_OF, type Operation } from './operations.js';
import { abandonDiskOps, diskOpEnded } from './disk-ops.js';
import { holdPci, pciFor } from './pci-placement.js';
import type { ImagePool } from '../image/index.js';
import type { VirtualMachineManager, VmmAction, VmmRequest } from '../vmm/index.js';

export interface LifeCycleManagerOptions {
  readonly vms: VirtualMachinePool;
  readonly hosts: HostPool;
  readonly datastores: DatastorePool;
  readonly db: Database;
  readonly log: Logger;
  readonly logs: VmLogs;
  readonly vmm: VirtualMachineManager;
  readonly tm: TransferManager;
  readonly payers: QuotaPayers;
  readonly resources: VmResources;
  /** VM_HOOK commands, run once each state change is committed. */
  readonly hooks?: HookManager;
  /** Where CONTEXT FILES may come from (oned.conf CONTEXT_RESTRICTED_DIRS, CONTEXT_SAFE_DIRS). */
  readonly contextDirs?: ContextDirs;
  /** The clear text of an encrypted CONTEXT value (VM_ENCRYPTED_ATTR), given the key and stored value. */
  readonly revealContext?: (key: string, value: string) => string;
  /** A user's template, for `$USER[KEY]` in CONTEXT. */
  readonly userTemplate?: (uid: number) => Template | undefined;
  /** A VM is done (or `disk` is detached): its persistent disks' snapshots go back to their images. */
  readonly diskSnapshotsBack?: (tx: Transaction, vm: VirtualMachine, disk?: Vector) => void;
  /** Images a disk operation changes (disk-resize of a persistent image, disk-saveas). */
  readonly images?: ImagePool;
  /** VM backups (src/backup): the BACKUP request's data and what its answer makes. */
  readonly backups?: LcmBackups;
  /** A VM is DONE, in tx: what else records it lets it go (a virtual router's VMS). */
  readonly vmDone?: (tx: Transaction, vm: VirtualMachine) => void;
}

/** What the LCM asks of the backup manager (src/backup/backup-manager.ts). */
export interface LcmBackups {
  requestData(vm: VirtualMachine, p: { tmMad: string; host: string; vmDir: string; dsId: number }): { tmCommand: string; extraXml: string };
  done(tx: Transaction, vm: VirtualMachine, info: string): void;
  failed(vm: VirtualMachine): void;
}

const now = () => Math.floor(Date.now() / 1000);

/** LCM states of a VM the hypervisor should have: its disappearance means something (§4.4). */
const GONE_STATES: ReadonlySet<number> = new Set([LcmState.RUNNING, LcmState.SHUTDOWN, LcmState.SHUTDOWN_POWEROFF, LcmState.SHUTDOWN_UNDEPLOY]);

export class LifeCycleManager {
  private nextToken = 0;
  /** The operation each VM waits for, by token. */
  private readonly pending = new Map<number, number>();
  private readonly inFlight = new Set<Promise<void>>();
  /** VMs each open transaction will dispatch once committed. */
  /** Per transaction, the VMs it moved into an ACTIVE state and the last LCM state it gave each. */
  private readonly queued = new WeakMap<Transaction, Map<number, number>>();
  /**
   * The VMs each host's last full report (`VM_POLL=YES`) left out, by host id. A VM missing from
   * two reports in a row is gone: OpenNebula's one grace round, for a report taken while the
   * domain was being created or moved.
   */
  private readonly missing = new Map<number, Set<number>>();
  /** VMs being powered off because they vanished from their host (the hard power-off cleans up after them). */
  private readonly vanished = new Set<number>();
  private stopped = false;

  constructor(private readonly o: LifeCycleManagerOptions) {}

  /** Number of driver operations waiting for a reply. */
  get busy(): number {
    return this.inFlight.size;
  }

  /**
   * Dispatches the VM once `tx` has committed (once per VM and transaction, however many states
   * it went through): its driver work follows the stored state, never a state that failed to
   * commit.
   */
  queue(tx: Transaction, vm: VirtualMachine): void {
    let queued = this.queued.get(tx);
    if (!queued) this.queued.set(tx, (queued = new Map()));
    const first = !queued.has(vm.oid);
    queued.set(vm.oid, vm.lcmState);
    if (!first) return;
    const map = queued;
    // Only for the state this transaction committed: when a later transaction has moved the VM
    // on meanwhile (its change is in memory before this commit ends), that one dispatches its own
    // state, and sending it here too would run the driver operation twice.
    tx.afterCommit(() => {
      if (this.o.vms.get(vm.oid)?.lcmState === map.get(vm.oid)) this.dispatch(vm.oid);
    });
  }

  /**
   * Sends the driver operation the VM's state stands for (none for stable states), superseding
   * any the VM was waiting for. The state must be committed already (see `queue`).
   */
  dispatch(vid: number): void {
    if (this.stopped) return;
    const vm = this.o.vms.get(vid);
    if (!vm || vm.state !== VmState.ACTIVE) return;
    const op = operationOf(vm);
    if (!op) return;
    const token = ++this.nextToken;
    this.pending.set(vid, token);
    const expected = vm.lcmState;
    const work = this.issue(vm, op).then(
      (reply) => this.replied(vid, token, expected, op, reply),
      (err: Error) => this.replied(vid, token, expected, op, { ok: false, info: err.message, logs: [] }),
    );
    this.track(vid, work);
  }

  /** Keeps a driver operation's promise until it settles (stop waits for them); errors go to oned's log. */
  private track(vid: number, work: Promise<void>): void {
    const tracked = work.catch((err: Error) => this.o.log.error('LCM', `VM ${vid}: ${err.stack ?? err.message}`)).finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }

  /** Re-dispatches every VM in a transient state (oned restarted: the pending operations were lost). */
  recoverAll(): number {
    let n = 0;
    for (const vm of this.o.vms.inState(VmState.ACTIVE)) {
      if (!operationOf(vm)) continue;
      this.o.logs.write(vm.oid, 'LCM', 'I', `oned restarted in ${lcmStateName(vm.lcmState)}: the pending driver operation is sent again`);
      this.dispatch(vm.oid);
      n++;
    }
    return n;
  }

  /** Forgets pending operations (their replies are dropped) and waits for them. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.pending.clear();
    await Promise.all(this.inFlight);
  }

  /** Sends REBOOT or RESET (no state change); a failure is reported in vm.log and USER_TEMPLATE/ERROR. */
  reboot(vm: VirtualMachine, hard: boolean): void {
    const action = hard ? 'RESET' : 'REBOOT';
    const request = this.vmmRequest(vm, 'host');
    const work = this.o.vmm.request(action, request).then(async (reply) => {
      const current = this.o.vms.get(vm.oid);
      if (!current) return;
      if (reply.ok) {
        this.o.logs.write(vm.oid, 'VMM', 'I', `VM successfully ${hard ? 'reset' : 'rebooted'}.`);
        return;
      }
      const tx = new Transaction(this.o.db);
      this.fail(tx, current, `Error ${hard ? 'resetting' : 'rebooting'} VM: ${reply.info}`);
      await tx.commit();
    });
    this.track(vm.oid, work);
  }

  /**
   * Sends UPDATESG (the host's network drivers load the VM's SECURITY_GROUP_RULEs again, see
   * src/secgroup/sg-updater.ts); resolves with the driver's reply, logged in vm.log.
   */
  updateSecurityGroup(vm: VirtualMachine, sgId: number): Promise<DriverReply> {
    const request = { ...this.vmmRequest(vm, 'host'), extraXml: `<SECURITY_GROUP_ID>${sgId}</SECURITY_GROUP_ID>` };
    const work = this.o.vmm.request('UPDATESG', request).then((reply) => {
      for (const l of reply.logs) this.o.logs.write(vm.oid, 'VMM', l.severity, l.text);
      this.o.logs.write(vm.oid, 'VMM', reply.ok ? 'I' : 'E', reply.ok ? `Security group ${sgId} rules updated on the host.` : `Error updating the rules of security group ${sgId}: ${reply.info}`);
      return reply;
    });
    this.track(vm.oid, work.then(() => undefined));
    return work;
  }

  /**
   * `one.vm.backupcancel` of a VM in BACKUP_POWEROFF: the BACKUP's reply is no longer awaited,
   * the VM goes back to POWEROFF with nothing recorded, and once committed the driver is asked
   * (BACKUPCANCEL) to stop the copy and remove what it had made.
   */
  cancelBackup(tx: Transaction, vm: VirtualMachine): void {
    const p = vm.lastHistory!.placement;
    const request = this.vmmRequest(vm, 'host');
    const data = this.o.backups?.requestData(vm, { tmMad: p.tmMad, host: p.hostname, vmDir: request.remoteDir, dsId: p.dsId });
    this.pending.delete(vm.oid);
    tx.touch(this.o.vms, vm);
    this.o.backups?.failed(vm);
    this.o.logs.write(vm.oid, 'LCM', 'I', 'Backup cancelled by the user');
    this.enter(tx, vm, VmState.POWEROFF);
    tx.afterCommit(() => {
      const work = this.o.vmm.request('BACKUPCANCEL', { ...request, ...data }).then((reply) => {
        for (const l of reply.logs) this.o.logs.write(vm.oid, 'VMM', l.severity, l.text);
        if (!reply.ok) this.o.logs.write(vm.oid, 'VMM', 'E', `Error cancelling the backup: ${reply.info}`);
      });
      this.track(vm.oid, work);
    });
  }

  // ---- monitoring (§4.4) ----

  /**
   * Sends POLL for a VM that should be running (RUNNING or UNKNOWN) and applies the answer: a
   * sample and the transitions of §4.4. A failed POLL puts a RUNNING VM in UNKNOWN.
   */
  poll(vid: number): void {
    const vm = this.o.vms.get(vid);
    if (this.stopped || !vm || vm.state !== VmState.ACTIVE || (vm.lcmState !== LcmState.RUNNING && vm.lcmState !== LcmState.UNKNOWN) || !vm.lastHistory) return;
    // A host in ERROR cannot be trusted to answer for its VMs: they wait for it to come back.
    if (this.o.hosts.get(vm.hostId)?.state === HostState.ERROR) return;
    const work = this.o.vmm.request('POLL', this.vmmRequest(vm, 'host')).then(async (reply) => {
      const current = this.o.vms.get(vid);
      if (this.stopped || !current || current.state !== VmState.ACTIVE) return;
      const tx = new Transaction(this.o.db);
      if (reply.ok) this.monitored(tx, current, sampleOf(vid, parsePollText(reply.info), now()));
      else if (current.lcmState === LcmState.RUNNING) {
        this.fail(tx, current, `Error monitoring VM: ${reply.info}`);
        this.enter(tx, current, VmState.ACTIVE, LcmState.UNKNOWN);
      }
      await tx.commit();
    });
    this.track(vid, work);
  }

  /** Applies a monitoring sample: stored in vm_monitoring, shown in the VM, and the state it implies. */
  monitored(tx: Transaction, vm: VirtualMachine, sample: VmSample): void {
    const s = vm.state;
    const lcm = vm.lcmState;
    const active = s === VmState.ACTIVE;
    const booting = active && BOOT_STATES.has(lcm);
    const bootFailed = active && BOOT_STATES.has(RETRY_OF.get(lcm) ?? -1);
    switch (sample.state) {
      case 'a':
        if (booting) this.succeeded(tx, vm);
        else if (bootFailed) {
          this.enter(tx, vm, VmState.ACTIVE, RETRY_OF.get(lcm)!);
          this.succeeded(tx, vm);
        } else if (s === VmState.POWEROFF || s === VmState.SUSPENDED || (active && lcm === LcmState.UNKNOWN)) {
          this.o.logs.write(vm.oid, 'LCM', 'I', 'VM found running by monitoring');
          this.enter(tx, vm, VmState.ACTIVE, LcmState.RUNNING);
        }
        break;
      case 'p':
        if (active && (lcm === LcmState.RUNNING || lcm === LcmState.UNKNOWN)) this.enter(tx, vm, VmState.SUSPENDED);
        break;
      case 'e':
        if (active && lcm === LcmState.RUNNING) {
          this.fail(tx, vm, `The hypervisor reports an error for the VM${sample.error ? `: ${sample.error}` : ''}`);
          this.enter(tx, vm, VmState.ACTIVE, LcmState.UNKNOWN);
        }
        break;
      case 'd':
        if (active && (lcm === LcmState.UNKNOWN || GONE_STATES.has(lcm))) this.gone(tx, vm, 'VM not found by monitoring: it is powered off');
        break;
    }
    // Not a change of the VM's row unless a transition touched it: the sample has its own table.
    vm.monitoring = sample.xml;
    vm.lastPoll = sample.timestamp;
    this.o.vms.objectChanged(vm);
    tx.write(this.o.vms.monitoringWrite(vm.oid, sample.timestamp, sample.xml));
  }

  /** A host's IM report listed VMs (`VM = [ ID, DEPLOY_ID, POLL | MONITOR ]`): each sample applied; UNKNOWN VMs it left out are polled. */
  hostMonitored(tx: Transaction, host: Host, probe: Template, t: number): void {
    const reported = new Set<number>();
    for (const a of probe.getAll('VM')) {
      if (typeof a.value === 'string') continue;
      const vid = Number(a.value.get('ID'));
      const vm = this.o.vms.get(vid);
      if (!vm || !host.vms.has(vid)) continue;
      reported.add(vid);
      // A VM whose driver gave no deploy id learns it from the hypervisor's own list.
      const deployId = a.value.get('DEPLOY_ID') ?? '';
      if (vm.deployId === '' && deployId !== '' && vm.state === VmState.ACTIVE) tx.touch(this.o.vms, vm).deployId = deployId;
      this.monitored(tx, vm, sampleOf(vid, parsePollText(reportedPoll(a.value)), t));
    }
    if (probe.get('VM_POLL')?.toUpperCase() === 'YES') this.missingFrom(tx, host, reported);
    for (const vid of host.vms) {
      const vm = this.o.vms.get(vid);
      if (!reported.has(vid) && vm?.state === VmState.ACTIVE && vm.lcmState === LcmState.UNKNOWN) setImmediate(() => this.poll(vid));
    }
  }

  /**
   * The host's VMs a full report left out. Those that should be running (RUNNING or shutting
   * down) and were monitored before are gone once two reports in a row miss them, as
   * OpenNebula's MONITOR_POWEROFF: a RUNNING VM is powered off, a shutdown is complete.
   */
  private missingFrom(tx: Transaction, host: Host, reported: ReadonlySet<number>): void {
    const before = this.missing.get(host.oid);
    const missed = new Set<number>();
    for (const vid of host.vms) {
      const vm = this.o.vms.get(vid);
      if (reported.has(vid) || vm?.state !== VmState.ACTIVE || vm.hostId !== host.oid || !GONE_STATES.has(vm.lcmState) || vm.lastPoll === 0) continue;
      if (!before?.has(vid)) missed.add(vid);
      else this.gone(tx, vm, `VM not reported by host ${host.name} in two monitoring rounds: it is powered off`);
    }
    if (missed.size > 0) this.missing.set(host.oid, missed);
    else this.missing.delete(host.oid);
  }

  /**
   * The hypervisor no longer has the VM: a RUNNING (or UNKNOWN) VM is powered off, a shutdown is
   * complete. The power-off is a hard one (CANCEL): the domain is gone already, but the host
   * still has what was set up around it (tap devices, network rules) for the driver to remove.
   */
  private gone(tx: Transaction, vm: VirtualMachine, why: string): void {
    if (vm.lcmState === LcmState.RUNNING || vm.lcmState === LcmState.UNKNOWN) {
      this.o.logs.write(vm.oid, 'LCM', 'I', why);
      vm.lastHistory?.setAction(VmAction.POWEROFF_HARD, -1, -1, -1);
      this.vanished.add(vm.oid);
      this.enter(tx, vm, VmState.ACTIVE, LcmState.SHUTDOWN_POWEROFF);
    } else if (!this.pending.has(vm.oid)) this.succeeded(tx, vm);
    // A shutdown whose driver operation is still running completes with its answer: the driver
    // removes the VM's taps and network rules after the domain is gone, and a VM shown off (and
    // perhaps resumed) before that would race with the clean-up.
  }

  /** A host went ERROR: its RUNNING VMs go UNKNOWN (never POWEROFF: the host, not the VM, is lost). */
  hostFailed(tx: Transaction, host: Host): void {
    this.missing.delete(host.oid);
    for (const vid of host.vms) {
      const vm = this.o.vms.get(vid);
      if (vm?.state !== VmState.ACTIVE || vm.lcmState !== LcmState.RUNNING) continue;
      this.o.logs.write(vid, 'LCM', 'W', `Host ${host.name} (${host.oid}) is in ERROR: the VM state is unknown`);
      this.enter(tx, vm, VmState.ACTIVE, LcmState.UNKNOWN);
    }
  }

  // ---- state changes, used by the DM too (inside the caller's transaction) ----

  /** Moves the VM to a state, logging it as OpenNebula does ("New state is ACTIVE", "New LCM state is PROLOG"). */
  enter(tx: Transaction, vm: VirtualMachine, state: VmStateValue, lcm: LcmStateValue = LcmState.LCM_INIT): void {
    tx.touch(this.o.vms, vm);
    const wasState = vm.state;
    const wasLcm = vm.lcmState;
    this.o.vms.setState(vm, state, lcm);
    if (state !== wasState) this.o.logs.write(vm.oid, 'LCM', 'I', `New state is ${stateName(state)}`);
    if (state === VmState.ACTIVE && lcm !== wasLcm) this.o.logs.write(vm.oid, 'LCM', 'I', `New LCM state is ${lcmStateName(lcm)}`);
    if (state === VmState.ACTIVE) this.queue(tx, vm);
    const hooks = this.o.hooks;
    if (hooks?.hasVmHooks && (state !== wasState || lcm !== wasLcm)) {
      // The state entered now, run once it is stored (a later step of the same call may move on).
      const subject = vmHookSubject(vm, wasState, wasLcm);
      tx.afterCommit(() => hooks.vmStateChanged(subject));
    }
  }

  /** Accounts the VM on a host (share and `<VMS>`), once: a VM already counted there is left as is. */
  place(tx: Transaction, vm: VirtualMachine, host: Host): void {
    if (host.vms.has(vm.oid)) return;
    const pci = pciFor(vm, host); // throws before anything changes when the host lacks them
    const h = tx.touch(this.o.hosts, host);
    h.vms.add(vm.oid);
    h.share.add(vm.capacity);
    if (pci.length > 0) holdPci(tx.touch(this.o.vms, vm), h, pci);
  }

  /** Gives a host back what the VM took, once. */
  unplace(tx: Transaction, vm: VirtualMachine, hid: number): void {
    const host = this.o.hosts.get(hid);
    if (!host || !host.vms.has(vm.oid)) return;
    const h = tx.touch(this.o.hosts, host);
    h.vms.delete(vm.oid);
    h.share.remove(vm.capacity);
    h.share.pci.release(vm.oid);
  }

  /**
   * The VM is DONE: end time, off its hosts, its DISKs and NICs and its quota given back.
   * Never twice: a DONE VM is not touched again.
   */
  done(tx: Transaction, vm: VirtualMachine): void {
    if (vm.state === VmState.DONE) return;
    const t = now();
    this.enter(tx, vm, VmState.DONE);
    abandonDiskOps(tx, this.o, vm);
    vm.etime = t;
    const last = vm.lastHistory;
    if (last && last.etime === 0) last.etime = t;
    for (const h of vm.history) this.unplace(tx, vm, h.placement.hid);
    this.o.resources.releaseAll(tx, vm.template, vm.oid);
    releaseQuotas(tx, this.o.payers, vm.owner.uid, vm.owner.gid, vmQuotaUsage(vm.template));
    // The VM's system snapshots go with it (the hypervisor's went with the domain).
    vm.template.remove('SNAPSHOT');
    // Disk snapshots: a persistent disk's go back to its image; the space they counted is given back.
    this.o.diskSnapshotsBack?.(tx, vm);
    releaseQuotas(tx, this.o.payers, vm.owner.uid, vm.owner.gid, vmDiskSnapshotQuota(vm));
    this.o.vmDone?.(tx, vm);
  }

  /** Back to PENDING, off the host (delete-recreate, resubmit). */
  resubmit(tx: Transaction, vm: VirtualMachine): void {
    this.enter(tx, vm, VmState.PENDING);
    // The disks will be copied from their images again: their snapshots are gone (a persistent one keeps its image's).
    for (const d of vectors(vm.template, 'DISK')) {
      if (d.get('PERSISTENT') !== 'YES') releaseQuotas(tx, this.o.payers, vm.owner.uid, vm.owner.gid, dropDiskSnapshots(vm, d));
    }
    const last = vm.lastHistory;
    if (last && last.etime === 0) last.etime = now();
    for (const h of vm.history) this.unplace(tx, vm, h.placement.hid);
    vm.deployId = '';
  }

  /** Records a failure: USER_TEMPLATE/ERROR (with the time, as OpenNebula writes it) and vm.log. */
  fail(tx: Transaction, vm: VirtualMachine, message: string): void {
    tx.touch(this.o.vms, vm).setError(`${timestamp(new Date())}: ${message}`);
    this.o.logs.write(vm.oid, 'LCM', 'E', message);
  }

  /**
   * Applies the success of the VM's pending operation (a driver reply, or `one.vm.recover`
   * success): the next state, with history times, host share and DONE bookkeeping.
   */
  succeeded(tx: Transaction, vm: VirtualMachine, info = ''): void {
    const t = now();
    const last = vm.lastHistory;
    const prev = vm.previousHistory;
    tx.touch(this.o.vms, vm);
    if (diskSnapshotStep(vm.lcmState)) {
      this.diskSnapshotEnded(tx, vm, true);
      return;
    }
    switch (vm.lcmState) {
      case LcmState.PROLOG:
      case LcmState.PROLOG_RESUME:
      case LcmState.PROLOG_UNDEPLOY:
      case LcmState.PROLOG_MIGRATE:
      case LcmState.PROLOG_MIGRATE_UNKNOWN: {
        if (last) {
          last.petime = t;
          last.rstime = t;
        }
        const next =
          vm.lcmState === LcmState.PROLOG_RESUME ? LcmState.BOOT_STOPPED
          : vm.lcmState === LcmState.PROLOG_UNDEPLOY ? LcmState.BOOT_UNDEPLOY
          : vm.lcmState === LcmState.PROLOG_MIGRATE && (prev?.action === VmAction.MIGRATE) ? LcmState.BOOT_MIGRATE
          : LcmState.BOOT;
        this.enter(tx, vm, VmState.ACTIVE, next);
        return;
      }
      case LcmState.PROLOG_MIGRATE_POWEROFF:
      case LcmState.PROLOG_MIGRATE_SUSPEND:
        if (last) last.petime = t;
        if (prev) this.closeOnHost(tx, vm, prev, t);
        this.enter(tx, vm, vm.lcmState === LcmState.PROLOG_MIGRATE_POWEROFF ? VmState.POWEROFF : VmState.SUSPENDED);
        return;
      case LcmState.BOOT:
      case LcmState.BOOT_UNKNOWN:
      case LcmState.BOOT_POWEROFF:
      case LcmState.BOOT_UNDEPLOY:
      case LcmState.BOOT_SUSPENDED:
      case LcmState.BOOT_STOPPED:
      case LcmState.BOOT_MIGRATE: {
        // DEPLOY answers the hypervisor's id for the VM; RESTORE keeps the one it had.
        const id = info.trim().split(/\s+/)[0] ?? '';
        const op = operationOf(vm);
        if (id !== '' && op?.kind === 'vmm' && op.action === 'DEPLOY') vm.deployId = id;
        if (last && last.rstime === 0) last.rstime = t;
        this.enter(tx, vm, VmState.ACTIVE, LcmState.RUNNING);
        return;
      }
      case LcmState.MIGRATE:
        if (last) last.rstime = t;
        if (prev) this.closeOnHost(tx, vm, prev, t);
        this.enter(tx, vm, VmState.ACTIVE, LcmState.RUNNING);
        return;
      case LcmState.SHUTDOWN:
      case LcmState.SHUTDOWN_UNDEPLOY:
        if (last) {
          last.retime = t;
          last.estime = t;
        }
        this.enter(tx, vm, VmState.ACTIVE, vm.lcmState === LcmState.SHUTDOWN ? LcmState.EPILOG : LcmState.EPILOG_UNDEPLOY);
        return;
      case LcmState.SHUTDOWN_POWEROFF:
        this.vanished.delete(vm.oid);
        this.enter(tx, vm, VmState.POWEROFF);
        return;
      case LcmState.SAVE_STOP:
        if (last) {
          last.retime = t;
          last.estime = t;
        }
        this.enter(tx, vm, VmState.ACTIVE, LcmState.EPILOG_STOP);
        return;
      case LcmState.SAVE_SUSPEND:
        this.enter(tx, vm, VmState.SUSPENDED);
        return;
      case LcmState.SAVE_MIGRATE:
        // The VM no longer runs on the source host: its record is closed and the host freed.
        if (prev) this.closeOnHost(tx, vm, prev, t);
        if (last) last.pstime = t;
        this.enter(tx, vm, VmState.ACTIVE, LcmState.PROLOG_MIGRATE);
        return;
      case LcmState.EPILOG:
        if (last) last.eetime = t;
        this.done(tx, vm);
        return;
      case LcmState.EPILOG_STOP:
      case LcmState.EPILOG_UNDEPLOY:
        if (last) this.closeOnHost(tx, vm, last, t);
        vm.deployId = '';
        this.enter(tx, vm, vm.lcmState === LcmState.EPILOG_STOP ? VmState.STOPPED : VmState.UNDEPLOYED);
        return;
      case LcmState.CLEANUP_DELETE:
        this.done(tx, vm);
        return;
      case LcmState.CLEANUP_RESUBMIT:
        this.resubmit(tx, vm);
        return;
      case LcmState.UNKNOWN:
        this.enter(tx, vm, VmState.ACTIVE, LcmState.RUNNING);
        return;
      case LcmState.HOTPLUG:
        this.hotplugDone(tx, vm, 'DISK', true);
        this.enter(tx, vm, VmState.ACTIVE, LcmState.RUNNING);
        return;
      case LcmState.HOTPLUG_NIC:
        this.hotplugDone(tx, vm, 'NIC', true);
        this.enter(tx, vm, VmState.ACTIVE, LcmState.RUNNING);
        return;
      case LcmState.BACKUP_POWEROFF:
        // BACKUP answers `<backup_id> <size_mb> [format]`.
        this.o.backups?.done(tx, vm, info);
        this.o.logs.write(vm.oid, 'VMM', 'I', `VM backup successfully created (${info.trim()}).`);
        this.enter(tx, vm, VmState.POWEROFF);
        return;
      case LcmState.HOTPLUG_SNAPSHOT:
        // SNAPSHOTCREATE answers the hypervisor's id of the new snapshot.
        snapshotDone(vm.template, true, info.trim().split(/\s+/)[0] ?? '');
        this.enter(tx, vm, VmState.ACTIVE, LcmState.RUNNING);
        return;
      case LcmState.HOTPLUG_PROLOG_POWEROFF:
      case LcmState.HOTPLUG_EPILOG_POWEROFF:
        this.hotplugDone(tx, vm, 'DISK', true);
        this.enter(tx, vm, VmState.POWEROFF);
        return;
      case LcmState.HOTPLUG_RESIZE:
        takeResize(vm.template);
        this.o.logs.write(vm.oid, 'LCM', 'I', 'VM resize operation completed.');
        this.enter(tx, vm, VmState.ACTIVE, LcmState.RUNNING);
        return;
      default: {
        const back = diskOpEnded(tx, this.o, vm, true);
        if (back) return this.enter(tx, vm, ...back);
        const retry = RETRY_OF.get(vm.lcmState);
        if (retry === undefined) return;
        // Recover success of a failure state: as if its operation had succeeded.
        this.enter(tx, vm, VmState.ACTIVE, retry);
        this.succeeded(tx, vm, info);
      }
    }
  }

  /** Applies the failure of the VM's pending operation: its failure state, or back where it came from. */
  failed(tx: Transaction, vm: VirtualMachine, message: string): void {
    const last = vm.lastHistory;
    this.fail(tx, vm, message);
    const failure = FAILURE_OF.get(vm.lcmState);
    if (failure !== undefined) {
      // BOOT failures of a VM coming back from a stable state go back to it (§4.2).
      this.enter(tx, vm, VmState.ACTIVE, failure);
      return;
    }
    if (diskSnapshotStep(vm.lcmState)) {
      this.diskSnapshotEnded(tx, vm, false);
      return;
    }
    switch (vm.lcmState) {
      case LcmState.BOOT_SUSPENDED:
        this.enter(tx, vm, VmState.SUSPENDED);
        return;
      case LcmState.BOOT_POWEROFF:
        this.enter(tx, vm, VmState.POWEROFF);
        return;
      case LcmState.BOOT_UNKNOWN:
        this.enter(tx, vm, VmState.ACTIVE, LcmState.UNKNOWN);
        return;
      case LcmState.SHUTDOWN:
      case LcmState.SHUTDOWN_POWEROFF:
      case LcmState.SHUTDOWN_UNDEPLOY:
      case LcmState.SAVE_STOP:
      case LcmState.SAVE_SUSPEND:
        // A VM that vanished is off whatever the clean-up of its host says.
        if (this.vanished.delete(vm.oid)) {
          this.enter(tx, vm, VmState.POWEROFF);
          return;
        }
        if (last) last.action = VmAction.NONE;
        this.enter(tx, vm, VmState.ACTIVE, LcmState.RUNNING);
        return;
      case LcmState.SAVE_MIGRATE:
      case LcmState.MIGRATE:
        this.revertMigration(tx, vm);
        this.enter(tx, vm, VmState.ACTIVE, LcmState.RUNNING);
        return;
      case LcmState.CLEANUP_DELETE:
      case LcmState.CLEANUP_RESUBMIT:
        // The host could not be cleaned; the VM still leaves it (OpenNebula goes on as well).
        this.succeeded(tx, vm);
        return;
      case LcmState.HOTPLUG:
        this.hotplugDone(tx, vm, 'DISK', false);
        this.enter(tx, vm, VmState.ACTIVE, LcmState.RUNNING);
        return;
      case LcmState.HOTPLUG_NIC:
        this.hotplugDone(tx, vm, 'NIC', false);
        this.enter(tx, vm, VmState.ACTIVE, LcmState.RUNNING);
        return;
      case LcmState.BACKUP_POWEROFF:
        this.o.backups?.failed(vm);
        this.enter(tx, vm, VmState.POWEROFF);
        return;
      case LcmState.HOTPLUG_SNAPSHOT:
        snapshotDone(vm.template, false);
        this.enter(tx, vm, VmState.ACTIVE, LcmState.RUNNING);
        return;
      case LcmState.HOTPLUG_PROLOG_POWEROFF:
      case LcmState.HOTPLUG_EPILOG_POWEROFF:
        this.hotplugDone(tx, vm, 'DISK', false);
        this.enter(tx, vm, VmState.POWEROFF);
        return;
      case LcmState.HOTPLUG_RESIZE:
        this.resizeUndone(tx, vm);
        this.enter(tx, vm, VmState.ACTIVE, LcmState.RUNNING);
        return;
      default: {
        const back = diskOpEnded(tx, this.o, vm, false, message);
        if (back) this.enter(tx, vm, ...back);
      }
    }
  }

  /** A disk snapshot operation ended: the snapshots updated, quota given back, the VM back where it was. */
  private diskSnapshotEnded(tx: Transaction, vm: VirtualMachine, ok: boolean): void {
    const step = diskSnapshotStep(vm.lcmState)!;
    releaseQuotas(tx, this.o.payers, vm.owner.uid, vm.owner.gid, diskSnapshotDone(vm, step.action, ok));
    if (ok) this.o.logs.write(vm.oid, 'LCM', 'I', `VM disk snapshot ${step.action} operation completed.`);
    this.enter(tx, vm, step.back, step.back === VmState.ACTIVE ? LcmState.RUNNING : LcmState.LCM_INIT);
  }

  /**
   * A hot resize failed: the VM gets back the sizes it kept in RESIZE, and its host share and its
   * owner's quota what the resize had moved.
   */
  private resizeUndone(tx: Transaction, vm: VirtualMachine): void {
    const old = takeResize(vm.template);
    if (!old) return;
    const now = sizeOf(vm.template);
    const host = this.o.hosts.get(vm.hostId);
    if (host?.vms.has(vm.oid)) {
      const [a, b] = [hostCapacity(now), hostCapacity(old)];
      const share = tx.touch(this.o.hosts, host).share;
      share.cpuUsage += b.cpu - a.cpu;
      share.memUsage += b.mem - a.mem;
    }
    try {
      releaseQuotas(tx, this.o.payers, vm.owner.uid, vm.owner.gid, resizeQuotaDelta(old, now));
    } catch (err) {
      // A failed shrink takes back what it had given, which others may have used meanwhile.
      if (!(err instanceof QuotaExceededError)) throw err;
      this.o.logs.write(vm.oid, 'LCM', 'W', `The quota could not take back the former sizes: ${err.message}`);
    }
    setSize(vm.template, old);
    this.o.logs.write(vm.oid, 'LCM', 'I', 'VM hotplug resize operation fails: the VM keeps its former CPU, VCPU and MEMORY');
  }

  /** Closes a record whose host the VM left (migration done, stop, undeploy), freeing the host. */
  private closeOnHost(tx: Transaction, vm: VirtualMachine, h: History, t: number): void {
    if (h.etime === 0) h.etime = t;
    if (h.retime === 0) h.retime = t;
    if (h.eetime === 0 && h.estime !== 0) h.eetime = t;
    // The VM may be back on that host in a later record: only free it if the last record is elsewhere.
    if (vm.lastHistory === h || vm.lastHistory?.placement.hid !== h.placement.hid) this.unplace(tx, vm, h.placement.hid);
  }

  /** A migration failed before the VM left its host: drop the new record and free the new host. */
  private revertMigration(tx: Transaction, vm: VirtualMachine): void {
    const last = vm.lastHistory;
    const prev = vm.previousHistory;
    if (!last || !prev) return;
    vm.history.pop();
    tx.write({ kind: 'delete', table: HISTORY_TABLE, where: { vid: vm.oid, seq: last.seq } });
    if (last.placement.hid !== prev.placement.hid) this.unplace(tx, vm, last.placement.hid);
    prev.action = VmAction.NONE;
  }

  /**
   * Ends a hot-plug: the new DISK/NIC is kept (success) or dropped; a detached one is dropped
   * (success) or kept. A dropped DISK gives back its image and system disk quota, a NIC its lease.
   */
  hotplugDone(tx: Transaction, vm: VirtualMachine, name: 'DISK' | 'NIC', ok: boolean): void {
    for (const attr of vm.template.getAll(name)) {
      const v = attr.value;
      if (typeof v === 'string' || v.get('ATTACH') !== 'YES') continue;
      const detaching = v.get('DETACH') === 'YES';
      const keep = detaching ? !ok : ok;
      v.delete('ATTACH');
      v.delete('DETACH');
      if (!keep) {
        const rest = vm.template.getAll(name).filter((a) => a.value !== v);
        vm.template.remove(name);
        for (const a of rest) vm.template.add(name, a.value);
        if (name === 'DISK') {
          this.o.resources.releaseDisk(tx, v, vm.oid);
          this.o.diskSnapshotsBack?.(tx, vm, v);
          releaseQuotas(tx, this.o.payers, vm.owner.uid, vm.owner.gid, [...diskQuotaUsage(v), ...dropDiskSnapshots(vm, v)]);
        } else {
          this.o.resources.releaseNic(tx, v, vm.oid, vm.template);
          releaseQuotas(tx, this.o.payers, vm.owner.uid, vm.owner.gid, nicQuotaUsage(v));
        }
      }
    }
  }

  private async issue(vm: VirtualMachine, op: Operation): Promise<DriverReply> {
    if (op.kind === 'tm' && this.o.hosts.get(vm.hostId)?.template.get('PUBLIC_CLOUD')?.toUpperCase() === 'YES') {
      // A hybrid host (its IM reports PUBLIC_CLOUD=YES: an EC2 region, another cloud) has no
      // files to transfer: the remote cloud makes and removes the instance's disks itself.
      this.o.logs.write(vm.oid, 'TrM', 'I', `No ${op.op} transfer: host ${vm.lastHistory?.placement.hostname ?? vm.hostId} is a public cloud`);
      return { ok: true, info: '', logs: [] };
    }
    if (op.kind === 'tm') {
      const at = this.transferPlace(vm, op.op);
      // A closed record means the VM left its host (STOPPED, UNDEPLOYED): its files are on the front-end.
      const onFrontend = op.op === 'epilog' && vm.lastHistory!.etime !== 0;
      let source: ContextSource | null = null;
      if (vm.template.has('CONTEXT')) {
        try {
          source = { file: join(this.o.logs.vmDir(vm.oid), 'context.sh'), files: op.op === 'prolog' ? contextFiles(vm, this.o.contextDirs ?? DEFAULT_CONTEXT_DIRS) : [] };
        } catch (e) {
          if (e instanceof ContextFilesError) return { ok: false, info: e.message, logs: [] };
          throw e;
        }
      }
      const lines = onFrontend ? this.o.tm.frontendDelete(vm, at) : this.o.tm.lines(vm, op.op, at, source);
      const context = op.op === 'prolog' ? contextFile(vm, this.o.userTemplate?.(vm.owner.uid), this.o.revealContext) : null;
      this.o.logs.write(vm.oid, 'TrM', 'I', `Sending ${op.op} transfer (${lines.length} command${lines.length === 1 ? '' : 's'}) to the TM driver`);
      if (context !== null) await writeFile(join(await this.o.logs.ensureDir(vm.oid), 'context.sh'), context);
      return this.o.tm.transfer(op.op, at, lines);
    }
    let request = this.vmmRequest(vm, op.on, op.action);
    if (op.action === 'UPDATECONF') {
      // A new context CD: context.sh written again, the TM CONTEXT line for the driver to run.
      const ctx = vm.template.getVector('CONTEXT');
      const text = contextFile(vm, this.o.userTemplate?.(vm.owner.uid), this.o.revealContext);
      if (ctx && text !== null) {
        let files: string[];
        try {
          files = contextFiles(vm, this.o.contextDirs ?? DEFAULT_CONTEXT_DIRS);
        } catch (e) {
          if (e instanceof ContextFilesError) return { ok: false, info: e.message, logs: [] };
          throw e;
        }
        const file = join(await this.o.logs.ensureDir(vm.oid), 'context.sh');
        await writeFile(file, text);
        const p = vm.lastHistory!.placement;
        const iso = `${request.remoteDir}/disk.${ctx.get('DISK_ID')}`;
        request = { ...request, tmCommand: ['CONTEXT', p.tmMad, file, ...files, `${p.hostname}:${iso}`, vm.oid, p.dsId].join(' '), diskTargetPath: iso };
      }
    }
    if (op.action === 'BACKUP' && this.o.backups) {
      const p = vm.lastHistory!.placement;
      request = { ...request, ...this.o.backups.requestData(vm, { tmMad: p.tmMad, host: p.hostname, vmDir: request.remoteDir, dsId: p.dsId }) };
    }
    this.o.logs.write(vm.oid, 'VMM', 'I', `Sending ${op.action} to the ${request.vmMad} VMM driver on ${request.host}`);
    return this.o.vmm.request(op.action, request);
  }

  private async replied(vid: number, token: number, expected: LcmStateValue, op: Operation, reply: DriverReply): Promise<void> {
    if (this.pending.get(vid) !== token) return; // superseded, or oned is stopping
    this.pending.delete(vid);
    const vm = this.o.vms.get(vid);
    if (!vm || vm.state !== VmState.ACTIVE || vm.lcmState !== expected) return;
    const module = op.kind === 'tm' ? 'TrM' : 'VMM';
    for (const l of reply.logs) this.o.logs.write(vid, module, l.severity, l.text);
    // A DEPLOY must answer the hypervisor's id: without one the VM cannot be managed (§6.3).
    if (reply.ok && op.kind === 'vmm' && op.action === 'DEPLOY' && reply.info.trim() === '') reply = { ...reply, ok: false, info: 'the driver answered DEPLOY without a deploy id' };
    const tx = new Transaction(this.o.db);
    const what = lcmStateName(expected);
    if (reply.ok) {
      this.o.logs.write(vid, 'LCM', 'I', `${what}: driver operation succeeded`);
      this.succeeded(tx, vm, reply.info);
    } else {
      this.failed(tx, vm, `Error in ${what}: ${reply.info || 'driver failure'}`);
    }
    await tx.commit();
  }

  /** Where a transfer of `op` happens for the VM's current placement. */
  private transferPlace(vm: VirtualMachine, op: TransferOp): TransferPlace {
    const last = vm.lastHistory!;
    const p = last.placement;
    const prev = vm.previousHistory;
    return {
      vid: vm.oid,
      seq: last.seq,
      tmMad: p.tmMad,
      dsId: p.dsId,
      vmDir: this.vmDirOn(p.dsId, vm.oid),
      host: p.hostname,
      prevHost: op === 'migrate' ? prev?.placement.hostname : undefined,
    };
  }

  /** The VM directory in a system datastore: `<BASE_PATH>/<vm id>`. */
  private vmDirOn(dsId: number, vid: number): string {
    const ds = this.o.datastores.get(dsId);
    return `${ds?.fields.basePath ?? join(this.o.datastores.location, String(dsId))}/${vid}`;
  }

  private vmmRequest(vm: VirtualMachine, on: 'host' | 'previous', action?: VmmAction): VmmRequest {
    const last = vm.lastHistory!;
    const source = on === 'previous' ? (vm.previousHistory ?? last) : last;
    const p = source.placement;
    const ds = this.o.datastores.get(p.dsId);
    const dir = this.vmDirOn(p.dsId, vm.oid);
    let tmCommand = '';
    if (action === 'MIGRATE') tmCommand = `MIGRATE ${p.tmMad} ${p.hostname} ${last.placement.hostname} ${dir} ${vm.oid} ${p.dsId}`;
    else if (action === 'CLEANUP') tmCommand = `DELETE ${p.tmMad} ${p.hostname}:${dir} ${vm.oid} ${p.dsId}`;
    else if (action === 'ATTACHDISK') {
      const d = vectors(vm.template, 'DISK').find((x) => x.get('ATTACH') === 'YES');
      if (d) tmCommand = this.o.tm.diskLine(d, vm.oid, { tmMad: p.tmMad, dsId: p.dsId, vmDir: dir, host: p.hostname }).join('\n');
    } else if (action === 'RESIZEDISK') {
      tmCommand = this.o.tm.resizeLine(vm, { tmMad: p.tmMad, dsId: p.dsId, vmDir: dir, host: p.hostname }).join('\n');
    } else if (action === 'DETACHDISK') {
      const d = vectors(vm.template, 'DISK').find((x) => x.get('ATTACH') === 'YES');
      if (d) tmCommand = `DELETE ${p.tmMad} ${p.hostname}:${dir}/disk.${d.get('DISK_ID')} ${vm.oid} ${p.dsId}`;
    } else if (action === 'DISKSNAPSHOTCREATE') {
      tmCommand = diskSnapshotLine(vm, { tmMad: p.tmMad, dsId: p.dsId, vmDir: dir, host: p.hostname }, true).join('');
    }
    const hotDisk = vectors(vm.template, 'DISK').find((x) => x.get('ATTACH') === 'YES');
    return {
      vid: vm.oid,
      seq: last.seq,
      vmMad: p.vmMad,
      host: p.hostname,
      migrHost: action === 'MIGRATE' ? last.placement.hostname : '',
      deployId: vm.deployId,
      remoteDir: dir,
      tmCommand,
      diskTargetPath: hotDisk ? `${dir}/disk.${hotDisk.get('DISK_ID')}` : undefined,
      vmXml: vm.toXml(),
      datastoreXml: ds?.toXml() ?? '',
    };
  }
}
