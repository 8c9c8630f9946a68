/**
 * Polling of VMs through their VMM driver (`POLL`), as OpenNebula 3.x–5.10 did: every
 * VM_POLLING_INTERVAL seconds each VM that should be running (RUNNING, UNKNOWN) is polled once,
 * the polls spread over the interval so a large cloud does not ask all at once. 0 turns it off
 * (hosts' IM reports then carry the VMs' state). It also purges samples older than
 * VM_MONITORING_EXPIRATION_TIME, whoever took them.
 */
import { LcmState, VmState, type VirtualMachinePool } from '../vm/index.js';
import type { LifeCycleManager } from '../lcm/index.js';
import type { Database } from '../db/database.js';
import type { Logger } from '../common/log.js';

const TICK_MS = 1000;
const PURGE_EVERY_MS = 60_000;

export interface VmPollerOptions {
  readonly vms: VirtualMachinePool;
  readonly lcm: LifeCycleManager;
  readonly db: Database;
  readonly log: Logger;
  /** VM_POLLING_INTERVAL: 0 does not poll. */
  readonly intervalSec: number;
  /** VM_MONITORING_EXPIRATION_TIME: 0 keeps every sample. */
  readonly expirationSec: number;
}

export class VmPoller {
  private timer: NodeJS.Timeout | undefined;
  private queue: number[] = [];
  private perTick = 0;
  private filledAt = 0;
  private purgedAt = 0;

  constructor(private readonly o: VmPollerOptions) {}

  start(): void {
    this.timer = setInterval(() => this.tick(Date.now()), TICK_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private tick(now: number): void {
    const { vms, lcm, intervalSec, expirationSec } = this.o;
    if (intervalSec > 0 && this.queue.length === 0 && now - this.filledAt >= intervalSec * 1000) {
      this.filledAt = now;
      for (const vm of vms.inState(VmState.ACTIVE)) {
        if (vm.lcmState === LcmState.RUNNING || vm.lcmState === LcmState.UNKNOWN) this.queue.push(vm.oid);
      }
      this.perTick = Math.ceil(this.queue.length / intervalSec);
    }
    for (const vid of this.queue.splice(0, this.perTick)) lcm.poll(vid);
    if (expirationSec > 0 && now - this.purgedAt >= Math.min(PURGE_EVERY_MS, expirationSec * 1000)) {
      this.purgedAt = now;
      this.o.db.write([vms.monitoringExpiry(Math.floor(now / 1000) - expirationSec)]).catch((err: Error) => this.o.log.error('VMM', `Cannot purge old VM monitoring: ${err.message}`));
    }
  }
}
