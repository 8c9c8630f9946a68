import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accumulate, calculateShowback, formatAmount, monthSlots, monthTime, showbackRecordsXml, showbackWindow, spanFromHistory, type CostSpan } from './showback.js';
import type { Row, SqlValue } from '../db/database.js';

const H = 3600;

function span(over: Partial<CostSpan>): CostSpan {
  return {
    vid: 1, stime: 0, etime: 0, rstime: 0, retime: 0, cpu: 1, memory: 1024, disk: 0,
    cpuCost: 0, memoryCost: 0, diskCost: 0, vmname: 'vm', uid: 2, gid: 1, uname: 'alice', gname: 'users',
    ...over,
  };
}

function historyBody(h: { vid: number; seq: number; stime: number; etime: number; rstime?: number; retime?: number }, template: string): string {
  return (
    `<HISTORY><OID>${h.vid}</OID><SEQ>${h.seq}</SEQ><STIME>${h.stime}</STIME><ETIME>${h.etime}</ETIME>` +
    `<RSTIME>${h.rstime ?? h.stime}</RSTIME><RETIME>${h.retime ?? h.etime}</RETIME>` +
    `<VM><ID>${h.vid}</ID><UID>2</UID><GID>1</GID><UNAME>alice</UNAME><GNAME>users</GNAME><NAME>web &amp; db</NAME><TEMPLATE>${template}</TEMPLATE></VM></HISTORY>`
  );
}

test('a history record reads CPU, MEMORY, disk sizes with snapshots and the costs; defaults when unset', () => {
  const s = spanFromHistory(
    historyBody({ vid: 7, seq: 0, stime: 100, etime: 200 }, '<CPU>0.5</CPU><MEMORY>2048</MEMORY><DISK><SIZE>1000</SIZE><DISK_SNAPSHOT_TOTAL_SIZE>24</DISK_SNAPSHOT_TOTAL_SIZE></DISK><DISK><SIZE>500</SIZE></DISK><CPU_COST>2</CPU_COST>'),
    { cpu: 9, memory: 0.5, disk: 0.25 },
  );
  assert.equal(s.vid, 7);
  assert.equal(s.cpu, 0.5);
  assert.equal(s.memory, 2048);
  assert.equal(s.disk, 1524);
  assert.deepEqual([s.cpuCost, s.memoryCost, s.diskCost], [2, 0.5, 0.25]);
  assert.deepEqual([s.vmname, s.uid, s.gid, s.uname, s.gname], ['web & db', 2, 1, 'alice', 'users']);
});

test('month slots run from the first of the start month to the end, the last one cut at the end', () => {
  const start = monthTime(11, 2025) + 5 * 24 * H;
  const end = monthTime(2, 2026) + 10 * H;
  assert.deepEqual(monthSlots(start, end), [monthTime(11, 2025), monthTime(12, 2025), monthTime(1, 2026), monthTime(2, 2026), end]);
  assert.equal(monthTime(13, 2025), monthTime(1, 2026));
});

test('records spanning months are split by month; CPU per CPU-hour, memory per MB-hour, disk per MB-hour', () => {
  const jan = monthTime(1, 2026);
  const feb = monthTime(2, 2026);
  const mar = monthTime(3, 2026);
  const slots = monthSlots(jan, mar);
  // 10 hours in January, 4 hours in February; then a second record of 2 hours in February.
  const spans = [
    span({ stime: feb - 10 * H, etime: feb + 4 * H, cpu: 2, memory: 512, disk: 100, cpuCost: 1, memoryCost: 0.01, diskCost: 0.001 }),
    span({ stime: feb + 10 * H, etime: feb + 12 * H, rstime: feb + 11 * H, retime: feb + 12 * H, cpu: 2, memory: 512, disk: 100, cpuCost: 1, memoryCost: 0.01, diskCost: 0.001 }),
  ];
  const vms = accumulate(spans, slots, false);
  const vm = vms.get(1)!;
  assert.deepEqual([...vm.months.keys()], [jan, feb]);
  const j = vm.months.get(jan)!;
  assert.equal(j.hours, 10);
  assert.equal(j.cpuCost, 20);
  assert.ok(Math.abs(j.memoryCost - 51.2) < 1e-9);
  assert.ok(Math.abs(j.diskCost - 1) < 1e-9);
  assert.equal(j.rhours, 0, 'RSTIME unset: no running hours');
  const f = vm.months.get(feb)!;
  assert.equal(f.hours, 6);
  assert.equal(f.cpuCost, 12);
  assert.equal(f.rhours, 1);
  // Only running: CPU and memory for the running hours only; disk for the whole record.
  const running = accumulate(spans, slots, true).get(1)!.months.get(feb)!;
  assert.equal(running.cpuCost, 2);
  assert.ok(Math.abs(running.diskCost - 0.6) < 1e-9);
});

test('a VM still running (ETIME 0) counts up to the end of the window; costs are 0 when unset', () => {
  const start = monthTime(6, 2026) + 24 * H;
  const now = start + 5 * H;
  const vm = accumulate([span({ stime: start, etime: 0, rstime: start + H, retime: 0 })], monthSlots(start, now), false).get(1)!;
  const m = vm.months.get(monthTime(6, 2026))!;
  assert.equal(m.hours, 5);
  assert.equal(m.rhours, 4);
  assert.deepEqual([m.cpuCost, m.memoryCost, m.diskCost], [0, 0, 0]);
});

test('amounts print like OpenNebula: whole numbers bare, others with two decimals', () => {
  assert.equal(formatAmount(0), '0');
  assert.equal(formatAmount(12), '12');
  assert.equal(formatAmount(51.2), '51.20');
  assert.equal(formatAmount(1 / 3), '0.33');
});

/** A fake database answering the two queries showback makes, over rows kept in memory. */
function fakeDb(history: { vid: number; seq: number; stime: number; etime: number; body: string }[], showback: Row[] = []) {
  return {
    async query(sql: string, params: readonly SqlValue[] = []): Promise<Row[]> {
      if (sql.startsWith('SELECT MIN(stime)')) return [{ t: history.length ? Math.min(...history.map((h) => h.stime)) : null }];
      if (sql.includes('FROM history')) {
        const [start, end] = params as number[];
        return history.filter((h) => (h.etime > start! || h.etime === 0) && h.stime < end!).map((h) => ({ body: h.body }));
      }
      return showback;
    },
  };
}

test('calculate: the window defaults to the oldest record up to now, and each VM-month becomes a vm_showback row', async () => {
  const jan = monthTime(1, 2026);
  const h = { vid: 3, seq: 0, stime: jan + 24 * H, etime: jan + 34 * H };
  const db = fakeDb([{ ...h, body: historyBody(h, '<CPU>1</CPU><MEMORY>1024</MEMORY><CPU_COST>3</CPU_COST>') }]);
  const now = monthTime(3, 2026) + H;
  const window = await showbackWindow(db, now, -1, -1, -1, -1);
  assert.deepEqual(window, { start: h.stime, end: now });
  assert.deepEqual(await showbackWindow(db, now, 12, 2025, 1, 2026), { start: monthTime(12, 2025), end: monthTime(2, 2026) });
  assert.deepEqual(await showbackWindow(db, now, 12, 2025, 12, 2030), { start: monthTime(12, 2025), end: now }, 'never beyond now');
  const writes = await calculateShowback(db, window, { cpu: 0, memory: 0, disk: 0 }, false);
  assert.equal(writes.length, 1);
  const w = writes[0]!;
  assert.equal(w.kind, 'upsert');
  if (w.kind !== 'upsert') return;
  assert.equal(w.table, 'vm_showback');
  assert.deepEqual({ vmid: w.row.vmid, year: w.row.year, month: w.row.month }, { vmid: 3, year: 2026, month: 1 });
  assert.equal(
    w.row.body,
    '<SHOWBACK><VMID>3</VMID><VMNAME>web &amp; db</VMNAME><UID>2</UID><GID>1</GID><UNAME>alice</UNAME><GNAME>users</GNAME><YEAR>2026</YEAR><MONTH>1</MONTH>' +
      '<CPU_COST>30</CPU_COST><MEMORY_COST>0</MEMORY_COST><DISK_COST>0</DISK_COST><TOTAL_COST>30</TOTAL_COST><HOURS>10</HOURS><RHOURS>10</RHOURS></SHOWBACK>',
  );
});

test('listing keeps the visible VMs only, inside <SHOWBACK_RECORDS>', async () => {
  const db = fakeDb([], [{ vmid: 1, body: '<SHOWBACK><VMID>1</VMID></SHOWBACK>' }, { vmid: 2, body: '<SHOWBACK><VMID>2</VMID></SHOWBACK>' }]);
  assert.equal(await showbackRecordsXml(db, (vid) => vid === 2, -1, -1, -1, -1), '<SHOWBACK_RECORDS><SHOWBACK><VMID>2</VMID></SHOWBACK></SHOWBACK_RECORDS>');
});
