/**
 * Keeps an oned's memory current with rows another writer changed in its database: triggers on
 * the watched tables send `pg_notify` (channel `nebula_federation`, payload `<table>:<oid>`, see
 * pg-replication.ts), and the feed LISTENs and reloads what they name, in the order PostgreSQL
 * sent them, coalescing repeats. A federation slave watches the federated tables (rows the
 * master's replication applies); an HA follower watches every pool table (rows the leader writes).
 * When the connection breaks it listens again and reloads every table: changes made meanwhile
 * were not announced.
 */
import type pg from 'pg';
import type { Logger } from '../../common/log.js';
import type { DbConfig } from '../../db/database.js';
import { CHANNEL, connectLocal, parseNotification, type RowChange } from './pg-replication.js';

/** How this oned makes memory match a table after another writer changed it (`oid` null: the whole table). */
export type TableReload = (oid: number | null) => Promise<void>;

/** Time between attempts to listen again after the connection to the local database broke. */
const RELISTEN_MS = 1000;

export class ChangeFeed {
  private readonly reloads = new Map<string, TableReload>();
  private listener: pg.Client | undefined;
  private stopped = false;
  private running = false;
  /** Changes not applied yet: table -> oids (null: the whole table), applied in arrival order per table. */
  private pending = new Map<string, Set<number | null>>();
  private drain: Promise<void> = Promise.resolve();
  /** Tokens sent with sync(), resolved when their notification comes back through the feed. */
  private readonly marks = new Map<string, () => void>();
  private markSeq = 0;

  constructor(
    private readonly log: Logger,
    private readonly what: string,
  ) {}

  /** Declares a watched table and how to reload it. */
  register(table: string, reload: TableReload): void {
    this.reloads.set(table, reload);
  }

  get tables(): string[] {
    return [...this.reloads.keys()];
  }

  /** Listens until stop(). */
  async listen(db: DbConfig): Promise<void> {
    if (this.stopped) return;
    const client = await connectLocal(db);
    this.listener = client;
    client.on('notification', (n) => {
      const payload = n.payload ?? '';
      const mark = this.marks.get(payload);
      if (mark) {
        this.marks.delete(payload);
        // Resolves once everything announced before the mark is applied.
        void this.settled().then(mark);
        return;
      }
      const change = parseNotification(payload);
      if (change) this.enqueue(change);
    });
    const again = () => {
      if (this.stopped || this.listener !== client) return;
      this.listener = undefined;
      this.log.warn('ONE', `${this.what}: lost the connection to the database; listening again`);
      setTimeout(() => void this.relisten(db), RELISTEN_MS);
    };
    client.on('error', again);
    client.on('end', again);
    await client.query(`LISTEN ${CHANNEL}`);
  }

  private async relisten(db: DbConfig): Promise<void> {
    try {
      await this.listen(db);
      for (const table of this.tables) this.enqueue({ table, oid: null });
    } catch {
      if (!this.stopped) setTimeout(() => void this.relisten(db), RELISTEN_MS);
    }
  }

  /**
   * Resolves once every change committed before this call is applied here: a notification of
   * our own, sent after them, comes back after theirs (PostgreSQL delivers notifications in
   * commit order). Used by a follower after the leader answered a forwarded write.
   */
  async sync(timeoutMs = 10_000): Promise<void> {
    const client = this.listener;
    if (!client) return this.settled();
    const token = `sync:${process.pid}:${++this.markSeq}`;
    const reached = new Promise<void>((resolve) => {
      this.marks.set(token, resolve);
      setTimeout(() => {
        this.marks.delete(token);
        resolve();
      }, timeoutMs).unref();
    });
    await client.query('SELECT pg_notify($1, $2)', [CHANNEL, token]).catch(() => this.marks.delete(token));
    await reached;
  }

  enqueue(change: RowChange): void {
    if (!this.reloads.has(change.table)) return;
    let set = this.pending.get(change.table);
    if (!set) this.pending.set(change.table, (set = new Set()));
    set.add(change.oid);
    if (!this.running) {
      this.running = true;
      this.drain = this.apply();
    }
  }

  /** Applies pending changes until none are left; a whole-table reload covers that table's single rows. */
  private async apply(): Promise<void> {
    try {
      while (this.pending.size > 0) {
        const batch = this.pending;
        this.pending = new Map();
        for (const [table, oids] of batch) {
          const reload = this.reloads.get(table)!;
          const list = oids.has(null) ? [null] : [...oids];
          for (const oid of list) {
            await reload(oid).catch((err: Error) => this.log.error('ONE', `${this.what}: cannot reload ${table} ${oid ?? '(all)'}: ${err.message}`));
          }
        }
      }
    } finally {
      this.running = false;
    }
  }

  /** Resolves once the changes announced so far are applied. */
  async settled(): Promise<void> {
    while (this.running) await this.drain;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const l = this.listener;
    this.listener = undefined;
    for (const resolve of this.marks.values()) resolve();
    this.marks.clear();
    await l?.end().catch(() => {});
    await this.settled();
  }
}
