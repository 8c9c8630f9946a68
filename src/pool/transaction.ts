/**
 * A unit of work over pool objects: records each object's state before it is changed, then
 * commits all the changes in one database transaction. If the commit fails, the in-memory
 * objects are put back as they were, so memory never holds what the database refused.
 */
import type { Database, Write } from '../db/database.js';
import type { Pool } from './pool.js';
import type { PoolObject } from './pool-object.js';

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

  constructor(private readonly db: Database) {}

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

  /** Commits; on failure restores every touched object and rethrows. */
  async commit(): Promise<void> {
    const writes: Write[] = [];
    for (const e of this.entries.values()) {
      if (e.deleted && e.before === null) continue; // created and deleted: nothing to store
      writes.push(e.pool.rowWrite(e.obj, e.deleted));
    }
    writes.push(...this.extra);
    if (writes.length === 0) return;
    try {
      await this.db.write(writes);
    } catch (err) {
      for (const e of this.entries.values()) e.pool.restore(e.obj.oid, e.before);
      throw err;
    }
  }
}
