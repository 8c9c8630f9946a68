/**
 * PostgreSQL backend (`pg` connection pool). Commits use the server's default durable commit
 * (synchronous_commit on). The database named by DB_NAME is created on first start if missing.
 *
 * High availability: SERVER may list several servers (a Patroni cluster's nodes); the pool
 * connects to the first that fits TARGET_SESSION_ATTRS (the primary, with several). When the
 * connection is lost or the server turns read-only (a failover, a switchover, a restart), the
 * query or transaction that saw it is run again once a fitting server answers: writes are
 * full-row upserts and keyed deletes, so running a transaction twice (its first COMMIT may have
 * taken effect before the connection broke) leaves the same rows. A call waits at most
 * OUTAGE_TIMEOUT seconds for a server, then fails with an error that says so.
 */
import pg from 'pg';
import { causeText, connectCreating, hostsText, hostText, serverSettings, type HostPort, type ServerSettings } from '../config.js';
import type { DbConfig, DbLog, Row, SqlValue } from '../database.js';
import { parseInt64 } from '../int64.js';
import { SqlDatabase, type Driver } from '../sql-database.js';
import { onConflictClause, type Dialect, type Statement } from '../write-sql.js';
import { clientConfig, connectPrimary, isConnectionLoss, NoServerError, selectHost, sessionWritable } from './hosts.js';
import { numberPlaceholders } from './postgres-placeholders.js';

const INT8_OID = 20;
/** SQLSTATE invalid_catalog_name: the database does not exist. */
const NO_SUCH_DATABASE = '3D000';
/** SQLSTATE duplicate_database: someone else created it first. */
const DATABASE_EXISTS = '42P04';
/** Waits between attempts to find a server after a loss: doubling from the first to the last. */
const FIRST_RETRY_MS = 50;
const MAX_RETRY_MS = 500;
/** While no server answers, the log repeats the reason this often. */
const LOG_EVERY_MS = 10_000;

const POSTGRES_DIALECT: Dialect = {
  placeholders: 'numbered',
  maxRowsPerInsert: 1000,
  upsertClause: onConflictClause,
};

/** BIGINT columns (and COUNT(*)) come back as number when safe, else bigint; pg's default is a string. */
const TYPES: pg.CustomTypesConfig = {
  getTypeParser: (oid, format) => (oid === INT8_OID ? parseInt64 : pg.types.getTypeParser(oid, format)),
};

const SILENT: DbLog = { info: () => {}, warn: () => {}, error: () => {} };

/** Connects to the server (the first fitting one of several), creating the database if it does not exist yet. */
export async function openPostgres(config: DbConfig, log: DbLog = SILENT): Promise<SqlDatabase> {
  const settings = serverSettings('postgresql', config);
  const first = await connectCreating(settings, { connect: openPool, createDatabase, isMissingDatabase });
  if (settings.hosts.length > 1) log.info(`Connected to the primary ${hostText(first.host)} of ${hostsText(settings.hosts)}`);
  return new SqlDatabase(new PostgresDriver(settings, first, log));
}

/**
 * A single connection to the primary of the configured servers (the one server, when SERVER
 * names one), for work that needs a session of its own such as an advisory lock. Same host
 * selection as oned's pool. The caller ends the client.
 */
export function connectPostgresPrimary(config: DbConfig): Promise<{ client: pg.Client; host: HostPort }> {
  return connectPrimary(serverSettings('postgresql', config));
}

/** Whether every server said the database does not exist (or, with one server, that one did). */
function isMissingDatabase(error: unknown): boolean {
  const failures = error instanceof NoServerError ? error.failures.map((f) => f.error) : [error];
  return failures.some((e) => (e as { code?: unknown }).code === NO_SUCH_DATABASE);
}

interface Connected {
  readonly pool: pg.Pool;
  readonly host: HostPort;
}

/**
 * A pool on the first server that fits TARGET_SESSION_ATTRS, its first connection made (so a
 * wrong address or password is reported at once). With one server its own error is thrown.
 */
async function openPool(s: ServerSettings): Promise<Connected> {
  try {
    const { host, conn } = await selectHost(s.hosts, s.targetSessionAttrs, {
      connect: async (h) => {
        const pool = newPool(s, h);
        try {
          await pool.query('SELECT 1');
        } catch (error) {
          await pool.end().catch(() => {});
          throw error;
        }
        return pool;
      },
      writable: (pool) => sessionWritable((sql) => pool.query(sql)),
      close: (pool) => pool.end(),
    });
    return { pool: conn, host };
  } catch (error) {
    if (error instanceof NoServerError && error.failures.length === 1) throw error.failures[0]!.error;
    throw error;
  }
}

function newPool(s: ServerSettings, h: HostPort): pg.Pool {
  const pool = new pg.Pool({ ...clientConfig(s, h), max: s.connections, types: TYPES });
  // An idle connection that breaks (server restart) is dropped by the pool and replaced on next
  // use; without a listener the error would end the process.
  pool.on('error', () => {});
  // The pool listens for errors of idle clients only: a client in use that loses its connection
  // (possibly more than once) would emit 'error' unheard and end the process. The failing query
  // rejects anyway, which is how oned learns of it.
  pool.on('connect', (client) => client.on('error', () => {}));
  return pool;
}

/** Creates the database from the server's default database `postgres`, on the primary. */
async function createDatabase(s: ServerSettings): Promise<void> {
  const { client } = await connectPrimary(s, 'postgres');
  try {
    await client.query(`CREATE DATABASE ${pg.escapeIdentifier(s.dbName)} ENCODING 'UTF8' TEMPLATE template0`);
  } catch (error) {
    if ((error as { code?: unknown }).code !== DATABASE_EXISTS) throw error;
  } finally {
    await client.end();
  }
}

/** Runs the statements in one transaction on a connection of the pool. */
async function runTransaction(pool: pg.Pool, statements: readonly Statement[]): Promise<void> {
  // One statement is atomic on its own: BEGIN and COMMIT would only add two round trips.
  if (statements.length === 1) {
    await pool.query(statements[0]!.sql, statements[0]!.params as SqlValue[]);
    return;
  }
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    for (const statement of statements) await client.query(statement.sql, statement.params as SqlValue[]);
    await client.query('COMMIT');
  } catch (error) {
    // A connection that cannot even roll back is broken: destroy it rather than return it to the pool.
    const rolledBack = await client.query('ROLLBACK').then(
      () => true,
      () => false,
    );
    client.release(!rolledBack);
    throw error;
  }
  client.release();
}

class PostgresDriver implements Driver {
  readonly backend = 'postgresql';
  readonly dialect = POSTGRES_DIALECT;
  readonly tableExistsSql =
    'SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?';
  readonly #s: ServerSettings;
  readonly #log: DbLog;
  /** The pool on the server in use; undefined while a new one is sought after a loss. */
  #current: Connected | undefined;
  /** The search for a server, shared by every call waiting for one. */
  #seeking: Promise<Connected | undefined> | undefined;
  #lastError: unknown;
  #lostAt = 0;
  /** When the server in use was found: one lost again soon after is not tried again at once. */
  #foundAt = 0;
  #closed = false;

  constructor(s: ServerSettings, first: Connected, log: DbLog) {
    this.#s = s;
    this.#current = first;
    this.#log = log;
  }

  query(sql: string, params: readonly SqlValue[]): Promise<Row[]> {
    const text = numberPlaceholders(sql);
    return this.#withServer(async (pool) => (await pool.query(text, params as SqlValue[])).rows as Row[]);
  }

  async transaction(statements: readonly Statement[]): Promise<void> {
    try {
      await this.#withServer((pool) => runTransaction(pool, statements));
    } catch (error) {
      if (error instanceof OutageError) {
        this.#log.error(
          `A commit failed: ${error.message}. The calls in it fail and write nothing; oned takes their changes back ` +
            'in memory and re-reads their objects from the database once it answers (calls wait meanwhile).',
        );
      }
      throw error;
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    const current = this.#current;
    this.#current = undefined;
    await current?.pool.end();
  }

  /**
   * Runs `op` on the pool of the server in use; if the connection is lost (or the server turned
   * read-only) it runs it again on the next fitting server, waiting up to OUTAGE_TIMEOUT for one.
   */
  async #withServer<T>(op: (pool: pg.Pool) => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.#s.outageWaitMs;
    for (;;) {
      const current = this.#current ?? (await this.#waitForServer(deadline));
      try {
        return await op(current.pool);
      } catch (error) {
        if (this.#closed || !isConnectionLoss(error)) throw error;
        this.#lost(current, error);
        if (Date.now() >= deadline) throw new OutageError(this.#s, error);
      }
    }
  }

  /** Drops the pool of a server that failed (once, whichever call saw it first). */
  #lost(connected: Connected, error: unknown): void {
    this.#lastError = error;
    if (this.#current !== connected) return;
    this.#current = undefined;
    this.#lostAt = Date.now();
    const others = this.#s.hosts.length > 1 ? `; looking for the primary among ${hostsText(this.#s.hosts)}` : '; reconnecting';
    this.#log.warn(`Lost the database server ${hostText(connected.host)}: ${causeText(error)}${others}`);
    // Calls still using it fail on their own and try again; end() waits for them.
    connected.pool.end().catch(() => {});
  }

  async #waitForServer(deadline: number): Promise<Connected> {
    this.#seeking ??= this.#seek();
    const left = deadline - Date.now();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), Math.max(0, left))));
    try {
      const found = await Promise.race([this.#seeking, timeout]);
      if (found) return found;
      if (this.#closed) throw new Error('database is closed');
      throw new OutageError(this.#s, this.#lastError);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Tries the servers until one fits (backing off between rounds); never rejects. */
  async #seek(): Promise<Connected | undefined> {
    let wait = FIRST_RETRY_MS;
    let loggedAt = Date.now();
    // A server that fits the selection but fails the work at once (a standby with
    // TARGET_SESSION_ATTRS = any refusing writes) must not turn this into a busy loop.
    if (Date.now() - this.#foundAt < MAX_RETRY_MS) await new Promise((resolve) => setTimeout(resolve, MAX_RETRY_MS));
    while (!this.#closed) {
      try {
        const found = await openPool(this.#s);
        if (this.#closed) {
          await found.pool.end().catch(() => {});
          break;
        }
        this.#current = found;
        this.#foundAt = Date.now();
        this.#seeking = undefined;
        this.#log.info(`Using the database server ${hostText(found.host)} (${((Date.now() - this.#lostAt) / 1000).toFixed(1)} s after the loss)`);
        return found;
      } catch (error) {
        this.#lastError = error;
        if (Date.now() - loggedAt >= LOG_EVERY_MS) {
          loggedAt = Date.now();
          this.#log.warn(`Still no usable database server after ${Math.round((loggedAt - this.#lostAt) / 1000)} s: ${causeText(error)}`);
        }
      }
      await new Promise((resolve) => setTimeout(resolve, wait));
      wait = Math.min(wait * 2, MAX_RETRY_MS);
    }
    this.#seeking = undefined;
    return undefined;
  }
}

/** No fitting server answered within OUTAGE_TIMEOUT: the call fails, saying so. */
export class OutageError extends Error {
  constructor(s: ServerSettings, cause: unknown) {
    const which = s.targetSessionAttrs === 'read-write' ? 'writable database server' : 'database server';
    super(
      `no ${which} answered within ${s.outageWaitMs / 1000} s (${hostsText(s.hosts)}; last error: ${causeText(cause)})`,
      { cause },
    );
    this.name = 'OutageError';
  }
}
