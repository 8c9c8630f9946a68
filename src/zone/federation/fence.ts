/**
 * Read-your-writes on a slave. After a write it forwarded succeeds, the slave bumps its own row
 * of table `federation_fence` (zone, seq) in the master's database, which is published with the
 * federated tables, and waits until that row comes back through replication: PostgreSQL applies
 * a subscription's transactions in commit order, so by then the forwarded write is applied here
 * too and, notifications being handled in order, reloaded. The wait is bounded: with the master's
 * database unreachable or slow the call answers anyway (a later read may be stale, as in
 * OpenNebula).
 */
import pg from 'pg';
import type { Database } from '../../db/database.js';
import type { MasterDb } from './config.js';

export const FENCE_TABLE = 'federation_fence';

/** Creates the fence table (both the master's and a slave's database have it). */
export async function createFenceTable(client: pg.Client): Promise<void> {
  await client.query(`CREATE TABLE IF NOT EXISTS ${FENCE_TABLE} (oid INTEGER PRIMARY KEY, seq BIGINT NOT NULL)`);
}

export class Fence {
  private master: pg.Client | undefined;
  private waiters: { seq: number; resolve: () => void }[] = [];
  private db: Database | undefined;

  constructor(
    private readonly zoneId: number,
    private readonly masterDb: MasterDb,
    private readonly timeoutMs = 2000,
  ) {}

  /** The zone's database, where replicated fence rows are read. */
  attach(db: Database): void {
    this.db = db;
  }

  /** Bumps this zone's fence on the master and waits (bounded) until replication brings it here. */
  async pass(): Promise<void> {
    let seq: number;
    try {
      const client = await this.connect();
      const r = await client.query(
        `INSERT INTO ${FENCE_TABLE} (oid, seq) VALUES ($1, 1) ON CONFLICT (oid) DO UPDATE SET seq = ${FENCE_TABLE}.seq + 1 RETURNING seq`,
        [this.zoneId],
      );
      seq = Number(r.rows[0]?.seq);
    } catch {
      this.drop();
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.timeoutMs);
      this.waiters.push({ seq, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }

  /** The fence row changed here (a replicated change, handled in order): wakes the writes it covers. */
  async reached(): Promise<void> {
    if (!this.db) return;
    const rows = await this.db.query(`SELECT seq FROM ${FENCE_TABLE} WHERE oid = ?`, [this.zoneId]);
    const seq = rows.length ? Number(rows[0]!.seq) : 0;
    const done = this.waiters.filter((w) => w.seq <= seq);
    this.waiters = this.waiters.filter((w) => w.seq > seq);
    for (const w of done) w.resolve();
  }

  close(): void {
    for (const w of this.waiters.splice(0)) w.resolve();
    this.drop();
  }

  private async connect(): Promise<pg.Client> {
    if (this.master) return this.master;
    const m = this.masterDb;
    const client = new pg.Client({ host: m.server, port: m.port, user: m.user, password: m.passwd, database: m.dbName, connectionTimeoutMillis: this.timeoutMs });
    client.on('error', () => this.drop());
    await client.connect();
    this.master = client;
    return client;
  }

  private drop(): void {
    const c = this.master;
    this.master = undefined;
    void c?.end().catch(() => {});
  }
}
