/**
 * `one.vm.resize` end to end on the dummy drivers: a cold resize of a POWEROFF VM moves its
 * template, its owner's quota and its host's share; a resize above the quota or the host's
 * capacity changes nothing; a RUNNING VM is resized hot through HOTPLUG_RESIZE when its driver
 * (LIVE_RESIZE) and template (VCPU_MAX / MEMORY_MAX) allow it, and a failed driver action puts
 * everything back; states that do not allow it are refused with oned's error code.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { child, childInt, childText, type XmlNode } from '../../src/common/xml-tree.js';
import { FEATURE_BACKENDS, Oned } from './harness.js';
import { Code, addUser, must, okId, okXml, refused } from './api-helpers.js';

const S = { PENDING: 1, HOLD: 2, ACTIVE: 3, SUSPENDED: 5, DONE: 6, POWEROFF: 8, UNDEPLOYED: 9 } as const;
const L = { LCM_INIT: 0, RUNNING: 3 } as const;

const SCRIPTS = mkdtempSync(join(tmpdir(), 'nebula-resize-scripts-'));

// Hosts are monitored (4 CPUs, 2 GB each) so that their capacity can be checked.
const CONF = `
HOST_MONITORING_INTERVAL = 1
IM_MAD = [ NAME = "dummy", EXECUTABLE = "one_im_dummy", ARGUMENTS = "-c 400 -m 2048" ]
VM_MAD = [ NAME = "dummy", EXECUTABLE = "one_vmm_dummy" ]
VM_MAD = [ NAME = "hot", EXECUTABLE = "one_vmm_dummy", LIVE_RESIZE = "yes" ]
VM_MAD = [ NAME = "hotfail", EXECUTABLE = "one_vmm_dummy", ARGUMENTS = "-a ${SCRIPTS}", LIVE_RESIZE = "yes", TIMEOUT = 3 ]
`;

const vm = (o: Oned, id: number) => okXml(o, 'one.vm.info', [id]);

async function waitFor(o: Oned, id: number, state: number, lcm: number = L.LCM_INIT): Promise<XmlNode> {
  const until = Date.now() + 8000;
  let last: XmlNode;
  do {
    last = await vm(o, id);
    if (childInt(last, 'STATE') === state && childInt(last, 'LCM_STATE') === lcm) return last;
    await new Promise((r) => setTimeout(r, 25));
  } while (Date.now() < until);
  assert.fail(`VM ${id} should reach ${state}/${lcm}, is ${childInt(last, 'STATE')}/${childInt(last, 'LCM_STATE')}`);
}

/** TEMPLATE CPU, VCPU, MEMORY of the VM ('' when missing). */
async function size(o: Oned, id: number): Promise<[string, string, string]> {
  const t = must(await vm(o, id), 'TEMPLATE');
  return [childText(t, 'CPU'), childText(t, 'VCPU'), childText(t, 'MEMORY')];
}

/** The host's CPU_USAGE and MEM_USAGE. */
async function share(o: Oned, hid: number): Promise<[number, number]> {
  const s = must(await okXml(o, 'one.host.info', [hid]), 'HOST_SHARE');
  return [childInt(s, 'CPU_USAGE'), childInt(s, 'MEM_USAGE')];
}

async function vmLog(o: Oned, id: number, expect: RegExp): Promise<string> {
  const file = join(o.location, 'var', 'vms', String(id), 'vm.log');
  const until = Date.now() + 3000;
  for (;;) {
    const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
    if (expect.test(text) || Date.now() > until) return text;
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** One oned per backend under test, as onFeatureBackends, but with monitored hosts. */
function onFeatureBackends(title: string, body: (oned: () => Oned) => void): void {
  for (const backend of FEATURE_BACKENDS) {
    describe(`${title} on ${backend}`, () => {
      let o: Oned | undefined;
      before(async () => {
        o = await Oned.start({ backend, conf: CONF });
      });
      after(() => o?.stop());
      body(() => o!);
    });
  }
}

/** Waits until the host is MONITORED (its capacity known). */
async function monitored(o: Oned, hid: number): Promise<void> {
  const until = Date.now() + 10000;
  while (childInt(await okXml(o, 'one.host.info', [hid]), 'STATE') !== 2) {
    if (Date.now() > until) assert.fail(`host ${hid} is not MONITORED`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

onFeatureBackends(
  'VM resize',
  (oned) => {
    let cold = -1;
    let hot = -1;
    let fail = -1;

    test('setup: dummy system datastore, a host whose driver cannot resize hot, one that can, one that fails', async () => {
      const o = oned();
      await okId(o, 'one.datastore.update', [0, 'TM_MAD = "dummy"', 1]);
      cold = await okId(o, 'one.host.allocate', ['resize-cold', 'dummy', 'dummy', -1]);
      hot = await okId(o, 'one.host.allocate', ['resize-hot', 'dummy', 'hot', -1]);
      fail = await okId(o, 'one.host.allocate', ['resize-fail', 'dummy', 'hotfail', -1]);
      for (const h of [cold, hot, fail]) await monitored(o, h);
      const s = must(await okXml(o, 'one.host.info', [cold]), 'HOST_SHARE');
      assert.deepEqual([childInt(s, 'MAX_CPU'), childInt(s, 'MAX_MEM')], [400, 2048 * 1024]);
    });

    test('cold resize of a POWEROFF VM: TEMPLATE, the owner\'s quota and the host share move; above the quota nothing does', async () => {
      const o = oned();
      const u = await addUser(o, 'resizer');
      await okId(o, 'one.user.quota', [u.id, 'VM = [ VMS = 4, CPU = 3, MEMORY = 1024 ]']);
      const usage = async () => {
        const q = must(must(await okXml(o, 'one.user.info', [u.id]), 'VM_QUOTA'), 'VM');
        return [childText(q, 'CPU_USED'), childText(q, 'MEMORY_USED'), childText(q, 'VMS_USED')];
      };
      const id = await okId(o, 'one.vm.allocate', ['CPU = 1\nVCPU = 1\nMEMORY = 128'], u.session);
      await okId(o, 'one.vm.deploy', [id, cold, false]);
      await waitFor(o, id, S.ACTIVE, L.RUNNING);
      await okId(o, 'one.vm.action', ['poweroff', id], u.session);
      await waitFor(o, id, S.POWEROFF);
      assert.deepEqual(await share(o, cold), [100, 128 * 1024]);

      assert.equal(await okId(o, 'one.vm.resize', [id, 'CPU = 1.5\nVCPU = 2\nMEMORY = 256', false], u.session), id);
      assert.deepEqual(await size(o, id), ['1.5', '2', '256']);
      assert.deepEqual(await usage(), ['1.5', '256', '1']);
      assert.deepEqual(await share(o, cold), [150, 256 * 1024]);
      assert.equal(childInt(await vm(o, id), 'STATE'), S.POWEROFF, 'a cold resize leaves the state as it was');

      // Only what is given changes; 0 keeps the value, as OpenNebula.
      await okId(o, 'one.vm.resize', [id, 'MEMORY = 512\nCPU = 0', false], u.session);
      assert.deepEqual(await size(o, id), ['1.5', '2', '512']);
      assert.deepEqual(await usage(), ['1.5', '512', '1']);

      await refused(o, 'one.vm.resize', [id, 'CPU = 4', false], Code.AUTHORIZATION, /User \[\d+\] limit of 3 reached for VM CPU quota/, u.session);
      await refused(o, 'one.vm.resize', [id, 'MEMORY = 2048', false], Code.AUTHORIZATION, /limit of 1024 reached for VM MEMORY quota/, u.session);
      await refused(o, 'one.vm.resize', [id, 'CPU = -1'], Code.INTERNAL, /CPU must be a positive float or integer value, not "-1"/, u.session);
      await refused(o, 'one.vm.resize', [id, 'MEMORY = lots'], Code.INTERNAL, /MEMORY must be a positive integer value, not "lots"/, u.session);
      await refused(o, 'one.vm.resize', [id, 'VCPU = 1.5'], Code.INTERNAL, /VCPU must be a positive integer value/, u.session);
      await refused(o, 'one.vm.resize', [id, 'CPU = [ X = 1'], Code.INTERNAL, /Parse error/, u.session);
      await refused(o, 'one.vm.resize', [99999, 'CPU = 1'], Code.NO_EXISTS, /99999/);
      assert.deepEqual(await size(o, id), ['1.5', '2', '512'], 'refused resizes change nothing');
      assert.deepEqual(await usage(), ['1.5', '512', '1']);
      assert.deepEqual(await share(o, cold), [150, 512 * 1024]);

      // Smaller gives back quota and share.
      await okId(o, 'one.vm.resize', [id, 'CPU = 0.5\nMEMORY = 64', false], u.session);
      assert.deepEqual(await usage(), ['0.5', '64', '1']);
      assert.deepEqual(await share(o, cold), [50, 64 * 1024]);
      await okId(o, 'one.vm.action', ['terminate', id], u.session);
      await waitFor(o, id, S.DONE);
      assert.deepEqual(await usage(), ['0', '0', '0'], 'DONE gives back the resized amounts');
      assert.deepEqual(await share(o, cold), [0, 0]);
    });

    test('enforce: growing past the host\'s free capacity is refused; only oneadmin may skip the check', async () => {
      const o = oned();
      const u = await addUser(o, 'resize-enforce');
      const id = await okId(o, 'one.vm.allocate', ['CPU = 1\nMEMORY = 128'], u.session);
      await okId(o, 'one.vm.deploy', [id, cold, false]);
      await waitFor(o, id, S.ACTIVE, L.RUNNING);
      await okId(o, 'one.vm.action', ['poweroff', id]);
      await waitFor(o, id, S.POWEROFF);
      await refused(o, 'one.vm.resize', [id, 'CPU = 5', true], Code.ACTION, new RegExp(`Cannot resize VM ${id}: host ${cold} does not have enough capacity \\(CPU 100\\+400 of 400, MEMORY`));
      // A user's enforce = false is not heard: the check is made all the same.
      await refused(o, 'one.vm.resize', [id, 'MEMORY = 4096', false], Code.ACTION, /MEMORY 131072\+4063232 KB of 2097152 KB/, u.session);
      assert.deepEqual(await size(o, id), ['1', '', '128']);
      assert.deepEqual(await share(o, cold), [100, 128 * 1024]);
      // Up to the capacity fits; oneadmin may go past it with enforce = false.
      await okId(o, 'one.vm.resize', [id, 'CPU = 4\nMEMORY = 2048', true], u.session);
      await okId(o, 'one.vm.resize', [id, 'CPU = 6\nMEMORY = 4096', false]);
      assert.deepEqual(await share(o, cold), [600, 4096 * 1024]);
      // Shrinking always fits, even on an overcommitted host.
      await okId(o, 'one.vm.resize', [id, 'CPU = 5', true], u.session);
      // An UNDEPLOYED or HOLD VM takes no host share: nothing to check.
      await okId(o, 'one.vm.action', ['undeploy', id]);
      await waitFor(o, id, S.UNDEPLOYED);
      assert.deepEqual(await share(o, cold), [0, 0]);
      await okId(o, 'one.vm.resize', [id, 'CPU = 8', true]);
      const p = await okId(o, 'one.vm.allocate', ['CPU = 1\nMEMORY = 128', true]);
      await okId(o, 'one.vm.resize', [p, 'CPU = 8\nMEMORY = 4096']);
      assert.deepEqual(await size(o, p), ['8', '', '4096']);
      assert.equal(childInt(await vm(o, p), 'STATE'), S.HOLD);
      for (const v of [id, p]) await okId(o, 'one.vm.action', ['terminate', v]);
    });

    test('hot resize of a RUNNING VM with VCPU_MAX / MEMORY_MAX: HOTPLUG_RESIZE, the driver\'s RESIZE, back to RUNNING', async () => {
      const o = oned();
      const id = await okId(o, 'one.vm.allocate', ['CPU = 1\nVCPU = 1\nVCPU_MAX = 4\nMEMORY = 128\nMEMORY_MAX = 512']);
      await okId(o, 'one.vm.deploy', [id, hot, false]);
      await waitFor(o, id, S.ACTIVE, L.RUNNING);
      await okId(o, 'one.vm.resize', [id, 'VCPU = 3\nCPU = 2\nMEMORY = 384', false]);
      const back = await waitFor(o, id, S.ACTIVE, L.RUNNING);
      assert.deepEqual(await size(o, id), ['2', '3', '384']);
      assert.equal(child(must(back, 'TEMPLATE'), 'RESIZE'), undefined, 'the former sizes are dropped once the driver answered');
      assert.deepEqual(await share(o, hot), [200, 384 * 1024]);
      const log = await vmLog(o, id, /VM resize operation completed/);
      assert.match(log, /New LCM state is HOTPLUG_RESIZE/);
      assert.match(log, /Sending RESIZE to the hot VMM driver/);
      assert.match(log, /VM resize operation completed\./);

      await refused(o, 'one.vm.resize', [id, 'VCPU = 5', false], Code.ACTION, /Cannot resize VCPU to 5: the VM's VCPU_MAX is 4/);
      await refused(o, 'one.vm.resize', [id, 'MEMORY = 1024', false], Code.ACTION, /Cannot resize MEMORY to 1024 MB: the VM's MEMORY_MAX is 512 MB/);
      // The same sizes: nothing to do, a success.
      await okId(o, 'one.vm.resize', [id, 'VCPU = 3', false]);
      assert.equal(childInt(await vm(o, id), 'LCM_STATE'), L.RUNNING);

      const plain = await okId(o, 'one.vm.allocate', ['CPU = 1\nVCPU = 1\nMEMORY = 128']);
      await okId(o, 'one.vm.deploy', [plain, hot, false]);
      await waitFor(o, plain, S.ACTIVE, L.RUNNING);
      await refused(o, 'one.vm.resize', [plain, 'VCPU = 2', false], Code.ACTION, /Cannot resize VCPU of a running VM without VCPU_MAX in its template/);
      await refused(o, 'one.vm.resize', [plain, 'MEMORY = 256', false], Code.ACTION, /Cannot grow MEMORY of a running VM without MEMORY_MAX in its template/);
      // Ballooning down and CPU (a share, not a device) need no maximum.
      await okId(o, 'one.vm.resize', [plain, 'MEMORY = 64\nCPU = 0.5', false]);
      await waitFor(o, plain, S.ACTIVE, L.RUNNING);
      assert.deepEqual(await size(o, plain), ['0.5', '1', '64']);

      const other = await okId(o, 'one.vm.allocate', ['CPU = 1\nVCPU = 1\nVCPU_MAX = 4\nMEMORY = 128']);
      await okId(o, 'one.vm.deploy', [other, cold, false]);
      await waitFor(o, other, S.ACTIVE, L.RUNNING);
      await refused(o, 'one.vm.resize', [other, 'VCPU = 2', false], Code.ACTION, /Hotplug resize not supported by driver dummy/);
      assert.deepEqual(await size(o, other), ['1', '1', '128']);
      for (const v of [id, plain, other]) await okId(o, 'one.vm.action', ['terminate-hard', v]);
    });

    test('a failed driver RESIZE puts back the sizes, the quota and the host share, and says why', async () => {
      const o = oned();
      const u = await addUser(o, 'resize-fail');
      const id = await okId(o, 'one.vm.allocate', ['CPU = 1\nVCPU = 1\nVCPU_MAX = 2\nMEMORY = 128\nMEMORY_MAX = 256'], u.session);
      await okId(o, 'one.vm.deploy', [id, fail, false]);
      await waitFor(o, id, S.ACTIVE, L.RUNNING);
      writeFileSync(join(SCRIPTS, 'resize'), 'failure\n');
      await okId(o, 'one.vm.resize', [id, 'VCPU = 2\nMEMORY = 256\nCPU = 2', false], u.session);
      const back = await waitFor(o, id, S.ACTIVE, L.RUNNING);
      assert.deepEqual(await size(o, id), ['1', '1', '128']);
      assert.equal(child(must(back, 'TEMPLATE'), 'RESIZE'), undefined);
      assert.match(childText(must(back, 'USER_TEMPLATE'), 'ERROR'), /Error in HOTPLUG_RESIZE/);
      const q = must(must(await okXml(o, 'one.user.info', [u.id]), 'VM_QUOTA'), 'VM');
      assert.deepEqual([childText(q, 'CPU_USED'), childText(q, 'MEMORY_USED')], ['1', '128']);
      assert.deepEqual(await share(o, fail), [100, 128 * 1024]);
      assert.match(await vmLog(o, id, /hotplug resize operation fails/), /VM hotplug resize operation fails/);
      await okId(o, 'one.vm.action', ['terminate-hard', id]);
    });

    test('states that allow no resize are refused with ACTION and oned\'s message', async () => {
      const o = oned();
      const id = await okId(o, 'one.vm.allocate', ['CPU = 1\nMEMORY = 128']);
      await okId(o, 'one.vm.deploy', [id, hot, false]);
      await waitFor(o, id, S.ACTIVE, L.RUNNING);
      await okId(o, 'one.vm.action', ['suspend', id]);
      await waitFor(o, id, S.SUSPENDED);
      await refused(o, 'one.vm.resize', [id, 'CPU = 2'], Code.ACTION, /Cannot resize a VM in state SUSPENDED/);
      await okId(o, 'one.vm.action', ['terminate-hard', id]);
      await waitFor(o, id, S.DONE);
      await refused(o, 'one.vm.resize', [id, 'CPU = 2'], Code.ACTION, /Cannot resize a VM in state DONE/);
      assert.deepEqual(await size(o, id), ['1', '', '128']);
    });

    test('updateconf: GRAPHICS and OS replaced (type 0) or merged (1), other attributes ignored, bad type and CONTEXT refused', async () => {
      const o = oned();
      const id = await okId(o, 'one.vm.allocate', ['CPU = 1\nMEMORY = 128\nGRAPHICS = [ TYPE = VNC, LISTEN = "0.0.0.0" ]\nOS = [ ARCH = x86_64 ]\nFEATURES = [ ACPI = yes ]']);
      await okId(o, 'one.vm.deploy', [id, hot, false]);
      await waitFor(o, id, S.ACTIVE, L.RUNNING);
      await okId(o, 'one.vm.action', ['poweroff', id]);
      await waitFor(o, id, S.POWEROFF);
      const section = async (name: string) => {
        const v = child(must(await vm(o, id), 'TEMPLATE'), name);
        return v ? Object.fromEntries(v.children.map((c) => [c.name, c.text])) : undefined;
      };
      const PORT = String(5900 + id);
      assert.equal((await section('GRAPHICS'))?.['PORT'], PORT);
      assert.equal(await okId(o, 'one.vm.updateconf', [id, 'GRAPHICS = [ TYPE = SPICE, KEYMAP = es, PORT = 1 ]\nOS = [ BOOT = disk0 ]\nCPU = 8\nFOO = 1']), id);
      assert.deepEqual(await section('GRAPHICS'), { TYPE: 'SPICE', KEYMAP: 'es', PORT }, 'replaced; PORT is not one of the keys updateconf takes');
      assert.deepEqual(await section('OS'), { BOOT: 'disk0' });
      assert.equal(await section('FEATURES'), undefined, 'type 0 drops a section left out');
      assert.deepEqual((await size(o, id))[0], '1', 'CPU is not updateconf\'s');
      assert.equal(child(must(await vm(o, id), 'USER_TEMPLATE'), 'FOO'), undefined);
      await okId(o, 'one.vm.updateconf', [id, 'GRAPHICS = [ LISTEN = "127.0.0.1" ]\nFEATURES = [ ACPI = no, NOSUCH = 1 ]', 1]);
      assert.deepEqual(await section('GRAPHICS'), { TYPE: 'SPICE', KEYMAP: 'es', PORT, LISTEN: '127.0.0.1' });
      assert.deepEqual(await section('OS'), { BOOT: 'disk0' }, 'type 1 keeps what it leaves out');
      assert.deepEqual(await section('FEATURES'), { ACPI: 'no' });
      await refused(o, 'one.vm.updateconf', [id, 'GRAPHICS = [ TYPE = VNC ]', 2], Code.XML_RPC_API, /Wrong update type 2/);
      await refused(o, 'one.vm.updateconf', [id, 'CONTEXT = [ A = 1 ]'], Code.INTERNAL, /Virtual machine does not have context, cannot add a new one/);
      await refused(o, 'one.vm.updateconf', [id, 'OS = [ '], Code.INTERNAL, /Parse error/);
      assert.deepEqual(await section('GRAPHICS'), { TYPE: 'SPICE', KEYMAP: 'es', PORT, LISTEN: '127.0.0.1' }, 'refused calls change nothing');
      // A GRAPHICS section removed and given again gets the VM's port back.
      await okId(o, 'one.vm.updateconf', [id, 'OS = [ BOOT = disk0 ]']);
      assert.equal(await section('GRAPHICS'), undefined);
      await okId(o, 'one.vm.updateconf', [id, 'GRAPHICS = [ TYPE = VNC ]', 1]);
      assert.deepEqual(await section('GRAPHICS'), { TYPE: 'VNC', PORT });
      await okId(o, 'one.vm.action', ['terminate-hard', id]);
    });

    test('updateconf of a RUNNING VM: a new CONTEXT goes live (HOTPLUG, UPDATECONF); SUSPENDED and DONE are refused', async () => {
      const o = oned();
      const id = await okId(o, 'one.vm.allocate', ['CPU = 1\nMEMORY = 128\nCONTEXT = [ A = "1", B = "$VMID" ]']);
      await okId(o, 'one.vm.deploy', [id, hot, false]);
      await waitFor(o, id, S.ACTIVE, L.RUNNING);
      const target = childText(must(must(await vm(o, id), 'TEMPLATE'), 'CONTEXT'), 'TARGET');
      await okId(o, 'one.vm.updateconf', [id, 'CONTEXT = [ A = "2", C = "$NAME" ]', 1]);
      const back = await waitFor(o, id, S.ACTIVE, L.RUNNING);
      const ctx = must(must(back, 'TEMPLATE'), 'CONTEXT');
      assert.deepEqual([childText(ctx, 'A'), childText(ctx, 'B'), childText(ctx, 'C'), childText(ctx, 'TARGET')], ['2', String(id), childText(back, 'NAME'), target]);
      const log = await vmLog(o, id, /Sending UPDATECONF/);
      assert.match(log, /New LCM state is HOTPLUG/);
      assert.match(log, /Sending UPDATECONF to the hot VMM driver/);
      // Without a CONTEXT change the template alone changes (for the next boot): no driver work.
      await okId(o, 'one.vm.updateconf', [id, 'GRAPHICS = [ TYPE = VNC ]\nCONTEXT = [ A = "2" ]', 1]);
      assert.equal(childInt(await vm(o, id), 'LCM_STATE'), L.RUNNING);
      assert.equal((await vmLog(o, id, /x^/)).match(/Sending UPDATECONF/g)?.length, 1);

      await okId(o, 'one.vm.action', ['suspend', id]);
      await waitFor(o, id, S.SUSPENDED);
      await refused(o, 'one.vm.updateconf', [id, 'GRAPHICS = [ TYPE = SPICE ]'], Code.INTERNAL, /configuration cannot be updated in state SUSPENDED/);
      await okId(o, 'one.vm.action', ['terminate-hard', id]);
      await waitFor(o, id, S.DONE);
      await refused(o, 'one.vm.updateconf', [id, 'GRAPHICS = [ TYPE = SPICE ]'], Code.INTERNAL, /configuration cannot be updated in state DONE/);
      assert.equal(childText(must(must(await vm(o, id), 'TEMPLATE'), 'GRAPHICS'), 'TYPE'), 'VNC');
    });
  },
);
