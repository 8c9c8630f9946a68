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
import { Worker } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';
import { sqliteFile } from '../config.js';
import type { DbConfig, Row, SqlValue } from '../database.js';
import { fromInt64 } from '../int64.js';
import { SqlDatabase, type Driver } from '../sql-database.js';
import { onConflictClause, type Dialect, type Statement } from '../write-sql.js';
import { bindable, openWriter, type WriterReply, type WriterRequest } from './sqlite-writer.js';

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
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  #next = 0;
  #failed: Error | undefined;
  readonly #exited: Promise<void>;

  constructor(file: string, timeout: number) {
    this.#worker = new Worker(new URL('./sqlite-writer.js', import.meta.url), {
      workerData: { sqliteWriter: { file, timeout } },
      // A process started with `--input-type=module -e` (a test's writer) passes on a flag a worker file refuses.
      execArgv: process.execArgv.filter((a) => !a.startsWith('--input-type')),
    });
    // Only a transaction in flight keeps the process alive (a tool that is done may exit).
    this.#worker.unref();
    this.#worker.on('message', (m: WriterReply) => {
      const p = this.#pending.get(m.id);
      if (!p) return;
      this.#pending.delete(m.id);
      if (this.#pending.size === 0) this.#worker.unref();
      if (!m.error) return p.resolve();
      const error = new Error(m.error.message) as Error & { code?: string };
      if (m.error.code !== undefined) error.code = m.error.code;
      p.reject(error);
    });
    this.#worker.on('error', (error) => this.#fail(new Error(`sqlite: the writer thread failed: ${error.message}`, { cause: error })));
    this.#exited = new Promise((resolve) => this.#worker.once('exit', () => {
      this.#fail(new Error('sqlite: the writer thread ended'));
      resolve();
    }));
  }

  run(statements: readonly Statement[]): Promise<void> {
    if (this.#failed) return Promise.reject(this.#failed);
    const id = ++this.#next;
    return new Promise<void>((resolve, reject) => {
      if (this.#pending.size === 0) this.#worker.ref();
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ id, statements: statements.map((s) => ({ sql: s.sql, params: s.params })) } satisfies WriterRequest);
    });
  }

  async close(): Promise<void> {
    if (!this.#failed) {
      this.#worker.ref();
      this.#worker.postMessage({ close: true } satisfies WriterRequest);
    }
    await this.#exited;
  }

  #fail(error: Error): void {
    this.#failed ??= error;
    for (const p of this.#pending.values()) p.reject(error);
    this.#pending.clear();
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
