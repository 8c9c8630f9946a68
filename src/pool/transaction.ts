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
  before: string | null;
  deleted: boolean;
  /** Whether its row is written: false while the object only has side changes. */
  stored: boolean;
}

/**
 * A change an object keeps outside its pool row, in rows of a side table (a network's leases):
 * so changing one of many such parts writes that part, not the whole object.
 */
export interface SideChange {
  /** The writes that store it, committed with the transaction. */
  readonly writes: readonly Write[];
  /**
   * Takes it back in memory after a failed or refused commit. It must look objects up by id:
   * undoing a touch before it may have replaced the instance in the pool.
   */
  undo(): void;
}

export class Transaction {
  private readonly entries = new Map<PoolObject, Entry>();
  private readonly extra: Write[] = [];
  /** How to take back each change, in the order they were made; run newest first on failure. */
  private readonly undos: (() => void)[] = [];
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
    this.stored(pool, obj);
    pool.objectChanged(obj);
    return obj;
  }

  /** Adds a new object to its pool; it is stored, with the pool's id counter, at commit. */
  create<T extends PoolObject>(pool: Pool<T>, obj: T): T {
    pool.add(obj);
    this.entries.set(obj, { pool: pool as unknown as Pool<PoolObject>, obj, before: null, deleted: false, stored: true });
    this.undos.push(() => pool.restore(obj.oid, null));
    this.extra.push(pool.controlWrite());
    return obj;
  }

  /** Removes an object from its pool; its row is deleted at commit. */
  delete<T extends PoolObject>(pool: Pool<T>, obj: T): void {
    this.stored(pool, obj).deleted = true;
    pool.remove(obj);
  }

  /**
   * Records a change `obj` keeps outside its row (see SideChange), made in the same synchronous
   * step. Its writes are committed with the transaction; the object's row is not rewritten for
   * it, but after a failed commit the object is re-read like a touched one.
   */
  sideChange<T extends PoolObject>(pool: Pool<T>, obj: T, change: SideChange): void {
    if (!this.entries.has(obj)) this.entries.set(obj, { pool: pool as unknown as Pool<PoolObject>, obj, before: null, deleted: false, stored: false });
    this.extra.push(...change.writes);
    this.undos.push(() => change.undo());
  }

  /** The entry of an object whose row this transaction writes, recording its body the first time. */
  private stored<T extends PoolObject>(pool: Pool<T>, obj: T): Entry {
    let entry = this.entries.get(obj);
    if (!entry) this.entries.set(obj, (entry = { pool: pool as unknown as Pool<PoolObject>, obj, before: null, deleted: false, stored: false }));
    if (!entry.stored) {
      const before = obj.toBody();
      entry.before = before;
      entry.stored = true;
      this.undos.push(() => pool.restore(obj.oid, before));
    }
    return entry;
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
   * Gives up the transaction: every change is taken back in memory (newest first) and nothing
   * is written. For a call refused half-way through its step.
   */
  rollback(): void {
    this.undo();
    this.entries.clear();
    this.extra.length = 0;
    this.undos.length = 0;
    this.committed.length = 0;
  }

  /**
   * Commits. On failure the changes are taken back in memory (newest first: touched objects get
   * the body they had, side changes are undone), then the objects are re-read from the
   * database: a commit whose reply was lost may still have taken effect, and the database is
   * the truth. Rethrows the commit's error.
   */
  async commit(): Promise<void> {
    const writes: Write[] = [];
    for (const e of this.entries.values()) {
      if (!e.stored || (e.deleted && e.before === null)) continue; // no row change, or created and deleted
      writes.push(...e.pool.rowWrites(e.obj, e.deleted));
    }
    writes.push(...this.extra);
    if (writes.length === 0) return this.runCommitted();
    const recovery = recoveryOf(this.db);
    const entries = [...this.entries.values()].reverse();
    if (recovery.epoch !== this.epoch) {
      this.undo();
      throw new StaleTransactionError();
    }
    try {
      await this.db.write(writes);
    } catch (err) {
      recovery.epoch++;
      this.undo();
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

  /** Takes every change back in memory, newest first. */
  private undo(): void {
    for (let i = this.undos.length - 1; i >= 0; i--) this.undos[i]!();
  }
}
