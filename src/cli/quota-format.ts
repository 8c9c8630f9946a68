/**
 * Quotas as `oneuser`/`onegroup` print them: `used / limit` cells in listings and the usage &
 * quotas sections of `show`. A limit of -1 means the pool's default (`DEFAULT_USER_QUOTAS`,
 * `DEFAULT_GROUP_QUOTAS`), -2 or a default of -1/-2 means unlimited, printed `-`.
 */
import { child, childText, type XmlNode } from '../common/xml-tree.js';
import { size } from './format.js';

/** Quota blocks of one user or group: its element (show) or its pool's `QUOTAS` entry (list). */
export interface QuotaSource {
  readonly quotas?: XmlNode;
  /** `DEFAULT_USER_QUOTAS` / `DEFAULT_GROUP_QUOTAS`. */
  readonly defaults?: XmlNode;
}

/** `QUOTAS` entries of a `USER_POOL`/`GROUP_POOL` document by the object id. */
export function quotasById(pool: XmlNode): Map<string, XmlNode> {
  return new Map(pool.children.filter((c) => c.name === 'QUOTAS').map((q) => [childText(q, 'ID'), q]));
}

/** A size given in MB as OpenNebula's CLI shows sizes (`512M`, `1.5G`). */
const formatMb = (mb: number) => size(mb, 'M');

/** The effective limit of `path` (`VM_QUOTA/VM/CPU`): a number, or undefined when unlimited. */
function limitOf(block: XmlNode, defaults: XmlNode | undefined, defaultPath: string, metric: string): number | undefined {
  let limit = Number(childText(block, metric) || '-1');
  if (limit === -1) {
    let d: XmlNode | undefined = defaults;
    for (const name of defaultPath.split('/')) d = d && child(d, name);
    limit = d ? Number(childText(d, metric) || '-2') : -2;
  }
  return limit < 0 ? undefined : limit;
}

/** `used / limit` with `fmt` for both, `-` for an unlimited limit, padded to `width / width`. */
function cell(block: XmlNode, defaults: XmlNode | undefined, defaultPath: string, metric: string, width: number, fmt: (n: number) => string): string {
  const used = fmt(Number(childText(block, `${metric}_USED`) || '0'));
  const limit = limitOf(block, defaults, defaultPath, metric);
  return `${used.padStart(width)} / ${(limit === undefined ? '-' : fmt(limit)).padStart(width)}`;
}

const cpuText = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2).replace(/0$/, ''));

/** No VM quota entry yet: nothing used, the default limits. */
const NO_VM_QUOTA: XmlNode = { name: 'VM', children: [], text: '' };

/** The VMS, MEMORY and CPU cells of a listing. */
export function vmQuotaCells(src: QuotaSource): { vms: string; memory: string; cpu: string } {
  const vm = (src.quotas && child(child(src.quotas, 'VM_QUOTA') ?? src.quotas, 'VM')) ?? NO_VM_QUOTA;
  return {
    vms: cell(vm, src.defaults, 'VM_QUOTA/VM', 'VMS', 3, String),
    memory: cell(vm, src.defaults, 'VM_QUOTA/VM', 'MEMORY', 7, formatMb),
    cpu: cell(vm, src.defaults, 'VM_QUOTA/VM', 'CPU', 4, cpuText),
  };
}

/** One quota table of `show`: a heading, a header line and one line per entry. */
function table(title: string, header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join('  ').trimEnd();
  return [title, line(header), ...rows.map(line)].join('\n');
}

/** The usage & quotas sections of `oneuser show` / `onegroup show` (`kind`: `USER`, `GROUP`). */
export function quotaSections(src: QuotaSource): string {
  const q = src.quotas;
  if (!q) return '';
  const d = src.defaults;
  const out: string[] = [];
  const vm = child(child(q, 'VM_QUOTA') ?? q, 'VM');
  if (vm) {
    out.push(table('VMS USAGE & QUOTAS', ['VMS', 'MEMORY', 'CPU', 'SYSTEM_DISK_SIZE'], [[
      cell(vm, d, 'VM_QUOTA/VM', 'VMS', 0, String),
      cell(vm, d, 'VM_QUOTA/VM', 'MEMORY', 0, formatMb),
      cell(vm, d, 'VM_QUOTA/VM', 'CPU', 0, cpuText),
      cell(vm, d, 'VM_QUOTA/VM', 'SYSTEM_DISK_SIZE', 0, formatMb),
    ]]));
  }
  const entries = (block: string, entry: string) => child(q, block)?.children.filter((c) => c.name === entry) ?? [];
  const ds = entries('DATASTORE_QUOTA', 'DATASTORE');
  if (ds.length > 0) {
    out.push(table('DATASTORE USAGE & QUOTAS', ['ID', 'IMAGES', 'SIZE'],
      ds.map((e) => [childText(e, 'ID'), cell(e, d, 'DATASTORE_QUOTA/DATASTORE', 'IMAGES', 0, String), cell(e, d, 'DATASTORE_QUOTA/DATASTORE', 'SIZE', 0, formatMb)])));
  }
  const net = entries('NETWORK_QUOTA', 'NETWORK');
  if (net.length > 0) {
    out.push(table('NETWORK USAGE & QUOTAS', ['ID', 'LEASES'],
      net.map((e) => [childText(e, 'ID'), cell(e, d, 'NETWORK_QUOTA/NETWORK', 'LEASES', 0, String)])));
  }
  const img = entries('IMAGE_QUOTA', 'IMAGE');
  if (img.length > 0) {
    out.push(table('IMAGE USAGE & QUOTAS', ['ID', 'RUNNING_VMS'],
      img.map((e) => [childText(e, 'ID'), cell(e, d, 'IMAGE_QUOTA/IMAGE', 'RVMS', 0, String)])));
  }
  return out.join('\n\n');
}
