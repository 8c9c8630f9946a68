/**
 * Virtual machines end to end, as a user drives them through the API with the dummy VMM and TM
 * drivers: allocate and instantiate, the VM XML and pool listings, deploy → PROLOG → BOOT →
 * RUNNING, terminate → SHUTDOWN → EPILOG → DONE, history records, vm.log and the driver files,
 * host share and quotas given back exactly once, the other user actions, scripted driver
 * failures and a hung driver hitting its timeout.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { child, childInt, childText, type XmlNode } from '../../src/common/xml-tree.js';
import type { Oned } from './harness.js';
import { Code, addUser, all, idList, idsIn, must, okId, okXml, onFeatureBackends, refused, sleep } from './api-helpers.js';

/** VM and LCM states (spec §3.1, §3.2), written out so the test does not trust oned's own. */
const S = { PENDING: 1, HOLD: 2, ACTIVE: 3, STOPPED: 4, SUSPENDED: 5, DONE: 6, POWEROFF: 8, UNDEPLOYED: 9 } as const;
const L = { LCM_INIT: 0, RUNNING: 3, BOOT_FAILURE: 36, PROLOG_FAILURE: 39 } as const;

/** Scripted outcomes of the "scripted" VMM driver (see src/mad/dummy/scripted-results.ts). */
const SCRIPTS = mkdtempSync(join(tmpdir(), 'nebula-vm-scripts-'));

const CONF = `
VM_MAD = [ NAME = "scripted", EXECUTABLE = "one_vmm_dummy", ARGUMENTS = "-a ${SCRIPTS}", TIMEOUT = 2 ]
`;

async function vm(oned: Oned, id: number, session = oned.oneadmin): Promise<XmlNode> {
  const v = await okXml(oned, 'one.vm.info', [id], session);
  assert.equal(v.name, 'VM');
  return v;
}

async function host(oned: Oned, id: number): Promise<XmlNode> {
  return okXml(oned, 'one.host.info', [id]);
}

/** Waits until the VM is in `state` (and `lcm` when ACTIVE); fails after a few seconds with what it saw. */
async function waitFor(oned: Oned, id: number, state: number, lcm: number = L.LCM_INIT, ms = 8000): Promise<XmlNode> {
  const until = Date.now() + ms;
  let last: XmlNode;
  do {
    last = await vm(oned, id);
    if (childInt(last, 'STATE') === state && childInt(last, 'LCM_STATE') === lcm) return last;
    await new Promise((r) => setTimeout(r, 25));
  } while (Date.now() < until);
  assert.fail(`VM ${id} should reach ${state}/${lcm}, is ${childInt(last, 'STATE')}/${childInt(last, 'LCM_STATE')} (${childText(must(last, 'USER_TEMPLATE'), 'ERROR')})`);
}

/** The host share as [CPU_USAGE, MEM_USAGE, RUNNING_VMS] and its VM ids. */
async function shareOf(oned: Oned, hid: number): Promise<[number, number, number, number[]]> {
  const h = await host(oned, hid);
  const s = must(h, 'HOST_SHARE');
  return [childInt(s, 'CPU_USAGE'), childInt(s, 'MEM_USAGE'), childInt(s, 'RUNNING_VMS'), idList(h, 'VMS')];
}

const histories = (v: XmlNode) => all(must(v, 'HISTORY_RECORDS'), 'HISTORY');

/** Text of the VM's vm.log, once it shows `expect` (lines are written just after the state change). */
async function vmLog(oned: Oned, id: number, expect: RegExp): Promise<string> {
  const file = join(oned.location, 'var', 'vms', String(id), 'vm.log');
  const until = Date.now() + 3000;
  for (;;) {
    const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
    if (expect.test(text) || Date.now() > until) return text;
    await new Promise((r) => setTimeout(r, 25));
  }
}

const SMALL = 'CPU = 1\nMEMORY = 128\n';

onFeatureBackends(
  'VMs',
  (oned) => {
    let h1 = -1;
    let h2 = -1;
    let hs = -1;

    test('setup: system datastore on the dummy TM driver, two dummy hosts and a scripted one', async () => {
      await okId(oned(), 'one.datastore.update', [0, 'TM_MAD = "dummy"', 1]);
      h1 = await okId(oned(), 'one.host.allocate', ['vm-host-1', 'dummy', 'dummy', -1]);
      h2 = await okId(oned(), 'one.host.allocate', ['vm-host-2', 'dummy', 'dummy', -1]);
      hs = await okId(oned(), 'one.host.allocate', ['vm-host-scripted', 'dummy', 'scripted', -1]);
    });

    test('allocate checks CPU, MEMORY and VCPU, and refuses unknown images and networks', async () => {
      const o = oned();
      await refused(o, 'one.vm.allocate', ['CPU = 1'], Code.ALLOCATE, /Error allocating a new virtual machine\. No MEMORY in template/);
      await refused(o, 'one.vm.allocate', ['CPU = 0\nMEMORY = 64'], Code.ALLOCATE, /CPU attribute must be a positive/);
      await refused(o, 'one.vm.allocate', [`${SMALL}VCPU = 1.5`], Code.ALLOCATE, /VCPU attribute must be a positive integer/);
      await refused(o, 'one.vm.allocate', [`${SMALL}DISK = [ IMAGE_ID = 3 ]`], Code.ALLOCATE, /DISK 0: image with IMAGE_ID 3 does not exist/);
      await refused(o, 'one.vm.allocate', [`${SMALL}NIC = [ NETWORK = "public" ]`], Code.ALLOCATE, /NIC 0: .*public/);
      await refused(o, 'one.vm.allocate', [`${SMALL}DISK = [ TYPE = fs ]`], Code.ALLOCATE, /DISK 0: volatile disk needs SIZE/);
      await refused(o, 'one.vm.allocate', [`${SMALL}NIC = [ BRIDGE = br0, IP = "10.0.0.300x" ]`], Code.ALLOCATE, /NIC 0: IP .* is not an IPv4 address/);
      const before = await okXml(o, 'one.vmpool.info', [-2, -1, -1, -2]);
      assert.equal(all(before, 'VM').length, 0, 'refused allocations leave no VM behind');
    });

    test('allocate: PENDING, default name, TEMPLATE / USER_TEMPLATE split, DISK_ID / NIC_ID numbering', async () => {
      const o = oned();
      const id = await okId(o, 'one.vm.allocate', [
        `${SMALL}VCPU = 2\nDISK = [ TYPE = fs, SIZE = 10 ]\nDISK = [ TYPE = swap, SIZE = 5 ]\nNIC = [ BRIDGE = br0, IP = "10.0.0.7" ]\nNIC = [ BRIDGE = br1 ]\nLABELS = "web"\nCONTEXT = [ HOSTNAME = "$NAME", ME = "$VMID", ETH0 = "$NIC[IP]" ]`,
      ]);
      const v = await vm(o, id);
      assert.equal(childText(v, 'NAME'), `one-${id}`);
      assert.equal(childInt(v, 'STATE'), S.PENDING);
      assert.equal(childInt(v, 'LCM_STATE'), 0);
      assert.ok(childInt(v, 'STIME') > 0);
      assert.equal(childInt(v, 'ETIME'), 0);
      const t = must(v, 'TEMPLATE');
      assert.equal(childText(t, 'CPU'), '1');
      assert.equal(childText(t, 'VMID'), String(id));
      const disks = all(t, 'DISK');
      assert.deepEqual(disks.map((d) => childText(d, 'DISK_ID')), ['0', '1']);
      // As OpenNebula: the CONTEXT disk takes its TARGET before the volatile disks.
      assert.deepEqual(disks.map((d) => childText(d, 'TARGET')), ['hdb', 'hdc']);
      assert.equal(childText(must(t, 'CONTEXT'), 'TARGET'), 'hda');
      const nics = all(t, 'NIC');
      assert.deepEqual(nics.map((n) => [childText(n, 'NIC_ID'), childText(n, 'NAME'), childText(n, 'TARGET')]), [['0', 'NIC0', `one-${id}-0`], ['1', 'NIC1', `one-${id}-1`]]);
      assert.equal(childText(nics[0]!, 'MAC'), '02:00:0a:00:00:07');
      const ctx = must(t, 'CONTEXT');
      assert.equal(childText(ctx, 'DISK_ID'), '2');
      // The CONTEXT variables are expanded when the VM is made, as OpenNebula shows them.
      assert.deepEqual([childText(ctx, 'HOSTNAME'), childText(ctx, 'ME'), childText(ctx, 'ETH0')], [`one-${id}`, String(id), '10.0.0.7']);
      assert.equal(childText(t, 'AUTOMATIC_REQUIREMENTS'), '!(PIN_POLICY = PINNED)');
      assert.match(childText(must(t, 'OS'), 'UUID'), /^[0-9a-f-]{36}$/);
      assert.equal(child(t, 'SUBMIT_ON_HOLD'), undefined);
      assert.equal(childText(must(v, 'USER_TEMPLATE'), 'LABELS'), 'web');
      assert.equal(child(t, 'LABELS'), undefined);
      await okId(o, 'one.vm.action', ['terminate', id]);
      assert.equal(childInt(await vm(o, id), 'STATE'), S.DONE, 'a PENDING VM is DONE at once');
    });

    test('actions refused in the wrong state, with OpenNebula\'s message; unknown action', async () => {
      const o = oned();
      const id = await okId(o, 'one.vm.allocate', [SMALL]);
      await refused(o, 'one.vm.action', ['poweroff', id], Code.ACTION, /Error performing action "poweroff": This action is not available for state PENDING/);
      await refused(o, 'one.vm.action', ['release', id], Code.ACTION, /This action is not available for state PENDING/);
      await refused(o, 'one.vm.action', ['explode', id], Code.ACTION, /Action "explode" is not supported/);
      await refused(o, 'one.vm.action', ['terminate', 99999], Code.NO_EXISTS, /Error getting virtual machine \[99999\]/);
      await okId(o, 'one.vm.action', ['hold', id]);
      assert.equal(childInt(await vm(o, id), 'STATE'), S.HOLD);
      await okId(o, 'one.vm.action', ['release', id]);
      assert.equal(childInt(await vm(o, id), 'STATE'), S.PENDING);
      await refused(o, 'one.vm.deploy', [id, h1, true], Code.ACTION, /does not have enough capacity/);
      await refused(o, 'one.vm.deploy', [id, 4242], Code.NO_EXISTS, /host/);
      await refused(o, 'one.vm.deploy', [id, h1, false, 1], Code.ACTION, /datastore 1 is not a system datastore/);
      await refused(o, 'one.vm.deploy', [id, h1, false, 77], Code.NO_EXISTS, /datastore/);
      await refused(o, 'one.vm.recover', [id, 9], Code.ACTION, /Unknown recover operation 9/);
      await refused(o, 'one.vm.recover', [id, 2], Code.ACTION, /"recover": This action is not available for state PENDING/);
      await refused(o, 'one.vm.migrate', [id, h1, false, false, -1, 3], Code.XML_RPC_API, /Wrong migration mode 3/);
      await refused(o, 'one.vm.migrate', [id, h1, true], Code.ACTION, /"live-migrate": This action is not available for state PENDING/);
      await refused(o, 'one.vmpool.info', [-2, -1, -1, -7], Code.XML_RPC_API, /Incorrect state filter/);
      await refused(o, 'one.vm.attach', [id, 'DISK = [ TYPE = fs, SIZE = 1 ]'], Code.ACTION, /"disk-attach": This action is not available for state PENDING/);
      assert.equal(all(must(await vm(o, id), 'TEMPLATE'), 'DISK').length, 0, 'a refused attach adds nothing');
      await okId(o, 'one.vm.action', ['terminate', id]);
    });

    test('deploy → PROLOG → BOOT → RUNNING, then terminate → SHUTDOWN → EPILOG → DONE, share given back', async () => {
      const o = oned();
      const id = await okId(o, 'one.vm.allocate', [`${SMALL}NAME = "web"\nDISK = [ TYPE = fs, SIZE = 10 ]\nCONTEXT = [ ME = "$VMID", WHO = "$UNAME" ]`]);
      assert.equal(await okId(o, 'one.vm.deploy', [id, h1, false, -1]), id);
      const running = await waitFor(o, id, S.ACTIVE, L.RUNNING);
      assert.equal(childText(running, 'DEPLOY_ID'), `one-${id}`);
      const [h] = histories(running);
      assert.ok(h);
      assert.deepEqual([childInt(h, 'SEQ'), childInt(h, 'HID'), childText(h, 'HOSTNAME'), childInt(h, 'DS_ID'), childText(h, 'VM_MAD'), childText(h, 'TM_MAD')], [0, h1, 'vm-host-1', 0, 'dummy', 'dummy']);
      assert.ok(childInt(h, 'PSTIME') > 0 && childInt(h, 'PETIME') >= childInt(h, 'PSTIME') && childInt(h, 'RSTIME') > 0);
      assert.deepEqual(await shareOf(o, h1), [100, 128 * 1024, 1, [id]]);
      await refused(o, 'one.host.delete', [h1], Code.ACTION, /with VMs/);

      const dir = join(o.location, 'var', 'vms', String(id));
      assert.match(readFileSync(join(dir, 'transfer.0.prolog'), 'utf8'), new RegExp(`^MKIMAGE dummy 10 raw vm-host-1:\\S+/0/${id}/disk.0 ${id} 0\\nCONTEXT dummy \\S+context.sh vm-host-1:\\S+/disk.1 ${id} 0\\n$`));
      assert.match(readFileSync(join(dir, 'context.sh'), 'utf8'), new RegExp(`ME='${id}'\\nWHO='oneadmin'`));
      assert.match(readFileSync(join(dir, 'deployment.0'), 'utf8'), new RegExp(`^<VM><ID>${id}</ID>`));

      const pool = await okXml(o, 'one.vmpool.info', [-2, -1, -1, S.ACTIVE]);
      const short = all(pool, 'VM').find((x) => childInt(x, 'ID') === id);
      assert.ok(short, 'the running VM is listed under state ACTIVE');
      assert.equal(child(short, 'PERMISSIONS'), undefined, 'the short form has no PERMISSIONS');
      assert.equal(childInt(must(must(short, 'HISTORY_RECORDS'), 'HISTORY'), 'HID'), h1);
      assert.ok(!idsIn(await okXml(o, 'one.vmpool.info', [-2, -1, -1, S.PENDING]), 'VM').includes(id));

      await okId(o, 'one.vm.action', ['terminate', id]);
      const done = await waitFor(o, id, S.DONE);
      assert.ok(childInt(done, 'ETIME') > 0);
      const closed = histories(done)[0]!;
      assert.equal(childInt(closed, 'ACTION'), 27, 'terminate closes the record');
      assert.ok(childInt(closed, 'ETIME') > 0 && childInt(closed, 'EETIME') > 0 && childInt(closed, 'RETIME') > 0);
      assert.deepEqual(await shareOf(o, h1), [0, 0, 0, []]);
      assert.match(readFileSync(join(dir, 'transfer.0.epilog'), 'utf8'), new RegExp(`^DELETE dummy vm-host-1:\\S+/${id} ${id} 0`));
      const log = await vmLog(o, id, /New state is DONE/);
      for (const line of ['New state is ACTIVE', 'New LCM state is PROLOG', 'New LCM state is BOOT', 'New LCM state is RUNNING', 'New LCM state is SHUTDOWN', 'New LCM state is EPILOG', 'New state is DONE']) {
        assert.ok(log.includes(`]: ${line}\n`), `vm.log should say "${line}":\n${log}`);
      }
      assert.match(log, /^\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4} \[Z0\]\[\w+\]\[I\]: /);

      assert.ok(!idsIn(await okXml(o, 'one.vmpool.info', [-2, -1, -1, -1]), 'VM').includes(id), 'DONE VMs are not listed by default');
      assert.ok(idsIn(await okXml(o, 'one.vmpool.info', [-2, -1, -1, -2]), 'VM').includes(id));
      const ext = await okXml(o, 'one.vmpool.infoextended', [-2, id, id, -2]);
      assert.ok(child(all(ext, 'VM')[0]!, 'PERMISSIONS'));
      const acct = await okXml(o, 'one.vmpool.accounting', [-2, -1, -1]);
      assert.ok(all(acct, 'HISTORY').some((x) => childInt(x, 'OID') === id && childInt(x, 'ACTION') === 27));
    });

    test('instantiate: USE on the template, extra merged, default name <template>-<id>, TEMPLATE_ID', async () => {
      const o = oned();
      const tid = await okId(o, 'one.template.allocate', [`NAME = "small"\n${SMALL}LABELS = "tmpl"`]);
      const id = await okId(o, 'one.template.instantiate', [tid, '', false, 'MEMORY = 256', false]);
      const v = await vm(o, id);
      assert.equal(childText(v, 'NAME'), `small-${id}`);
      assert.equal(childText(must(v, 'TEMPLATE'), 'MEMORY'), '256');
      assert.equal(childText(must(v, 'TEMPLATE'), 'TEMPLATE_ID'), String(tid));
      const held = await okId(o, 'one.template.instantiate', [tid, 'named', true]);
      assert.equal(childInt(await vm(o, held), 'STATE'), S.HOLD);
      assert.equal(childText(await vm(o, held), 'NAME'), 'named');
      const user = await addUser(o, 'vm-nouse');
      await refused(o, 'one.template.instantiate', [tid, '', false], Code.AUTHORIZATION, /Not authorized/, user.session);
      for (const v2 of [id, held]) await okId(o, 'one.vm.action', ['terminate', v2]);
    });

    test('quotas: VMS, CPU and MEMORY charged at allocate and given back at DONE', async () => {
      const o = oned();
      const u = await addUser(o, 'vm-quota');
      await okId(o, 'one.user.quota', [u.id, 'VM = [ VMS = 1, CPU = 2, MEMORY = 512 ]']);
      const a = await okId(o, 'one.vm.allocate', [SMALL], u.session);
      await refused(o, 'one.vm.allocate', [SMALL], Code.ALLOCATE, /User \[\d+\] limit of 1 reached for VM VMS quota/, u.session);
      const usage = async () => must(must(await okXml(o, 'one.user.info', [u.id]), 'VM_QUOTA'), 'VM');
      assert.equal(childText(await usage(), 'VMS_USED'), '1');
      assert.equal(childText(await usage(), 'MEMORY_USED'), '128');
      await okId(o, 'one.vm.deploy', [a, h2]);
      await waitFor(o, a, S.ACTIVE, L.RUNNING);
      await okId(o, 'one.vm.action', ['terminate-hard', a], u.session);
      await waitFor(o, a, S.DONE);
      assert.equal(childText(await usage(), 'VMS_USED'), '0');
      assert.equal(childText(await usage(), 'CPU_USED'), '0');
      const b = await okId(o, 'one.vm.allocate', [`${SMALL}DISK = [ TYPE = fs, SIZE = 4 ]`], u.session);
      await refused(o, 'one.vm.deploy', [b, h1], Code.AUTHORIZATION, /Not authorized/, u.session);
      assert.equal(childText(await usage(), 'SYSTEM_DISK_SIZE_USED'), '4');

      // A disk attached while powered off is charged; one over the limit is refused and changes nothing.
      await okId(o, 'one.user.quota', [u.id, 'VM = [ VMS = 1, CPU = 2, MEMORY = 512, SYSTEM_DISK_SIZE = 5 ]']);
      await okId(o, 'one.vm.deploy', [b, h2]);
      await waitFor(o, b, S.ACTIVE, L.RUNNING);
      await okId(o, 'one.vm.action', ['poweroff', b], u.session);
      await waitFor(o, b, S.POWEROFF);
      await refused(o, 'one.vm.attach', [b, 'DISK = [ TYPE = swap, SIZE = 2 ]'], Code.ACTION, /limit of 5 reached for VM SYSTEM_DISK_SIZE quota/, u.session);
      assert.equal(all(must(await vm(o, b), 'TEMPLATE'), 'DISK').length, 1, 'the refused disk is not added');
      assert.equal(childInt(await vm(o, b), 'STATE'), S.POWEROFF);
      await okId(o, 'one.vm.attach', [b, 'DISK = [ TYPE = swap, SIZE = 1 ]'], u.session);
      await waitFor(o, b, S.POWEROFF);
      assert.equal(childText(await usage(), 'SYSTEM_DISK_SIZE_USED'), '5');
      await okId(o, 'one.vm.detach', [b, 0], u.session);
      await waitFor(o, b, S.POWEROFF);
      assert.equal(childText(await usage(), 'SYSTEM_DISK_SIZE_USED'), '1');

      // chown moves the usage: refused when the new owner has no room, else charged there and given back here.
      const full = await addUser(o, 'vm-quota-full');
      await okId(o, 'one.user.quota', [full.id, 'VM = [ VMS = 0 ]']);
      await refused(o, 'one.vm.chown', [b, full.id, -1], Code.ACTION, /Cannot change the owner of VM \d+: User \[\d+\] limit of 0 reached/);
      const roomy = await addUser(o, 'vm-quota-roomy');
      await okId(o, 'one.vm.chown', [b, roomy.id, -1]);
      assert.equal(childText(await usage(), 'VMS_USED'), '0');
      const roomyUsage = must(must(await okXml(o, 'one.user.info', [roomy.id]), 'VM_QUOTA'), 'VM');
      assert.equal(childText(roomyUsage, 'VMS_USED'), '1');
      await okId(o, 'one.vm.action', ['terminate', b]);
      await waitFor(o, b, S.DONE);
      const after = must(must(await okXml(o, 'one.user.info', [roomy.id]), 'VM_QUOTA'), 'VM');
      assert.deepEqual([childText(after, 'VMS_USED'), childText(after, 'SYSTEM_DISK_SIZE_USED')], ['0', '0']);
      // A VM oneadmin made, given to a user with its group left oneadmin: the user pays for it.
      const given = await okId(o, 'one.vm.allocate', [SMALL]);
      await okId(o, 'one.vm.chown', [given, roomy.id, -1]);
      const charged = must(must(await okXml(o, 'one.user.info', [roomy.id]), 'VM_QUOTA'), 'VM');
      assert.equal(childText(charged, 'VMS_USED'), '1');
    });

    test('poweroff / resume, suspend / resume, stop / resume / deploy, undeploy / deploy, reboot, resched', async () => {
      const o = oned();
      const id = await okId(o, 'one.vm.allocate', [SMALL]);
      await okId(o, 'one.vm.deploy', [id, h1]);
      await waitFor(o, id, S.ACTIVE, L.RUNNING);
      await okId(o, 'one.vm.action', ['poweroff', id]);
      await waitFor(o, id, S.POWEROFF);
      assert.deepEqual((await shareOf(o, h1)).slice(0, 3), [100, 131072, 1], 'POWEROFF keeps the host allocation');
      await okId(o, 'one.vm.action', ['resume', id]);
      await waitFor(o, id, S.ACTIVE, L.RUNNING);
      await okId(o, 'one.vm.action', ['suspend', id]);
      await waitFor(o, id, S.SUSPENDED);
      await okId(o, 'one.vm.action', ['resume', id]);
      await waitFor(o, id, S.ACTIVE, L.RUNNING);
      await okId(o, 'one.vm.action', ['reboot', id]);
      await okId(o, 'one.vm.action', ['reboot-hard', id]);
      await okId(o, 'one.vm.action', ['resched', id]);
      assert.equal(childInt(await vm(o, id), 'RESCHED'), 1);
      await okId(o, 'one.vm.action', ['unresched', id]);
      assert.equal(childInt(await vm(o, id), 'RESCHED'), 0);
      await okId(o, 'one.vm.action', ['stop', id]);
      await waitFor(o, id, S.STOPPED);
      assert.deepEqual(await shareOf(o, h1), [0, 0, 0, []], 'STOPPED frees the host');
      await okId(o, 'one.vm.action', ['resume', id]);
      await waitFor(o, id, S.PENDING);
      await okId(o, 'one.vm.deploy', [id, h2]);
      await waitFor(o, id, S.ACTIVE, L.RUNNING);
      await okId(o, 'one.vm.action', ['undeploy', id]);
      await waitFor(o, id, S.UNDEPLOYED);
      assert.deepEqual(await shareOf(o, h2), [0, 0, 0, []]);
      await okId(o, 'one.vm.deploy', [id, h1]);
      const back = await waitFor(o, id, S.ACTIVE, L.RUNNING);
      assert.deepEqual(histories(back).map((x) => childInt(x, 'HID')), [h1, h2, h1]);
      assert.deepEqual(histories(back).map((x) => childInt(x, 'SEQ')), [0, 1, 2]);
      assert.equal(childInt(histories(back)[1]!, 'ACTION'), 5, 'undeploy closed the second record');
      await okId(o, 'one.vm.action', ['terminate', id]);
      await waitFor(o, id, S.DONE);
      for (const h of [h1, h2]) assert.deepEqual(await shareOf(o, h), [0, 0, 0, []]);
    });

    test('stop moves the VM directory to the front-end; terminating a STOPPED VM deletes it there', async () => {
      const o = oned();
      const id = await okId(o, 'one.vm.allocate', [SMALL]);
      await okId(o, 'one.vm.deploy', [id, h1]);
      await waitFor(o, id, S.ACTIVE, L.RUNNING);
      await okId(o, 'one.vm.action', ['stop', id]);
      const stopped = await waitFor(o, id, S.STOPPED);
      assert.equal(childText(stopped, 'DEPLOY_ID'), '');
      assert.ok(childInt(histories(stopped)[0]!, 'ETIME') > 0, 'stop closes the record');
      const dir = join(o.location, 'var', 'vms', String(id));
      const moved = readFileSync(join(dir, 'transfer.0.stop'), 'utf8');
      assert.match(moved, new RegExp(`^MV dummy vm-host-1:(\\S+/${id}) (?!vm-host-1)[^:\\s]+:\\1 ${id} 0\\n$`));
      await okId(o, 'one.vm.action', ['terminate', id]);
      await waitFor(o, id, S.DONE);
      const frontend = moved.split(' ')[3]!.split(':')[0]!;
      assert.match(readFileSync(join(dir, 'transfer.0.epilog'), 'utf8'), new RegExp(`^DELETE dummy ${frontend}:\\S+/${id} ${id} 0\\n$`));
      assert.deepEqual(await shareOf(o, h1), [0, 0, 0, []]);
    });

    test('live and cold migration move the VM and its share; migrating to the same host is refused', async () => {
      const o = oned();
      const id = await okId(o, 'one.vm.allocate', [SMALL]);
      await okId(o, 'one.vm.deploy', [id, h1]);
      await waitFor(o, id, S.ACTIVE, L.RUNNING);
      await refused(o, 'one.vm.migrate', [id, h1, true], Code.ACTION, /already there/);
      await okId(o, 'one.vm.migrate', [id, h2, true]);
      let v = await waitFor(o, id, S.ACTIVE, L.RUNNING);
      assert.equal(childInt(histories(v)[1]!, 'HID'), h2);
      assert.equal(childInt(histories(v)[0]!, 'ACTION'), 2);
      assert.deepEqual(await shareOf(o, h1), [0, 0, 0, []]);
      assert.deepEqual(await shareOf(o, h2), [100, 131072, 1, [id]]);
      await okId(o, 'one.vm.migrate', [id, h1, false, false, -1, 0]);
      v = await waitFor(o, id, S.ACTIVE, L.RUNNING);
      assert.deepEqual(histories(v).map((x) => childInt(x, 'HID')), [h1, h2, h1]);
      assert.equal(childInt(histories(v)[1]!, 'ACTION'), 1);
      assert.deepEqual(await shareOf(o, h2), [0, 0, 0, []]);
      assert.deepEqual(await shareOf(o, h1), [100, 131072, 1, [id]]);
      await okId(o, 'one.vm.action', ['poweroff-hard', id]);
      await waitFor(o, id, S.POWEROFF);
      await okId(o, 'one.vm.migrate', [id, h2, false]);
      await waitFor(o, id, S.POWEROFF);
      assert.deepEqual(await shareOf(o, h1), [0, 0, 0, []]);
      await okId(o, 'one.vm.action', ['terminate', id]);
      await waitFor(o, id, S.DONE);
      for (const h of [h1, h2]) assert.deepEqual(await shareOf(o, h), [0, 0, 0, []]);
    });

    test('a scripted DEPLOY failure: BOOT_FAILURE with the message in vm.log and USER_TEMPLATE/ERROR; retry; delete', async () => {
      const o = oned();
      writeFileSync(join(SCRIPTS, 'deploy'), 'failure\nsuccess\n');
      const id = await okId(o, 'one.vm.allocate', [SMALL]);
      await okId(o, 'one.vm.deploy', [id, hs]);
      const failed = await waitFor(o, id, S.ACTIVE, L.BOOT_FAILURE);
      assert.match(childText(must(failed, 'USER_TEMPLATE'), 'ERROR'), /Error in BOOT: Scripted failure of DEPLOY/);
      assert.match(await vmLog(o, id, /Scripted failure/), /\[E\]: Error in BOOT: Scripted failure of DEPLOY/);
      await refused(o, 'one.vm.action', ['poweroff', id], Code.ACTION, /not available for state BOOT_FAILURE/);
      await okId(o, 'one.vm.recover', [id, 2]);
      await waitFor(o, id, S.ACTIVE, L.RUNNING);
      await okId(o, 'one.vm.recover', [id, 3]);
      await waitFor(o, id, S.DONE);
      assert.deepEqual(await shareOf(o, hs), [0, 0, 0, []]);
    });

    test('a hung DEPLOY hits the VM_MAD TIMEOUT and fails the boot', async () => {
      const o = oned();
      writeFileSync(join(SCRIPTS, 'deploy'), '-\n');
      const id = await okId(o, 'one.vm.allocate', [SMALL]);
      await okId(o, 'one.vm.deploy', [id, hs]);
      assert.equal(childInt(await vm(o, id), 'LCM_STATE') <= 2, true, 'deploy returns before the driver answers');
      const failed = await waitFor(o, id, S.ACTIVE, L.BOOT_FAILURE, 8000);
      assert.match(childText(must(failed, 'USER_TEMPLATE'), 'ERROR'), /Timeout/i);
      writeFileSync(join(SCRIPTS, 'deploy'), 'success\n');
      await okId(o, 'one.vm.action', ['terminate', id]);
      await waitFor(o, id, S.DONE);
      assert.deepEqual(await shareOf(o, hs), [0, 0, 0, []]);
    });

    test('a transfer that fails (the shared driver cannot reach the host over ssh) puts the VM in PROLOG_FAILURE', async () => {
      const o = oned();
      const ds = await okId(o, 'one.datastore.allocate', ['NAME = "sys-shared"\nTYPE = SYSTEM_DS\nTM_MAD = "shared"', 0]);
      const id = await okId(o, 'one.vm.allocate', [`${SMALL}DISK = [ TYPE = swap, SIZE = 4 ]`]);
      await okId(o, 'one.vm.deploy', [id, h1, false, ds]);
      const failed = await waitFor(o, id, S.ACTIVE, L.PROLOG_FAILURE);
      assert.match(childText(must(failed, 'USER_TEMPLATE'), 'ERROR'), /Error in PROLOG: vm-host-1: ssh: /);
      await okId(o, 'one.vm.action', ['terminate', id]);
      await waitFor(o, id, S.DONE);
      assert.deepEqual(await shareOf(o, h1), [0, 0, 0, []]);
    });

    test('CONTEXT: NETWORK = YES gives ETH0_IP/MASK/GATEWAY/MAC in context.sh, $USER[SSH_PUBLIC_KEY] the owner\'s key, FILES go on the CONTEXT line; a file in CONTEXT_RESTRICTED_DIRS (/etc) fails the PROLOG and is not sent', async () => {
      const o = oned();
      const file = join(mkdtempSync(join(tmpdir(), 'ctx-files-')), 'init.sh');
      writeFileSync(file, 'echo hi\n');
      const net = await okId(o, 'one.vn.allocate', ['NAME = "ctxnet"\nVN_MAD = "dummy"\nBRIDGE = "br0"\nNETWORK_MASK = "255.255.255.0"\nGATEWAY = "10.5.0.1"\nAR = [ TYPE = "IP4", IP = "10.5.0.10", SIZE = "5" ]', -1]);
      await okId(o, 'one.user.update', [0, 'SSH_PUBLIC_KEY = "ssh-ed25519 AAAAC3 admin@fe"', 1]);
      const id = await okId(o, 'one.vm.allocate', [`${SMALL}NIC = [ NETWORK_ID = ${net} ]\nCONTEXT = [ NETWORK = "YES", SET_HOSTNAME = "web", SSH_PUBLIC_KEY = "$USER[SSH_PUBLIC_KEY]", FILES = "${file}" ]`]);
      await okId(o, 'one.vm.deploy', [id, h1]);
      await waitFor(o, id, S.ACTIVE, L.RUNNING);
      const dir = join(o.location, 'var', 'vms', String(id));
      assert.match(readFileSync(join(dir, 'transfer.0.prolog'), 'utf8'), new RegExp(`^CONTEXT dummy \\S+context.sh ${file} vm-host-1:\\S+/disk.0 ${id} 0\n$`));
      const sh = readFileSync(join(dir, 'context.sh'), 'utf8');
      for (const line of ["ETH0_IP='10.5.0.10'", "ETH0_MASK='255.255.255.0'", "ETH0_GATEWAY='10.5.0.1'", "SET_HOSTNAME='web'", "SSH_PUBLIC_KEY='ssh-ed25519 AAAAC3 admin@fe'"]) assert.ok(sh.split('\n').includes(line), `context.sh has ${line}:\n${sh}`);
      assert.match(sh, /^ETH0_MAC='02:00:0a:05:00:0a'$/m);
      await okId(o, 'one.vm.action', ['terminate', id]);
      await waitFor(o, id, S.DONE);
      await okId(o, 'one.vn.delete', [net]);

      const bad = await okId(o, 'one.vm.allocate', [`${SMALL}CONTEXT = [ FILES = "/etc/hostname" ]`]);
      await okId(o, 'one.vm.deploy', [bad, h1]);
      const failed = await waitFor(o, bad, S.ACTIVE, L.PROLOG_FAILURE);
      assert.match(childText(must(failed, 'USER_TEMPLATE'), 'ERROR'), /: Error in PROLOG: CONTEXT\/FILES cannot use \/etc\/hostname, it's in restricted directories$/);
      assert.equal(existsSync(join(o.location, 'var', 'vms', String(bad), 'transfer.0.prolog')), false, 'nothing was sent to the TM');
      await okId(o, 'one.vm.action', ['terminate', bad]);
      await waitFor(o, bad, S.DONE);
    });

    test('attach and detach a volatile disk and a NIC while RUNNING', async () => {
      const o = oned();
      const id = await okId(o, 'one.vm.allocate', [`${SMALL}DISK = [ TYPE = fs, SIZE = 1 ]`]);
      await okId(o, 'one.vm.deploy', [id, h1]);
      await waitFor(o, id, S.ACTIVE, L.RUNNING);
      await okId(o, 'one.vm.attach', [id, 'DISK = [ TYPE = swap, SIZE = 2 ]']);
      let v = await waitFor(o, id, S.ACTIVE, L.RUNNING);
      assert.deepEqual(all(must(v, 'TEMPLATE'), 'DISK').map((d) => [childText(d, 'DISK_ID'), childText(d, 'TARGET'), childText(d, 'ATTACH')]), [['0', 'hda', ''], ['1', 'hdb', '']]);
      await okId(o, 'one.vm.detach', [id, 0]);
      v = await waitFor(o, id, S.ACTIVE, L.RUNNING);
      assert.deepEqual(all(must(v, 'TEMPLATE'), 'DISK').map((d) => childText(d, 'DISK_ID')), ['1']);
      await refused(o, 'one.vm.detach', [id, 7], Code.ACTION, /no DISK with DISK_ID 7/);
      await okId(o, 'one.vm.attachnic', [id, 'NIC = [ BRIDGE = br9 ]']);
      v = await waitFor(o, id, S.ACTIVE, L.RUNNING);
      assert.deepEqual(all(must(v, 'TEMPLATE'), 'NIC').map((n) => childText(n, 'NIC_ID')), ['0']);
      await okId(o, 'one.vm.detachnic', [id, 0]);
      v = await waitFor(o, id, S.ACTIVE, L.RUNNING);
      assert.equal(all(must(v, 'TEMPLATE'), 'NIC').length, 0);

      // Powered off: the TM makes or deletes the disk, a NIC only changes the template.
      await okId(o, 'one.vm.action', ['poweroff', id]);
      await waitFor(o, id, S.POWEROFF);
      await okId(o, 'one.vm.attach', [id, 'DISK = [ TYPE = fs, SIZE = 3 ]']);
      v = await waitFor(o, id, S.POWEROFF);
      assert.deepEqual(all(must(v, 'TEMPLATE'), 'DISK').map((d) => childText(d, 'DISK_ID')), ['1', '2']);
      const dir = join(o.location, 'var', 'vms', String(id));
      assert.match(readFileSync(join(dir, 'transfer.0.prolog_attach'), 'utf8'), new RegExp(`^MKIMAGE dummy 3 raw vm-host-1:\\S+/disk.2 ${id} 0\\n$`));
      await okId(o, 'one.vm.detach', [id, 1]);
      v = await waitFor(o, id, S.POWEROFF);
      assert.deepEqual(all(must(v, 'TEMPLATE'), 'DISK').map((d) => childText(d, 'DISK_ID')), ['2']);
      assert.match(readFileSync(join(dir, 'transfer.0.epilog_detach'), 'utf8'), /^DELETE dummy vm-host-1:\S+\/disk.1 /);
      await okId(o, 'one.vm.attachnic', [id, 'NIC = [ BRIDGE = br2 ]']);
      assert.deepEqual(all(must(await vm(o, id), 'TEMPLATE'), 'NIC').map((n) => [childText(n, 'NIC_ID'), childText(n, 'ATTACH')]), [['0', '']]);
      await refused(o, 'one.vm.attach', [id, 'NIC = [ BRIDGE = br2 ]'], Code.ACTION, /must have one DISK/);
      await okId(o, 'one.vm.action', ['terminate', id]);
      await waitFor(o, id, S.DONE);
    });

    test('update edits USER_TEMPLATE, rename allows twin names, chmod and lock as other objects', async () => {
      const o = oned();
      const a = await okId(o, 'one.vm.allocate', [`${SMALL}NAME = "twin"`]);
      const b = await okId(o, 'one.vm.allocate', [`${SMALL}NAME = "other"`]);
      await okId(o, 'one.vm.rename', [b, 'twin']);
      assert.equal(childText(await vm(o, b), 'NAME'), 'twin');
      await okId(o, 'one.vm.update', [a, 'NOTE = "hello"', 1]);
      assert.equal(childText(must(await vm(o, a), 'USER_TEMPLATE'), 'NOTE'), 'hello');
      assert.equal(childText(must(await vm(o, a), 'TEMPLATE'), 'CPU'), '1', 'update leaves TEMPLATE alone');
      await okId(o, 'one.vm.lock', [a, 1]);
      await refused(o, 'one.vm.action', ['terminate', a], Code.AUTHORIZATION, /VM is locked/);
      await okId(o, 'one.vm.unlock', [a]);
      for (const id of [a, b]) await okId(o, 'one.vm.action', ['terminate', id]);
    });

    test('a restart keeps VMs, their history and the host share as they were', async () => {
      const o = oned();
      const id = await okId(o, 'one.vm.allocate', [`${SMALL}DISK = [ TYPE = fs, SIZE = 1 ]`]);
      await okId(o, 'one.vm.deploy', [id, h2]);
      await waitFor(o, id, S.ACTIVE, L.RUNNING);
      const before = await o.ok('one.vm.info', [id]);
      const share = await shareOf(o, h2);
      await o.signal('SIGTERM');
      await o.launch();
      assert.equal(await o.ok('one.vm.info', [id]), before);
      assert.deepEqual(await shareOf(o, h2), share);
      assert.ok(idsIn(await okXml(o, 'one.vmpool.info', [-2, -1, -1, S.ACTIVE]), 'VM').includes(id));
      await okId(o, 'one.vm.action', ['terminate', id]);
      await waitFor(o, id, S.DONE);
      // The closed record is read from the history table: it may land a moment after the VM is DONE in memory.
      const closed = async () => all(await okXml(o, 'one.vmpool.accounting', [-2, -1, -1]), 'HISTORY').some((x) => childInt(x, 'OID') === id && childInt(x, 'ETIME') > 0);
      for (let i = 0; i < 50 && !(await closed()); i++) await sleep(100);
      assert.ok(await closed(), 'the accounting shows the closed record');
    });

    test('every host share is back to zero', async () => {
      for (const h of [h1, h2, hs]) assert.deepEqual(await shareOf(oned(), h), [0, 0, 0, []]);
    });
  },
  CONF,
);
