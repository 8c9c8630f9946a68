/**
 * A counter of the VMs that became PENDING (or were flagged for rescheduling) since oned
 * started, and the callers waiting for it to move: `one.vmpool.waitpending` lets a scheduler
 * sleep until there is something new to place instead of polling the pool.
 */

/** The longest a call may wait, in seconds (the scheduler asks again). */
export const MAX_WAIT_SEC = 60;

interface Waiter {
  readonly mark: number;
  readonly resolve: (mark: number) => void;
  readonly timer: NodeJS.Timeout;
}

export class PendingMark {
  private value = 0;
  private readonly waiters = new Set<Waiter>();
  private closed = false;

  /** The current mark. */
  get current(): number {
    return this.value;
  }

  /** Callers waiting now. */
  get waiting(): number {
    return this.waiters.size;
  }

  /** Something new to place: moves the mark and wakes every waiter. */
  bump(): void {
    this.value++;
    if (this.waiters.size === 0) return;
    for (const w of this.waiters) this.release(w);
  }

  /**
   * Resolves with the current mark as soon as it differs from `mark` (at once when it already
   * does: a caller that missed changes, or a mark of an oned that restarted), else after
   * `timeoutSec` (capped at MAX_WAIT_SEC), or when oned stops.
   */
  wait(mark: number, timeoutSec: number): Promise<number> {
    if (mark !== this.value || this.closed || timeoutSec <= 0) return Promise.resolve(this.value);
    return new Promise((resolve) => {
      const w: Waiter = { mark, resolve, timer: setTimeout(() => this.release(w), Math.min(timeoutSec, MAX_WAIT_SEC) * 1000) };
      this.waiters.add(w);
    });
  }

  /** oned stops: every waiter answers now, and later calls do not wait. */
  close(): void {
    this.closed = true;
    for (const w of this.waiters) this.release(w);
  }

  private release(w: Waiter): void {
    clearTimeout(w.timer);
    this.waiters.delete(w);
    w.resolve(this.value);
  }
}
