/**
 * Showback: the monthly cost of each VM, worked out from its history records and kept in the
 * `vm_showback` table (one row per VM and month, the `<SHOWBACK>` XML in `body`), as
 * `one.vmpool.calculateshowback` computes it and `one.vmpool.showback` lists it.
 *
 * Costs are per hour: CPU_COST per CPU, MEMORY_COST per MB of MEMORY, DISK_COST per MB of disk
 * (the DISK sizes plus their snapshots), each read from the VM's TEMPLATE as the history record
 * copied it, or oned.conf's DEFAULT_COST when the VM sets none. A record counts from its STIME
 * to its ETIME (0: still open, so up to the end of the window, at most now); RHOURS counts its
 * running period (RSTIME to RETIME). With SHOWBACK_ONLY_RUNNING, CPU and memory are charged for
 * the running period only. Months are calendar months in oned's local time.
 */
import { child, childInt, childText, parseXmlTree, select, type XmlNode } from '../common/xml-tree.js';
import { xmlElement } from '../common/xml.js';
import type { Database, Write } from '../db/database.js';
import { HISTORY_TABLE } from './history.js';

/** The `vm_showback` table. */
export const SHOWBACK_TABLE = 'vm_showback';

/** Costs per hour applied when a VM's template sets none (oned.conf `DEFAULT_COST`). */
export interface CostDefaults {
  readonly cpu: number;
  readonly memory: number;
  readonly disk: number;
}

export const NO_COST: CostDefaults = { cpu: 0, memory: 0, disk: 0 };

/** What showback needs of one history record. Times are epoch seconds, 0 when unset. */
export interface CostSpan {
  readonly vid: number;
  readonly stime: number;
  readonly etime: number;
  readonly rstime: number;
  readonly retime: number;
  readonly cpu: number;
  /** MB. */
  readonly memory: number;
  /** MB: disk sizes and their snapshots. */
  readonly disk: number;
  readonly cpuCost: number;
  readonly memoryCost: number;
  readonly diskCost: number;
  readonly vmname: string;
  readonly uid: number;
  readonly gid: number;
  readonly uname: string;
  readonly gname: string;
}

/** Totals of one VM in one month. */
export interface MonthTotals {
  cpuCost: number;
  memoryCost: number;
  diskCost: number;
  hours: number;
  rhours: number;
}

/** One VM's showback: who it belongs to, and its totals by month (keyed by the month's first second). */
export interface VmShowback {
  readonly vid: number;
  vmname: string;
  uid: number;
  gid: number;
  uname: string;
  gname: string;
  readonly months: Map<number, MonthTotals>;
}

function num(text: string, fallback: number): number {
  if (text.trim() === '') return fallback;
  const n = Number(text);
  return Number.isFinite(n) ? n : fallback;
}

/** Reads a `history` row's body (a `<HISTORY>` with the VM nested) into a span. */
export function spanFromHistory(body: string | XmlNode, defaults: CostDefaults = NO_COST): CostSpan {
  const h = typeof body === 'string' ? parseXmlTree(body) : body;
  const vm = child(h, 'VM');
  const tmpl = vm ? child(vm, 'TEMPLATE') : undefined;
  const t = (name: string) => (tmpl ? childText(tmpl, name) : '');
  let disk = 0;
  for (const d of tmpl ? select(tmpl, 'DISK') : []) disk += num(childText(d, 'SIZE'), 0) + num(childText(d, 'DISK_SNAPSHOT_TOTAL_SIZE'), 0);
  return {
    vid: childInt(h, 'OID', -1),
    stime: childInt(h, 'STIME'),
    etime: childInt(h, 'ETIME'),
    rstime: childInt(h, 'RSTIME'),
    retime: childInt(h, 'RETIME'),
    cpu: num(t('CPU'), 0),
    memory: Math.trunc(num(t('MEMORY'), 0)),
    disk,
    cpuCost: num(t('CPU_COST'), defaults.cpu),
    memoryCost: num(t('MEMORY_COST'), defaults.memory),
    diskCost: num(t('DISK_COST'), defaults.disk),
    vmname: vm ? childText(vm, 'NAME') : '',
    uid: vm ? childInt(vm, 'UID', -1) : -1,
    gid: vm ? childInt(vm, 'GID', -1) : -1,
    uname: vm ? childText(vm, 'UNAME') : '',
    gname: vm ? childText(vm, 'GNAME') : '',
  };
}

/** First second (local time) of the month of `time`. */
export function monthStart(time: number): number {
  const d = new Date(time * 1000);
  return new Date(d.getFullYear(), d.getMonth(), 1).getTime() / 1000;
}

/** First second (local time) of a month given as 1..12 and a year; month 13 is January next year. */
export function monthTime(month: number, year: number): number {
  return new Date(year, month - 1, 1).getTime() / 1000;
}

/** Month boundaries from the month of `start` up to `end`: each month's start, then `end`. */
export function monthSlots(start: number, end: number): number[] {
  const slots: number[] = [];
  const d = new Date(start * 1000);
  for (let m = new Date(d.getFullYear(), d.getMonth(), 1); m.getTime() / 1000 < end; m = new Date(m.getFullYear(), m.getMonth() + 1, 1)) {
    slots.push(m.getTime() / 1000);
  }
  slots.push(end);
  return slots;
}

/**
 * Adds each span's costs to its VM's months between the slots (from {@link monthSlots}). Spans
 * still open (ETIME 0) count up to the end of each month, the last one ending at the window's end.
 */
export function accumulate(spans: Iterable<CostSpan>, slots: readonly number[], onlyRunning: boolean, into = new Map<number, VmShowback>()): Map<number, VmShowback> {
  for (const s of spans) {
    let vm = into.get(s.vid);
    if (!vm) into.set(s.vid, (vm = { vid: s.vid, vmname: '', uid: -1, gid: -1, uname: '', gname: '', months: new Map() }));
    // The latest record names the VM and its owner.
    vm.vmname = s.vmname;
    vm.uid = s.uid;
    vm.gid = s.gid;
    vm.uname = s.uname;
    vm.gname = s.gname;
    for (let i = 0; i + 1 < slots.length; i++) {
      const from = slots[i]!;
      const to = slots[i + 1]!;
      const add = (st: number, et: number, what: { cpuMem: boolean; disk: boolean; running: boolean }) => {
        if (st === 0 || st > to || (et !== 0 && et <= from)) return;
        const hours = ((et === 0 ? to : Math.min(to, et)) - Math.max(from, st)) / 3600;
        let m = vm.months.get(from);
        if (!m) vm.months.set(from, (m = { cpuCost: 0, memoryCost: 0, diskCost: 0, hours: 0, rhours: 0 }));
        if (what.cpuMem) {
          m.cpuCost += s.cpuCost * s.cpu * hours;
          m.memoryCost += s.memoryCost * s.memory * hours;
        }
        if (what.disk) {
          m.diskCost += s.diskCost * s.disk * hours;
          m.hours += hours;
        }
        if (what.running) m.rhours += hours;
      };
      add(s.stime, s.etime, { cpuMem: !onlyRunning, disk: true, running: false });
      add(s.rstime, s.retime, { cpuMem: onlyRunning, disk: false, running: true });
    }
  }
  return into;
}

/** A cost or a number of hours as OpenNebula prints them: whole numbers bare, others with two decimals. */
export function formatAmount(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(2);
}

/** The `<SHOWBACK>` element of one VM and month. */
export function showbackXml(vm: VmShowback, month: number, t: MonthTotals): string {
  const d = new Date(month * 1000);
  return (
    `<SHOWBACK><VMID>${vm.vid}</VMID>${xmlElement('VMNAME', vm.vmname)}<UID>${vm.uid}</UID><GID>${vm.gid}</GID>` +
    `${xmlElement('UNAME', vm.uname)}${xmlElement('GNAME', vm.gname)}<YEAR>${d.getFullYear()}</YEAR><MONTH>${d.getMonth() + 1}</MONTH>` +
    `<CPU_COST>${formatAmount(t.cpuCost)}</CPU_COST><MEMORY_COST>${formatAmount(t.memoryCost)}</MEMORY_COST>` +
    `<DISK_COST>${formatAmount(t.diskCost)}</DISK_COST><TOTAL_COST>${formatAmount(t.cpuCost + t.memoryCost + t.diskCost)}</TOTAL_COST>` +
    `<HOURS>${formatAmount(t.hours)}</HOURS><RHOURS>${formatAmount(t.rhours)}</RHOURS></SHOWBACK>`
  );
}

/**
 * The window `one.vmpool.calculateshowback` covers: from the first day of the first month (or
 * of the month of the oldest history record when unset) to the first day after the last month
 * (or now; never beyond now).
 */
export async function showbackWindow(
  db: Pick<Database, 'query'>,
  now: number,
  startMonth: number,
  startYear: number,
  endMonth: number,
  endYear: number,
): Promise<{ start: number; end: number }> {
  let start = now;
  if (startMonth !== -1 && startYear !== -1) start = monthTime(startMonth, startYear);
  else {
    const [row] = await db.query(`SELECT MIN(stime) AS t FROM ${HISTORY_TABLE}`);
    if (row && row.t !== null && row.t !== undefined) start = Number(row.t);
  }
  let end = now;
  if (endMonth !== -1 && endYear !== -1) end = Math.min(end, monthTime(endMonth + 1, endYear));
  return { start, end };
}

/** History rows read per query by {@link calculateShowback}. */
const HISTORY_CHUNK = 10_000;

/** Reads the history records of a window, computes the months and returns the `vm_showback` writes. */
export async function calculateShowback(
  db: Pick<Database, 'query'>,
  window: { start: number; end: number },
  defaults: CostDefaults,
  onlyRunning: boolean,
): Promise<Write[]> {
  const slots = monthSlots(window.start, window.end);
  const vms = new Map<number, VmShowback>();
  // In chunks, so that a large history is never held (and parsed) all at once.
  for (let offset = 0; ; offset += HISTORY_CHUNK) {
    const rows = await db.query(
      `SELECT body FROM ${HISTORY_TABLE} WHERE (etime > ? OR etime = 0) AND stime < ? ORDER BY vid, seq LIMIT ${HISTORY_CHUNK} OFFSET ${offset}`,
      [window.start, window.end],
    );
    accumulate(
      rows.map((r) => spanFromHistory(String(r.body), defaults)),
      slots,
      onlyRunning,
      vms,
    );
    if (rows.length < HISTORY_CHUNK) break;
  }
  const writes: Write[] = [];
  for (const vm of vms.values()) {
    for (const [month, totals] of vm.months) {
      const d = new Date(month * 1000);
      writes.push({ kind: 'upsert', table: SHOWBACK_TABLE, row: { vmid: vm.vid, year: d.getFullYear(), month: d.getMonth() + 1, body: showbackXml(vm, month, totals) } });
    }
  }
  return writes;
}

/**
 * `<SHOWBACK_RECORDS>` of the VMs `visible` lets through, from the first month/year to the last
 * (each bound ignored when its month or year is -1), ordered by year, month and VM.
 */
export async function showbackRecordsXml(
  db: Pick<Database, 'query'>,
  visible: (vid: number) => boolean,
  startMonth: number,
  startYear: number,
  endMonth: number,
  endYear: number,
): Promise<string> {
  const where: string[] = [];
  const args: number[] = [];
  if (startMonth !== -1 && startYear !== -1) {
    where.push('(year > ? OR (year = ? AND month >= ?))');
    args.push(startYear, startYear, startMonth);
  }
  if (endMonth !== -1 && endYear !== -1) {
    where.push('(year < ? OR (year = ? AND month <= ?))');
    args.push(endYear, endYear, endMonth);
  }
  const rows = await db.query(
    `SELECT vmid, body FROM ${SHOWBACK_TABLE}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY year, month, vmid`,
    args,
  );
  let xml = '<SHOWBACK_RECORDS>';
  for (const r of rows) if (visible(Number(r.vmid))) xml += String(r.body);
  return `${xml}</SHOWBACK_RECORDS>`;
}
