/**
 * The scheduler wakes for new pending VMs: with SCHED_INTERVAL 600, a VM allocated (or flagged
 * for rescheduling) after the scheduler's first cycle is placed within seconds, which the
 * interval alone never does; a burst of allocations runs a few cycles, not one per VM; and
 * `one.vmpool.waitpending`, the call the scheduler sleeps on, is for the oneadmin group only.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { childInt, type XmlNode } from '../../src/common/xml-tree.js';
import { Oned } from './harness.js';
import { addUser, all, Code, okId, okXml, refused, sleep } from './api-helpers.js';

const CONF = `HOST_MONITORING_INTERVAL = 1
IM_MAD = [ NAME = "dummy", EXECUTABLE = "one_im_dummy", ARGUMENTS = "-c 6400 -m 65536" ]
VM_MAD = [ NAME = "dummy", EXECUTABLE = "one_vmm_dummy" ]
SCHEDULER = [ EXECUTABLE = "mm_sched" ]
`;
/** Far longer than the test's bounds: a VM placed in time was placed because the scheduler woke. */
const SCHED_CONF = 'SCHED_INTERVAL = 600\nMAX_VM = 0\nMAX_DISPATCH = 1000\nMAX_HOST = 1000\n';
/** Generous: the point is "woken", not how fast (bench/README.md has the latency). */
const BOUND_MS = 20_000;

async function vmOf(oned: Oned, id: number): Promise<XmlNode> {
  return okXml(oned, 'one.vm.info', [id]);
}

/** Waits until every VM is RUNNING (ACTIVE/RUNNING); fails past `ms`. */
async function allRunning(oned: Oned, ids: readonly number[], ms = BOUND_MS): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    const pool = await okXml(oned, 'one.vmpool.info', [-2, -1, -1, 3]);
    const running = new Set(all(pool, 'VM').filter((v) => childInt(v, 'LCM_STATE') === 3).map((v) => childInt(v, 'ID')));
    const missing = ids.filter((id) => !running.has(id));
    if (missing.length === 0) return;
    if (Date.now() > end) assert.fail(`${missing.length} of ${ids.length} VMs not RUNNING after ${ms} ms (first: VM ${missing[0]}); sched.log:\n${schedLog(oned).slice(-2000)}`);
    await sleep(100);
  }
}

function schedLog(oned: Oned): string {
  try {
    return readFileSync(join(oned.location, 'var', 'sched.log'), 'utf8');
  } catch {
    return '';
  }
}

function cycles(oned: Oned): number {
  return schedLog(oned).split('\n').filter((l) => l.includes('Cycle: ')).length;
}

describe('the scheduler wakes for new pending VMs (SCHED_INTERVAL 600)', () => {
  let oned: Oned;
  let hosts: number[];
  before(async () => {
    oned = await Oned.start({ backend: 'sqlite', conf: CONF, schedConf: SCHED_CONF });
    await okId(oned, 'one.datastore.update', [0, 'TM_MAD = "dummy"', 1]);
    hosts = [await okId(oned, 'one.host.allocate', ['node0', 'dummy', 'dummy', -1]), await okId(oned, 'one.host.allocate', ['node1', 'dummy', 'dummy', -1])];
    const end = Date.now() + 20_000;
    while (all(await okXml(oned, 'one.hostpool.info', []), 'HOST').some((h) => childInt(h, 'STATE') !== 2)) {
      if (Date.now() > end) throw new Error('hosts not monitored in 20 s');
      await sleep(100);
    }
  });
  after(() => oned?.stop());

  test('a VM allocated after the first cycle runs without waiting for SCHED_INTERVAL', async () => {
    // The first cycle runs when the scheduler starts; it may or may not see this first VM.
    const first = await okId(oned, 'one.vm.allocate', ['NAME = first\nCPU = 0.1\nMEMORY = 64', false]);
    await allRunning(oned, [first]);
    await sleep(500);
    // Now the scheduler sleeps for 600 s unless oned wakes it.
    const t0 = Date.now();
    const second = await okId(oned, 'one.vm.allocate', ['NAME = second\nCPU = 0.1\nMEMORY = 64', false]);
    await allRunning(oned, [second]);
    const host = childInt((await vmOf(oned, second)).children.find((n) => n.name === 'HISTORY_RECORDS')!.children.at(-1)!, 'HID');
    assert.ok(hosts.includes(host));
    assert.ok(Date.now() - t0 < BOUND_MS);
  });

  test('a VM released from hold and a VM flagged for rescheduling wake it too', async () => {
    const held = await okId(oned, 'one.vm.allocate', ['NAME = held\nCPU = 0.1\nMEMORY = 64', true]);
    await sleep(1500);
    assert.equal(childInt(await vmOf(oned, held), 'STATE'), 2, 'a VM on hold is not placed');
    await okId(oned, 'one.vm.action', ['release', held]);
    await allRunning(oned, [held]);
    const hostOf = async (id: number) => {
      const records = all((await vmOf(oned, id)).children.find((n) => n.name === 'HISTORY_RECORDS')!, 'HISTORY');
      return childInt(records.at(-1)!, 'HID');
    };
    const from = await hostOf(held);
    await okId(oned, 'one.vm.action', ['resched', held]);
    const end = Date.now() + BOUND_MS;
    while ((await hostOf(held)) === from || childInt(await vmOf(oned, held), 'LCM_STATE') !== 3) {
      if (Date.now() > end) assert.fail(`VM ${held} not moved off host ${from} in ${BOUND_MS} ms; sched.log:\n${schedLog(oned).slice(-2000)}`);
      await sleep(100);
    }
  });

  test('a burst of 300 allocations runs a few cycles, not one per VM', async () => {
    const before = cycles(oned);
    const ids = await Promise.all(Array.from({ length: 300 }, (_, i) => okId(oned, 'one.vm.allocate', [`NAME = burst${i}\nCPU = 0.1\nMEMORY = 64`, false])));
    await allRunning(oned, ids, 60_000);
    const ran = cycles(oned) - before;
    assert.ok(ran >= 1 && ran <= 30, `${ran} cycles for 300 allocations`);
  });

  test('one.vmpool.waitpending: the current mark at once, the next one when a VM becomes pending; oneadmin group only', async () => {
    const mark = Number((await oned.ok('one.vmpool.waitpending', [-1, 5])));
    const waiting = oned.ok('one.vmpool.waitpending', [mark, 30]);
    await sleep(200);
    await okId(oned, 'one.vm.allocate', ['NAME = marked\nCPU = 0.1\nMEMORY = 64', false]);
    assert.ok(Number(await waiting) > mark);
    const user = await addUser(oned, 'waiter');
    await refused(oned, 'one.vmpool.waitpending', [-1, 1], Code.AUTHORIZATION, /oneadmin group only/, user.session);
  });
});
