/**
 * A unit of work over pool objects: records each object's state before it is changed, then
 * commits all the changes in one database transaction. If the commit fails, the in-memory
 * objects are put back as they were, so memory never holds what the database refused.
 *
 * Rule for callers: look objects up and change them in the same synchronous step, with no
 * `await` in between. A failed commit replaces the pool's instances, so an object held across
 * an await may no longer be the one in the pool.
 */
import type { Database, Write } from '../db/database.js';
import type { Pool } from './pool.js';
import type { PoolObject } from './pool-object.js';

/**
 * What happens after a failed commit. The touched objects are re-read from the database, which
 * takes a round trip; meanwhile no call may start (see `afterRecovery`), and a call that started
 * before the failure may not commit what it prepared from the state memory had then (the epoch
 * tells). So memory and database agree again before anything else is written.
 */
class Recovery {
  epoch = 0;
  readonly pending = new Set<Promise<unknown>>();
}

const recoveries = new WeakMap<Database, Recovery>();

function recoveryOf(db: Database): Recovery {
  let r = recoveries.get(db);
  if (!r) recoveries.set(db, (r = new Recovery()));
  return r;
}

/** Time between attempts to re-read an object while the database is unreachable. */
const RETRY_MS = 250;

/**
 * Runs `op` until it succeeds. Used to re-read objects after a failed commit: until the
 * database answers, oned cannot know whether that commit took effect, so it waits (and no call
 * runs meanwhile) rather than guess.
 */
async function untilDone(op: () => Promise<void>): Promise<void> {
  for (;;) {
    try {
      return await op();
    } catch {
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
  }
}

/**
 * Waits until no recovery from a failed commit is running, then returns the epoch a new call's
 * transactions must carry.
 */
export function afterRecovery(db: Database): number | Promise<number> {
  const r = recoveryOf(db);
  return r.pending.size === 0 ? r.epoch : waitRecovery(r); // no promise on the common path
}

async function waitRecovery(r: Recovery): Promise<number> {
  while (r.pending.size > 0) await Promise.all(r.pending);
  return r.epoch;
}

/** A transaction prepared before a failed commit's recovery: refused, nothing written. */
export class StaleTransactionError extends Error {
  constructor() {
    super('The database failed while this call ran; nothing was changed. Retry the call.');
  }
}

interface Entry {
  readonly pool: Pool<PoolObject>;
  readonly obj: PoolObject;
  /** XML before the change; null for an object created in this transaction. */
  readonly before: string | null;
  deleted: boolean;
}

export class Transaction {
  private readonly entries = new Map<PoolObject, Entry>();
  private readonly extra: Write[] = [];
  private readonly committed: (() => void)[] = [];

  /**
   * @param epoch the recovery epoch the call started in (from `afterRecovery`); a commit after a
   * later failure is refused with StaleTransactionError.
   */
  constructor(
    private readonly db: Database,
    private readonly epoch = recoveryOf(db).epoch,
  ) {}

  /**
   * Records `obj` before it changes and marks it changed. Call it right before mutating the
   * object (in the same synchronous step), once or many times.
   */
  touch<T extends PoolObject>(pool: Pool<T>, obj: T): T {
    if (!this.entries.has(obj)) {
      this.entries.set(obj, { pool: pool as unknown as Pool<PoolObject>, obj, before: obj.toBody(), deleted: false });
    }
    obj.changed();
    return obj;
  }

  /** Adds a new object to its pool; it is stored, with the pool's id counter, at commit. */
  create<T extends PoolObject>(pool: Pool<T>, obj: T): T {
    pool.add(obj);
    this.entries.set(obj, { pool: pool as unknown as Pool<PoolObject>, obj, before: null, deleted: false });
    this.extra.push(pool.controlWrite());
    return obj;
  }

  /** Removes an object from its pool; its row is deleted at commit. */
  delete<T extends PoolObject>(pool: Pool<T>, obj: T): void {
    const entry = this.entries.get(obj);
    if (entry) entry.deleted = true;
    else this.entries.set(obj, { pool: pool as unknown as Pool<PoolObject>, obj, before: obj.toBody(), deleted: true });
    pool.remove(obj);
  }

  /** Adds writes that are not pool objects (ACL rules, system attributes...). */
  write(...writes: Write[]): void {
    this.extra.push(...writes);
  }

  /**
   * Runs `fn` once this transaction has committed (never if the commit fails or it is rolled
   * back): work that must follow the stored state, such as the driver request a new VM state
   * stands for.
   */
  afterCommit(fn: () => void): void {
    this.committed.push(fn);
  }

  /**
   * Gives up the transaction: every touched or created object is put back as it was (newest
   * change first) and nothing is written. For a call refused half-way through its step.
   */
  rollback(): void {
    for (const e of [...this.entries.values()].reverse()) e.pool.restore(e.obj.oid, e.before);
    this.entries.clear();
    this.extra.length = 0;
    this.committed.length = 0;
  }

  /**
   * Commits. On failure the touched objects are put back as they were (newest change first),
   * then re-read from the database: a commit whose reply was lost may still have taken
   * effect, and the database is the truth. Rethrows the commit's error.
   */
  async commit(): Promise<void> {
    const writes: Write[] = [];
    for (const e of this.entries.values()) {
      if (e.deleted && e.before === null) continue; // created and deleted: nothing to store
      writes.push(...e.pool.rowWrites(e.obj, e.deleted));
    }
    writes.push(...this.extra);
    if (writes.length === 0) return this.runCommitted();
    const recovery = recoveryOf(this.db);
    const entries = [...this.entries.values()].reverse();
    if (recovery.epoch !== this.epoch) {
      for (const e of entries) e.pool.restore(e.obj.oid, e.before);
      throw new StaleTransactionError();
    }
    try {
      await this.db.write(writes);
    } catch (err) {
      recovery.epoch++;
      for (const e of entries) e.pool.restore(e.obj.oid, e.before);
      const resync = Promise.all(entries.map((e) => untilDone(() => e.pool.reload(this.db, e.obj.oid))));
      recovery.pending.add(resync);
      await resync;
      recovery.pending.delete(resync);
      throw err;
    }
    this.runCommitted();
  }

  private runCommitted(): void {
    for (const fn of this.committed.splice(0)) fn();
  }
}
