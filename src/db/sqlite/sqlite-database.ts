/**
 * SQLite backend (better-sqlite3). The database is one file, in WAL mode with synchronous=FULL:
 * a commit is on disk before write() resolves, and group commit pays for the fsync.
 *
 * better-sqlite3 is synchronous, so transactions run on a connection of their own in a worker
 * thread (sqlite-writer.ts): the fsync of a commit holds that thread while oned's event loop
 * goes on reading requests, which join the next group. Queries run on this thread's connection;
 * in WAL mode they see every committed transaction.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { sqliteFile } from '../config.js';
import type { DbConfig, Row, SqlValue } from '../database.js';
import { fromInt64 } from '../int64.js';
import { SqlDatabase, type Driver } from '../sql-database.js';
import { onConflictClause, type Dialect, type Statement } from '../write-sql.js';
import { WorkerCalls } from '../../common/worker-calls.js';
import { bindable, openWriter, SqlNumbers } from './sqlite-writer.js';

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
  const timeout = config.timeout ?? DEFAULT_BUSY_TIMEOUT_MS;
  let db: BetterSqlite3.Database;
  try {
    mkdirSync(dirname(file), { recursive: true });
    db = openWriter({ file, timeout });
  } catch (error) {
    throw new Error(`sqlite: cannot open database file ${file}: ${(error as Error).message}`, { cause: error });
  }
  // Integers come back as bigint, so values above 2^53 stay exact; safe ones become numbers below.
  db.defaultSafeIntegers(true);
  return new SqlDatabase(new SqliteDriver(db, new SqliteWriter(file, timeout)));
}

/** The writer thread, as seen from here: transactions sent in order, answered in order. */
class SqliteWriter {
  readonly #calls: WorkerCalls;
  readonly #numbers = new SqlNumbers();

  constructor(file: string, timeout: number) {
    this.#calls = new WorkerCalls(new URL('./sqlite-writer.js', import.meta.url), { sqliteWriter: { file, timeout } }, 'sqlite');
  }

  run(statements: readonly Statement[]): Promise<void> {
    return this.#calls.call({ statements: this.#numbers.flatten(statements) });
  }

  close(): Promise<void> {
    return this.#calls.close();
  }
}

class SqliteDriver implements Driver {
  readonly backend = 'sqlite';
  readonly dialect = SQLITE_DIALECT;
  readonly tableExistsSql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?";
  readonly #db: BetterSqlite3.Database;
  readonly #writer: SqliteWriter;

  constructor(db: BetterSqlite3.Database, writer: SqliteWriter) {
    this.#db = db;
    this.#writer = writer;
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

  transaction(statements: readonly Statement[]): Promise<void> {
    return this.#writer.run(statements);
  }

  async close(): Promise<void> {
    await this.#writer.close();
    this.#db.close();
  }
}
