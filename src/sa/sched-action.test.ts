import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkSchedAction, DueHeap, dueTime, isPending, nextTime, recordRun, SchedActionError } from './index.js';

const local = (y: number, mo: number, d: number, h = 10, mi = 30) => Math.floor(new Date(y, mo - 1, d, h, mi).getTime() / 1000);
const sa = (o: Record<string, string>) => new Map(Object.entries(o));

test('TIME: epoch seconds, or "+N" after the VM start; pending until DONE reaches it', () => {
  assert.equal(dueTime(sa({ TIME: '1000' }), 50), 1000);
  assert.equal(dueTime(sa({ TIME: '+60' }), 50), 110);
  assert.equal(isPending(sa({ TIME: '1000', DONE: '-1' }), 0), true);
  assert.equal(isPending(sa({ TIME: '1000', DONE: '1001' }), 0), false);
  assert.equal(isPending(sa({ TIME: '2000', DONE: '1001' }), 0), true, 're-armed after its run');
});

test('weekly: the next listed weekday at TIME\'s time of day', () => {
  const mon = local(2030, 1, 7); // a Monday
  assert.equal(new Date(mon * 1000).getDay(), 1);
  assert.equal(nextTime(mon, 0, '1', mon), local(2030, 1, 14), 'same weekday: a week later');
  assert.equal(nextTime(mon, 0, '', mon), local(2030, 1, 14), 'no DAYS: TIME\'s weekday');
  assert.equal(nextTime(mon, 0, '1,3', mon), local(2030, 1, 9), 'Wednesday next');
  assert.equal(nextTime(mon, 0, '0,1', mon + 5 * 86400), local(2030, 1, 13), 'Sunday after a late start');
});

test('monthly, yearly and hourly', () => {
  const t = local(2030, 1, 31);
  assert.equal(nextTime(t, 1, '31', t), local(2030, 3, 31), 'February has no 31st');
  assert.equal(nextTime(t, 1, '1,15', t), local(2030, 2, 1));
  assert.equal(nextTime(t, 2, '', t), local(2031, 1, 31), 'yearly on TIME\'s day of the year');
  assert.equal(nextTime(t, 2, '0', t), local(2031, 1, 1));
  assert.equal(nextTime(1000, 3, '2', 1000), 1000 + 7200);
  assert.equal(nextTime(1000, 3, '2', 1000 + 3 * 7200 + 5), 1000 + 4 * 7200, 'missed runs are skipped');
  assert.equal(nextTime(1000, -1, '', 1000), null);
});

test('recordRun: DONE and MESSAGE; repeats re-arm until END_TYPE ends them', () => {
  const once = sa({ TIME: '1000', REPEAT: '-1', DONE: '-1' });
  assert.equal(recordRun(once, 0, 1001, ''), null);
  assert.deepEqual([once.get('DONE'), once.get('TIME'), isPending(once, 0)], ['1001', '1000', false]);

  const times = sa({ TIME: '1000', REPEAT: '3', DAYS: '1', END_TYPE: '1', END_VALUE: '2', DONE: '-1' });
  assert.equal(recordRun(times, 0, 1000, ''), 4600);
  assert.equal(times.get('END_VALUE'), '1');
  assert.equal(isPending(times, 0), true);
  assert.equal(recordRun(times, 0, 4600, 'Failed: x'), null, 'the last repetition');
  assert.deepEqual([times.get('END_VALUE'), times.get('MESSAGE'), isPending(times, 0)], ['0', 'Failed: x', false]);

  const until = sa({ TIME: '1000', REPEAT: '3', DAYS: '1', END_TYPE: '2', END_VALUE: '5000', DONE: '-1' });
  assert.equal(recordRun(until, 0, 1000, ''), 4600);
  assert.equal(recordRun(until, 0, 4600, ''), null, '8200 is past END_VALUE');

  const never = sa({ TIME: '+10', REPEAT: '3', DAYS: '1', END_TYPE: '0', DONE: '-1' });
  assert.equal(recordRun(never, 100, 200, ''), 3710, 'a relative TIME becomes absolute once re-armed');
});

test('checkSchedAction: defaults filled, "+N" made absolute; unknown action, bad TIME, DAYS, END refused; past times accepted', () => {
  const ok = checkSchedAction(sa({ ACTION: 'poweroff', TIME: '+60' }), { stime: 1000 });
  assert.deepEqual(Object.fromEntries(ok), { ACTION: 'poweroff', TIME: '1060', REPEAT: '-1', DAYS: '', END_TYPE: '-1', END_VALUE: '-1', DONE: '-1', MESSAGE: '', ARGS: '' });
  const bad = (o: Record<string, string>, re: RegExp) => assert.throws(() => checkSchedAction(sa(o), { stime: 0 }), (e: Error) => e instanceof SchedActionError && re.test(e.message));
  bad({ TIME: '2000' }, /No ACTION in template for Scheduled Action/);
  bad({ ACTION: 'explode', TIME: '2000' }, /ACTION "explode" is not supported/);
  bad({ ACTION: 'poweroff' }, /Unable to parse the time value or value is empty/);
  bad({ ACTION: 'poweroff', TIME: '12/24' }, /Unable to parse the time value .*"12\/24"/);
  bad({ ACTION: 'poweroff', TIME: '2000', REPEAT: '0' }, /Repeat set, but DAYS are empty/);
  bad({ ACTION: 'poweroff', TIME: '2000', REPEAT: '1', DAYS: '0' }, /from 1 to 31/);
  bad({ ACTION: 'poweroff', TIME: '2000', REPEAT: '3', DAYS: '1,2' }, /one number of hours/);
  bad({ ACTION: 'poweroff', TIME: '2000', REPEAT: '5', DAYS: '1' }, /Wrong REPEAT value: 5/);
  bad({ ACTION: 'poweroff', TIME: '2000', END_TYPE: '2' }, /END_TYPE set, but END_VALUE is empty/);
  bad({ ACTION: 'poweroff', TIME: '2000', END_TYPE: '5' }, /Wrong END_TYPE value: 5/);
  assert.equal(checkSchedAction(sa({ ACTION: 'poweroff', TIME: '5' }), { stime: 0 }).get('TIME'), '5', 'a past time is kept: it runs at once');
});

test('DueHeap gives the earliest first', () => {
  const h = new DueHeap();
  for (const [d, o] of [[5, 1], [1, 2], [9, 3], [3, 4], [1, 5]] as const) h.push(d, o);
  const out: number[] = [];
  for (let e = h.pop(); e; e = h.pop()) out.push(e.due);
  assert.deepEqual(out, [1, 1, 3, 5, 9]);
});
