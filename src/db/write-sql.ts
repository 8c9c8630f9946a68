/**
 * Renders writes (data) into SQL statements with parameters, in a backend's dialect. Values only
 * ever travel as parameters; table and column names are checked against the schema and a strict
 * identifier pattern before they are put into SQL text.
 *
 * Consecutive upserts of the same table and columns become one multi-row INSERT where the
 * backend benefits (one round trip instead of one per row); the SQL text of each table and
 * column set is built once and cached.
 */
import type { SqlValue, Write } from './database.js';
import { tableNamed, type Table } from './schema.js';

/** One statement to run: SQL text and the values of its placeholders. */
export interface Statement {
  readonly sql: string;
  readonly params: readonly SqlValue[];
  /** The table a rendered write touches, for error messages. */
  readonly table?: string;
}

/** What differs between backends in the SQL that writes render to. */
export interface Dialect {
  /** `?` (SQLite, MySQL) or `$1`, `$2`, ... (PostgreSQL). */
  readonly placeholders: 'question' | 'numbered';
  /**
   * Most rows one INSERT carries. 1 keeps a single statement text per table and column set, for
   * backends that prepare and cache statements (SQLite) where round trips cost nothing.
   */
  readonly maxRowsPerInsert: number;
  /** The clause after `INSERT ... VALUES (...)` that turns a conflict on the key into an update of the other columns. */
  upsertClause(key: readonly string[], others: readonly string[]): string;
}

/** SQLite's and PostgreSQL's upsert: conflicts on the key update the row; any other unique conflict is an error. */
export function onConflictClause(key: readonly string[], others: readonly string[]): string {
  const target = `ON CONFLICT (${key.join(', ')})`;
  if (others.length === 0) return ` ${target} DO NOTHING`;
  return ` ${target} DO UPDATE SET ${others.map((column) => `${column} = excluded.${column}`).join(', ')}`;
}

/** PostgreSQL takes at most 65535 parameters in a statement. */
const MAX_PARAMS = 32_767;
/** Text (UTF-16 units) per INSERT, well under MySQL's default 16 MiB packet even if every character takes 4 bytes. */
const MAX_TEXT = 1 << 20;

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/** The SQL pieces of upserts into one table with one column list. */
interface UpsertShape {
  readonly table: string;
  readonly columns: readonly string[];
  readonly key: readonly string[];
  /** `INSERT INTO t (a, b) VALUES ` */
  readonly head: string;
  /** The upsert clause. */
  readonly tail: string;
  /** The whole statement for one row. */
  readonly oneRow: string;
}

export class WriteRenderer {
  readonly #dialect: Dialect;
  readonly #shapes = new Map<string, UpsertShape>();

  constructor(dialect: Dialect) {
    this.#dialect = dialect;
  }

  /**
   * The statements that apply the writes. Throws on a write that names an unknown table or lacks
   * its key. With one row per INSERT (SQLite) they are the writes in order. With multi-row
   * INSERTs, each table's upserts gather into one INSERT however the writes of other tables
   * interleave with them (a group commit's calls each write a VM, its history and its host: in
   * order, no two neighbours would share a table). Within a table the order is kept: a delete or
   * another column list ends the INSERT, and a second upsert of a key in it replaces the row in
   * place (full-row upserts: the last one wins either way). Tables are independent (no foreign
   * keys), so moving one table's writes past another's changes nothing.
   */
  render(writes: readonly Write[]): Statement[] {
    if (this.#dialect.maxRowsPerInsert === 1) return this.#renderInOrder(writes);
    const slots: (Statement | InsertBuilder)[] = [];
    const open = new Map<string, InsertBuilder>();
    for (const write of writes) {
      if (write.kind === 'delete') {
        open.delete(write.table);
        slots.push(this.#delete(write.table, write.where, write.below ?? {}));
        continue;
      }
      const shape = this.#shape(write.table, write.row);
      const key = keyText(shape, write.row);
      let insert = open.get(shape.table);
      if (insert?.replace(shape, key, write.row)) continue;
      if (!insert || !insert.accepts(shape, key)) {
        insert = new InsertBuilder(shape, this.#dialect);
        open.set(shape.table, insert);
        slots.push(insert);
      }
      insert.add(write.row, key);
    }
    return slots.map((slot) => (slot instanceof InsertBuilder ? slot.build() : slot));
  }

  #renderInOrder(writes: readonly Write[]): Statement[] {
    const statements: Statement[] = [];
    let insert: InsertBuilder | undefined;
    for (const write of writes) {
      if (write.kind === 'delete') {
        if (insert) statements.push(insert.build());
        insert = undefined;
        statements.push(this.#delete(write.table, write.where, write.below ?? {}));
        continue;
      }
      const shape = this.#shape(write.table, write.row);
      const key = keyText(shape, write.row);
      if (insert && !insert.accepts(shape, key)) {
        statements.push(insert.build());
        insert = undefined;
      }
      insert ??= new InsertBuilder(shape, this.#dialect);
      insert.add(write.row, key);
    }
    if (insert) statements.push(insert.build());
    return statements;
  }

  #shape(table: string, row: Readonly<Record<string, SqlValue>>): UpsertShape {
    const columns = Object.keys(row);
    const id = `${table}(${columns.join(',')})`;
    let shape = this.#shapes.get(id);
    if (!shape) {
      shape = this.#newShape(table, columns);
      this.#shapes.set(id, shape);
    }
    return shape;
  }

  #newShape(table: string, columns: readonly string[]): UpsertShape {
    const key = knownTable(table).primaryKey;
    columns.forEach(checkIdentifier);
    const missing = key.find((column) => !columns.includes(column));
    if (missing) throw new Error(`upsert into ${table} lacks its key column ${missing}`);
    const head = `INSERT INTO ${table} (${columns.join(', ')}) VALUES `;
    const tail = this.#dialect.upsertClause(
      key,
      columns.filter((column) => !key.includes(column)),
    );
    return { table, columns, key, head, tail, oneRow: head + tuple(this.#dialect, columns.length, 0) + tail };
  }

  #delete(table: string, where: Readonly<Record<string, SqlValue>>, below: Readonly<Record<string, SqlValue>>): Statement {
    knownTable(table);
    const params: SqlValue[] = [];
    const condition = (op: '=' | '<') => ([column, value]: [string, SqlValue]) => {
      checkIdentifier(column);
      if (value === null) {
        if (op === '<') throw new Error(`delete from ${table}: ${column} < NULL matches nothing`);
        return `${column} IS NULL`;
      }
      params.push(value);
      return `${column} ${op} ${placeholder(this.#dialect, params.length)}`;
    };
    const conditions = [...Object.entries(where).map(condition('=')), ...Object.entries(below).map(condition('<'))];
    // An empty condition would empty the table: never what a caller meant.
    if (conditions.length === 0) throw new Error(`delete from ${table} names no column to match`);
    return { sql: `DELETE FROM ${table} WHERE ${conditions.join(' AND ')}`, params, table };
  }
}

/** Gathers the rows of one multi-row INSERT. */
class InsertBuilder {
  readonly #shape: UpsertShape;
  readonly #dialect: Dialect;
  readonly #params: SqlValue[] = [];
  #rows = 0;
  #text = 0;
  /**
   * Keys of the rows so far and the row each is, when there can be several: PostgreSQL refuses a
   * statement that updates one row twice.
   */
  readonly #keys: Map<string, number> | undefined;

  constructor(shape: UpsertShape, dialect: Dialect) {
    this.#shape = shape;
    this.#dialect = dialect;
    this.#keys = dialect.maxRowsPerInsert > 1 ? new Map() : undefined;
  }

  /** A row of the same columns whose key is already in this INSERT takes that row's place; false if it is not there. */
  replace(shape: UpsertShape, key: string, row: Readonly<Record<string, SqlValue>>): boolean {
    const at = shape === this.#shape ? this.#keys?.get(key) : undefined;
    if (at === undefined) return false;
    const columns = shape.columns;
    columns.forEach((column, c) => (this.#params[at * columns.length + c] = row[column]));
    return true;
  }

  /** Whether the row can join this INSERT: same table and columns, within limits, and not a key already in it. */
  accepts(shape: UpsertShape, key: string): boolean {
    return (
      shape === this.#shape &&
      this.#rows < this.#dialect.maxRowsPerInsert &&
      this.#params.length + shape.columns.length <= MAX_PARAMS &&
      this.#text < MAX_TEXT &&
      !this.#keys?.has(key)
    );
  }

  add(row: Readonly<Record<string, SqlValue>>, key: string): void {
    this.#keys?.set(key, this.#rows);
    for (const column of this.#shape.columns) {
      const value = row[column];
      if (typeof value === 'string') this.#text += value.length;
      this.#params.push(value);
    }
    this.#rows++;
  }

  build(): Statement {
    const shape = this.#shape;
    let sql = shape.oneRow;
    if (this.#rows > 1) {
      const tuples: string[] = [];
      for (let row = 0; row < this.#rows; row++) tuples.push(tuple(this.#dialect, shape.columns.length, row * shape.columns.length));
      sql = shape.head + tuples.join(', ') + shape.tail;
    }
    return { sql, params: this.#params, table: shape.table };
  }
}

/** The row's key values as one string (5 and 5n alike); throws if any is null, which SQLite would replace by a new rowid. */
function keyText(shape: UpsertShape, row: Readonly<Record<string, SqlValue>>): string {
  let text = '';
  for (const column of shape.key) {
    const value = row[column];
    if (value === null || value === undefined) throw new Error(`upsert into ${shape.table} has no value for its key column ${column}`);
    text = text ? `${text}\u0000${value}` : String(value);
  }
  return text;
}

function tuple(dialect: Dialect, columns: number, before: number): string {
  let text = '(';
  for (let i = 1; i <= columns; i++) text += (i > 1 ? ', ' : '') + placeholder(dialect, before + i);
  return text + ')';
}

function placeholder(dialect: Dialect, n: number): string {
  return dialect.placeholders === 'numbered' ? `$${n}` : '?';
}

function knownTable(name: string): Table {
  const table = tableNamed(name);
  if (!table) throw new Error(`unknown table ${JSON.stringify(name)}`);
  return table;
}

function checkIdentifier(name: string): void {
  if (!IDENTIFIER.test(name)) throw new Error(`not a plain lower-case column name: ${JSON.stringify(name)}`);
}
