/**
 * `onedb backup` / `onedb restore`: a portable dump of the database, the same for every backend
 * (a SQLite database can be restored into PostgreSQL or MariaDB, and back).
 *
 * The file is JSON lines, gzip-compressed when its name ends in `.gz`:
 *   {"format":"nebula-ts-onedb","formatVersion":1,"schemaVersion":13,"backend":"sqlite",...}
 *   {"table":"user_pool","columns":["oid","name",...]}
 *   [0,"oneadmin",...]                      one line per row, values in column order
 *   {"endTable":"user_pool","rows":2}
 *   ...
 *   {"end":true,"tables":35,"rows":1234}
 * Integers beyond 2^53 are written as {"bigint":"..."}. A file without its end line (a backup cut
 * short) is refused before anything is written.
 */
import { createReadStream, createWriteStream, openSync, readSync, closeSync } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { createGunzip, createGzip } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { PassThrough, type Readable } from 'node:stream';
import type { Database, Row, SqlValue } from './database.js';
import { SCHEMA_VERSION, tablesAt, type Table } from './schema.js';

export const DUMP_FORMAT = 'nebula-ts-onedb';
const FORMAT_VERSION = 1;
/** Rows read (and written back) per statement. */
const PAGE = 1000;

export interface DumpHeader {
  readonly format: typeof DUMP_FORMAT;
  readonly formatVersion: number;
  readonly schemaVersion: number;
  readonly backend: string;
  readonly created: string;
  readonly tables: readonly string[];
}

export interface DumpSummary {
  readonly schemaVersion: number;
  readonly tables: number;
  readonly rows: number;
}

type Encoded = string | number | null | { bigint: string };

const encode = (v: SqlValue): Encoded => (typeof v === 'bigint' ? { bigint: v.toString() } : v);

function decode(v: unknown): SqlValue {
  if (v === null || typeof v === 'string' || typeof v === 'number') return v;
  if (typeof v === 'object' && typeof (v as { bigint?: unknown }).bigint === 'string') return BigInt((v as { bigint: string }).bigint);
  throw new Error(`unexpected value ${JSON.stringify(v)}`);
}

/** Writes every table of the database's schema version to `file`. */
export async function backupDatabase(db: Database, file: string): Promise<DumpSummary> {
  const version = await db.schemaVersion();
  if (version === 0) throw new Error('the database is empty (no schema): nothing to back up');
  if (version > SCHEMA_VERSION) throw new Error(`the database is at schema version ${version}, newer than the ${SCHEMA_VERSION} this program knows`);
  const tables = tablesAt(version);
  const out = new PassThrough();
  const sink = createWriteStream(file, { mode: 0o600 });
  const done = file.endsWith('.gz') ? pipeline(out, createGzip(), sink) : pipeline(out, sink);
  const line = async (value: unknown): Promise<void> => {
    if (!out.write(`${JSON.stringify(value)}\n`)) await once(out, 'drain');
  };
  const header: DumpHeader = { format: DUMP_FORMAT, formatVersion: FORMAT_VERSION, schemaVersion: version, backend: db.backend, created: new Date().toISOString(), tables: tables.map((t) => t.name) };
  let total = 0;
  try {
    await line(header);
    for (const table of tables) {
      const columns = Object.keys(table.columns);
      await line({ table: table.name, columns });
      let count = 0;
      for (let offset = 0; ; offset += PAGE) {
        const rows = await db.query(`SELECT ${columns.join(', ')} FROM ${table.name} ORDER BY ${table.primaryKey.join(', ')} LIMIT ${PAGE} OFFSET ${offset}`);
        for (const row of rows) await line(columns.map((c) => encode(row[c] ?? null)));
        count += rows.length;
        if (rows.length < PAGE) break;
      }
      await line({ endTable: table.name, rows: count });
      total += count;
    }
    await line({ end: true, tables: tables.length, rows: total });
  } finally {
    out.end();
  }
  await done;
  return { schemaVersion: version, tables: tables.length, rows: total };
}

/** The lines of a dump file, gunzipped when it starts with gzip's magic bytes. */
function lines(file: string): AsyncIterable<string> {
  const fd = openSync(file, 'r');
  const magic = Buffer.alloc(2);
  readSync(fd, magic, 0, 2, 0);
  closeSync(fd);
  let input: Readable = createReadStream(file);
  if (magic[0] === 0x1f && magic[1] === 0x8b) input = input.pipe(createGunzip());
  return createInterface({ input, crlfDelay: Infinity });
}

type Entry =
  | { kind: 'header'; header: DumpHeader }
  | { kind: 'table'; table: Table; columns: string[] }
  | { kind: 'row'; values: unknown[] }
  | { kind: 'endTable'; name: string; rows: number }
  | { kind: 'end'; tables: number; rows: number };

/** The entries of a dump file, each checked against the format; throws naming the line at the first fault. */
async function* entries(file: string): AsyncGenerator<Entry> {
  let n = 0;
  let header: DumpHeader | undefined;
  let known = new Map<string, Table>();
  let current: { table: Table; columns: string[] } | undefined;
  for await (const text of lines(file)) {
    n++;
    if (text === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new Error(`${file}, line ${n}: not JSON: is this an onedb backup?`);
    }
    const bad = (why: string) => new Error(`${file}, line ${n}: ${why}`);
    if (!header) {
      const h = value as Partial<DumpHeader>;
      if (h?.format !== DUMP_FORMAT) throw bad(`not an onedb backup (no "${DUMP_FORMAT}" header)`);
      if (h.formatVersion !== FORMAT_VERSION) throw bad(`backup format ${String(h.formatVersion)}, this program reads ${FORMAT_VERSION}`);
      if (!Number.isInteger(h.schemaVersion) || h.schemaVersion! < 1) throw bad('no schema version');
      if (h.schemaVersion! > SCHEMA_VERSION) {
        throw bad(`the backup is at schema version ${h.schemaVersion}, newer than the ${SCHEMA_VERSION} this program knows: restore it with the release that made it`);
      }
      header = h as DumpHeader;
      known = new Map(tablesAt(header.schemaVersion).map((t) => [t.name, t]));
      yield { kind: 'header', header };
    } else if (Array.isArray(value)) {
      if (!current) throw bad('a row outside a table');
      if (value.length !== current.columns.length) throw bad(`${value.length} values for the ${current.columns.length} columns of ${current.table.name}`);
      yield { kind: 'row', values: value };
    } else if (typeof value === 'object' && value !== null && 'table' in value) {
      const { table: name, columns } = value as { table: string; columns: string[] };
      const table = known.get(name);
      if (!table) throw bad(`table ${name} is not part of schema version ${header.schemaVersion}`);
      const expected = Object.keys(table.columns);
      if (!Array.isArray(columns) || columns.some((c) => !expected.includes(c))) throw bad(`the columns of ${name} do not match schema version ${header.schemaVersion}`);
      current = { table, columns };
      yield { kind: 'table', table, columns };
    } else if (typeof value === 'object' && value !== null && 'endTable' in value) {
      const v = value as { endTable: string; rows: number };
      current = undefined;
      yield { kind: 'endTable', name: v.endTable, rows: v.rows };
    } else if (typeof value === 'object' && value !== null && 'end' in value) {
      const v = value as unknown as { tables: number; rows: number };
      yield { kind: 'end', tables: v.tables, rows: v.rows };
      return;
    } else {
      throw bad('unexpected line');
    }
  }
  if (!header) throw new Error(`${file} is empty`);
  throw new Error(`${file} ends before the backup's end: it was cut short`);
}

/** Reads the whole file once and checks it: header, every table's row count, the end line. */
export async function checkDump(file: string): Promise<Omit<DumpHeader, 'tables'> & DumpSummary> {
  let header: DumpHeader | undefined;
  let rows = 0;
  let tableRows = 0;
  for await (const e of entries(file)) {
    if (e.kind === 'header') header = e.header;
    else if (e.kind === 'table') tableRows = 0;
    else if (e.kind === 'row') tableRows++;
    else if (e.kind === 'endTable') {
      if (e.rows !== tableRows) throw new Error(`${file}: table ${e.name} has ${tableRows} rows, its end line says ${e.rows}`);
      rows += tableRows;
    } else if (e.rows !== rows) throw new Error(`${file}: ${rows} rows, the end line says ${e.rows}`);
  }
  return { ...header!, tables: header!.tables.length, rows };
}

/**
 * Loads a checked dump into an empty database: creates the schema at the backup's version, then
 * writes the rows (the `db_versioning` rows too, with their original dates).
 */
export async function restoreDatabase(db: Database, file: string): Promise<DumpSummary> {
  const checked = await checkDump(file);
  if ((await db.schemaVersion()) !== 0) throw new Error('the target database is not empty');
  await db.migrate(checked.schemaVersion);
  let batch: { table: string; row: Row }[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    await db.write(batch.map(({ table, row }) => ({ kind: 'upsert', table, row })));
    batch = [];
  };
  let current: { table: Table; columns: string[] } | undefined;
  for await (const e of entries(file)) {
    if (e.kind === 'table') current = e;
    else if (e.kind === 'row') {
      const row: Row = {};
      e.values.forEach((v, i) => (row[current!.columns[i]!] = decode(v)));
      batch.push({ table: current!.table.name, row });
      if (batch.length >= PAGE) await flush();
    }
  }
  await flush();
  return { schemaVersion: checked.schemaVersion, tables: checked.tables, rows: checked.rows };
}
