/**
 * VMs with real driver traffic: the cloud-provider example (remotes/vmm/example through
 * one_vmm_exec) deploys, is polled and shuts down; VM monitoring through VMM POLL (§4.4); a host
 * that goes ERROR leaves its VMs UNKNOWN until it comes back; and a restart re-issues the driver
 * operation of a VM left in a transient state.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childInt, childText, type XmlNode } from '../../src/common/xml-tree.js';
import { FEATURE_BACKENDS, Oned } from './harness.js';
import { all, must, okId, okXml } from './api-helpers.js';

const S = { ACTIVE: 3, DONE: 6, POWEROFF: 8 } as const;
const L = { LCM_INIT: 0, BOOT: 2, RUNNING: 3, UNKNOWN: 16, BOOT_FAILURE: 36 } as const;
const HOST_ERROR = 3;
const HOST_MONITORED = 2;

const PROVIDER = mkdtempSync(join(tmpdir(), 'nebula-provider-'));
const IM_SCRIPTS = mkdtempSync(join(tmpdir(), 'nebula-im-scripts-'));
const VMM_SCRIPTS = mkdtempSync(join(tmpdir(), 'nebula-vmm-scripts-'));
// oned passes its environment to its drivers: the example provider keeps its instances here.
process.env.EXAMPLE_PROVIDER_DIR = PROVIDER;
process.env.EXAMPLE_MAX_MEMORY = '1024';

// Not onFeatureBackends: its drivers turn host monitoring off, and these tests need it.
const CONF = `
HOST_MONITORING_INTERVAL = 1
IM_MAD = [ NAME = "dummy", EXECUTABLE = "one_im_dummy" ]
VM_MAD = [ NAME = "dummy", EXECUTABLE = "one_vmm_dummy" ]
VM_POLLING_INTERVAL = 1
IM_MAD = [ NAME = "flaky", EXECUTABLE = "one_im_dummy", ARGUMENTS = "-a ${IM_SCRIPTS}" ]
VM_MAD = [ NAME = "example", EXECUTABLE = "one_vmm_exec", TYPE = "xml",
           ARGUMENTS = "-t 15 -r 0 -w 120 -l deploy,shutdown,cancel,save,restore,migrate,reboot,reset,poll example" ]
VM_MAD = [ NAME = "slow", EXECUTABLE = "one_vmm_dummy", ARGUMENTS = "-a ${VMM_SCRIPTS}", TIMEOUT = 60 ]
`;

const vm = (oned: Oned, id: number) => okXml(oned, 'one.vm.info', [id]);

/** Polls `check` on the VM until it holds; fails with the last VM seen. */
async function until(oned: Oned, id: number, what: string, check: (v: XmlNode) => boolean, ms = 10000): Promise<XmlNode> {
  const end = Date.now() + ms;
  let v: XmlNode;
  do {
    v = await vm(oned, id);
    if (check(v)) return v;
    await new Promise((r) => setTimeout(r, 50));
  } while (Date.now() < end);
  assert.fail(`VM ${id}: ${what} (state ${childInt(v, 'STATE')}/${childInt(v, 'LCM_STATE')}, error ${childText(must(v, 'USER_TEMPLATE'), 'ERROR')})`);
}

/** Waits for a host state. */
async function hostIn(oned: Oned, hid: number, state: number): Promise<void> {
  const end = Date.now() + 10000;
  let h: XmlNode;
  do {
    h = await okXml(oned, 'one.host.info', [hid]);
    if (childInt(h, 'STATE') === state) return;
    await new Promise((r) => setTimeout(r, 50));
  } while (Date.now() < end);
  assert.fail(`host ${hid} should reach state ${state}, is ${childInt(h, 'STATE')} (${childText(must(h, 'TEMPLATE'), 'ERROR')})`);
}

const inState = (state: number, lcm: number = L.LCM_INIT) => (v: XmlNode) => childInt(v, 'STATE') === state && childInt(v, 'LCM_STATE') === lcm;

for (const backend of FEATURE_BACKENDS) {
  describe(`VMs with drivers on ${backend}`, () => {
    let started: Oned | undefined;
    before(async () => {
      started = await Oned.start({ backend, conf: CONF });
    });
    after(() => started?.stop());
    const oned = () => started!;
    let provider = -1;

    test('setup', async () => {
      await okId(oned(), 'one.datastore.update', [0, 'TM_MAD = "dummy"', 1]);
      provider = await okId(oned(), 'one.host.allocate', ['provider', 'dummy', 'example', -1]);
    });

    test('the example cloud driver deploys, is polled and shuts the instance down', async () => {
      const o = oned();
      rmSync(PROVIDER, { recursive: true, force: true });
      const id = await okId(o, 'one.vm.allocate', ['CPU = 1\nMEMORY = 256']);
      await okId(o, 'one.vm.deploy', [id, provider]);
      const running = await until(o, id, 'should run', inState(S.ACTIVE, L.RUNNING));
      const deployId = childText(running, 'DEPLOY_ID');
      assert.match(deployId, new RegExp(`^example-${id}-\\d+$`));
      assert.deepEqual(readdirSync(PROVIDER), [deployId]);
      const polled = await until(o, id, 'should be polled', (v) => childText(must(v, 'MONITORING'), 'PROVIDER_IP') !== '');
      assert.equal(childText(must(polled, 'MONITORING'), 'MEMORY'), String(256 * 1024));
      assert.ok(childInt(polled, 'LAST_POLL') > 0);
      const samples = await okXml(o, 'one.vm.monitoring', [id]);
      assert.ok(all(samples, 'MONITORING').length >= 1 && all(samples, 'MONITORING').every((m) => childInt(m, 'ID') === id));
      const pool = await okXml(o, 'one.vmpool.monitoring', [-2, 0]);
      assert.ok(all(pool, 'MONITORING').some((m) => childInt(m, 'ID') === id));
      await okId(o, 'one.vm.action', ['terminate', id]);
      await until(o, id, 'should be DONE', inState(S.DONE));
      assert.deepEqual(readdirSync(PROVIDER), [], 'the instance is gone at the provider');
    });

    test('the provider refuses a deploy: BOOT_FAILURE with its message; an instance gone behind oned\'s back is POWEROFF', async () => {
      const o = oned();
      const big = await okId(o, 'one.vm.allocate', ['CPU = 1\nMEMORY = 4096']);
      await okId(o, 'one.vm.deploy', [big, provider]);
      const failed = await until(o, big, 'should fail to boot', inState(S.ACTIVE, L.BOOT_FAILURE));
      assert.match(childText(must(failed, 'USER_TEMPLATE'), 'ERROR'), /Provider quota exceeded: VM \d+ asks for 4096 MB, the limit is 1024 MB/);
      await okId(o, 'one.vm.recover', [big, 3]);
      await until(o, big, 'should be DONE', inState(S.DONE));

      const id = await okId(o, 'one.vm.allocate', ['CPU = 1\nMEMORY = 128']);
      await okId(o, 'one.vm.deploy', [id, provider]);
      const running = await until(o, id, 'should run', inState(S.ACTIVE, L.RUNNING));
      rmSync(join(PROVIDER, childText(running, 'DEPLOY_ID')));
      await until(o, id, 'should be found powered off', inState(S.POWEROFF));
      await okId(o, 'one.vm.action', ['terminate', id]);
      await until(o, id, 'should be DONE', inState(S.DONE));
      const h = await okXml(o, 'one.host.info', [provider]);
      assert.equal(childInt(must(h, 'HOST_SHARE'), 'RUNNING_VMS'), 0);
    });

    test('a host in ERROR leaves its VMs UNKNOWN; back MONITORED, they are RUNNING again', async () => {
      const o = oned();
      writeFileSync(join(IM_SCRIPTS, 'monitor'), 'success\n');
      const hid = await okId(o, 'one.host.allocate', ['flaky-host', 'flaky', 'dummy', -1]);
      const id = await okId(o, 'one.vm.allocate', ['CPU = 1\nMEMORY = 128']);
      await okId(o, 'one.vm.deploy', [id, hid]);
      await until(o, id, 'should run', inState(S.ACTIVE, L.RUNNING));
      writeFileSync(join(IM_SCRIPTS, 'monitor'), 'failure\n');
      await hostIn(o, hid, HOST_ERROR);
      await until(o, id, 'should be UNKNOWN', inState(S.ACTIVE, L.UNKNOWN));
      await new Promise((r) => setTimeout(r, 2500));
      assert.equal(childInt(await vm(o, id), 'LCM_STATE'), L.UNKNOWN, 'UNKNOWN while the host is in ERROR, never POWEROFF');
      writeFileSync(join(IM_SCRIPTS, 'monitor'), 'success\n');
      await hostIn(o, hid, HOST_MONITORED);
      await until(o, id, 'should run again', inState(S.ACTIVE, L.RUNNING));
      await okId(o, 'one.vm.action', ['terminate', id]);
      await until(o, id, 'should be DONE', inState(S.DONE));
    });

    test('a restart re-issues the driver operation of a VM left in BOOT', async () => {
      const o = oned();
      writeFileSync(join(VMM_SCRIPTS, 'deploy'), '-\n');
      const hid = await okId(o, 'one.host.allocate', ['slow-host', 'dummy', 'slow', -1]);
      const id = await okId(o, 'one.vm.allocate', ['CPU = 1\nMEMORY = 128']);
      await okId(o, 'one.vm.deploy', [id, hid]);
      await until(o, id, 'should wait in BOOT', inState(S.ACTIVE, L.BOOT));
      await o.signal('SIGKILL');
      writeFileSync(join(VMM_SCRIPTS, 'deploy'), 'success\n');
      await o.launch();
      const v = await until(o, id, 'should run after the restart', inState(S.ACTIVE, L.RUNNING));
      assert.equal(childText(v, 'DEPLOY_ID'), `one-${id}`);
      const h = await okXml(o, 'one.host.info', [hid]);
      assert.equal(childInt(must(h, 'HOST_SHARE'), 'RUNNING_VMS'), 1, 'the restart does not count the VM twice');
      await okId(o, 'one.vm.action', ['terminate', id]);
      await until(o, id, 'should be DONE', inState(S.DONE));
      assert.equal(childInt(must(await okXml(o, 'one.host.info', [hid]), 'HOST_SHARE'), 'RUNNING_VMS'), 0);
    });
  });
}
