/**
 * SQLite backend (better-sqlite3). The database is one file, in WAL mode with synchronous=FULL:
 * a commit is on disk before write() resolves, and group commit pays for the fsync.
 *
 * better-sqlite3 is synchronous: a commit holds the event loop for its fsync, so requests that
 * arrive meanwhile are read afterwards and go together in the next group.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { sqliteFile } from '../config.js';
import type { DbConfig, Row, SqlValue } from '../database.js';
import { fromInt64 } from '../int64.js';
import { SqlDatabase, type Driver } from '../sql-database.js';
import { onConflictClause, type Dialect, type Statement } from '../write-sql.js';

/** oned.conf's default `TIMEOUT`. */
const DEFAULT_BUSY_TIMEOUT_MS = 2500;

const SQLITE_DIALECT: Dialect = {
  placeholders: 'question',
  // Statements are prepared once and cached; one row per statement keeps their text stable.
  maxRowsPerInsert: 1,
  upsertClause: onConflictClause,
};

/** Opens (creating if needed) the SQLite database file named by `config.file`. */
export function openSqlite(config: DbConfig): SqlDatabase {
  const file = sqliteFile(config);
  let db: BetterSqlite3.Database;
  try {
    mkdirSync(dirname(file), { recursive: true });
    db = new BetterSqlite3(file, { timeout: config.timeout ?? DEFAULT_BUSY_TIMEOUT_MS });
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
  } catch (error) {
    throw new Error(`sqlite: cannot open database file ${file}: ${(error as Error).message}`, { cause: error });
  }
  // Integers come back as bigint, so values above 2^53 stay exact; safe ones become numbers below.
  db.defaultSafeIntegers(true);
  return new SqlDatabase(new SqliteDriver(db));
}

class SqliteDriver implements Driver {
  readonly backend = 'sqlite';
  readonly dialect = SQLITE_DIALECT;
  readonly tableExistsSql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?";
  readonly #db: BetterSqlite3.Database;
  /** Prepared statements by SQL text; the texts come from a finite set of table and column lists. */
  readonly #prepared = new Map<string, BetterSqlite3.Statement>();
  readonly #runAll: BetterSqlite3.Transaction<(statements: readonly Statement[]) => void>;

  constructor(db: BetterSqlite3.Database) {
    this.#db = db;
    this.#runAll = db.transaction((statements: readonly Statement[]) => {
      for (const statement of statements) this.#statement(statement.sql).run(bindable(statement.params));
    });
  }

  async query(sql: string, params: readonly SqlValue[]): Promise<Row[]> {
    const rows = this.#db.prepare(sql).all(bindable(params)) as Record<string, unknown>[];
    for (const row of rows) {
      for (const column in row) {
        const value = row[column];
        if (typeof value === 'bigint') row[column] = fromInt64(value);
      }
    }
    return rows as Row[];
  }

  async transaction(statements: readonly Statement[]): Promise<void> {
    // IMMEDIATE takes the write lock at BEGIN, so a reader in another process cannot make the commit fail halfway.
    this.#runAll.immediate(statements);
  }

  async close(): Promise<void> {
    this.#db.close();
  }

  #statement(sql: string): BetterSqlite3.Statement {
    let statement = this.#prepared.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#prepared.set(sql, statement);
    }
    return statement;
  }
}

/**
 * better-sqlite3 binds every number as a double, so 5 would be stored in a TEXT column as "5.0";
 * integers go as bigint to be stored as integers, as the other backends do.
 */
function bindable(params: readonly SqlValue[]): SqlValue[] {
  return params.map((value) => (typeof value === 'number' && Number.isInteger(value) ? BigInt(value) : value));
}
