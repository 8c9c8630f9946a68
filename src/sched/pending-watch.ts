/**
 * Wakes the scheduler when oned has something new to place: a long poll of
 * `one.vmpool.waitpending` on a connection of its own, which answers as soon as a VM becomes
 * PENDING (allocated, released, recreated, requeued) or is flagged for rescheduling. Each answer
 * is one poke, however many VMs it stands for; the scheduler's loop debounces the pokes.
 */
import { Oca, OneClient, OneError } from '../oca/index.js';
import type { SchedLog } from './scheduler.js';

/** Seconds one waitpending call waits at most before it is asked again. */
const WAIT_SEC = 30;
/** Seconds before a watch that lost oned tries again. */
const RETRY_SEC = 2;

export class PendingWatch {
  private readonly oca: Oca;
  private stopped = false;
  private retry: { timer: NodeJS.Timeout; resolve: () => void } | undefined;
  private running: Promise<void> | undefined;

  constructor(
    client: OneClient,
    private readonly poke: () => void,
    private readonly log: SchedLog,
  ) {
    // A connection of its own: a waiting call must never hold back the cycle's calls.
    this.oca = new Oca(new OneClient({ endpoint: client.endpoint, session: client.session, timeoutMs: (WAIT_SEC + 30) * 1000 }));
  }

  /**
   * Starts watching; resolves once oned's current mark is known (or the watch gave up), so a
   * cycle begun after that misses no VM: any VM pending later pokes.
   */
  start(): Promise<void> {
    let learned!: () => void;
    const known = new Promise<void>((resolve) => (learned = resolve));
    this.running = this.watch(learned);
    return known;
  }

  stop(): void {
    this.stopped = true;
    if (this.retry) {
      clearTimeout(this.retry.timer);
      this.retry.resolve();
    }
    // Drops the waiting call: oned sees its connection close.
    this.oca.close();
  }

  private async watch(learned: () => void): Promise<void> {
    let mark = -1;
    let lost = false;
    while (!this.stopped) {
      try {
        const next = await this.oca.vms.waitPending(mark, WAIT_SEC);
        if (lost) this.log.info('Watching for pending VMs again');
        lost = false;
        if (mark !== -1 && next !== mark) this.poke();
        if (mark === -1) learned();
        mark = next;
      } catch (err) {
        if (this.stopped) break;
        if (err instanceof OneError) {
          // oned answered and refused (an oned without the call, or a session outside the oneadmin group).
          this.log.warn(`Cannot watch for pending VMs (${err.message}): cycles run every SCHED_INTERVAL only`);
          learned();
          return;
        }
        if (!lost) this.log.warn(`Lost the watch for pending VMs (${(err as Error).message}); trying again every ${RETRY_SEC} s`);
        lost = true;
        learned();
        // oned may have restarted, with a mark of its own: the next answer differs and pokes.
        await new Promise<void>((resolve) => (this.retry = { timer: setTimeout(resolve, RETRY_SEC * 1000), resolve }));
        this.retry = undefined;
      }
    }
  }

  /** Resolves once the watch loop has ended (after stop()). */
  async ended(): Promise<void> {
    await this.running;
  }
}
