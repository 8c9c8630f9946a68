/**
 * Applies clusters' optimization plans (`one.cluster.planexecute`, or at once for
 * `ONE_DRS = [ AUTOMATION = "full" ]`), as 7.4's plan manager does: READY actions are started
 * one after another, at most MAX_ACTIONS_PER_HOST at a time on a destination host and
 * MAX_ACTIONS_PER_CLUSTER in a cluster (oned.conf, 1 and 30 by default), through the VM
 * migration oned does for `one.vm.migrate` (live with LIVE_RESCHEDS = 1, else cold with
 * COLD_MIGRATE_MODE). An action is APPLYING while its VM migrates, DONE once the VM runs on the
 * destination, ERROR when it could not start or the VM ended up elsewhere, TIMEOUT after
 * ACTION_TIMEOUT seconds (300). The plan then ends DONE, ERROR or TIMEOUT.
 *
 * Only clusters with an applying plan are looked at, once a second while there are any.
 */
import type { Logger } from '../common/log.js';
import type { Database } from '../db/database.js';
import { Transaction } from '../pool/index.js';
import { LcmState, VmState } from '../vm/vm-state.js';
import type { VirtualMachinePool } from '../vm/vm-pool.js';
import type { ClusterPool } from './cluster-pool.js';
import type { Cluster } from './cluster.js';
import { PlanState, type PlanAction } from './plan.js';

export interface PlanRunnerOptions {
  readonly clusters: ClusterPool;
  readonly vms: VirtualMachinePool;
  readonly db: Database;
  readonly log: Logger;
  /** Starts the action's migration in `tx`; throws (changing nothing) when it cannot. */
  readonly start: (tx: Transaction, action: PlanAction) => void;
  readonly maxPerHost: number;
  readonly maxPerCluster: number;
  readonly timeoutSec: number;
  /** How often applying plans are checked (ms), 1000 by default. */
  readonly tickMs?: number;
}

const now = () => Math.floor(Date.now() / 1000);

export class PlanRunner {
  /** Clusters whose plan is APPLYING. */
  private readonly applying = new Set<number>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly o: PlanRunnerOptions) {
    for (const c of o.clusters.list()) if (c.plan?.state === PlanState.APPLYING) this.applying.add(c.oid);
  }

  /** Starts watching (plans left APPLYING by a stop go on). */
  start(): void {
    this.stopped = false;
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** A plan was set APPLYING (and committed): start its actions now. */
  async applyingNow(cid: number): Promise<void> {
    this.applying.add(cid);
    this.schedule();
    await this.pump();
  }

  private schedule(): void {
    if (this.stopped || this.timer || this.applying.size === 0) return;
    this.timer = setInterval(() => void this.pump().catch((e: Error) => this.o.log.error('PLM', e.message)), this.o.tickMs ?? 1000);
    this.timer.unref?.();
  }

  /** One round over the applying plans (rounds never overlap). */
  async pump(): Promise<void> {
    while (this.running) await this.running;
    this.running = this.round().finally(() => (this.running = undefined));
    await this.running;
    if (this.applying.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private async round(): Promise<void> {
    for (const cid of [...this.applying]) {
      const cluster = this.o.clusters.get(cid);
      if (!cluster || cluster.plan?.state !== PlanState.APPLYING) {
        this.applying.delete(cid);
        continue;
      }
      await this.advance(cluster);
      if (cluster.plan?.state !== PlanState.APPLYING) {
        this.applying.delete(cid);
        this.o.log.info('PLM', `Plan of cluster ${cid} finished in state ${Object.entries(PlanState).find(([, v]) => v === cluster.plan?.state)?.[0] ?? cluster.plan?.state}`);
      }
    }
  }

  /** What became of an APPLYING action's VM, or undefined while it still migrates. */
  private outcome(a: PlanAction): typeof PlanState.DONE | typeof PlanState.ERROR | typeof PlanState.TIMEOUT | undefined {
    const vm = this.o.vms.get(a.vmId);
    if (!vm) return PlanState.ERROR;
    if (vm.state === VmState.ACTIVE && vm.lcmState === LcmState.RUNNING) return vm.hostId === a.hostId ? PlanState.DONE : PlanState.ERROR;
    if (vm.state !== VmState.ACTIVE && vm.state !== VmState.POWEROFF && vm.state !== VmState.SUSPENDED) return PlanState.ERROR;
    if (a.timestamp + this.o.timeoutSec < now()) return PlanState.TIMEOUT;
    return undefined;
  }

  private async advance(cluster: Cluster): Promise<void> {
    const { clusters } = this.o;
    const plan = cluster.plan!;
    const tx = new Transaction(this.o.db);
    tx.touch(clusters, cluster);
    const perHost = new Map<number, number>();
    let inCluster = 0;
    for (const a of plan.actions) {
      if (a.state !== PlanState.APPLYING) continue;
      const end = this.outcome(a);
      if (end !== undefined) a.state = end;
      else {
        perHost.set(a.hostId, (perHost.get(a.hostId) ?? 0) + 1);
        inCluster++;
      }
    }
    for (const a of plan.actions) {
      if (a.state !== PlanState.READY) continue;
      if (inCluster >= this.o.maxPerCluster) break;
      if ((perHost.get(a.hostId) ?? 0) >= this.o.maxPerHost) continue;
      a.timestamp = now();
      // Each migration in a transaction of its own: a refusal leaves the others as they are.
      const step = new Transaction(this.o.db);
      try {
        this.o.start(step, a);
        await step.commit();
        a.state = PlanState.APPLYING;
        perHost.set(a.hostId, (perHost.get(a.hostId) ?? 0) + 1);
        inCluster++;
        this.o.log.info('PLM', `Plan of cluster ${cluster.oid}: action ${a.id} migrates VM ${a.vmId} to host ${a.hostId}`);
      } catch (err) {
        step.rollback();
        a.state = PlanState.ERROR;
        this.o.log.error('PLM', `Plan of cluster ${cluster.oid}: action ${a.id} (VM ${a.vmId} to host ${a.hostId}) failed: ${(err as Error).message}`);
      }
    }
    plan.checkCompleted();
    tx.touch(clusters, cluster);
    await tx.commit();
  }
}
