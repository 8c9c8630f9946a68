/**
 * The replication of federated tables by PostgreSQL logical replication: the master zone's
 * database publishes them (publication `nebula_federation`), each slave zone's database
 * subscribes (subscription `nebula_zone_<zone id>`, whose replication slot on the master bears
 * the same name, so two slaves claiming one zone id are refused). On the slave, triggers made
 * ENABLE ALWAYS (so they fire when the subscription applies rows) send `pg_notify` on channel
 * `nebula_federation` with `<table>:<oid>`, and the slave's oned reloads those objects.
 */
import pg from 'pg';
import type { DbConfig } from '../../db/database.js';
import { connectPostgresPrimary } from '../../db/index.js';
import type { MasterDb } from './config.js';

export const PUBLICATION = 'nebula_federation';
export const CHANNEL = 'nebula_federation';
const TRIGGER_FUNCTION = 'nebula_federation_notify';
/** pg_subscription is shared by the databases of a cluster: this database's rows only. */
const THIS_DB = 's.subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())';

/** The subscription (and replication slot) of a slave zone. */
export function subscriptionName(zoneId: number): string {
  return `nebula_zone_${zoneId}`;
}

/** A connection to oned's own database, outside its pool (DDL, LISTEN). */
export async function connectLocal(config: DbConfig): Promise<pg.Client> {
  // The same host selection as oned's pool: with SERVER listing a Patroni cluster, the HA lock,
  // the change feed and federation's setup reach the primary, not the first server named.
  return (await connectPostgresPrimary(config)).client;
}

/** libpq's conninfo for the master's database, each value quoted. */
export function conninfo(db: MasterDb): string {
  const q = (v: string | number) => `'${String(v).replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  const parts = [`host=${q(db.server)}`, `port=${q(db.port)}`, `user=${q(db.user)}`, `dbname=${q(db.dbName)}`];
  if (db.passwd !== '') parts.push(`password=${q(db.passwd)}`);
  return parts.join(' ');
}

async function walLevel(client: pg.Client): Promise<string> {
  return String((await client.query('SHOW wal_level')).rows[0]?.wal_level ?? '');
}

/** On the master's database: publishes the federated tables (adding those a newer version federates). */
export async function publish(client: pg.Client, tables: readonly string[]): Promise<void> {
  const level = await walLevel(client);
  if (level !== 'logical') {
    throw new Error(`FEDERATION MODE = MASTER needs PostgreSQL with wal_level = logical (this server has "${level}"): set it in postgresql.conf and restart PostgreSQL`);
  }
  const exists = await client.query('SELECT 1 FROM pg_publication WHERE pubname = $1', [PUBLICATION]);
  if (exists.rowCount === 0) {
    await client.query(`CREATE PUBLICATION ${PUBLICATION} FOR TABLE ${tables.join(', ')}`);
    return;
  }
  const published = new Set((await client.query('SELECT tablename FROM pg_publication_tables WHERE pubname = $1', [PUBLICATION])).rows.map((r) => String(r.tablename)));
  const missing = tables.filter((t) => !published.has(t));
  if (missing.length > 0) await client.query(`ALTER PUBLICATION ${PUBLICATION} ADD TABLE ${missing.join(', ')}`);
}

/** Whether this database already subscribes for `zoneId`. */
async function subscribed(client: pg.Client, zoneId: number): Promise<boolean> {
  return ((await client.query(`SELECT 1 FROM pg_subscription s WHERE s.subname = $1 AND ${THIS_DB}`, [subscriptionName(zoneId)])).rowCount ?? 0) > 0;
}

/**
 * On a slave's database: subscribes to the master's publication, the first time emptying the
 * federated tables (the master's rows replace them) and waiting until the first copy is done.
 * Later starts find the subscription and go on: PostgreSQL catches up whenever the master is
 * reachable. Returns whether the subscription was made now.
 */
export async function subscribe(client: pg.Client, zoneId: number, master: MasterDb, tables: readonly string[], log: (m: string) => void, copyTimeoutMs = 120_000): Promise<boolean> {
  if (await subscribed(client, zoneId)) {
    await refresh(client, zoneId, tables, log);
    return false;
  }
  const name = subscriptionName(zoneId);
  await client.query('BEGIN');
  for (const t of tables) await client.query(`DELETE FROM ${t}`);
  await client.query('COMMIT');
  log(`Subscribing to the master's database (${master.server}:${master.port}/${master.dbName}) as ${name}: the federated tables (${tables.join(', ')}) are copied from the master`);
  try {
    await client.query(`CREATE SUBSCRIPTION ${name} CONNECTION ${pg.escapeLiteral(conninfo(master))} PUBLICATION ${PUBLICATION} WITH (copy_data = true)`);
  } catch (err) {
    const msg = (err as Error).message;
    if (/replication slot .* already exists/.test(msg)) {
      throw new Error(`Zone ${zoneId} is already served by another slave: the master's database has replication slot ${name}. Give this oned another FEDERATION ZONE_ID (onezone create on the master), or drop that slot on the master if its slave is gone`);
    }
    if (/publication .* does not exist/.test(msg)) throw new Error(`The master's database has no publication ${PUBLICATION}: start the master oned with FEDERATION MODE = MASTER first (${msg})`);
    throw new Error(`Cannot subscribe to the master's database at ${master.server}:${master.port}/${master.dbName}: ${msg}`);
  }
  const deadline = Date.now() + copyTimeoutMs;
  for (;;) {
    const states = await client.query(
      `SELECT r.srsubstate AS state FROM pg_subscription_rel r JOIN pg_subscription s ON s.oid = r.srsubid WHERE s.subname = $1 AND ${THIS_DB}`,
      [name],
    );
    if (states.rows.length >= tables.length && states.rows.every((r) => r.state === 'r' || r.state === 's')) return true;
    if (Date.now() > deadline) throw new Error(`The first copy of the federated tables from the master did not finish in ${copyTimeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Picks up tables the master publishes since the subscription was made (a newer version federating more). */
async function refresh(client: pg.Client, zoneId: number, tables: readonly string[], log: (m: string) => void): Promise<void> {
  const known = await client.query(
    `SELECT c.relname AS t FROM pg_subscription_rel r JOIN pg_subscription s ON s.oid = r.srsubid JOIN pg_class c ON c.oid = r.srrelid WHERE s.subname = $1 AND ${THIS_DB}`,
    [subscriptionName(zoneId)],
  );
  const have = new Set(known.rows.map((r) => String(r.t)));
  if (tables.every((t) => have.has(t))) return;
  try {
    await client.query(`ALTER SUBSCRIPTION ${subscriptionName(zoneId)} REFRESH PUBLICATION`);
  } catch (err) {
    log(`Cannot refresh the subscription now (master unreachable?): ${(err as Error).message}`);
  }
}

/** On a slave's database: the triggers that tell oned which federated rows replication changed. */
export async function installTriggers(client: pg.Client, tables: readonly string[]): Promise<void> {
  await client.query(`CREATE OR REPLACE FUNCTION ${TRIGGER_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    PERFORM pg_notify('${CHANNEL}', TG_TABLE_NAME || ':*');
    RETURN NULL;
  END IF;
  PERFORM pg_notify('${CHANNEL}', TG_TABLE_NAME || ':' || (CASE WHEN TG_OP = 'DELETE' THEN OLD.oid ELSE NEW.oid END));
  RETURN NULL;
END $$`);
  for (const t of tables) {
    await client.query('BEGIN');
    await client.query(`DROP TRIGGER IF EXISTS ${t}_federation ON ${t}`);
    await client.query(`DROP TRIGGER IF EXISTS ${t}_federation_truncate ON ${t}`);
    await client.query(`CREATE TRIGGER ${t}_federation AFTER INSERT OR UPDATE OR DELETE ON ${t} FOR EACH ROW EXECUTE FUNCTION ${TRIGGER_FUNCTION}()`);
    await client.query(`CREATE TRIGGER ${t}_federation_truncate AFTER TRUNCATE ON ${t} FOR EACH STATEMENT EXECUTE FUNCTION ${TRIGGER_FUNCTION}()`);
    // Replication applies rows as session_replication_role = replica, where ordinary triggers do not fire.
    await client.query(`ALTER TABLE ${t} ENABLE ALWAYS TRIGGER ${t}_federation`);
    await client.query(`ALTER TABLE ${t} ENABLE ALWAYS TRIGGER ${t}_federation_truncate`);
    await client.query('COMMIT');
  }
}

/** One change the slave is told of: a row of a federated table (`oid` null: the whole table). */
export interface RowChange {
  readonly table: string;
  readonly oid: number | null;
}

export function parseNotification(payload: string): RowChange | null {
  const i = payload.lastIndexOf(':');
  if (i <= 0) return null;
  const table = payload.slice(0, i);
  const rest = payload.slice(i + 1);
  if (rest === '*') return { table, oid: null };
  const oid = Number(rest);
  return Number.isInteger(oid) ? { table, oid } : null;
}

/**
 * After subscribing: the zone this slave claims must be one of the master's. When it is not,
 * a subscription made now is dropped again (with its slot on the master) and the Error says so.
 */
export async function checkZone(client: pg.Client, zoneId: number, madeNow: boolean): Promise<void> {
  const found = await client.query('SELECT 1 FROM zone_pool WHERE oid = $1', [zoneId]);
  if ((found.rowCount ?? 0) > 0) return;
  if (madeNow) await client.query(`DROP SUBSCRIPTION ${subscriptionName(zoneId)}`);
  throw new Error(`FEDERATION ZONE_ID = ${zoneId}, but the master has no zone ${zoneId}: create it on the master first (onezone create), then give its id here`);
}
