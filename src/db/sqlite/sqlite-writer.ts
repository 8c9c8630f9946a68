/**
 * The SQLite writer thread: oned's one writing connection to the database file, in a worker so
 * that a commit's fsync (synchronous=FULL) holds this thread, not oned's event loop. The main
 * thread keeps its own connection for reads (WAL: readers see every committed transaction and
 * never wait for the writer).
 *
 * Messages in: `{ id, statements }` (run them in one IMMEDIATE transaction) and `{ close: true }`.
 * Messages out: `{ id }` once the transaction is durable, or `{ id, error: { message, code } }`.
 * Transactions run in the order they arrive.
 */
import { parentPort, workerData } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';
import type { SqlValue } from '../database.js';
import type { Statement } from '../write-sql.js';

export interface WriterOptions {
  readonly file: string;
  readonly timeout: number;
}

export type WriterRequest = { readonly id: number; readonly statements: readonly Statement[] } | { readonly close: true };
export type WriterReply = { readonly id: number; readonly error?: { readonly message: string; readonly code?: string } };

/**
 * better-sqlite3 binds every number as a double, so 5 would be stored in a TEXT column as "5.0";
 * integers go as bigint to be stored as integers, as the other backends do.
 */
export function bindable(params: readonly SqlValue[]): SqlValue[] {
  return params.map((value) => (typeof value === 'number' && Number.isInteger(value) ? BigInt(value) : value));
}

/** Opens the writing connection: WAL, and a commit on disk before it is reported done. */
export function openWriter(o: WriterOptions): BetterSqlite3.Database {
  const db = new BetterSqlite3(o.file, { timeout: o.timeout });
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  return db;
}

function serve(o: WriterOptions): void {
  const port = parentPort!;
  const db = openWriter(o);
  const prepared = new Map<string, BetterSqlite3.Statement>();
  const statement = (sql: string) => {
    let s = prepared.get(sql);
    if (!s) prepared.set(sql, (s = db.prepare(sql)));
    return s;
  };
  const runAll = db.transaction((statements: readonly Statement[]) => {
    for (const s of statements) statement(s.sql).run(bindable(s.params));
  });
  port.on('message', (m: WriterRequest) => {
    if ('close' in m) {
      db.close();
      port.close();
      return;
    }
    let reply: WriterReply;
    try {
      // IMMEDIATE takes the write lock at BEGIN, so a reader in another process cannot make the commit fail halfway.
      runAll.immediate(m.statements);
      reply = { id: m.id };
    } catch (error) {
      const e = error as { message?: string; code?: unknown };
      reply = { id: m.id, error: { message: String(e.message ?? error), code: typeof e.code === 'string' ? e.code : undefined } };
    }
    port.postMessage(reply);
  });
}

if (parentPort && (workerData as { sqliteWriter?: WriterOptions } | undefined)?.sqliteWriter) serve((workerData as { sqliteWriter: WriterOptions }).sqliteWriter);
