/**
 * The SQL of leader election and fencing, on the zone's PostgreSQL database.
 *
 * Election: the leader holds session advisory lock LOCK_KEY on a connection of its own. PostgreSQL
 * frees it when that session ends, so a leader that dies (kill -9, crash, lost network once the
 * server notices the broken socket) lets a follower take it at its next try.
 *
 * Fencing: table ha_leader has one row with the leader's EPOCH (OpenNebula's TERM). A new leader
 * bumps it right after taking the lock. Every write transaction of a leader starts with
 * `SELECT nebula_ha_fence(<its epoch>)`, which reads the row FOR SHARE and fails when the epoch
 * is no longer the leader's own. The bump waits for transactions holding that share lock, so no
 * write of an old leader commits after a new one took over: it either committed before the bump
 * or fails.
 */
import type pg from 'pg';

/** 'oned' in ASCII: the advisory lock id (one zone per database). */
export const LOCK_KEY = 0x6f6e6564;
/** Serializes the DDL below when several front-ends start at once. */
export const SETUP_KEY = 0x6f6e6565;
export const LEADER_TABLE = 'ha_leader';
export const FENCE_FUNCTION = 'nebula_ha_fence';

/** The leader's row as followers read it. */
export interface LeaderRecord {
  /** Bumped by every new leader (TERM of raftstatus). */
  readonly epoch: number;
  readonly serverId: number;
  /** Its XML-RPC endpoint: where followers forward writes. */
  readonly endpoint: string;
  /** Whether some session holds the leader lock now. */
  readonly held: boolean;
}

/** Creates the leader row and the fence function when missing (every start; idempotent). */
export async function setupLeaderTable(client: pg.Client): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [SETUP_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS ${LEADER_TABLE} (id INTEGER PRIMARY KEY, epoch BIGINT NOT NULL, server_id INTEGER NOT NULL, endpoint TEXT NOT NULL, since BIGINT NOT NULL)`);
    await client.query(`INSERT INTO ${LEADER_TABLE} (id, epoch, server_id, endpoint, since) VALUES (0, 0, -1, '', 0) ON CONFLICT (id) DO NOTHING`);
    await client.query(`CREATE OR REPLACE FUNCTION ${FENCE_FUNCTION}(mine BIGINT) RETURNS void LANGUAGE plpgsql AS $$
DECLARE current BIGINT;
BEGIN
  SELECT epoch INTO current FROM ${LEADER_TABLE} WHERE id = 0 FOR SHARE;
  IF current IS DISTINCT FROM mine THEN
    RAISE EXCEPTION 'this oned is no longer the leader (its epoch %, the current one %): the write is refused', mine, current
      USING ERRCODE = 'HA001';
  END IF;
END $$`);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  }
}

/** Tries the leader lock on `client`'s session; true when this session holds it now. */
export async function tryLock(client: pg.Client): Promise<boolean> {
  const r = await client.query('SELECT pg_try_advisory_lock($1) AS got', [LOCK_KEY]);
  return r.rows[0]?.got === true;
}

/**
 * After taking the lock: makes this server the leader of a new epoch and returns it. Waits for
 * the writes of the former leader that are committing now (they hold the row FOR SHARE).
 */
export async function claimEpoch(client: pg.Client, serverId: number, endpoint: string): Promise<number> {
  const r = await client.query(
    `UPDATE ${LEADER_TABLE} SET epoch = epoch + 1, server_id = $1, endpoint = $2, since = $3 WHERE id = 0 RETURNING epoch`,
    [serverId, endpoint, Math.floor(Date.now() / 1000)],
  );
  return Number(r.rows[0]!.epoch);
}

/** The leader's row, and whether the lock is held by any session now. */
export async function readLeader(client: pg.Client): Promise<LeaderRecord> {
  const r = await client.query(
    `SELECT l.epoch, l.server_id, l.endpoint,
       EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = 0 AND objid = $1 AND objsubid = 1
         AND database = (SELECT oid FROM pg_database WHERE datname = current_database())) AS held
     FROM ${LEADER_TABLE} l WHERE l.id = 0`,
    [LOCK_KEY],
  );
  const row = r.rows[0];
  if (!row) return { epoch: 0, serverId: -1, endpoint: '', held: false };
  return { epoch: Number(row.epoch), serverId: Number(row.server_id), endpoint: String(row.endpoint), held: row.held === true };
}

/** The statement a leader of `epoch` runs first in each write transaction. */
export function fenceStatement(epoch: number): { sql: string; params: [] } {
  if (!Number.isSafeInteger(epoch)) throw new Error(`bad epoch ${epoch}`);
  return { sql: `SELECT ${FENCE_FUNCTION}(${epoch})`, params: [] };
}
