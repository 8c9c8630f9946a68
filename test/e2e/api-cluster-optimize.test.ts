/**
 * Cluster optimization end to end (dummy drivers): two monitored hosts, one reporting 75% of its
 * CPU busy with four VMs on it, the other idle. `one.cluster.optimize` plans migrations to the
 * idle host (PLAN in the cluster, READY), `one.cluster.planexecute` has oned migrate them one
 * after another (actions DONE, VMs running on the idle host), `one.cluster.plandelete` drops the
 * plan; ONE_DRS AUTOMATION = "full" applies a new plan at once. Refusals: states, a bad ONE_DRS,
 * a non-admin. Then the same through `onecluster`. The plan lives in the cluster's body, so one
 * backend (SQLite) is enough.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { child, childInt, childText, type XmlNode } from '../../src/common/xml-tree.js';
import { Oned } from './harness.js';
import { Code, addUser, all, must, okId, okXml, refused, sleep, waitFor } from './api-helpers.js';
import { cliOk, cli } from './cli-helpers.js';

const CONF = `HOST_MONITORING_INTERVAL = 1
IM_MAD = [ NAME = "busy", EXECUTABLE = "one_im_dummy", ARGUMENTS = "-c 800 -m 8192 -u 75" ]
IM_MAD = [ NAME = "idle", EXECUTABLE = "one_im_dummy", ARGUMENTS = "-c 800 -m 8192" ]
VM_MAD = [ NAME = "dummy", EXECUTABLE = "one_vmm_dummy" ]
`;

const lastHost = (v: XmlNode): number => {
  const h = all(must(v, 'HISTORY_RECORDS'), 'HISTORY');
  return h.length === 0 ? -1 : childInt(h[h.length - 1]!, 'HID');
};

async function plan(o: Oned, cid = 0): Promise<XmlNode | undefined> {
  return child(await okXml(o, 'one.cluster.info', [cid]), 'PLAN');
}

/** Waits for the cluster's plan to reach `state`. */
async function planIn(o: Oned, state: number, ms = 20_000): Promise<XmlNode> {
  const end = Date.now() + ms;
  for (;;) {
    const p = await plan(o);
    if (p && childInt(p, 'STATE') === state) return p;
    if (Date.now() > end) assert.fail(`plan not in state ${state}: ${p ? JSON.stringify(p) : 'no plan'}`);
    await sleep(100);
  }
}

describe('cluster optimization on sqlite', () => {
  let o: Oned;
  let busy = -1;
  let idle = -1;
  const vms: number[] = [];

  before(async () => {
    o = await Oned.start({ backend: 'sqlite', conf: CONF });
    await okId(o, 'one.datastore.update', [0, 'TM_MAD = "dummy"', 1]);
    busy = await okId(o, 'one.host.allocate', ['busy-host', 'busy', 'dummy', -1]);
    idle = await okId(o, 'one.host.allocate', ['idle-host', 'idle', 'dummy', -1]);
    const end = Date.now() + 20_000;
    while (all(await okXml(o, 'one.hostpool.info', []), 'HOST').some((h) => childInt(h, 'STATE') !== 2)) {
      if (Date.now() > end) throw new Error('hosts not monitored in 20 s');
      await sleep(100);
    }
    for (let i = 0; i < 4; i++) {
      const id = await okId(o, 'one.vm.allocate', [`NAME = "opt-${i}"\nCPU = 1\nMEMORY = 128`, false]);
      await okId(o, 'one.vm.deploy', [id, busy]);
      vms.push(id);
    }
    for (const id of vms) await waitFor(o, id, 3, 3);
  });
  after(() => o?.stop());

  test('refusals before any plan', async () => {
    await refused(o, 'one.cluster.planexecute', [0], Code.ACTION, /Plan is not ready/);
    await refused(o, 'one.cluster.plandelete', [0], Code.ACTION, /Plan for cluster 0 does not exist/);
    await refused(o, 'one.cluster.optimize', [555], Code.NO_EXISTS, /555/);
    await refused(o, 'one.cluster.update', [0, 'ONE_DRS = [ POLICY = "spread" ]', 1], Code.INTERNAL, /invalid POLICY/);
    const bob = await addUser(o, 'opt-bob');
    await refused(o, 'one.cluster.optimize', [0], Code.AUTHORIZATION, /./, bob.session);
  });

  test('optimize plans migrations from the busy host to the idle one', async () => {
    await okId(o, 'one.cluster.optimize', [0]);
    const p = (await plan(o))!;
    assert.ok(p, 'the cluster shows a PLAN');
    assert.deepEqual(p.children.slice(0, 2).map((c) => c.name), ['ID', 'STATE']);
    assert.equal(childInt(p, 'ID'), 0);
    assert.equal(childInt(p, 'STATE'), 0, 'READY');
    const actions = all(p, 'ACTION');
    assert.ok(actions.length >= 1 && actions.length < 4, `some but not all VMs move: ${actions.length}`);
    for (const a of actions) {
      assert.deepEqual(a.children.map((c) => c.name), ['ID', 'VM_ID', 'STATE', 'OPERATION', 'HOST_ID', 'DS_ID', 'TIMESTAMP']);
      assert.equal(childText(a, 'OPERATION'), 'migrate');
      assert.equal(childInt(a, 'HOST_ID'), idle);
      assert.equal(childInt(a, 'DS_ID'), 0);
      assert.equal(childInt(a, 'STATE'), 0);
      assert.ok(vms.includes(childInt(a, 'VM_ID')));
    }
  });

  test('planexecute migrates them; the actions and the plan end DONE', async () => {
    const planned = all((await plan(o))!, 'ACTION').map((a) => childInt(a, 'VM_ID'));
    await okId(o, 'one.cluster.planexecute', [0]);
    // One migration at a time on a host (MAX_ACTIONS_PER_HOST = 1): the plan applies for a while.
    assert.equal(childInt((await plan(o))!, 'STATE'), 1, 'APPLYING');
    await refused(o, 'one.cluster.optimize', [0], Code.ACTION, /A previous plan is currently being applied/);
    await refused(o, 'one.cluster.planexecute', [0], Code.ACTION, /Plan is already applying/);
    const done = await planIn(o, 2);
    assert.ok(all(done, 'ACTION').every((a) => childInt(a, 'STATE') === 2 && childInt(a, 'TIMESTAMP') > 0));
    for (const id of planned) {
      const v = await waitFor(o, id, 3, 3);
      assert.equal(lastHost(v), idle, `VM ${id} runs on the idle host`);
    }
    await refused(o, 'one.cluster.planexecute', [0], Code.ACTION, /Plan is already done/);
  });

  test('plandelete drops the plan', async () => {
    await okId(o, 'one.cluster.plandelete', [0]);
    assert.equal(await plan(o), undefined);
    await refused(o, 'one.cluster.plandelete', [0], Code.ACTION, /does not exist/);
  });

  test('ONE_DRS AUTOMATION = "full": a new plan is applied at once', async () => {
    await okId(o, 'one.cluster.update', [0, 'ONE_DRS = [ AUTOMATION = "full", POLICY = "balance" ]', 1]);
    await okId(o, 'one.cluster.optimize', [0]);
    const p = await planIn(o, 2);
    assert.ok(all(p, 'ACTION').length >= 1);
    for (const a of all(p, 'ACTION')) assert.equal(lastHost(await waitFor(o, childInt(a, 'VM_ID'), 3, 3)), idle);
    await okId(o, 'one.cluster.update', [0, 'ONE_DRS = [ AUTOMATION = "manual" ]', 1]);
    await okId(o, 'one.cluster.plandelete', [0]);
  });

  test('onecluster optimize, show (PLAN), planexecute, plandelete', async () => {
    // Back to the busy host, so there is something to plan again.
    for (const id of vms) {
      const v = await waitFor(o, id, 3, 3);
      if (lastHost(v) !== busy) {
        await okId(o, 'one.vm.migrate', [id, busy, false, false, -1, 0]);
        await waitFor(o, id, 3, 3, 15_000);
      }
    }
    await cliOk(o, 'onecluster', ['optimize', 'default']);
    const shown = await cliOk(o, 'onecluster', ['show', '0']);
    assert.match(shown, /PLAN \(READY\)/);
    assert.match(shown, new RegExp(`migrate\\s+${idle}\\s+0 READY`));
    await cliOk(o, 'onecluster', ['planexecute', '0']);
    await planIn(o, 2);
    assert.match(await cliOk(o, 'onecluster', ['show', '0']), /PLAN \(DONE\)/);
    await cliOk(o, 'onecluster', ['plandelete', '0']);
    assert.doesNotMatch(await cliOk(o, 'onecluster', ['show', '0']), /PLAN/);
    const r = await cli(o, 'onecluster', ['plandelete', '0']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /does not exist/);
  });
});
