/**
 * PostgreSQL backend (`pg` connection pool). Commits use the server's default durable commit
 * (synchronous_commit on). The database named by DB_NAME is created on first start if missing.
 */
import pg from 'pg';
import { connectCreating, serverSettings, type ServerSettings } from '../config.js';
import type { DbConfig, Row, SqlValue } from '../database.js';
import { parseInt64 } from '../int64.js';
import { SqlDatabase, type Driver } from '../sql-database.js';
import { onConflictClause, type Dialect, type Statement } from '../write-sql.js';
import { numberPlaceholders } from './postgres-placeholders.js';

const INT8_OID = 20;
/** SQLSTATE invalid_catalog_name: the database does not exist. */
const NO_SUCH_DATABASE = '3D000';
/** SQLSTATE duplicate_database: someone else created it first. */
const DATABASE_EXISTS = '42P04';

const POSTGRES_DIALECT: Dialect = {
  placeholders: 'numbered',
  maxRowsPerInsert: 1000,
  upsertClause: onConflictClause,
};

/** BIGINT columns (and COUNT(*)) come back as number when safe, else bigint; pg's default is a string. */
const TYPES: pg.CustomTypesConfig = {
  getTypeParser: (oid, format) => (oid === INT8_OID ? parseInt64 : pg.types.getTypeParser(oid, format)),
};

/** Connects to the server, creating the database if it does not exist yet. */
export async function openPostgres(config: DbConfig): Promise<SqlDatabase> {
  const settings = serverSettings('postgresql', config);
  const pool = await connectCreating(settings, { connect, createDatabase, isMissingDatabase: (error) => (error as { code?: unknown }).code === NO_SUCH_DATABASE });
  return new SqlDatabase(new PostgresDriver(pool));
}

/** A pool whose first connection has been made, so a wrong address or password is reported at start. */
async function connect(s: ServerSettings): Promise<pg.Pool> {
  const pool = new pg.Pool({
    host: s.server,
    port: s.port,
    user: s.user,
    password: s.passwd,
    database: s.dbName,
    max: s.connections,
    types: TYPES,
  });
  // An idle connection that breaks (server restart) is dropped by the pool and replaced on next
  // use; without a listener the error would end the process.
  pool.on('error', () => {});
  // The pool listens for errors of idle clients only: a client in use that loses its connection
  // (possibly more than once) would emit 'error' unheard and end the process. The failing query
  // rejects anyway, which is how oned learns of it.
  pool.on('connect', (client) => client.on('error', () => {}));
  try {
    await pool.query('SELECT 1');
    return pool;
  } catch (error) {
    await pool.end();
    throw error;
  }
}

/** Creates the database from the server's default database `postgres`. */
async function createDatabase(s: ServerSettings): Promise<void> {
  const client = new pg.Client({ host: s.server, port: s.port, user: s.user, password: s.passwd, database: 'postgres' });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${pg.escapeIdentifier(s.dbName)} ENCODING 'UTF8' TEMPLATE template0`);
  } catch (error) {
    if ((error as { code?: unknown }).code !== DATABASE_EXISTS) throw error;
  } finally {
    await client.end();
  }
}

class PostgresDriver implements Driver {
  readonly backend = 'postgresql';
  readonly dialect = POSTGRES_DIALECT;
  readonly tableExistsSql =
    'SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?';
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async query(sql: string, params: readonly SqlValue[]): Promise<Row[]> {
    const result = await this.#pool.query(numberPlaceholders(sql), params as SqlValue[]);
    return result.rows as Row[];
  }

  async transaction(statements: readonly Statement[]): Promise<void> {
    // One statement is atomic on its own: BEGIN and COMMIT would only add two round trips.
    if (statements.length === 1) {
      await this.#pool.query(statements[0]!.sql, statements[0]!.params as SqlValue[]);
      return;
    }
    const client = await this.#pool.connect();
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

  async close(): Promise<void> {
    await this.#pool.end();
  }
}
