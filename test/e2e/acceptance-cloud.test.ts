/**
 * Issue 3's acceptance run, as an admin and a user would do it through the API with the dummy
 * drivers, on every backend: two hosts in a cluster, an image, a network and a template; a user
 * instantiates 50 VMs, the admin deploys them all, live-migrates one, powers one off and resumes
 * it, undeploys and redeploys one, and terminates all; then every lease, quota counter and host
 * share is back to zero.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { child, childInt, childText, type XmlNode } from '../../src/common/xml-tree.js';
import { BACKENDS, Oned } from './harness.js';
import { addUser, all, idList, must, okId, okXml, sleep, TEST_DRIVERS, type TestUser } from './api-helpers.js';

const VMS = 50;
const STATE = { PENDING: 1, ACTIVE: 3, DONE: 6, POWEROFF: 8, UNDEPLOYED: 9 } as const;
const RUNNING = 3;

/** Polls one.vm.info until `check` holds (or fails after `seconds`). */
async function untilVm(oned: Oned, id: number, what: string, check: (vm: XmlNode) => boolean, seconds = 30): Promise<XmlNode> {
  const end = Date.now() + seconds * 1000;
  for (;;) {
    const vm = await okXml(oned, 'one.vm.info', [id]);
    if (check(vm)) return vm;
    if (Date.now() > end) throw new Error(`VM ${id}: ${what} not reached in ${seconds} s (STATE ${childText(vm, 'STATE')}, LCM_STATE ${childText(vm, 'LCM_STATE')})`);
    await sleep(50);
  }
}

const isRunning = (vm: XmlNode) => childInt(vm, 'STATE') === STATE.ACTIVE && childInt(vm, 'LCM_STATE') === RUNNING;
const inState = (s: number) => (vm: XmlNode) => childInt(vm, 'STATE') === s;
const lastHost = (vm: XmlNode) => {
  const h = all(must(vm, 'HISTORY_RECORDS'), 'HISTORY');
  return childInt(h[h.length - 1]!, 'HID');
};

/** The `*_USED` counters of a user's quotas that are not zero, as `BLOCK/METRIC=value`. */
function usedQuotas(user: XmlNode): string[] {
  const out: string[] = [];
  for (const block of ['VM_QUOTA', 'DATASTORE_QUOTA', 'NETWORK_QUOTA', 'IMAGE_QUOTA']) {
    for (const entry of child(user, block)?.children ?? []) {
      for (const c of entry.children) if (c.name.endsWith('_USED') && Number(c.text) !== 0) out.push(`${block}/${c.name}=${c.text}`);
    }
  }
  return out;
}

for (const backend of BACKENDS) {
  describe(`a small cloud with dummy drivers on ${backend}`, () => {
    let oned: Oned;
    let alice: TestUser;
    let hosts: number[];
    let image: number;
    let vnet: number;
    let template: number;
    const vms: number[] = [];

    before(async () => {
      oned = await Oned.start({ backend, conf: 'HOST_MONITORING_INTERVAL = 1\n' + TEST_DRIVERS });
      alice = await addUser(oned, 'alice');
    });
    after(() => oned?.stop());

    test('the admin builds the infrastructure: a cluster with two hosts, a network; the user an image and a template', async () => {
      const cluster = await okId(oned, 'one.cluster.allocate', ['production']);
      hosts = [];
      for (const name of ['node01', 'node02']) {
        const id = await okId(oned, 'one.host.allocate', [name, 'dummy', 'dummy', cluster]);
        hosts.push(id);
      }
      // Let the two hosts be monitored, so they have capacity.
      for (const id of hosts) {
        const end = Date.now() + 15_000;
        while (childText(await okXml(oned, 'one.host.info', [id]), 'STATE') !== '2') {
          if (Date.now() > end) throw new Error(`host ${id} not monitored`);
          await sleep(100);
        }
      }
      // Dummy storage: a system datastore and an image datastore whose drivers do nothing.
      const system = await okId(oned, 'one.datastore.allocate', ['NAME = "dummy-system"\nTYPE = "SYSTEM_DS"\nTM_MAD = "dummy"', cluster]);
      const images = await okId(oned, 'one.datastore.allocate', ['NAME = "dummy-images"\nDS_MAD = "dummy"\nTM_MAD = "dummy"', cluster]);
      assert.ok(system >= 0);
      vnet = await okId(oned, 'one.vn.allocate', ['NAME = "private"\nVN_MAD = "dummy"\nBRIDGE = "br0"\nAR = [ TYPE = "IP4", IP = "10.0.0.1", SIZE = "254" ]', cluster]);
      // The user may use the network and the default datastore (group and others USE).
      await oned.ok('one.vn.chmod', [vnet, 1, 1, 0, 1, 0, 0, 1, 0, 0]);
      await oned.ok('one.datastore.chmod', [images, 1, 1, 0, 1, 0, 0, 1, 0, 0]);
      await oned.ok('one.user.quota', [alice.id, `VM = [ VMS = ${VMS}, CPU = ${VMS}, MEMORY = ${VMS * 64} ]\nNETWORK = [ ID = ${vnet}, LEASES = ${VMS} ]`]);

      image = await okId(oned, 'one.image.allocate', ['NAME = "base"\nPATH = "/var/tmp/base.img"\nTYPE = "OS"', images], alice.session);
      const end = Date.now() + 15_000;
      while (childText(await okXml(oned, 'one.image.info', [image], alice.session), 'STATE') !== '1') {
        if (Date.now() > end) throw new Error('image not READY');
        await sleep(50);
      }
      template = await okId(
        oned,
        'one.template.allocate',
        [`NAME = "small"\nCPU = 1\nMEMORY = 64\nDISK = [ IMAGE_ID = ${image} ]\nNIC = [ NETWORK_ID = ${vnet} ]\nCONTEXT = [ HOSTNAME = "$NAME", ETH0_IP = "$NIC[IP]" ]`],
        alice.session,
      );
    });

    test(`the user instantiates ${VMS} VMs: PENDING, each with its own lease, quotas counted`, async () => {
      const ids = await Promise.all(Array.from({ length: VMS }, (_, i) => okId(oned, 'one.template.instantiate', [template, `web-${i}`, false, ''], alice.session)));
      vms.push(...ids);
      assert.equal(new Set(ids).size, VMS);
      const pool = await okXml(oned, 'one.vmpool.info', [-2, -1, -1, -1], alice.session);
      assert.equal(all(pool, 'VM').length, VMS);
      const ips = new Set<string>();
      for (const vm of all(pool, 'VM')) {
        assert.equal(childInt(vm, 'STATE'), STATE.PENDING);
        ips.add(childText(must(must(vm, 'TEMPLATE'), 'NIC'), 'IP'));
      }
      assert.equal(ips.size, VMS, 'no lease given twice');
      const net = await okXml(oned, 'one.vn.info', [vnet]);
      assert.equal(childText(net, 'USED_LEASES'), String(VMS));
      const user = await okXml(oned, 'one.user.info', [alice.id]);
      assert.equal(childText(must(must(user, 'VM_QUOTA'), 'VM'), 'VMS_USED'), String(VMS));
      const img = await okXml(oned, 'one.image.info', [image]);
      assert.equal(childText(img, 'RUNNING_VMS'), String(VMS));
      // One more is over the VM quota: refused, nothing taken.
      const r = await oned.call('one.template.instantiate', [template, 'one-too-many', false, ''], alice.session);
      assert.equal(r[0], false);
      assert.match(String(r[1]), /limit of 50 reached for VM VMS quota/);
      assert.equal(childText(await okXml(oned, 'one.vn.info', [vnet]), 'USED_LEASES'), String(VMS));
    });

    test("another user may not use alice's private image: refused, nothing taken", async () => {
      const bob = await addUser(oned, 'bob');
      const r = await oned.call('one.vm.allocate', [`CPU = 1\nMEMORY = 64\nDISK = [ IMAGE_ID = ${image} ]\nNIC = [ NETWORK_ID = ${vnet} ]`, false], bob.session);
      assert.equal(r[0], false);
      assert.equal(r[2], 512, 'AUTHORIZATION');
      assert.match(String(r[1]), new RegExp(`USE IMAGE \\[${image}\\]`));
      assert.equal(childText(await okXml(oned, 'one.vn.info', [vnet]), 'USED_LEASES'), String(VMS));
      assert.equal(childText(await okXml(oned, 'one.image.info', [image]), 'RUNNING_VMS'), String(VMS));
    });

    test('the admin deploys them all with one.vm.deploy: every VM reaches RUNNING', async () => {
      await Promise.all(vms.map((id, i) => oned.ok('one.vm.deploy', [id, hosts[i % 2]!, false, -1])));
      await Promise.all(vms.map((id) => untilVm(oned, id, 'RUNNING', isRunning)));
      for (const [i, hid] of hosts.entries()) {
        const host = await okXml(oned, 'one.host.info', [hid]);
        const share = must(host, 'HOST_SHARE');
        assert.equal(childText(share, 'RUNNING_VMS'), String(VMS / 2), `host ${i} runs half of them`);
        assert.equal(childText(share, 'CPU_USAGE'), String((VMS / 2) * 100));
        assert.equal(childText(share, 'MEM_USAGE'), String((VMS / 2) * 64 * 1024));
        assert.equal(idList(host, 'VMS').length, VMS / 2);
      }
    });

    test('one VM is live-migrated to the other host and keeps running there', async () => {
      const id = vms[0]!;
      const from = lastHost(await okXml(oned, 'one.vm.info', [id]));
      const to = hosts.find((h) => h !== from)!;
      await oned.ok('one.vm.migrate', [id, to, true, false, -1]);
      const vm = await untilVm(oned, id, 'RUNNING on the other host', (v) => isRunning(v) && lastHost(v) === to);
      const history = all(must(vm, 'HISTORY_RECORDS'), 'HISTORY');
      assert.equal(history.length, 2);
      assert.notEqual(childText(history[0]!, 'ETIME'), '0', 'the first stay is closed');
      assert.equal(childText(history[0]!, 'ACTION'), '2', 'closed by live-migrate');
    });

    test('one VM is powered off and resumed', async () => {
      const id = vms[1]!;
      await oned.ok('one.vm.action', ['poweroff', id]);
      await untilVm(oned, id, 'POWEROFF', inState(STATE.POWEROFF));
      await oned.ok('one.vm.action', ['resume', id]);
      await untilVm(oned, id, 'RUNNING again', isRunning);
    });

    test('one VM is undeployed and deployed again', async () => {
      const id = vms[2]!;
      await oned.ok('one.vm.action', ['undeploy', id]);
      await untilVm(oned, id, 'UNDEPLOYED', inState(STATE.UNDEPLOYED));
      const host = await okXml(oned, 'one.host.info', [hosts[0]!]);
      assert.ok(!idList(host, 'VMS').includes(id), 'an undeployed VM leaves its host');
      await oned.ok('one.vm.deploy', [id, hosts[1]!, false, -1]);
      const vm = await untilVm(oned, id, 'RUNNING after redeploy', isRunning);
      assert.equal(lastHost(vm), hosts[1]);
    });

    test('terminating every VM gives back every lease, quota counter and host share', async () => {
      await Promise.all(vms.map((id) => oned.ok('one.vm.action', ['terminate', id])));
      await Promise.all(vms.map((id) => untilVm(oned, id, 'DONE', inState(STATE.DONE))));
      const net = await okXml(oned, 'one.vn.info', [vnet]);
      assert.equal(childText(net, 'USED_LEASES'), '0');
      for (const hid of hosts) {
        const host = await okXml(oned, 'one.host.info', [hid]);
        const share = must(host, 'HOST_SHARE');
        assert.deepEqual(
          ['RUNNING_VMS', 'CPU_USAGE', 'MEM_USAGE'].map((k) => childText(share, k)),
          ['0', '0', '0'],
        );
        assert.deepEqual(idList(host, 'VMS'), []);
      }
      const img = await okXml(oned, 'one.image.info', [image]);
      assert.equal(childText(img, 'RUNNING_VMS'), '0');
      assert.equal(childText(img, 'STATE'), '1', 'the image is READY again');
      assert.deepEqual(usedQuotas(await okXml(oned, 'one.user.info', [alice.id])).filter((q) => !q.startsWith('DATASTORE_QUOTA')), []);
      // Only the image itself still counts against the datastore quota.
      const ds = must(must(await okXml(oned, 'one.user.info', [alice.id]), 'DATASTORE_QUOTA'), 'DATASTORE');
      assert.equal(childText(ds, 'IMAGES_USED'), '1');
      // A DONE VM is gone from the default listing but still in the -2 (any state) one.
      assert.equal(all(await okXml(oned, 'one.vmpool.info', [-2, -1, -1, -1]), 'VM').length, 0);
      assert.equal(all(await okXml(oned, 'one.vmpool.info', [-2, -1, -1, -2]), 'VM').length, VMS);
    });
  });
}
