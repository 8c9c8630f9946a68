/**
 * The pieces of the `show` views of VMs, templates, images and networks, on top of the
 * framework's show fields: sections, small tables, and the units of sizes and times.
 */
import type { XmlNode } from '../../common/xml-tree.js';
import type { OneObject } from '../../oca/index.js';
import { permissionTriples } from '../format.js';
import { showField, showHeader, templateLines } from '../output.js';

/** Aligned `KEY : value` lines (the framework's show fields). */
export function pairs(rows: ReadonlyArray<readonly [string, string]>): string {
  return rows.map(([k, v]) => showField(k, v)).join('\n');
}

/** A section: its title, a body and an empty line after it. */
export function section(heading: string, body: string): string {
  return `${showHeader(heading)}\n${body}\n`;
}

/** A TEMPLATE element in template syntax, as the framework prints templates. */
export function templateText(node: XmlNode | undefined): string {
  return templateLines(node).join('\n');
}

/** A duration in seconds as `Dd HH:MM:SS` (the TIME column of `onevm list`). */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const d = Math.floor(s / 86400);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d}d ${pad(Math.floor((s % 86400) / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
}

/** Permission lines of a show view (`OWNER : um-`). */
export function permissionRows(obj: OneObject): Array<[string, string]> {
  const [owner, group, other] = permissionTriples(obj.permissions);
  return [['OWNER', owner], ['GROUP', group], ['OTHER', other]];
}

/** A small table inside a show view (disks, NICs, history): fixed widths, cut to fit. */
export function subTable(columns: ReadonlyArray<readonly [string, number, 'left'?]>, rows: string[][]): string {
  const cell = (text: string, [, width, left]: readonly [string, number, 'left'?]) => {
    const t = text.length > width ? text.slice(0, width) : text;
    return left ? t.padEnd(width) : t.padStart(width);
  };
  return [columns.map((c) => cell(c[0], c)), ...rows.map((r) => r.map((v, i) => cell(v, columns[i]!)))]
    .map((r) => r.join(' ').trimEnd())
    .join('\n');
}
