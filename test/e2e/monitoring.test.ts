/** Host monitoring through IM drivers: the Information Manager, the dummy driver, failures. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseXmlTree, child, childText, type XmlNode } from '../../src/common/xml-tree.js';
import { BACKENDS, Oned } from './harness.js';

const actions = mkdtempSync(join(tmpdir(), 'im-actions-'));

const CONF = `HOST_MONITORING_INTERVAL = 1
HOST_MONITORING_TIMEOUT = 2
HOST_MONITORING_EXPIRATION_TIME = 2
IM_MAD = [ NAME = "dummy", EXECUTABLE = "one_im_dummy", ARGUMENTS = "-c 400 -m 2048" ]
IM_MAD = [ NAME = "scripted", EXECUTABLE = "one_im_dummy", ARGUMENTS = "-a ${actions}" ]
IM_MAD = [ NAME = "numa1", EXECUTABLE = "one_im_dummy", ARGUMENTS = "-n 1:2:2" ]
VM_MAD = [ NAME = "dummy", EXECUTABLE = "one_vmm_dummy" ]
`;

async function hostInfo(oned: Oned, id: number): Promise<XmlNode> {
  return parseXmlTree(String(await oned.ok('one.host.info', [id])));
}

/** Polls until `check` holds for the host, or fails after `seconds`. */
async function until(oned: Oned, id: number, what: string, check: (h: XmlNode) => boolean, seconds = 15): Promise<XmlNode> {
  const end = Date.now() + seconds * 1000;
  for (;;) {
    const h = await hostInfo(oned, id);
    if (check(h)) return h;
    if (Date.now() > end) throw new Error(`host ${id}: ${what} did not happen in ${seconds} s; last state ${childText(h, 'STATE')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const share = (h: XmlNode, name: string) => childText(child(h, 'HOST_SHARE')!, name);

for (const backend of BACKENDS) {
  describe(`host monitoring on ${backend}`, () => {
    let oned: Oned;
    before(async () => {
      oned = await Oned.start({ backend, conf: CONF });
    });
    after(() => oned?.stop());

    test('a new host is monitored through its IM driver: MONITORED with the reported capacity', async () => {
      const id = (await oned.ok('one.host.allocate', ['mon-a', 'dummy', 'dummy', -1])) as number;
      const h = await until(oned, id, 'MONITORED', (x) => childText(x, 'STATE') === '2');
      assert.equal(share(h, 'TOTAL_CPU'), '400');
      assert.equal(share(h, 'TOTAL_MEM'), String(2048 * 1024));
      assert.equal(childText(child(h, 'TEMPLATE')!, 'HYPERVISOR'), 'dummy');
      // The sample row is committed with the report; the state in memory may be seen a moment before.
      let mon = parseXmlTree(String(await oned.ok('one.host.monitoring', [id])));
      for (let i = 0; i < 50 && mon.children.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 100));
        mon = parseXmlTree(String(await oned.ok('one.host.monitoring', [id])));
      }
      assert.ok(mon.children.length >= 1, 'monitoring samples are stored');
    });

    test("a dummy host reports what OpenNebula 7.4's dummy does: NUMA nodes, huge pages, PCI devices, KVM CPU models", async () => {
      const id = (await oned.ok('one.host.allocate', ['mon-numa', 'dummy', 'dummy', -1])) as number;
      const h = await until(oned, id, 'MONITORED with a sample', (x) => childText(x, 'STATE') === '2' && child(x, 'MONITORING')!.children.length > 0);
      assert.deepEqual(h.children.map((c) => c.name), ['ID', 'NAME', 'STATE', 'PREV_STATE', 'IM_MAD', 'VM_MAD', 'CLUSTER_ID', 'CLUSTER', 'HOST_SHARE', 'VMS', 'TEMPLATE', 'MONITORING']);
      const hs = child(h, 'HOST_SHARE')!;
      assert.deepEqual(hs.children.map((c) => c.name), ['MEM_USAGE', 'CPU_USAGE', 'TOTAL_MEM', 'TOTAL_CPU', 'MAX_MEM', 'MAX_CPU', 'RUNNING_VMS', 'VMS_THREAD', 'DATASTORES', 'PCI_DEVICES', 'NUMA_NODES']);
      const nodes = child(hs, 'NUMA_NODES')!.children;
      assert.deepEqual(nodes.map((n) => childText(n, 'NODE_ID')), ['0', '1']);
      const node0 = nodes[0]!;
      assert.equal(node0.children.filter((c) => c.name === 'CORE').length, 8);
      assert.deepEqual(node0.children[0]!.children.map((c) => [c.name, c.text]), [['CPUS', '0:-1,16:-1,32:-1,48:-1'], ['DEDICATED', 'NO'], ['FREE', '4'], ['ID', '0']]);
      assert.deepEqual(node0.children.filter((c) => c.name === 'HUGEPAGE').map((p) => [childText(p, 'SIZE'), childText(p, 'PAGES'), childText(p, 'USAGE')]), [['2048', '1024', '0'], ['1048576', '1024', '0']]);
      assert.deepEqual(child(node0, 'MEMORY')!.children.map((c) => [c.name, c.text]), [['DISTANCE', '0 1'], ['TOTAL', String(1024 * 1024)], ['USAGE', '0']]);
      const pci = child(hs, 'PCI_DEVICES')!.children;
      assert.equal(pci.length, 22);
      assert.ok(pci.every((d) => childText(d, 'VMID') === '-1'), 'every device free');
      const names = pci[0]!.children.map((c) => c.name);
      assert.deepEqual(names, [...names].sort(), 'device attributes by name');
      assert.equal(childText(pci[0]!, 'SHORT_ADDRESS'), '02:00.0');
      const t = child(h, 'TEMPLATE')!;
      assert.match(childText(t, 'KVM_CPU_MODELS'), /^486 pentium .* Opteron_G1$/);
      assert.match(childText(t, 'KVM_CPU_FEATURES'), /(^|,)vmx(,|$)/);
      assert.deepEqual([childText(t, 'TOTALCPU'), childText(t, 'TOTALMEMORY'), childText(t, 'MEMORY_ENCRYPTION')], ['400', String(2048 * 1024), 'SEV']);
      for (const gone of ['CORE', 'HUGEPAGE', 'MEMORY_NODE', 'PCI', 'DS_LOCATION_FREE_MB']) assert.equal(child(t, gone), undefined, gone);
      const sample = child(h, 'MONITORING')!;
      assert.deepEqual(sample.children.map((c) => c.name), ['TIMESTAMP', 'ID', 'CAPACITY', 'SYSTEM', 'NUMA_NODE', 'NUMA_NODE']);
      assert.deepEqual(child(sample, 'NUMA_NODE')!.children.map((c) => c.name), ['HUGEPAGE', 'HUGEPAGE', 'MEMORY', 'NODE_ID']);
      // hostpool.info lists the host with an empty MONITORING (one.hostpool.monitoring has the samples).
      const pool = parseXmlTree(String(await oned.ok('one.hostpool.info', [])));
      const listed = pool.children.find((c) => childText(c, 'ID') === String(id))!;
      assert.equal(child(listed, 'MONITORING')!.children.length, 0);
      assert.equal(child(child(listed, 'HOST_SHARE')!, 'NUMA_NODES')!.children.length, 2);
      const samples = parseXmlTree(String(await oned.ok('one.hostpool.monitoring', [0])));
      assert.ok(samples.children.some((m) => childText(m, 'ID') === String(id)));
    });

    test('the dummy NUMA layout is set with -n (nodes:cores:threads)', async () => {
      const id = (await oned.ok('one.host.allocate', ['mon-numa1', 'numa1', 'dummy', -1])) as number;
      const h = await until(oned, id, 'MONITORED', (x) => childText(x, 'STATE') === '2');
      const nodes = child(child(h, 'HOST_SHARE')!, 'NUMA_NODES')!.children;
      assert.equal(nodes.length, 1);
      assert.deepEqual(nodes[0]!.children.filter((c) => c.name === 'CORE').map((c) => childText(c, 'CPUS')), ['0:-1,2:-1', '1:-1,3:-1']);
    });

    test('a host whose driver fails or hangs goes ERROR with the reason, and back to MONITORED when it answers', async () => {
      writeFileSync(join(actions, 'monitor'), 'failure\n');
      const id = (await oned.ok('one.host.allocate', ['mon-b', 'scripted', 'dummy', -1])) as number;
      let h = await until(oned, id, 'ERROR', (x) => childText(x, 'STATE') === '3');
      assert.match(childText(child(h, 'TEMPLATE')!, 'ERROR'), /\S/);
      writeFileSync(join(actions, 'monitor'), 'success\n');
      h = await until(oned, id, 'MONITORED again', (x) => childText(x, 'STATE') === '2');
      assert.equal(childText(child(h, 'TEMPLATE')!, 'ERROR'), '');
      writeFileSync(join(actions, 'monitor'), '-\n');
      h = await until(oned, id, 'ERROR after a timeout', (x) => childText(x, 'STATE') === '3');
      assert.match(childText(child(h, 'TEMPLATE')!, 'ERROR'), /[Tt]ime/);
      writeFileSync(join(actions, 'monitor'), 'success\n');
    });

    test('monitoring samples older than HOST_MONITORING_EXPIRATION_TIME are deleted', async () => {
      const id = (await oned.ok('one.host.allocate', ['mon-old', 'dummy', 'dummy', -1])) as number;
      await new Promise((r) => setTimeout(r, 7500));
      const samples = parseXmlTree(String(await oned.ok('one.host.monitoring', [id]))).children;
      const times = samples.map((m) => Number(childText(m, 'TIMESTAMP')));
      assert.ok(times.length >= 1, 'recent samples are kept');
      const now = Math.floor(Date.now() / 1000);
      // Every 2 s what is older than 2 s goes: nothing older than ~5 s remains, where without
      // retention the first samples (~7 s old) would still be there.
      assert.ok(times.every((t) => now - t <= 5), `sample ages ${times.map((t) => now - t).join(', ')}`);
    });

    test('hosts must name configured drivers', async () => {
      const r = await oned.call('one.host.allocate', ['mon-c', 'nosuch', 'dummy', -1]);
      assert.equal(r[0], false);
      assert.equal(r[2], 16384);
      assert.match(String(r[1]), /IM_MAD "nosuch" is not configured in oned\.conf \(configured: dummy, scripted, numa1\)/);
      const v = await oned.call('one.host.allocate', ['mon-c', 'dummy', 'kvm', -1]);
      assert.match(String(v[1]), /VM_MAD "kvm" is not configured/);
    });
  });
}
