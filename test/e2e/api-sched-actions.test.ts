/**
 * Scheduled actions end to end on the dummy drivers: a poweroff then a resume run on time, an
 * action whose time passes while oned is stopped runs once after the restart (late, and says
 * so), a weekly action re-arms a week ahead, and bad input is refused with nothing changed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { childInt, type XmlNode } from '../../src/common/xml-tree.js';
import type { Oned } from './harness.js';
import { Code, all, must, okId, okXml, onFeatureBackends, refused, sleep } from './api-helpers.js';

const S = { ACTIVE: 3, POWEROFF: 8 } as const;
const RUNNING = 3;
const WEEK = 7 * 86400;
const nowSec = () => Math.floor(Date.now() / 1000);

/** Waits for a line of the VM's vm.log (written a moment after the VM's record), then asserts it. */
async function logShows(oned: Oned, id: number, line: RegExp): Promise<void> {
  for (let i = 0; i < 100 && !line.test(vmLog(oned, id)); i++) await sleep(50);
  assert.match(vmLog(oned, id), line);
}

async function vm(oned: Oned, id: number): Promise<XmlNode> {
  return okXml(oned, 'one.vm.info', [id]);
}

async function waitState(oned: Oned, id: number, state: number, lcm = 0, ms = 12000): Promise<XmlNode> {
  const until = Date.now() + ms;
  let v: XmlNode;
  do {
    v = await vm(oned, id);
    if (childInt(v, 'STATE') === state && (state !== S.ACTIVE || childInt(v, 'LCM_STATE') === lcm)) return v;
    await sleep(50);
  } while (Date.now() < until);
  assert.fail(`VM ${id} should reach ${state}/${lcm}, is ${childInt(v, 'STATE')}/${childInt(v, 'LCM_STATE')}`);
}

/** The VM's SCHED_ACTIONs as records of their attributes. */
function actions(v: XmlNode): Record<string, string>[] {
  return all(must(v, 'TEMPLATE'), 'SCHED_ACTION').map((sa) => Object.fromEntries(sa.children.map((c) => [c.name, c.text])));
}

async function waitDone(oned: Oned, id: number, saId: number, ms = 12000): Promise<Record<string, string>> {
  const until = Date.now() + ms;
  for (;;) {
    const sa = actions(await vm(oned, id)).find((a) => a['ID'] === String(saId));
    if (sa && Number(sa['DONE']) > 0) return sa;
    if (Date.now() > until) assert.fail(`scheduled action ${saId} of VM ${id} did not run: ${JSON.stringify(sa)}`);
    await sleep(100);
  }
}

function vmLog(oned: Oned, id: number): string {
  const file = join(oned.location, 'var', 'vms', String(id), 'vm.log');
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}

onFeatureBackends('scheduled actions', (oned) => {
  let host = -1;

  async function runningVm(extra = ''): Promise<number> {
    const o = oned();
    const id = await okId(o, 'one.vm.allocate', [`CPU = 0.1\nMEMORY = 16\n${extra}`]);
    await okId(o, 'one.vm.deploy', [id, host]);
    await waitState(o, id, S.ACTIVE, RUNNING);
    return id;
  }

  test('setup: a dummy host and the system datastore on the dummy TM', async () => {
    await okId(oned(), 'one.datastore.update', [0, 'TM_MAD = "dummy"', 1]);
    host = await okId(oned(), 'one.host.allocate', ['sa-host', 'dummy', 'dummy', -1]);
  });

  test('a scheduled poweroff then resume run on time; DONE recorded, ids under SCHED_ACTIONS', async () => {
    const o = oned();
    const id = await runningVm();
    const t0 = nowSec();
    const off = await okId(o, 'one.vm.schedadd', [id, `SCHED_ACTION = [ ACTION = "poweroff", TIME = "${t0 + 2}" ]`]);
    const on = await okId(o, 'one.vm.schedadd', [id, `SCHED_ACTION = [ ACTION = "resume", TIME = "${t0 + 4}" ]`]);
    assert.equal(on, off + 1);
    const before = await vm(o, id);
    assert.deepEqual(all(must(before, 'SCHED_ACTIONS'), 'ID').map((n) => n.text), [String(off), String(on)]);
    const sa0 = actions(before)[0]!;
    assert.deepEqual(Object.keys(sa0).sort(), ['ACTION', 'ARGS', 'DAYS', 'DONE', 'END_TYPE', 'END_VALUE', 'ID', 'MESSAGE', 'PARENT_ID', 'REPEAT', 'TIME', 'TYPE']);
    assert.deepEqual([sa0['ID'], sa0['PARENT_ID'], sa0['TYPE'], sa0['ACTION'], sa0['TIME'], sa0['REPEAT'], sa0['DONE']], [String(off), String(id), 'VM', 'poweroff', String(t0 + 2), '-1', '-1']);
    assert.equal(childInt(before, 'STATE'), S.ACTIVE, 'nothing runs before its time');
    await waitState(o, id, S.POWEROFF);
    const offAt = nowSec();
    assert.ok(offAt >= t0 + 2 && offAt <= t0 + 4, `poweroff ran at +${offAt - t0}s`);
    const done0 = await waitDone(o, id, off);
    assert.ok(Number(done0['DONE']) >= t0 + 2, 'DONE is when it ran');
    assert.equal(done0['MESSAGE'], '');
    await waitState(o, id, S.ACTIVE, RUNNING);
    assert.ok(nowSec() >= t0 + 4, 'resume ran no earlier than its time');
    const done1 = await waitDone(o, id, on);
    assert.ok(Number(done1['DONE']) >= t0 + 4);
    await logShows(o, id, new RegExp(`Scheduled action ${off} \\(poweroff\\) done`));
    // A one-shot action does not run again.
    await sleep(1200);
    assert.equal(childInt(await vm(o, id), 'STATE'), S.ACTIVE);
  });

  test('a weekly action re-arms: TIME moves a week ahead, DONE set, END_VALUE counts down', async () => {
    const o = oned();
    const id = await runningVm();
    const t = nowSec() + 2;
    const day = new Date(t * 1000).getDay();
    const sa = await okId(o, 'one.vm.schedadd', [id, `SCHED_ACTION = [ ACTION = "reboot", TIME = "${t}", REPEAT = 0, DAYS = "${day}", END_TYPE = 1, END_VALUE = 3 ]`]);
    const done = await waitDone(o, id, sa);
    const moved = Number(done['TIME']) - t;
    assert.ok(Math.abs(moved - WEEK) <= 3600, `TIME moved ${moved}s ahead, a week is ${WEEK}`);
    assert.ok(Number(done['DONE']) >= t);
    assert.equal(done['END_VALUE'], '2', 'two repetitions left');
    assert.equal(done['REPEAT'], '0');
    await logShows(o, id, /Scheduled action \d+ \(reboot\) done; next at/);
    assert.equal(childInt(await vm(o, id), 'STATE'), S.ACTIVE);
  });

  test('an action due while oned is stopped runs once after the restart, late, and says so', async () => {
    const o = oned();
    const id = await runningVm();
    const t = nowSec() + 2;
    const sa = await okId(o, 'one.vm.schedadd', [id, `SCHED_ACTION = [ ACTION = "poweroff", TIME = "${t}" ]`]);
    assert.equal(await o.signal('SIGTERM'), 0);
    await sleep(Math.max(0, (t + 2) * 1000 - Date.now()));
    await o.launch();
    await waitState(o, id, S.POWEROFF);
    const done = await waitDone(o, id, sa);
    assert.ok(Number(done['DONE']) > t, 'it ran after its time');
    assert.match(done['MESSAGE']!, /late.*due at .*while oned was not running/);
    await logShows(o, id, new RegExp(`Scheduled action ${sa} \\(poweroff\\) done, late`));
    await sleep(1200);
    const after = actions(await vm(o, id));
    assert.equal(after.length, 1);
    assert.equal(after[0]!['DONE'], done['DONE'], 'it ran once');
  });

  test('bad input is refused with a clear error and changes nothing', async () => {
    const o = oned();
    const id = await okId(o, 'one.vm.allocate', ['CPU = 0.1\nMEMORY = 16']);
    const future = nowSec() + 3600;
    const sa = await okId(o, 'one.vm.schedadd', [id, `SCHED_ACTION = [ ACTION = "terminate", TIME = "${future}" ]`]);
    const before = actions(await vm(o, id));
    await refused(o, 'one.vm.schedadd', [id, `SCHED_ACTION = [ ACTION = "explode", TIME = "${future}" ]`], Code.ACTION, /ACTION "explode" is not supported: use one of .*poweroff/);
    await refused(o, 'one.vm.schedadd', [id, `SCHED_ACTION = [ ACTION = "poweroff" ]`], Code.ACTION, /Unable to parse the time value or value is empty/);
    await refused(o, 'one.vm.schedadd', [id, `SCHED_ACTION = [ ACTION = "poweroff", TIME = "tomorrow" ]`], Code.ACTION, /Unable to parse the time value .*"tomorrow"/);
    await refused(o, 'one.vm.schedadd', [id, `ACTION = "poweroff"\nTIME = "${future}"`], Code.ACTION, /No SCHED_ACTION attribute in template/);
    await refused(o, 'one.vm.schedadd', [id, `SCHED_ACTION = [ ACTION = "poweroff", TIME = "${future}", REPEAT = 0 ]`], Code.ACTION, /Repeat set, but DAYS are empty/);
    await refused(o, 'one.vm.schedadd', [id, `SCHED_ACTION = [ ACTION = "poweroff", TIME = "${future}", REPEAT = 0, DAYS = "9" ]`], Code.ACTION, /DAYS "9" of a weekly \(0\) action/);
    await refused(o, 'one.vm.schedadd', [id, `SCHED_ACTION = [ ACTION = "poweroff", TIME = "${future}", REPEAT = 7 ]`], Code.ACTION, /Wrong REPEAT value: 7/);
    await refused(o, 'one.vm.schedadd', [id, `SCHED_ACTION = [ ACTION = "poweroff", TIME = "${future}", REPEAT = 3, DAYS = "1", END_TYPE = 1 ]`], Code.ACTION, /END_TYPE set, but END_VALUE is empty/);
    // As OpenNebula 6.10: schedupdate answers INTERNAL, scheddelete NO_EXISTS.
    await refused(o, 'one.vm.schedupdate', [id, 9999, `SCHED_ACTION = [ TIME = "${future}" ]`], Code.INTERNAL, /SCHED_ACTION with id = 9999 doesn't exist/);
    await refused(o, 'one.vm.schedupdate', [id, sa, `SCHED_ACTION = [ ACTION = "fly" ]`], Code.INTERNAL, /ACTION "fly" is not supported/);
    await refused(o, 'one.vm.schedupdate', [id, sa, `TIME = "${future}"`], Code.INTERNAL, /No SCHED_ACTION attribute in template/);
    await refused(o, 'one.vm.scheddelete', [id, 9999], Code.NO_EXISTS, /Error getting scheduled action \[9999\]/);
    await refused(o, 'one.vm.schedadd', [99999, `SCHED_ACTION = [ ACTION = "poweroff", TIME = "${future}" ]`], Code.NO_EXISTS, /99999/);
    assert.deepEqual(actions(await vm(o, id)), before, 'nothing changed');
    await refused(o, 'one.vm.allocate', [`CPU = 0.1\nMEMORY = 16\nSCHED_ACTION = [ ACTION = "explode", TIME = "+60" ]`], Code.ALLOCATE, /ACTION "explode" is not supported/);
  });

  test('a one-off TIME in the past is refused, nothing added; within a minute it runs at once', async () => {
    const o = oned();
    const id = await okId(o, 'one.vm.allocate', ['CPU = 0.1\nMEMORY = 16']);
    await refused(o, 'one.vm.schedadd', [id, `SCHED_ACTION = [ ACTION = "hold", TIME = "${nowSec() - 3600}" ]`], Code.ACTION, /is in the past/);
    assert.deepEqual(actions(await vm(o, id)), [], 'nothing added');
    const sa = await okId(o, 'one.vm.schedadd', [id, `SCHED_ACTION = [ ACTION = "hold", TIME = "${nowSec() - 5}" ]`]);
    await refused(o, 'one.vm.schedupdate', [id, sa, `SCHED_ACTION = [ TIME = "${nowSec() - 3600}" ]`], Code.INTERNAL, /is in the past/);
    await waitState(o, id, 2);
    const done = await waitDone(o, id, sa);
    assert.equal(done['MESSAGE'], '', 'not late: oned was running');
  });

  test('a template\'s SCHED_ACTIONs are copied into the VM ("+N" from its start); schedupdate and scheddelete', async () => {
    const o = oned();
    const tid = await okId(o, 'one.template.allocate', ['NAME = "sa-tmpl"\nCPU = 0.1\nMEMORY = 16\nSCHED_ACTION = [ ACTION = "terminate", TIME = "+3600" ]\nSCHED_ACTION = [ ACTION = "poweroff", TIME = "+60", REPEAT = 3, DAYS = "2", END_TYPE = 0 ]']);
    const id = await okId(o, 'one.template.instantiate', [tid, '', true, '', false]);
    const v = await vm(o, id);
    const stime = childInt(v, 'STIME');
    const sas = actions(v);
    const [a, b] = sas.map((x) => Number(x['ID']));
    assert.equal(b, a! + 1);
    assert.deepEqual(sas.map((x) => [x['PARENT_ID'], x['ACTION'], x['TIME'], x['REPEAT'], x['DAYS'], x['DONE']]), [[String(id), 'terminate', String(stime + 3600), '-1', '', '-1'], [String(id), 'poweroff', String(stime + 60), '3', '2', '-1']]);
    const later = nowSec() + 7200;
    assert.equal(await okId(o, 'one.vm.schedupdate', [id, a!, `SCHED_ACTION = [ TIME = "${later}", ACTION = "undeploy" ]`]), a);
    assert.deepEqual(actions(await vm(o, id)).map((x) => [x['ID'], x['ACTION'], x['TIME']]), [[String(a), 'undeploy', String(later)], [String(b), 'poweroff', String(stime + 60)]]);
    assert.equal(await okId(o, 'one.vm.scheddelete', [id, a!]), a);
    const left = await vm(o, id);
    assert.deepEqual(actions(left).map((x) => x['ID']), [String(b)]);
    assert.deepEqual(all(must(left, 'SCHED_ACTIONS'), 'ID').map((n) => n.text), [String(b)]);
    // Ids are unique across VMs: a new one is past every id given so far.
    const c = await okId(o, 'one.vm.schedadd', [id, `SCHED_ACTION = [ ACTION = "hold", TIME = "${later}" ]`]);
    assert.ok(c > b!);
  });
});
