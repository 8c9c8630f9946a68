/**
 * Group commit: the calls that arrive while a transaction is committing go together in the next
 * one, so one durable commit (one fsync) serves many API calls and durability does not cap
 * throughput. Backend-independent: it is given a function that runs one transaction.
 *
 * A transaction that fails is not retried here: the backend's function decides what can be run
 * again. PostgreSQL's runs a group again on a new connection when the old one was lost (a
 * restart, a failover), waiting up to OUTAGE_TIMEOUT, because every write is an idempotent
 * full-row upsert or keyed delete (src/db/postgres); what reaches this class as a failure is
 * final for the group.
 */
import type { Write } from './database.js';

/** Runs the writes in one transaction, all or none, resolving once it is durable. */
export type RunTransaction = (writes: readonly Write[]) => Promise<void>;

/** Counters since the database was opened. Group commit shows as fewer transactions than calls. */
export interface WriteStats {
  /** write() calls taken into a transaction. */
  readonly calls: number;
  /** Transactions run: one per group. */
  readonly transactions: number;
}

interface Pending {
  readonly writes: readonly Write[];
  readonly resolve: () => void;
  readonly reject: (reason: unknown) => void;
}

export class GroupCommitter {
  readonly #run: RunTransaction;
  #queue: Pending[] = [];
  /** Set while a flush loop is scheduled or running; cleared when the queue is empty. */
  #flushing: Promise<void> | undefined;
  #closed = false;
  /** The newest queued call: groups commit in order, so once it settles every earlier one has. */
  #last: Promise<void> = Promise.resolve();
  readonly #stats = { calls: 0, transactions: 0 };

  constructor(run: RunTransaction) {
    this.#run = run;
  }

  /** Live counters (the object updates as calls settle). */
  get stats(): WriteStats {
    return this.#stats;
  }

  /** Queues the writes for the next group; resolves once they are durable, rejects if they failed. */
  write(writes: readonly Write[]): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('database is closed'));
    const done = new Promise<void>((resolve, reject) => {
      this.#queue.push({ writes, resolve, reject });
      this.#flushing ??= this.#flush();
    });
    this.#last = done.catch(() => undefined);
    return done;
  }

  /**
   * Resolves once every call queued so far has settled (committed or failed): a read that follows
   * it sees what the caller's memory already shows.
   */
  settled(): Promise<void> {
    return this.#last;
  }

  /** Refuses new calls and resolves once every queued call has settled. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#flushing;
  }

  async #flush(): Promise<void> {
    do {
      // Let the event loop run first: with a synchronous backend (SQLite) requests that arrived
      // during the last commit are read only now, and they should join this group.
      await new Promise(setImmediate);
      const group = this.#queue;
      this.#queue = [];
      await this.#commit(group);
    } while (this.#queue.length > 0);
    this.#flushing = undefined;
  }

  async #commit(group: readonly Pending[]): Promise<void> {
    this.#stats.calls += group.length;
    const writes = group.length === 1 ? group[0]!.writes : group.flatMap((call) => call.writes);
    try {
      await this.#transaction(writes);
    } catch (error) {
      // All or nothing. The calls queued behind this group were prepared on top of its changes
      // (callers keep state in memory), so they fail too. Rejections go newest first so that
      // callers undoing their in-memory changes unwind them in reverse order.
      const failed = [...group, ...this.#queue];
      this.#queue = [];
      for (let i = failed.length - 1; i >= 0; i--) failed[i]!.reject(error);
      return;
    }
    for (const call of group) call.resolve();
  }

  async #transaction(writes: readonly Write[]): Promise<void> {
    if (writes.length === 0) return;
    this.#stats.transactions++;
    await this.#run(writes);
  }
}
