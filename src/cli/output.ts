/**
 * How commands print: tables of pool listings (OpenNebula's columns and widths, fitting 80
 * columns) with the options admins asked for (--list, --no-header, --delimiter, --csv, --json,
 * --yaml, --xml, --filter, --search), and `show` views.
 */
import { parseXmlTree, type XmlNode } from '../common/xml-tree.js';
import { CliError, type CliContext } from './command.js';

export interface Column<T> {
  /** The header (`NAME`, `ALLOCATED_CPU`); also the key of --list and --filter. */
  name: string;
  /** Characters in the table; longer values are cut. */
  width: number;
  /** Aligned left (names, states); numbers are aligned right. */
  left?: boolean;
  value(obj: T): string;
  /** shown without --list */
  default?: boolean;
}

/** Colors and emphasis only when a person reads the output (a terminal, NO_COLOR unset). */
export function useColor(): boolean {
  return process.stdout.isTTY === true && !process.env.NO_COLOR;
}

function emphasize(text: string): string {
  return useColor() ? `\x1b[1;4m${text}\x1b[0m` : text;
}

/** The columns --list names, or the default ones; an unknown name is a CliError naming the known. */
export function selectColumns<T>(columns: readonly Column<T>[], list: string | undefined): Column<T>[] {
  if (list === undefined) return columns.filter((c) => c.default !== false);
  return list.split(',').map((raw) => {
    const name = raw.trim().toUpperCase();
    const col = columns.find((c) => c.name === name);
    if (!col) throw new CliError(`Unknown column "${raw}" in --list; the columns are ${columns.map((c) => c.name).join(', ')}`);
    return col;
  });
}

/** One condition of --filter: `KEY=VALUE`, `KEY!=VALUE`, `KEY<VALUE`, `KEY>VALUE`. */
interface Condition<T> {
  column: Column<T>;
  op: '=' | '!=' | '<' | '>';
  value: string;
}

const CONDITION = /^([A-Za-z_]+)(!=|=|<|>)(.*)$/;

/** Parses --filter (comma-separated conditions, the option may be repeated). */
export function parseFilter<T>(columns: readonly Column<T>[], filter: string | string[] | undefined): Condition<T>[] {
  if (filter === undefined) return [];
  return (typeof filter === 'string' ? [filter] : filter)
    .flatMap((f) => f.split(','))
    .map((text) => {
      const m = CONDITION.exec(text.trim());
      if (!m) throw new CliError(`Bad --filter "${text}": write KEY=VALUE (or KEY!=VALUE, KEY<VALUE, KEY>VALUE)`);
      const name = m[1]!.toUpperCase();
      const column = columns.find((c) => c.name === name);
      if (!column) throw new CliError(`Unknown column "${m[1]}" in --filter; the columns are ${columns.map((c) => c.name).join(', ')}`);
      return { column, op: m[2] as Condition<T>['op'], value: m[3]! };
    });
}

function compare(a: string, b: string): number {
  const x = Number.parseFloat(a);
  const y = Number.parseFloat(b);
  return Number.isNaN(x) || Number.isNaN(y) ? a.localeCompare(b) : x - y;
}

function holds<T>(c: Condition<T>, obj: T): boolean {
  const v = c.column.value(obj);
  switch (c.op) {
    case '=':
      return v === c.value;
    case '!=':
      return v !== c.value;
    case '<':
      return compare(v, c.value) < 0;
    case '>':
      return compare(v, c.value) > 0;
  }
}

function pad(text: string, width: number, left: boolean): string {
  const cut = text.length > width ? text.slice(0, width) : text;
  return left ? cut.padEnd(width) : cut.padStart(width);
}

function csvCell(text: string): string {
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * The lines of a table: header (unless `noHeader`) and one line per object. With a delimiter
 * the cells are not padded (for scripts); without, they are cut and aligned to the widths.
 */
export function tableLines<T>(columns: readonly Column<T>[], objects: readonly T[], opts: { noHeader?: boolean; delimiter?: string; csv?: boolean } = {}): string[] {
  const lines: string[] = [];
  if (opts.csv || opts.delimiter !== undefined) {
    const d = opts.csv ? ',' : opts.delimiter!;
    const cell = opts.csv ? csvCell : (s: string) => s;
    if (!opts.noHeader) lines.push(columns.map((c) => c.name).join(d));
    for (const o of objects) lines.push(columns.map((c) => cell(c.value(o))).join(d));
    return lines;
  }
  if (!opts.noHeader) lines.push(emphasize(columns.map((c) => pad(c.name, c.width, c.left === true)).join(' ').trimEnd()));
  // One string per row, without an array per row: 100,000 rows of `onevm list`.
  for (const o of objects) {
    let line = '';
    for (let i = 0; i < columns.length; i++) {
      const c = columns[i]!;
      line += i === 0 ? pad(c.value(o), c.width, c.left === true) : ` ${pad(c.value(o), c.width, c.left === true)}`;
    }
    lines.push(line.trimEnd());
  }
  return lines;
}

/**
 * A listing: table (fits 80 columns, OpenNebula's widths), or --list A,B --no-header --delimiter --csv --json --yaml --xml --filter KEY=VALUE --search TEXT. `xml`: the pool document as oned sent it; `root`: its member element (`HOST`), an array in --json even when there is one.
 */
export function printList<T>(ctx: CliContext, columns: Column<T>[], objects: T[], xml: string, root: string): void {
  const o = ctx.options;
  if (structured(ctx, xml, [root])) return;
  const shown = selectColumns(columns, typeof o.list === 'string' ? o.list : undefined);
  const conditions = parseFilter(columns, o.filter as string | string[] | undefined);
  const search = typeof o.search === 'string' ? o.search.toLowerCase() : undefined;
  const rows =
    conditions.length === 0 && search === undefined
      ? objects
      : objects.filter((obj) => conditions.every((c) => holds(c, obj)) && (search === undefined || columns.some((c) => c.value(obj).toLowerCase().includes(search))));
  const lines = tableLines(shown, rows, { noHeader: o['no-header'] === true, delimiter: typeof o.delimiter === 'string' ? o.delimiter : undefined, csv: o.csv === true });
  if (lines.length) ctx.print(lines.join('\n'));
}

/** --xml / --json / --yaml of a document; false when none was asked for. */
function structured(ctx: CliContext, xml: string, arrays: readonly string[] = []): boolean {
  const o = ctx.options;
  if (o.xml === true) ctx.print(xml);
  else if (o.json === true) ctx.print(JSON.stringify(xmlToJson(xml, arrays), null, 2));
  else if (o.yaml === true) ctx.print(toYaml(xmlToJson(xml, arrays)));
  else return false;
  return true;
}

/** A `show`: --xml / --json / --yaml of the object's XML, else `sections` as OpenNebula's show prints them. */
export function printShow(ctx: CliContext, xml: string, sections: () => string): void {
  if (!structured(ctx, xml)) ctx.print(sections());
}

type Json = string | Json[] | { [k: string]: Json };

function nodeToJson(node: XmlNode): Json {
  if (node.children.length === 0) return node.text;
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const c of node.children) (seen.has(c.name) ? repeated : seen).add(c.name);
  const out: { [k: string]: Json } = {};
  for (const c of node.children) {
    if (repeated.has(c.name)) ((out[c.name] ??= []) as Json[]).push(nodeToJson(c));
    else out[c.name] = nodeToJson(c);
  }
  return out;
}

/**
 * XML to JSON the way OpenNebula's `--json` does (`{"VM": {...}}`, repeated elements as arrays).
 * Children of the root named in `arrays` are arrays even when there is one or none (a pool's
 * members: scripts need not tell one VM from several, an empty pool is `{"VM_POOL": {"VM": []}}`).
 */
export function xmlToJson(xml: string, arrays: readonly string[] = []): unknown {
  const root = parseXmlTree(xml);
  const body = nodeToJson(root);
  if (arrays.length === 0) return { [root.name]: body };
  const obj: { [k: string]: Json } = typeof body === 'object' && !Array.isArray(body) ? body : {};
  for (const name of arrays) {
    const v = obj[name];
    obj[name] = v === undefined ? [] : Array.isArray(v) ? v : [v];
  }
  return { [root.name]: obj };
}

const PLAIN = /^[A-Za-z_/.][\w ./:@-]*$/;

function yamlScalar(s: string): string {
  return PLAIN.test(s) && !/^(true|false|null|yes|no|on|off|~)$/i.test(s) && !s.endsWith(' ') ? s : JSON.stringify(s);
}

/** YAML of the JSON of an XML document (what --yaml prints). */
export function toYaml(value: unknown): string {
  const lines = ['---'];
  const walk = (v: unknown, indent: string): void => {
    for (const [k, child] of Object.entries(v as Record<string, unknown>)) {
      if (typeof child === 'string') lines.push(`${indent}${k}: ${yamlScalar(child)}`);
      else if (Array.isArray(child)) {
        lines.push(`${indent}${k}:`);
        for (const item of child) {
          if (typeof item === 'string') lines.push(`${indent}- ${yamlScalar(item)}`);
          else {
            const start = lines.length;
            walk(item, `${indent}  `);
            if (lines.length === start) lines.push(`${indent}- {}`);
            else lines[start] = `${indent}- ${lines[start]!.slice(indent.length + 2)}`;
          }
        }
      } else {
        const start = lines.length;
        lines.push(`${indent}${k}:`);
        walk(child, `${indent}  `);
        if (lines.length === start + 1) lines[start] += ' {}';
      }
    }
  };
  walk(value, '');
  return lines.join('\n');
}

/** The title line of a show section (`HOST 0 INFORMATION`). */
export function showHeader(title: string): string {
  return emphasize(title);
}

/** A `NAME           : value` line of a show section (names padded to `width`). */
export function showField(name: string, value: string | number, width = 16): string {
  return `${name.padEnd(width)}: ${value}`;
}

/**
 * The attributes of a TEMPLATE element as OpenNebula's show prints them: `KEY="value"`, and
 * vectors as `KEY=[` ... `]` with one `SUB="value"` per line.
 */
export function templateLines(template: XmlNode | undefined): string[] {
  const q = (s: string) => `"${s.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
  const lines: string[] = [];
  for (const a of template?.children ?? []) {
    if (a.children.length === 0) lines.push(`${a.name}=${q(a.text)}`);
    else lines.push(`${a.name}=[`, a.children.map((s) => `  ${s.name}=${q(s.text)}`).join(',\n'), ']');
  }
  return lines;
}
