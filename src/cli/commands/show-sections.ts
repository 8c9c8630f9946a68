/**
 * The pieces of the `show` views of VMs, templates, images and networks, on top of the
 * framework's show fields: sections, small tables, and the units of sizes and times.
 */
import type { XmlNode } from '../../common/xml-tree.js';
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

/** Kilobytes as OpenNebula's CLI shows them: `512M`, `1.5G`, `0K`. */
export function unitKb(kb: number): string {
  if (!Number.isFinite(kb) || kb <= 0) return '0K';
  const units = ['K', 'M', 'G', 'T'];
  let v = kb;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  const text = Number.isInteger(v) ? String(v) : v.toFixed(1).replace(/\.0$/, '');
  return `${text}${units[i]}`;
}

/** Megabytes, as `SIZE` of images and disks (`unitKb` of the same amount). */
export function unitMb(mb: number): string {
  return Number.isFinite(mb) && mb > 0 ? unitKb(mb * 1024) : '-';
}

/** A duration in seconds as `Dd HH:MM:SS` (the TIME column of `onevm list`). */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const d = Math.floor(s / 86400);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d}d ${pad(Math.floor((s % 86400) / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
}

/** Epoch seconds as `MM/DD HH:MM:SS` in local time ('-' for 0, "never"). */
export function shortDate(epoch: number): string {
  if (!Number.isFinite(epoch) || epoch <= 0) return '-';
  const t = new Date(epoch * 1000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(t.getMonth() + 1)}/${pad(t.getDate())} ${pad(t.getHours())}:${pad(t.getMinutes())}:${pad(t.getSeconds())}`;
}

/** Permission lines of a show view (`OWNER : um-`), from `PERMISSIONS/*`. */
export function permissionRows(get: (path: string) => string): Array<[string, string]> {
  return (['OWNER', 'GROUP', 'OTHER'] as const).map((who) => [
    who,
    (['U', 'M', 'A'] as const).map((b) => (get(`PERMISSIONS/${who}_${b}`) === '1' ? b.toLowerCase() : '-')).join(''),
  ]);
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
