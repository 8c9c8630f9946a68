/**
 * The SQLite writer thread: oned's one writing connection to the database file, in a worker so
 * that a commit's fsync (synchronous=FULL) holds this thread, not oned's event loop. The main
 * thread keeps its own connection for reads (WAL: readers see every committed transaction and
 * never wait for the writer).
 *
 * Message in: `{ id, statements }` (run them in one IMMEDIATE transaction), `statements` flat
 * (see {@link SqlNumbers}) so that copying it to this thread is one array of plain values, and
 * `{ close: true }`. Reply: `{ id }` once the transaction is durable, or `{ id, error }`.
 * Transactions run in the order they arrive.
 */
import { parentPort, workerData } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';
import type { SqlValue } from '../database.js';
import type { Statement } from '../write-sql.js';
import { replyError } from '../../common/worker-calls.js';

export interface WriterOptions {
  readonly file: string;
  readonly timeout: number;
}

/**
 * A transaction's statements as one flat array: per statement its SQL (the text the first time,
 * then the number the writer gave it: texts are few and statements many), the number of
 * parameters, then the parameters. Structured cloning copies that with less work per statement
 * than objects holding arrays (5-15 % less in a micro-measure of 20 VM upserts: the bodies' text
 * is most of the copy), and the long upsert texts are not copied every time.
 */
export type FlatStatements = SqlValue[];

/** The sender's half of the SQL numbering: the same texts get the same numbers on both sides. */
export class SqlNumbers {
  readonly #ids = new Map<string, number>();

  flatten(statements: readonly Statement[]): FlatStatements {
    const flat: FlatStatements = [];
    for (const s of statements) {
      const id = this.#ids.get(s.sql);
      if (id === undefined) {
        this.#ids.set(s.sql, this.#ids.size);
        flat.push(s.sql);
      } else flat.push(id);
      flat.push(s.params.length, ...s.params);
    }
    return flat;
  }
}

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
  // Numbered in the order the texts arrive, as SqlNumbers numbers them; prepared when first run
  // (a statement may need a table that an earlier one of its transaction creates).
  const texts: string[] = [];
  const prepared: (BetterSqlite3.Statement | undefined)[] = [];
  const runAll = db.transaction((flat: FlatStatements) => {
    for (let i = 0; i < flat.length; ) {
      const id = flat[i] as number;
      const statement = (prepared[id] ??= db.prepare(texts[id]!));
      const n = flat[i + 1] as number;
      statement.run(bindable(flat.slice(i + 2, i + 2 + n)));
      i += 2 + n;
    }
  });
  port.on('message', (m: { id: number; statements: FlatStatements } | { close: true }) => {
    if ('close' in m) {
      db.close();
      port.close();
      return;
    }
    try {
      // New texts first, so the numbering holds even when the transaction fails half-way.
      const flat = m.statements;
      for (let i = 0; i < flat.length; i += 2 + (flat[i + 1] as number)) {
        if (typeof flat[i] === 'string') {
          texts.push(flat[i] as string);
          flat[i] = texts.length - 1;
        }
      }
      // IMMEDIATE takes the write lock at BEGIN, so a reader in another process cannot make the commit fail halfway.
      runAll.immediate(flat);
      port.postMessage({ id: m.id });
    } catch (error) {
      port.postMessage({ id: m.id, error: replyError(error) });
    }
  });
}

if (parentPort && (workerData as { sqliteWriter?: WriterOptions } | undefined)?.sqliteWriter) serve((workerData as { sqliteWriter: WriterOptions }).sqliteWriter);
