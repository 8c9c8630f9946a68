/**
 * Showback end to end: VMs with CPU_COST / MEMORY_COST / DISK_COST (from a VM template and from
 * the VM's own template) run on a dummy host, some are terminated, oneadmin calculates the
 * showback of the month and reads the records back; filters, month bounds, who may see and who
 * may calculate.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { childInt, childText, type XmlNode } from '../../src/common/xml-tree.js';
import type { Oned } from './harness.js';
import { Code, addUser, all, okId, okXml, onEveryBackend, refused, sleep, type TestUser } from './api-helpers.js';

const S = { ACTIVE: 3, DONE: 6 } as const;
const RUNNING = 3;

/**
 * Costs chosen so that a second of CPU and a second of memory cost the same (1000 each):
 * 3,600,000 per CPU-hour × 1 CPU, and 36,000 per MB-hour × 100 MB.
 */
const COSTED = 'CPU = 1\nMEMORY = 100\nCPU_COST = 3600000\nMEMORY_COST = 36000\n';

async function waitForState(o: Oned, id: number, state: number, lcm = 0): Promise<void> {
  const until = Date.now() + 8000;
  while (Date.now() < until) {
    const v = await okXml(o, 'one.vm.info', [id]);
    if (childInt(v, 'STATE') === state && childInt(v, 'LCM_STATE') === lcm) return;
    await sleep(25);
  }
  assert.fail(`VM ${id} did not reach ${state}/${lcm}`);
}

const records = (x: XmlNode) => all(x, 'SHOWBACK');
const byVm = (x: XmlNode) => new Map(records(x).map((r) => [childInt(r, 'VMID'), r]));
const num = (r: XmlNode, name: string) => Number(childText(r, name));

onEveryBackend('showback', (oned) => {
  let host = -1;
  let ann: TestUser;
  let costed = -1;
  let fromTemplate = -1;
  let annVm = -1;
  let free = -1;
  let withDisk = -1;
  const now = new Date();
  const month = now.getMonth() + 1;
  const year = now.getFullYear();

  test('setup: dummy host, VMs with and without costs deployed, some terminated', async () => {
    const o = oned();
    await okId(o, 'one.datastore.update', [0, 'TM_MAD = "dummy"', 1]);
    host = await okId(o, 'one.host.allocate', ['sb-host', 'dummy', 'dummy', -1]);
    ann = await addUser(o, 'ann');
    const tid = await okId(o, 'one.template.allocate', [`NAME = "costed"\n${COSTED}`]);
    costed = await okId(o, 'one.vm.allocate', [`NAME = "costed"\n${COSTED}`]);
    fromTemplate = await okId(o, 'one.template.instantiate', [tid, 'from-template', false, '', false]);
    // CPU_COST is a restricted attribute: oneadmin makes ann's VM and gives it to her.
    annVm = await okId(o, 'one.vm.allocate', [`NAME = "ann-vm"\n${COSTED}`]);
    await okId(o, 'one.vm.chown', [annVm, ann.id, 1]);
    free = await okId(o, 'one.vm.allocate', ['NAME = "free"\nCPU = 1\nMEMORY = 64']);
    withDisk = await okId(o, 'one.vm.allocate', ['NAME = "disk"\nCPU = 1\nMEMORY = 64\nDISK = [ TYPE = fs, SIZE = 10 ]\nDISK_COST = 360000']);
    const vms = [costed, fromTemplate, annVm, free, withDisk];
    for (const id of vms) await okId(o, 'one.vm.deploy', [id, host]);
    for (const id of vms) await waitForState(o, id, S.ACTIVE, RUNNING);
    await sleep(1200);
    for (const id of [costed, free, withDisk]) await okId(o, 'one.vm.action', ['terminate', id]);
    for (const id of [costed, free, withDisk]) await waitForState(o, id, S.DONE);
  });

  test('before any calculation there are no records', async () => {
    assert.equal(records(await okXml(oned(), 'one.vmpool.showback', [-2, -1, -1, -1, -1])).length, 0);
  });

  test('calculateshowback, then showback: a record per VM for this month, costs from the templates', async () => {
    const o = oned();
    const r = await o.call('one.vmpool.calculateshowback', [month, year, month, year]);
    assert.equal(r[0], true, JSON.stringify(r));
    const all5 = await okXml(o, 'one.vmpool.showback', [-2, -1, -1, -1, -1]);
    assert.equal(all5.name, 'SHOWBACK_RECORDS');
    const got = byVm(all5);
    assert.deepEqual([...got.keys()].sort((a, b) => a - b), [costed, fromTemplate, annVm, free, withDisk].sort((a, b) => a - b));
    // Ordered by year, month, then VM id.
    assert.deepEqual(records(all5).map((x) => childInt(x, 'VMID')), [...got.keys()].sort((a, b) => a - b));
    for (const id of [costed, fromTemplate, annVm]) {
      const x = got.get(id)!;
      assert.deepEqual(
        x.children.map((c) => c.name),
        ['VMID', 'VMNAME', 'UID', 'GID', 'UNAME', 'GNAME', 'YEAR', 'MONTH', 'CPU_COST', 'MEMORY_COST', 'DISK_COST', 'TOTAL_COST', 'HOURS', 'RHOURS'],
      );
      assert.deepEqual([childInt(x, 'YEAR'), childInt(x, 'MONTH')], [year, month]);
      assert.ok(num(x, 'CPU_COST') >= 1000, `VM ${id} ran over a second at 1000 a second: CPU_COST ${childText(x, 'CPU_COST')}`);
      assert.equal(childText(x, 'CPU_COST'), childText(x, 'MEMORY_COST'), 'a CPU-second and a memory-second cost the same here');
      assert.equal(num(x, 'DISK_COST'), 0);
      assert.ok(Math.abs(num(x, 'TOTAL_COST') - num(x, 'CPU_COST') - num(x, 'MEMORY_COST')) < 0.02);
    }
    const a = got.get(annVm)!;
    assert.deepEqual([childText(a, 'VMNAME'), childInt(a, 'UID'), childText(a, 'UNAME'), childText(a, 'GNAME')], ['ann-vm', ann.id, 'ann', 'users']);
    assert.equal(childText(got.get(fromTemplate)!, 'VMNAME'), 'from-template');
    const f = got.get(free)!;
    assert.deepEqual(['CPU_COST', 'MEMORY_COST', 'DISK_COST', 'TOTAL_COST'].map((n) => childText(f, n)), ['0', '0', '0', '0'], 'no cost set, DEFAULT_COST 0');
    const d = got.get(withDisk)!;
    assert.ok(num(d, 'DISK_COST') >= 1000, `10 MB at 360,000 per MB-hour is 1000 a second: ${childText(d, 'DISK_COST')}`);
    assert.equal(num(d, 'CPU_COST'), 0);
  });

  test('a VM still running counts up to now: recalculating raises its cost, not that of a terminated VM', async () => {
    const o = oned();
    const before = byVm(await okXml(o, 'one.vmpool.showback', [-2, month, year, month, year]));
    await sleep(1100);
    await o.ok('one.vmpool.calculateshowback', [-1, -1, -1, -1]);
    const after = byVm(await okXml(o, 'one.vmpool.showback', [-2, month, year, month, year]));
    assert.equal(after.size, before.size, 'recalculating replaces the records');
    assert.ok(num(after.get(annVm)!, 'CPU_COST') >= num(before.get(annVm)!, 'CPU_COST') + 1000);
    assert.equal(childText(after.get(costed)!, 'CPU_COST'), childText(before.get(costed)!, 'CPU_COST'));
  });

  test('filters: -3 mine, a user id, -1 mine and my groups; month bounds', async () => {
    const o = oned();
    const ids = async (params: number[], session = o.oneadmin) => [...byVm(await okXml(o, 'one.vmpool.showback', params, session)).keys()].sort((a, b) => a - b);
    assert.ok(!(await ids([-3, -1, -1, -1, -1])).includes(annVm));
    assert.deepEqual(await ids([ann.id, -1, -1, -1, -1]), [annVm]);
    const next = month === 12 ? [1, year + 1] : [month + 1, year];
    const prev = month === 1 ? [12, year - 1] : [month - 1, year];
    assert.deepEqual(await ids([-2, next[0]!, next[1]!, -1, -1]), [], 'from next month on: nothing');
    assert.deepEqual(await ids([-2, -1, -1, prev[0]!, prev[1]!]), [], 'up to last month: nothing');
    assert.equal((await ids([-2, prev[0]!, prev[1]!, next[0]!, next[1]!])).length, 5);
    assert.equal((await ids([-2, 1, year, -1, -1])).length, 5, 'only a start bound');
    await refused(o, 'one.vmpool.showback', [-5, -1, -1, -1, -1], Code.XML_RPC_API, /Incorrect filter_flag/);
  });

  test('a plain user sees only her VMs, and may not calculate', async () => {
    const o = oned();
    for (const filter of [-2, -1, -3]) {
      assert.deepEqual([...byVm(await okXml(o, 'one.vmpool.showback', [filter, -1, -1, -1, -1], ann.session)).keys()], [annVm], `filter ${filter}`);
    }
    await refused(o, 'one.vmpool.calculateshowback', [-1, -1, -1, -1], Code.AUTHORIZATION, /reserved for group 0/, ann.session);
  });

  test('the records are kept in vm_showback across a restart', async () => {
    const o = oned();
    const before = (await o.ok('one.vmpool.showback', [-2, -1, -1, -1, -1])) as string;
    assert.equal(await o.signal('SIGTERM'), 0);
    await o.launch();
    assert.equal(await o.ok('one.vmpool.showback', [-2, -1, -1, -1, -1]), before);
  });
});
