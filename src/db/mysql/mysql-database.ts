/**
 * MySQL / MariaDB backend (`mysql2` connection pool). Tables are InnoDB in utf8mb4 with binary
 * collation, so names compare case-sensitively as in the other backends; commits use the
 * server's default durable commit (innodb_flush_log_at_trx_commit=1). The database named by
 * DB_NAME is created on first start if missing.
 */
import mysql from 'mysql2/promise';
import { connectCreating, serverSettings, type ServerSettings } from '../config.js';
import type { DbConfig, Row, SqlValue } from '../database.js';
import { parseInt64 } from '../int64.js';
import { tableNamed } from '../schema.js';
import { SqlDatabase, type Driver } from '../sql-database.js';
import type { Dialect, Statement } from '../write-sql.js';

/** ER_BAD_DB_ERROR: the database does not exist. */
const NO_SUCH_DATABASE = 1049;
/** ER_BAD_NULL_ERROR: NULL assigned to a NOT NULL column. */
const NULL_IN_NOT_NULL = 1048;

/**
 * Errors instead of silently truncating or converting (the same as PostgreSQL), whatever the
 * server's own default; the upsert's guard (below) relies on it.
 */
const SQL_MODE = "SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION'";

const MYSQL_DIALECT: Dialect = {
  placeholders: 'question',
  maxRowsPerInsert: 1000,
  upsertClause: onDuplicateKeyClause,
};

/**
 * MySQL's upsert updates the existing row on a conflict with ANY unique key, not just the
 * primary key: upserting a user whose name another user has would overwrite that other user.
 * The first assignment guards against it: when the conflicting row's key differs, it sets the key
 * to NULL, which strict mode refuses, failing the statement as the other backends do.
 */
function onDuplicateKeyClause(key: readonly string[], others: readonly string[]): string {
  const sameKey = key.map((column) => `${column} = VALUES(${column})`).join(' AND ');
  const assignments = [
    `${key[0]} = IF(${sameKey}, ${key[0]}, NULL)`,
    ...others.map((column) => `${column} = VALUES(${column})`),
  ];
  return ` ON DUPLICATE KEY UPDATE ${assignments.join(', ')}`;
}

/** BIGINT columns (and COUNT(*)) come back as number when safe, else bigint. */
const typeCast: mysql.TypeCast = (field, next) => {
  if (field.type !== 'LONGLONG') return next();
  const text = field.string();
  return text === null ? null : parseInt64(text);
};

/** Connects to the server, creating the database if it does not exist yet. */
export async function openMysql(config: DbConfig): Promise<SqlDatabase> {
  const settings = serverSettings('mysql', config);
  if (settings.hosts.length > 1) throw new Error('mysql: DB SERVER lists several servers; only PostgreSQL fails over between servers');
  const pool = await connectCreating(settings, { connect, createDatabase, isMissingDatabase: (error) => (error as { errno?: unknown }).errno === NO_SUCH_DATABASE });
  return new SqlDatabase(new MysqlDriver(pool));
}

/** A pool whose first connection has been made, so a wrong address or password is reported at start. */
async function connect(s: ServerSettings): Promise<mysql.Pool> {
  const pool = mysql.createPool({
    host: s.server,
    port: s.port,
    user: s.user,
    password: s.passwd,
    database: s.dbName,
    connectionLimit: s.connections,
    charset: 'UTF8MB4_BIN',
    supportBigNumbers: true,
    typeCast,
  });
  // Runs before the connection serves anything: mysql2 queues commands per connection.
  pool.pool.on('connection', (connection) => {
    connection.query(SQL_MODE, (error) => {
      if (error) connection.destroy();
    });
  });
  try {
    await pool.query('SELECT 1');
    return pool;
  } catch (error) {
    await pool.end();
    throw error;
  }
}

/** Creates the database over a connection that names none. */
async function createDatabase(s: ServerSettings): Promise<void> {
  const connection = await mysql.createConnection({ host: s.server, port: s.port, user: s.user, password: s.passwd });
  try {
    await connection.query(
      `CREATE DATABASE IF NOT EXISTS ${mysql.escapeId(s.dbName)} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`,
    );
  } finally {
    await connection.end();
  }
}

class MysqlDriver implements Driver {
  readonly backend = 'mysql';
  readonly dialect = MYSQL_DIALECT;
  readonly tableExistsSql =
    'SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?';
  readonly #pool: mysql.Pool;

  constructor(pool: mysql.Pool) {
    this.#pool = pool;
  }

  async query(sql: string, params: readonly SqlValue[]): Promise<Row[]> {
    const [rows] = await this.#pool.query(sql, params as SqlValue[]);
    return rows as Row[];
  }

  async transaction(statements: readonly Statement[]): Promise<void> {
    // One statement is atomic on its own: BEGIN and COMMIT would only add two round trips.
    if (statements.length === 1) {
      await run(this.#pool, statements[0]!);
      return;
    }
    const connection = await this.#pool.getConnection();
    try {
      await connection.beginTransaction();
      for (const statement of statements) await run(connection, statement);
      await connection.commit();
    } catch (error) {
      // A connection that cannot even roll back is broken: destroy it rather than return it to the pool.
      const rolledBack = await connection.rollback().then(
        () => true,
        () => false,
      );
      if (rolledBack) connection.release();
      else connection.destroy();
      throw error;
    }
    connection.release();
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}

async function run(target: mysql.Pool | mysql.PoolConnection, statement: Statement): Promise<void> {
  try {
    await target.query(statement.sql, statement.params as SqlValue[]);
  } catch (error) {
    throw explain(error, statement);
  }
}

/** Replaces the NULL-key error of the upsert guard with what actually happened. */
function explain(error: unknown, statement: Statement): unknown {
  const { errno, message } = error as { errno?: unknown; message?: unknown };
  const column = typeof message === 'string' ? /^Column '(\w+)' cannot be null/.exec(message)?.[1] : undefined;
  const key = statement.table === undefined ? undefined : tableNamed(statement.table)?.primaryKey;
  if (errno !== NULL_IN_NOT_NULL || !column || !key?.includes(column) || !statement.sql.includes(' ON DUPLICATE KEY ')) {
    return error;
  }
  return new Error(
    `Duplicate entry in ${statement.table}: the row has the unique values of another row with a different ${key.join(', ')}`,
    { cause: error },
  );
}
