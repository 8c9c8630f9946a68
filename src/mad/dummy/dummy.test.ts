import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { actionData, binDriver, tempDir } from '../testing.js';
import { DUMMY_VMM_ACTIONS } from './vmm.js';
import { Template } from '../../common/template/index.js';
import { dummyHostTemplate, parseExtraAttributes, parseTopology } from './im.js';

test('dummy VMM: every protocol action succeeds, with a deploy id, poll data and snapshot ids', async () => {
  const vmm = binDriver('one_vmm_dummy', []);
  await vmm.start();
  try {
    const replies = await Promise.all(DUMMY_VMM_ACTIONS.map((a) => vmm.request(a, 42, ['PFZNPjwvVk0+'])));
    assert.ok(replies.every((r) => r.ok));
    const info = Object.fromEntries(DUMMY_VMM_ACTIONS.map((a, i) => [a, replies[i]!.info]));
    assert.equal(info.DEPLOY, 'one-42');
    assert.equal(info.POLL, 'STATE=a CPU=0 MEMORY=0 NETRX=0 NETTX=0');
    assert.equal(info.SNAPSHOTCREATE, 'dummy-snap');
    assert.equal(info.SHUTDOWN, '');
    const sg = actionData('<VMM_DRIVER_ACTION_DATA><SECURITY_GROUP_ID>5</SECURITY_GROUP_ID></VMM_DRIVER_ACTION_DATA>');
    assert.equal((await vmm.request('UPDATESG', 42, [sg])).info, '5');
  } finally {
    await vmm.stop();
  }
});

test('dummy drivers with -a: outcomes scripted per action, in turn, including no answer at all', async () => {
  const actions = tempDir('dummy-actions');
  writeFileSync(join(actions, 'deploy'), 'failure\nsuccess\n');
  writeFileSync(join(actions, 'shutdown'), '-\n');
  writeFileSync(join(actions, 'monitor'), '0\n');
  const vmm = binDriver('one_vmm_dummy', ['-a', actions]);
  const im = binDriver('one_im_dummy', ['-a', actions]);
  await Promise.all([vmm.start(), im.start()]);
  try {
    const deploys = [];
    for (let i = 0; i < 3; i++) deploys.push(await vmm.request('DEPLOY', i, ['x']));
    assert.deepEqual(deploys.map((r) => [r.ok, r.info]), [
      [false, 'Scripted failure of DEPLOY'],
      [true, 'one-1'],
      [false, 'Scripted failure of DEPLOY'],
    ]);
    assert.deepEqual(await vmm.request('SHUTDOWN', 1, ['x'], { timeoutMs: 200 }), { ok: false, info: 'Timeout after 0.2 s: driver one_vmm_dummy did not answer SHUTDOWN', logs: [] });
    assert.equal((await vmm.request('CANCEL', 1, ['x'])).ok, true);
    assert.equal((await im.request('MONITOR', 0, ['h0', '-', '0'])).ok, false);
    writeFileSync(join(actions, 'monitor'), 'success\n');
    assert.equal((await im.request('MONITOR', 0, ['h0', '-', '0'])).ok, true);
  } finally {
    await Promise.all([vmm.stop(), im.stop()]);
  }
});

test('dummy IM: default capacity and bad capacity options refused before INIT', async () => {
  const im = binDriver('one_im_dummy', []);
  await im.start();
  const template = Buffer.from((await im.request('MONITOR', 1, ['h1', '-', '0'])).info, 'base64').toString();
  await im.stop();
  for (const line of ['TOTALCPU=800', 'FREECPU=800', 'USEDCPU=0', 'TOTALMEMORY=16777216', 'USEDMEMORY=0', 'NETRX=0', 'CPUSPEED=3200', 'MEMORY_ENCRYPTION=SEV']) {
    assert.ok(template.split('\n').includes(line), line);
  }
  const stderr: string[] = [];
  await assert.rejects(binDriver('one_im_dummy', ['-c', 'lots'], { onStderr: (l) => stderr.push(l) }).start(), /exited \(code 1\)/);
  assert.deepEqual(stderr, ["one_im_dummy: -c expects an integer >= 1, got 'lots'"]);
  stderr.length = 0;
  await assert.rejects(binDriver('one_im_dummy', ['-n', '2:x:1'], { onStderr: (l) => stderr.push(l) }).start(), /exited \(code 1\)/);
  assert.deepEqual(stderr, ["one_im_dummy: -n expects NODES:CORES:THREADS (integers >= 1), got '2:x:1'"]);
  const one = binDriver('one_im_dummy', ['-n', '1:1:2', '-t', '4']);
  await one.start();
  const numa = Buffer.from((await one.request('MONITOR', 1, ['h1', '-', '0'])).info, 'base64').toString();
  await one.stop();
  assert.deepEqual(numa.split('\n').filter((l) => l.startsWith('CORE')), ['CORE = [ NODE_ID = "0", ID = "0", CPUS = "0,1" ]'], '-n sets the layout, -t stays the driver threads');
});

test('the dummy IM reports a loaded host and extra attributes when asked (-u, -e)', () => {
  const t = dummyHostTemplate('node 1', { cpu: 800, memoryMb: 1024, usedPercent: 75, extra: parseExtraAttributes('CPUSPEED=3000, hypervisor=kvm') });
  assert.match(t, /^USEDCPU=600$/m);
  assert.match(t, /^FREECPU=200$/m);
  assert.match(t, /^CPUSPEED=3000$/m);
  assert.match(t, /^HYPERVISOR=kvm$/m);
  assert.equal(t.match(/^HYPERVISOR=/gm)?.length, 1, 'an extra attribute replaces the dummy one');
  assert.match(t, /^HOSTNAME="node 1"$/m);
  assert.throws(() => parseExtraAttributes('CPUSPEED'), /-e: "CPUSPEED" is not ATTRIBUTE=VALUE/);
  assert.throws(() => parseExtraAttributes('1X=2'), /is not ATTRIBUTE=VALUE/);
});

test("the dummy IM describes OpenNebula 7.4's dummy host: NUMA nodes, huge pages, PCI devices, KVM CPU models and features", () => {
  const t = Template.parse(dummyHostTemplate('h', { cpu: 800, memoryMb: 16384 }));
  const vectors = (name: string) => t.getAll(name).map((a) => a.value as Map<string, string>);
  const cores = vectors('CORE');
  assert.equal(cores.length, 16, 'two nodes of eight cores');
  assert.deepEqual(Object.fromEntries(cores[0]!), { NODE_ID: '0', ID: '0', CPUS: '0,16,32,48' });
  assert.deepEqual(Object.fromEntries(cores[15]!), { NODE_ID: '1', ID: '15', CPUS: '15,31,47,63' });
  const pages = vectors('HUGEPAGE');
  assert.deepEqual(pages.filter((v) => v.has('PAGES')).map((v) => [v.get('NODE_ID'), v.get('SIZE'), v.get('PAGES')]), [['0', '2048', '1024'], ['0', '1048576', '1024'], ['1', '2048', '1024'], ['1', '1048576', '1024']]);
  assert.equal(pages.filter((v) => v.has('FREE')).length, 4, 'and the free pages the monitor probe measures');
  const memory = vectors('MEMORY_NODE');
  assert.deepEqual(memory.filter((v) => v.has('TOTAL')).map((v) => [v.get('TOTAL'), v.get('DISTANCE')]), [['8388608', '0 1'], ['8388608', '1 0']]);
  assert.deepEqual(memory.filter((v) => v.has('USED')).map((v) => [v.get('FREE'), v.get('USED')]), [['8388608', '0'], ['8388608', '0']]);
  const pci = vectors('PCI');
  assert.equal(pci.length, 22);
  assert.deepEqual(Object.fromEntries(pci[4]!), {
    ADDRESS: '0000:81:00:0', BUS: '81', SLOT: '00', FUNCTION: '0', DOMAIN: '0000', SHORT_ADDRESS: '81:00.0', VENDOR: '15b3', VENDOR_NAME: 'Mellanox Technologies',
    DEVICE: '1015', DEVICE_NAME: 'MT27710 Family [ConnectX-4 Lx]', CLASS: '0200', CLASS_NAME: 'Ethernet controller', TYPE: '15b3:1015:0200', NUMA_NODE: '0',
    IFNAME: 'pf0', SRIOV: 'pf', SRIOV_NUM: '8',
  });
  assert.equal(pci.filter((v) => v.get('SRIOV') === 'vf').length, 16);
  assert.deepEqual(pci.at(-1)!.get('SHORT_ADDRESS'), '81:02.1');
  assert.match(pci[0]!.get('PROFILES')!, /^1145 \(NVIDIA L40S-1B\),.*,1166 \(NVIDIA L40S-48A\)$/);
  assert.equal(new Set(pci.map((v) => v.get('ADDRESS'))).size, 22, 'addresses are unique');
  assert.equal(t.get('KVM_CPU_MODELS')!.split(' ').length, 26);
  assert.ok(t.get('KVM_CPU_FEATURES')!.split(',').includes('vmx'));
  assert.equal(t.get('MODELNAME'), 'Dummy(R) Core @ 3.2GHz');
});

test('the dummy IM topology is set with -n NODES:CORES:THREADS; memory is split between the nodes', () => {
  const t = Template.parse(dummyHostTemplate('h', { cpu: 400, memoryMb: 1024, topology: parseTopology('1:2:2') }));
  assert.deepEqual(t.getAll('CORE').map((a) => (a.value as Map<string, string>).get('CPUS')), ['0,2', '1,3']);
  assert.deepEqual(t.getAll('MEMORY_NODE').map((a) => (a.value as Map<string, string>).get('TOTAL') ?? (a.value as Map<string, string>).get('FREE')), ['1048576', '1048576']);
  assert.equal(t.getAll('MEMORY_NODE')[0]!.value instanceof Map && (t.getAll('MEMORY_NODE')[0]!.value as Map<string, string>).get('DISTANCE'), '0');
  for (const bad of ['2:8', '0:1:1', 'a:b:c', '1:1:1:1']) assert.throws(() => parseTopology(bad), /-n expects NODES:CORES:THREADS/, bad);
});
