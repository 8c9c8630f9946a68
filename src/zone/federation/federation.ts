/**
 * This oned's part in a federation of zones (oned.conf FEDERATION): standalone, the master zone
 * (its database publishes the federated tables) or a slave zone (its database subscribes to the
 * master's, it forwards writes of federated objects to the master, and it reloads the objects
 * replication changes). Federation stands on PostgreSQL logical replication: see docs/zones.md.
 */
import type { Logger } from '../../common/log.js';
import type { DbConfig } from '../../db/database.js';
import type { Database } from '../../db/database.js';
import { Pool, type PoolObject } from '../../pool/index.js';
import type { FederationConfig } from './config.js';
import type { XmlRpcValue } from '../../rpc/xmlrpc/index.js';
import { AclRule } from '../../common/acl/acl-rule.js';
import { MasterForwarder } from './forwarder.js';
import { createFenceTable, Fence, FENCE_TABLE } from './fence.js';
import { checkZone, connectLocal, installTriggers, publish, subscribe } from './pg-replication.js';
import { ChangeFeed, type TableReload } from './change-feed.js';

export type { TableReload } from './change-feed.js';

/** Makes `pool` match its table: object `oid`, or every object (rows added, changed or gone). */
export async function reloadPool<T extends PoolObject>(pool: Pool<T>, db: Database, oid: number | null): Promise<void> {
  if (oid !== null) {
    // A new object is the newest: counting it first keeps the pool's id order without a sort.
    pool.reserve(oid);
    return pool.reload(db, oid);
  }
  if (pool.reload !== Pool.prototype.reload) {
    // Objects stored in more than one row (users' and groups' quotas): each reloads its own way.
    const ids = new Set<number>([...pool.all()].map((o) => o.oid));
    for (const row of await db.query(`SELECT oid FROM ${pool.options.table}`)) ids.add(Number(row.oid));
    for (const id of [...ids].sort((a, b) => a - b)) {
      pool.reserve(id);
      await pool.reload(db, id);
    }
    return;
  }
  const rows = await db.query(`SELECT oid, body FROM ${pool.options.table} ORDER BY oid`);
  const stored = new Set<number>();
  for (const row of rows) {
    const id = Number(row.oid);
    stored.add(id);
    pool.reserve(id);
    const body = String(row.body);
    if (body !== (pool.get(id)?.toBody() ?? null)) pool.restore(id, body);
  }
  for (const o of [...pool.all()]) if (!stored.has(o.oid)) pool.restore(o.oid, null);
  const control = await db.query('SELECT last_oid FROM pool_control WHERE tablename = ?', [pool.options.table]);
  if (control.length) pool.reserve(Number(control[0]!.last_oid));
}

/**
 * A rule added through a slave without a zone applies in the slave's zone (the zone it was
 * asked in), not in the master's, which would fill in its own.
 */
export function withLocalZone(method: string, params: readonly XmlRpcValue[], zoneId: number): readonly XmlRpcValue[] {
  if (method !== 'one.acl.addrule' || (params.length > 4 && params[4] !== '')) return params;
  return [...params.slice(0, 4), AclRule.zoneComponent(zoneId).toString(16)];
}

export class Federation {
  /** Reloads the federated rows replication changes (on a slave). */
  private readonly feed: ChangeFeed;
  private stopped = false;
  private forwarderValue: MasterForwarder | undefined;
  /** On a slave: makes a forwarded write visible here before its call answers. */
  private readonly fence: Fence | undefined;

  constructor(
    readonly config: FederationConfig,
    private readonly log: Logger,
  ) {
    this.feed = new ChangeFeed(log, 'Federation');
    this.fence = config.mode === 'SLAVE' ? new Fence(config.zoneId, config.masterDb!) : undefined;
    // Replicated like the federated tables (registered first, so created before they are published).
    if (config.mode !== 'STANDALONE') this.register(FENCE_TABLE, () => this.fence?.reached() ?? Promise.resolve());
  }

  get mode(): FederationConfig['mode'] {
    return this.config.mode;
  }
  get zoneId(): number {
    return this.config.zoneId;
  }
  get isSlave(): boolean {
    return this.config.mode === 'SLAVE';
  }

  /** Declares a federated table and how to reload it (VDCs register theirs the same way). */
  register(table: string, reload: TableReload): void {
    this.feed.register(table, reload);
  }

  /** The federated tables, in registration order. */
  get tables(): string[] {
    return this.feed.tables;
  }

  /**
   * Before the pools load: the master publishes its federated tables; a slave subscribes (the
   * first time copying the master's rows) and installs the triggers that tell it of changes.
   * Throws a clear Error when the database cannot federate.
   */
  async prepare(db: DbConfig): Promise<void> {
    if (this.config.mode === 'STANDALONE') return;
    if (db.backend !== 'postgresql') {
      throw new Error(`FEDERATION MODE = ${this.config.mode} needs DB BACKEND = "postgresql" (this oned has "${db.backend}"): federated tables are replicated by PostgreSQL logical replication (docs/zones.md)`);
    }
    const client = await connectLocal(db);
    try {
      await createFenceTable(client);
      if (this.config.mode === 'MASTER') {
        await publish(client, this.tables);
        this.log.info('ONE', `Federation master, zone ${this.zoneId}: publishing ${this.tables.join(', ')}`);
        return;
      }
      const madeNow = await subscribe(client, this.zoneId, this.config.masterDb!, this.tables, (m) => this.log.info('ONE', m));
      await checkZone(client, this.zoneId, madeNow);
      await installTriggers(client, this.tables);
      this.log.info('ONE', `Federation slave, zone ${this.zoneId}: federated tables replicated from the master, writes forwarded to ${this.config.masterOned}`);
    } finally {
      await client.end();
    }
  }

  /**
   * On a slave: what forwards federated writes to the master; a write the master made answers
   * once it is replicated here (see fence.ts).
   */
  get forwarder(): Pick<MasterForwarder, 'forwards' | 'call'> | undefined {
    if (!this.isSlave) return undefined;
    const fwd = (this.forwarderValue ??= new MasterForwarder(this.config.masterOned));
    return {
      forwards: (method) => fwd.forwards(method),
      call: async (method, params) => {
        const answer = await fwd.call(method, withLocalZone(method, params, this.zoneId));
        if (Array.isArray(answer) && answer[0] === true) await this.fence?.pass();
        return answer;
      },
    };
  }

  /** On a slave: listens for replicated changes and reloads what they touch, until stop(). */
  async listen(db: DbConfig, database?: Database): Promise<void> {
    if (!this.isSlave || this.stopped) return;
    if (database) this.fence?.attach(database);
    await this.feed.listen(db);
  }

  /** Resolves once the changes announced so far are applied (tests, and forwarded writes). */
  settled(): Promise<void> {
    return this.feed.settled();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.forwarderValue?.close();
    this.fence?.close();
    await this.feed.stop();
  }
}
