/**
 * Runs the VMs' scheduled actions on time. It keeps each VM's next due time in memory (a map
 * and a min-heap of (time, VM) with stale entries skipped), so a timer fires only when some
 * action is due: no scan of the pool but the one at start. An action whose time passed while
 * oned was stopped runs once at start, late, and says so in MESSAGE and the VM log.
 */
import type { Database } from '../db/database.js';
import type { Logger } from '../common/log.js';
import { ActionNotAvailable, type DispatchManager } from '../dm/index.js';
import type { LifeCycleManager } from '../lcm/index.js';
import { Transaction } from '../pool/index.js';
import { ACTION_NAMES, vectors, type VirtualMachine, type VirtualMachinePool, type VmLogs, VmAction, VmState } from '../vm/index.js';
import { dueTime, isPending, recordRun } from './sched-action.js';
import { DueHeap } from './due-heap.js';

export interface SchedActionDeps {
  readonly vms: VirtualMachinePool;
  readonly db: Database;
  readonly log: Logger;
  readonly logs: VmLogs;
  readonly dm: DispatchManager;
  readonly lcm: LifeCycleManager;
  readonly now?: () => number;
}

/** The longest the timer sleeps before looking again (a clock change is caught within it). */
const MAX_SLEEP_MS = 60_000;

const iso = (t: number) => new Date(t * 1000).toISOString();

export class SchedActionManager {
  private readonly heap = new DueHeap();
  private readonly next = new Map<number, number>();
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private running: Promise<void> | undefined;
  private stopped = true;
  private startedAt = 0;
  /** The highest SCHED_ACTION id in use: ids are unique across VMs, as OpenNebula's. */
  private lastId = -1;
  /** "vm:id" of the actions that were overdue when oned started: they run late, and say so. */
  private readonly overdueAtStart = new Set<string>();

  constructor(private readonly deps: SchedActionDeps) {}

  private now(): number {
    return this.deps.now ? this.deps.now() : Math.floor(Date.now() / 1000);
  }

  /** Reads every VM's actions once, and runs those that fell due while oned was stopped. */
  start(): void {
    this.stopped = false;
    this.startedAt = this.now();
    for (const vm of this.deps.vms.all()) {
      for (const sa of vectors(vm.template, 'SCHED_ACTION')) {
        this.lastId = Math.max(this.lastId, Number(sa.get('ID') ?? -1) || 0);
        if (vm.state !== VmState.DONE && isPending(sa, vm.stime) && dueTime(sa, vm.stime) < this.startedAt) this.overdueAtStart.add(`${vm.oid}:${sa.get('ID')}`);
      }
      this.changed(vm);
    }
    this.arm();
  }

  /** A new SCHED_ACTION id. */
  allocateId(): number {
    return ++this.lastId;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Number of VMs with a pending action (for tests and logs). */
  get watched(): number {
    return this.next.size;
  }

  /** A VM's actions changed (added, updated, deleted, created with the VM): its next due time is taken again. */
  changed(vm: VirtualMachine): void {
    const due = this.nextDue(vm);
    if (due === null) {
      this.next.delete(vm.oid);
      return;
    }
    if (this.next.get(vm.oid) === due) return;
    this.next.set(vm.oid, due);
    this.heap.push(due, vm.oid);
    if (due < this.timerAt) this.arm();
  }

  private nextDue(vm: VirtualMachine): number | null {
    if (vm.state === VmState.DONE) return null;
    let due: number | null = null;
    for (const sa of vectors(vm.template, 'SCHED_ACTION')) {
      if (!isPending(sa, vm.stime)) continue;
      const t = dueTime(sa, vm.stime);
      if (due === null || t < due) due = t;
    }
    return due;
  }

  private arm(): void {
    if (this.stopped || this.running) return;
    clearTimeout(this.timer);
    // Drop stale heap entries (a VM whose next due time changed since).
    let top = this.heap.peek();
    while (top && this.next.get(top.oid) !== top.due) {
      this.heap.pop();
      top = this.heap.peek();
    }
    if (!top) {
      this.timer = undefined;
      this.timerAt = Infinity;
      return;
    }
    const wait = Math.min(MAX_SLEEP_MS, Math.max(0, top.due * 1000 - Date.now()));
    this.timerAt = top.due;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Infinity;
      this.running = this.runDue().finally(() => {
        this.running = undefined;
        this.arm();
      });
    }, wait);
    this.timer.unref?.();
  }

  private async runDue(): Promise<void> {
    const now = this.now();
    for (let top = this.heap.peek(); top && top.due <= now && !this.stopped; top = this.heap.peek()) {
      this.heap.pop();
      if (this.next.get(top.oid) !== top.due) continue;
      this.next.delete(top.oid);
      const vm = this.deps.vms.get(top.oid);
      if (!vm) continue;
      try {
        await this.runVm(vm, now);
      } catch (err) {
        this.deps.log.error('SCH', `Scheduled actions of VM ${vm.oid}: ${(err as Error).stack ?? String(err)}`);
      }
      this.changed(vm);
    }
  }

  /** Runs the VM's due actions, earliest first, and records each. */
  private async runVm(vm: VirtualMachine, now: number): Promise<void> {
    const due = vectors(vm.template, 'SCHED_ACTION')
      .filter((sa) => isPending(sa, vm.stime) && dueTime(sa, vm.stime) <= now)
      .sort((a, b) => dueTime(a, vm.stime) - dueTime(b, vm.stime));
    for (const sa of due) {
      if (vm.state === VmState.DONE) return;
      const { db, dm, lcm, logs, vms } = this.deps;
      const action = sa.get('ACTION') ?? '';
      const at = dueTime(sa, vm.stime);
      const id = sa.get('ID') ?? '?';
      const late = this.overdueAtStart.delete(`${vm.oid}:${id}`);
      const ranAt = this.now();
      let error = '';
      const code = ACTION_NAMES.get(action);
      const tx = new Transaction(db);
      if (code === undefined) {
        error = `Action "${action}" is not supported`;
      } else {
        try {
          dm.action(tx, action, code, vm, { uid: vm.owner.uid, gid: vm.owner.gid, reqId: -1 });
        } catch (err) {
          tx.rollback();
          if (!(err instanceof ActionNotAvailable) && !(err instanceof RangeError)) this.deps.log.error('SCH', `VM ${vm.oid} ${action}: ${(err as Error).stack ?? String(err)}`);
          error = (err as Error).message;
        }
      }
      const parts: string[] = [];
      if (late) parts.push(`Ran late at ${iso(ranAt)}: it was due at ${iso(at)}, while oned was not running.`);
      if (error) parts.push(`Failed at ${iso(ranAt)}: ${error}`);
      const rec = error ? new Transaction(db) : tx;
      rec.touch(vms, vm);
      const rearmed = recordRun(sa, vm.stime, ranAt, parts.join(' '));
      await rec.commit();
      if (!error && (code === VmAction.REBOOT || code === VmAction.REBOOT_HARD)) lcm.reboot(vm, code === VmAction.REBOOT_HARD);
      const again = rearmed === null ? '' : `; next at ${iso(rearmed)}`;
      logs.write(vm.oid, 'SCH', error ? 'E' : 'I', `Scheduled action ${id} (${action}) ${error ? `failed: ${error}` : 'done'}${late ? `, late: it was due at ${iso(at)} while oned was not running` : ''}${again}`);
    }
  }
}
