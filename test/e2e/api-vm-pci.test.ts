/**
 * PCI passthrough end to end on dummy hosts (whose IM reports 7.4's dummy PCI devices): `PCI`
 * requests in VM templates, checked and numbered; a deploy holds a free matching device of the
 * host (HOST_SHARE/PCI_DEVICES/PCI/VMID) and copies its address into the VM, a host without one
 * refuses the VM, the device is free again when the VM leaves; the kvm deployment file gets a
 * `<hostdev>`; `one.vm.attachpci` / `detachpci` on POWEROFF and UNDEPLOYED VMs only; and the
 * scheduler places VMs only where a matching device is free.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { childInt, childText, type XmlNode } from '../../src/common/xml-tree.js';
import { Oned } from './harness.js';
import { all, Code, must, okId, okXml, refused, sleep } from './api-helpers.js';

const S = { PENDING: 1, ACTIVE: 3, POWEROFF: 8, UNDEPLOYED: 9, DONE: 6 };
const RUNNING = 3;
const GPU = '0000:02:00:0';

async function waitFor(o: Oned, id: number, state: number, lcm = 0, ms = 10000): Promise<XmlNode> {
  const until = Date.now() + ms;
  let last: XmlNode;
  do {
    last = await okXml(o, 'one.vm.info', [id]);
    if (childInt(last, 'STATE') === state && childInt(last, 'LCM_STATE') === lcm) return last;
    await sleep(25);
  } while (Date.now() < until);
  assert.fail(`VM ${id} should reach ${state}/${lcm}, is ${childInt(last, 'STATE')}/${childInt(last, 'LCM_STATE')} (${childText(must(last, 'USER_TEMPLATE'), 'SCHED_MESSAGE')}${childText(must(last, 'USER_TEMPLATE'), 'ERROR')})`);
}

async function monitored(o: Oned, hid: number): Promise<void> {
  const until = Date.now() + 10000;
  while (childInt(await okXml(o, 'one.host.info', [hid]), 'STATE') !== 2) {
    if (Date.now() > until) assert.fail(`host ${hid} is not MONITORED`);
    await sleep(50);
  }
}

/** VMID of each host PCI device, by ADDRESS. */
async function holders(o: Oned, hid: number): Promise<Map<string, string>> {
  const pci = all(must(must(await okXml(o, 'one.host.info', [hid]), 'HOST_SHARE'), 'PCI_DEVICES'), 'PCI');
  return new Map(pci.map((p) => [childText(p, 'ADDRESS'), childText(p, 'VMID')]));
}

const pcis = (v: XmlNode) => all(must(v, 'TEMPLATE'), 'PCI').map((p) => [childText(p, 'PCI_ID'), childText(p, 'ADDRESS')]);

/** Monitored dummy hosts (TEST_DRIVERS turns host monitoring off) and a libvirt-file VM_MAD. */
const CONF =
  'HOST_MONITORING_INTERVAL = 1\nIM_MAD = [ NAME = "dummy", EXECUTABLE = "one_im_dummy" ]\n' +
  'VM_MAD = [ NAME = "dummy", EXECUTABLE = "one_vmm_dummy" ]\nVM_MAD = [ NAME = "kvmfile", EXECUTABLE = "one_vmm_dummy", TYPE = "kvm", DEFAULT = "vmm_exec/vmm_exec_kvm.conf" ]\n';

describe('PCI passthrough', () => {
    let instance: Oned | undefined;
    const oned = () => instance!;
    before(async () => {
      instance = await Oned.start({ backend: 'sqlite', conf: CONF });
    });
    after(() => instance?.stop());
    let a = -1;
    let b = -1;

    test('setup: two monitored dummy hosts, one whose deployment file is libvirt\'s', async () => {
      const o = oned();
      await okId(o, 'one.datastore.update', [0, 'TM_MAD = "dummy"', 1]);
      a = await okId(o, 'one.host.allocate', ['pci-a', 'dummy', 'kvmfile', -1]);
      b = await okId(o, 'one.host.allocate', ['pci-b', 'dummy', 'dummy', -1]);
      for (const h of [a, b]) await monitored(o, h);
      const devices = await holders(o, a);
      assert.equal(devices.get(GPU), '-1', 'the dummy GPU, free');
      assert.ok(devices.size > 10);
    });

    test('templates: PCI requests numbered; malformed ones refused at allocate', async () => {
      const o = oned();
      await refused(o, 'one.vm.allocate', ['CPU = 1\nMEMORY = 64\nPCI = [ NAME = "gpu" ]'], Code.ALLOCATE, /PCI 0 must name its device/);
      await refused(o, 'one.vm.allocate', ['CPU = 1\nMEMORY = 64\nPCI = [ VENDOR = "10de;reboot" ]'], Code.ALLOCATE, /PCI 0: VENDOR must be a 4-digit hex vendor id/);
      const id = await okId(o, 'one.vm.allocate', ['CPU = 1\nMEMORY = 64\nPCI = [ VENDOR = "10de", CLASS = "0302" ]\nPCI = [ CLASS = "0c03" ]']);
      assert.deepEqual(pcis(await okXml(o, 'one.vm.info', [id])), [['0', ''], ['1', '']]);
      await okId(o, 'one.vm.action', ['terminate-hard', id]);
    });

    test('deploy holds the devices and writes a hostdev; a host without a free one refuses; leaving frees them', async () => {
      const o = oned();
      const id = await okId(o, 'one.vm.allocate', ['CPU = 1\nMEMORY = 64\nPCI = [ VENDOR = "10de" ]\nPCI = [ SHORT_ADDRESS = "00:06.1" ]']);
      await okId(o, 'one.vm.deploy', [id, a]);
      const v = await waitFor(o, id, S.ACTIVE, RUNNING);
      assert.deepEqual(pcis(v), [['0', GPU], ['1', '0000:00:06:1']]);
      const gpu = all(must(v, 'TEMPLATE'), 'PCI')[0]!;
      assert.deepEqual(['BUS', 'SLOT', 'FUNCTION', 'DOMAIN', 'NUMA_NODE'].map((k) => childText(gpu, k)), ['02', '00', '0', '0000', '1']);
      let held = await holders(o, a);
      assert.deepEqual([held.get(GPU), held.get('0000:00:06:1'), held.get('0000:00:06:0')], [String(id), String(id), '-1']);
      const file = readFileSync(join(o.location, 'var', 'vms', String(id), 'deployment.0'), 'utf8');
      assert.match(file, /<hostdev mode='subsystem' type='pci' managed='yes'><source><address domain='0x0000' bus='0x02' slot='0x00' function='0x0'\/><\/source><\/hostdev>/);
      assert.match(file, /<address domain='0x0000' bus='0x00' slot='0x06' function='0x1'\/>/);

      // The GPU is taken on host a: another VM wanting it is refused there, nothing changes.
      const other = await okId(o, 'one.vm.allocate', ['CPU = 1\nMEMORY = 64\nPCI = [ VENDOR = "10de", DEVICE = "0863" ]']);
      await refused(o, 'one.vm.deploy', [other, a], Code.ACTION, /Host pci-a \(\d+\) has no free PCI device for each of VM \d+'s: \[VENDOR 10de, DEVICE 0863\]/);
      const still = await okXml(o, 'one.vm.info', [other]);
      assert.equal(childInt(still, 'STATE'), S.PENDING);
      assert.equal(all(must(still, 'HISTORY_RECORDS'), 'HISTORY').length, 0);
      await okId(o, 'one.vm.deploy', [other, b]);
      await waitFor(o, other, S.ACTIVE, RUNNING);
      assert.equal((await holders(o, b)).get(GPU), String(other));

      // Power-off keeps them (the VM keeps its host); undeploy and terminate give them back.
      await okId(o, 'one.vm.action', ['poweroff-hard', id]);
      await waitFor(o, id, S.POWEROFF);
      assert.equal((await holders(o, a)).get(GPU), String(id));
      await okId(o, 'one.vm.action', ['undeploy-hard', id]);
      await waitFor(o, id, S.UNDEPLOYED);
      held = await holders(o, a);
      assert.deepEqual([held.get(GPU), held.get('0000:00:06:1')], ['-1', '-1']);
      await okId(o, 'one.vm.action', ['terminate-hard', other]);
      await waitFor(o, other, S.DONE);
      assert.equal((await holders(o, b)).get(GPU), '-1');
      await okId(o, 'one.vm.action', ['terminate-hard', id]);
      await waitFor(o, id, S.DONE);
    });

    test('attachpci / detachpci: POWEROFF holds a device of its host at once, UNDEPLOYED at the next deploy; RUNNING refused', async () => {
      const o = oned();
      const id = await okId(o, 'one.vm.allocate', ['CPU = 1\nMEMORY = 64']);
      await okId(o, 'one.vm.deploy', [id, b]);
      await waitFor(o, id, S.ACTIVE, RUNNING);
      await refused(o, 'one.vm.attachpci', [id, 'PCI = [ CLASS = "0c03" ]'], Code.ACTION, /"pci-attach": This action is not available for state RUNNING/);
      await okId(o, 'one.vm.action', ['poweroff-hard', id]);
      await waitFor(o, id, S.POWEROFF);
      await refused(o, 'one.vm.attachpci', [id, 'PCI = [ VENDOR = "ffff" ]'], Code.ACTION, /Cannot attach PCI \[VENDOR ffff\] to VM \d+: host pci-b \(\d+\) has no such device free/);
      await refused(o, 'one.vm.attachpci', [id, 'DISK = [ SIZE = 1 ]'], Code.INTERNAL, /must have one PCI vector/);
      await refused(o, 'one.vm.attachpci', [id, 'PCI = [ SHORT_ADDRESS = "zz" ]'], Code.INTERNAL, /SHORT_ADDRESS must be a bus:slot.function address/);
      assert.equal(await okId(o, 'one.vm.attachpci', [id, 'PCI = [ CLASS = "0c03" ]']), id);
      let v = await okXml(o, 'one.vm.info', [id]);
      assert.equal(childInt(v, 'STATE'), S.POWEROFF, 'only the template changes');
      const [[pciId, address]] = pcis(v) as [[string, string]];
      assert.equal(pciId, '0');
      assert.match(address, /^0000:00:06:[01]$/);
      assert.equal((await holders(o, b)).get(address), String(id));
      await refused(o, 'one.vm.detachpci', [id, 5], Code.ACTION, /VM \d+ has no PCI with PCI_ID 5/);
      assert.equal(await okId(o, 'one.vm.detachpci', [id, 0]), id);
      assert.deepEqual(pcis(await okXml(o, 'one.vm.info', [id])), []);
      assert.equal((await holders(o, b)).get(address), '-1', 'given back to the host');

      await okId(o, 'one.vm.action', ['terminate-hard', id]);
      await waitFor(o, id, S.DONE);

      const u = await okId(o, 'one.vm.allocate', ['CPU = 1\nMEMORY = 64']);
      await okId(o, 'one.vm.deploy', [u, b]);
      await waitFor(o, u, S.ACTIVE, RUNNING);
      await okId(o, 'one.vm.action', ['undeploy-hard', u]);
      await waitFor(o, u, S.UNDEPLOYED);
      await okId(o, 'one.vm.attachpci', [u, 'PCI = [ SHORT_ADDRESS = "02:00.0" ]']);
      await okId(o, 'one.vm.attachpci', [u, 'PCI = [ CLASS = "0c03" ]']);
      assert.deepEqual(pcis(await okXml(o, 'one.vm.info', [u])), [['0', ''], ['1', '']], 'no host yet');
      await okId(o, 'one.vm.detachpci', [u, 1]);
      await okId(o, 'one.vm.deploy', [u, a]);
      v = await waitFor(o, u, S.ACTIVE, RUNNING);
      assert.deepEqual(pcis(v), [['0', GPU]]);
      assert.equal((await holders(o, a)).get(GPU), String(u));
      await okId(o, 'one.vm.action', ['terminate-hard', u]);
      await waitFor(o, u, S.DONE);
      assert.equal((await holders(o, a)).get(GPU), '-1');
    });
});

describe('the scheduler and PCI devices', () => {
  let oned: Oned | undefined;
  after(() => oned?.stop());

  test('VMs go only where a matching device is free; the rest wait, saying why, until one is freed', async () => {
    oned = await Oned.start({
      backend: 'sqlite',
      conf: `${CONF}SCHEDULER = [ EXECUTABLE = "mm_sched" ]\n`,
      schedConf: 'SCHED_INTERVAL = 1\nMAX_DISPATCH = 100\nMAX_HOST = 100\nDEFAULT_SCHED = [ POLICY = 0 ]\n',
    });
    const o = oned;
    await okId(o, 'one.datastore.update', [0, 'TM_MAD = "dummy"', 1]);
    const hosts = [await okId(o, 'one.host.allocate', ['sched-a', 'dummy', 'dummy', -1]), await okId(o, 'one.host.allocate', ['sched-b', 'dummy', 'dummy', -1])];
    for (const h of hosts) await monitored(o, h);
    const gpuVm = () => okId(o, 'one.vm.allocate', ['CPU = 0.1\nMEMORY = 32\nPCI = [ VENDOR = "10de", CLASS = "0302" ]']);
    const [v1, v2, v3] = [await gpuVm(), await gpuVm(), await gpuVm()];
    const placed = [await waitFor(o, v1, S.ACTIVE, RUNNING), await waitFor(o, v2, S.ACTIVE, RUNNING)];
    const hostOf = (v: XmlNode) => childInt(all(must(v, 'HISTORY_RECORDS'), 'HISTORY').at(-1)!, 'HID');
    assert.notEqual(hostOf(placed[0]!), hostOf(placed[1]!), 'one GPU per host: each VM on its own');
    // The third waits: both GPUs are held.
    const end = Date.now() + 10000;
    let msg = '';
    while (Date.now() < end && !/lack free PCI devices/.test(msg)) {
      msg = childText(must(await okXml(o, 'one.vm.info', [v3]), 'USER_TEMPLATE'), 'SCHED_MESSAGE');
      await sleep(100);
    }
    assert.match(msg, /2 lack free PCI devices/);
    assert.equal(childInt(await okXml(o, 'one.vm.info', [v3]), 'STATE'), S.PENDING);
    await okId(o, 'one.vm.action', ['terminate-hard', v1]);
    const third = await waitFor(o, v3, S.ACTIVE, RUNNING);
    assert.equal(hostOf(third), hostOf(placed[0]!), 'placed where the GPU was freed');
  });
});
