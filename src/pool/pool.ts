/**
 * A pool: every object of one type, held in memory (authoritative while oned runs) and stored
 * in the pool's table. Indexes by name and owner keep lookups and filtered listings from
 * scanning the whole pool.
 */
import type { ObjectTypeName } from '../common/object-type.js';
import { parseXmlTree, type XmlNode } from '../common/xml-tree.js';
import type { Database, Write } from '../db/database.js';
import type { PoolObject } from './pool-object.js';

/** Whether names are unique in the whole pool (users, groups) or per owner (VMs, images...). */
export type NameScope = 'pool' | 'owner';

export interface PoolOptions {
  /** The pool table, e.g. `user_pool`. */
  readonly table: string;
  readonly type: ObjectTypeName;
  /** Root element of the pool listing, e.g. `USER_POOL`. */
  readonly root: string;
  readonly nameScope: NameScope;
}

/** Which objects a listing returns. */
export interface ListQuery {
  /** Only objects owned by this uid. */
  readonly uid?: number;
  /** Only objects whose id is at least this. */
  readonly startId?: number;
  /** Only objects whose id is at most this (-1: no bound). */
  readonly endId?: number;
  /** Page mode: skip this many (after filtering) ... */
  readonly offset?: number;
  /** ... and return at most this many. */
  readonly limit?: number;
  /** The candidates, in id order, when the pool has an index that narrows them (VMs by state); default: the whole pool or the uid's objects. */
  readonly source?: Iterable<PoolObject>;
  /** Visibility filter (authorization); objects it rejects are skipped. */
  readonly visible?: (obj: PoolObject) => boolean;
}

export abstract class Pool<T extends PoolObject> {
  /** Objects by id; Map iteration order is id order because ids only grow and load is sorted. */
  protected readonly objects = new Map<number, T>();
  private readonly names = new Map<string, T>();
  private readonly byOwner = new Map<number, Set<T>>();
  private lastOid = -1;
  private changes = 0;
  /**
   * Set on a federation slave for the federated pools (users, groups, zones, marketplaces...):
   * their rows are the master's, replicated into this zone's database, and never written here.
   */
  replica = false;

  protected constructor(readonly options: PoolOptions) {}

  /** Builds an object from its stored XML body. */
  protected abstract fromXml(node: XmlNode): T;

  /**
   * A counter that moves whenever an object of the pool is added, removed or changed: what was
   * built from the pool at one value (a whole listing) is still right while it has that value.
   */
  get generation(): number {
    return this.changes;
  }

  /** Marks `obj` changed (its XML is rendered again); the Transaction's `touch` calls it. */
  objectChanged(obj: T): void {
    this.changes++;
    obj.changed();
  }

  get size(): number {
    return this.objects.size;
  }

  /** Highest id ever given (-1 if none). */
  get lastId(): number {
    return this.lastOid;
  }

  /** Loads every object from the pool table. */
  async load(db: Database): Promise<void> {
    const control = await db.query('SELECT last_oid FROM pool_control WHERE tablename = ?', [this.options.table]);
    this.lastOid = control.length ? Number(control[0]!.last_oid) : -1;
    const rows = await db.query(`SELECT body FROM ${this.options.table} ORDER BY oid`);
    for (const row of rows) {
      const obj = this.fromXml(parseXmlTree(String(row.body)));
      this.index(obj);
      if (obj.oid > this.lastOid) this.lastOid = obj.oid;
    }
  }

  get(oid: number): T | undefined {
    return this.objects.get(oid);
  }

  /** Lookup by name; `uid` is required for pools whose names are unique per owner. */
  getByName(name: string, uid = -1): T | undefined {
    return this.names.get(this.nameKey(name, uid));
  }

  /** Every object, in id order. */
  all(): IterableIterator<T> {
    return this.objects.values();
  }

  /** Objects owned by uid (no particular order). */
  ownedBy(uid: number): ReadonlySet<T> {
    return this.byOwner.get(uid) ?? EMPTY;
  }

  /** Reserves the next id. Persist it with `controlWrite()` in the same transaction. */
  nextOid(): number {
    return ++this.lastOid;
  }

  /** Sets the id counter (bootstrap objects with fixed ids). */
  reserve(oid: number): void {
    if (oid > this.lastOid) this.lastOid = oid;
  }

  /** The write recording the pool's id counter. */
  controlWrite(): Write {
    return { kind: 'upsert', table: 'pool_control', row: { tablename: this.options.table, last_oid: this.lastOid } };
  }

  /** Adds a new object to the pool and its indexes. */
  add(obj: T): void {
    if (this.objects.has(obj.oid)) throw new Error(`${this.options.type} ${obj.oid} already in pool`);
    this.changes++;
    this.index(obj);
  }

  /** Removes an object from the pool and its indexes. */
  remove(obj: T): void {
    if (this.objects.get(obj.oid) !== obj) return;
    this.changes++;
    this.objects.delete(obj.oid);
    this.unindex(obj);
  }

  /** Renames an object, keeping the name index right. The caller checks for clashes. */
  rename(obj: T, name: string): void {
    this.changes++;
    this.names.delete(this.nameKey(obj.name, obj.owner.uid));
    obj.name = name;
    this.names.set(this.nameKey(name, obj.owner.uid), obj);
  }

  /** Changes the owner and group, keeping the indexes right. */
  setOwner(obj: T, owner: T['owner']): void {
    this.changes++;
    this.unindex(obj);
    obj.owner = owner;
    this.index(obj);
  }

  /** Puts back a stored version of an object (after a failed commit). */
  restore(oid: number, xml: string | null): void {
    this.changes++;
    const current = this.objects.get(oid);
    if (current) this.unindex(current);
    if (xml === null) {
      this.objects.delete(oid);
      return;
    }
    this.index(this.fromXml(parseXmlTree(xml)));
    // A re-added object lands at the end of the Map: put the id order back.
    if (!current && oid !== this.lastOid) {
      const sorted = [...this.objects.values()].sort((a, b) => a.oid - b.oid);
      this.objects.clear();
      for (const o of sorted) this.objects.set(o.oid, o);
    }
  }

  /** Makes the object match its stored row (or removes it when there is none). */
  async reload(db: Database, oid: number): Promise<void> {
    const rows = await db.query(`SELECT body FROM ${this.options.table} WHERE oid = ?`, [oid]);
    const body = rows.length ? String(rows[0]!.body) : null;
    if (body !== (this.objects.get(oid)?.toBody() ?? null)) this.restore(oid, body);
  }

  /** The write that stores (or deletes) an object. */
  rowWrite(obj: T, deleted = false): Write {
    return deleted
      ? { kind: 'delete', table: this.options.table, where: { oid: obj.oid } }
      : { kind: 'upsert', table: this.options.table, row: obj.toRow() };
  }

  /**
   * Every write that stores (or deletes) an object: its row, plus whatever rows of other tables
   * it keeps (VM history records); the Transaction commits them together.
   */
  rowWrites(obj: T, deleted = false): Write[] {
    return this.replica ? [] : [this.rowWrite(obj, deleted)];
  }

  /** The objects a listing returns, in id order. */
  list(q: ListQuery = {}): T[] {
    const start = q.startId ?? -1;
    const end = q.endId ?? -1;
    let skip = q.offset ?? 0;
    const limit = q.limit ?? Infinity;
    const out: T[] = [];
    const source: Iterable<T> = (q.source as Iterable<T> | undefined) ?? (q.uid !== undefined ? [...this.ownedBy(q.uid)].sort((a, b) => a.oid - b.oid) : this.objects.values());
    for (const obj of source) {
      if (out.length >= limit) break;
      if (start >= 0 && obj.oid < start) continue;
      if (end >= 0 && obj.oid > end) continue;
      if (q.visible && !q.visible(obj)) continue;
      if (skip > 0) {
        skip--;
        continue;
      }
      out.push(obj);
    }
    return out;
  }

  /**
   * `<ROOT>obj…extra</ROOT>` escaped as XML text (see PoolObject.toEscapedXml), joined from the
   * objects' cached escaped XML; `escapedExtra` must be escaped already.
   */
  toEscapedXml(objs: Iterable<T>, escapedExtra = ''): string {
    const root = this.options.root;
    let xml = `&lt;${root}&gt;`;
    for (const o of objs) xml += o.toEscapedXml();
    return `${xml}${escapedExtra}&lt;/${root}&gt;`;
  }

  private index(obj: T): void {
    this.objects.set(obj.oid, obj);
    this.names.set(this.nameKey(obj.name, obj.owner.uid), obj);
    let owned = this.byOwner.get(obj.owner.uid);
    if (!owned) this.byOwner.set(obj.owner.uid, (owned = new Set()));
    owned.add(obj);
  }

  /** Drops the object from the name and owner indexes (not from the id map). */
  private unindex(obj: T): void {
    if (this.names.get(this.nameKey(obj.name, obj.owner.uid)) === obj) this.names.delete(this.nameKey(obj.name, obj.owner.uid));
    this.byOwner.get(obj.owner.uid)?.delete(obj);
  }

  private nameKey(name: string, uid: number): string {
    return this.options.nameScope === 'pool' ? name : `${uid}:${name}`;
  }
}

const EMPTY: ReadonlySet<never> = new Set();
