/**
 * Security groups end to end (dummy drivers): the default group 0 of a new oned, allocate with
 * its RULEs checked (bad PROTOCOL, RANGE, RULE_TYPE, ICMP_TYPE, IP refused, nothing stored),
 * info and the pool, clone, rename, chmod; networks in group 0 and the groups they name, NICs
 * inheriting them and the VM's SECURITY_GROUP_RULEs (a NETWORK_ID rule per address range);
 * the VMs lists of a group, commit (a running VM's host refusing the rules puts it in
 * ERROR_VMS, a recovery commit retries it), update committing, the lists after a restart,
 * attachsg / detachsg, and delete
 * refused while VMs or networks use the group, and always for group 0.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childInt, childText, type XmlNode } from '../../src/common/xml-tree.js';
import type { Oned } from './harness.js';
import { Code, addUser, all, idList, must, okId, okXml, onFeatureBackends, permissionsOf, refused, sleep, waitFor } from './api-helpers.js';

const SCRIPTS = mkdtempSync(join(tmpdir(), 'nebula-sg-scripts-'));
const CONF = `VM_MAD = [ NAME = "scripted", EXECUTABLE = "one_vmm_dummy", ARGUMENTS = "-a ${SCRIPTS}", TIMEOUT = 10 ]\n`;

const lists = (sg: XmlNode) => ({
  updated: idList(sg, 'UPDATED_VMS'),
  outdated: idList(sg, 'OUTDATED_VMS'),
  updating: idList(sg, 'UPDATING_VMS'),
  error: idList(sg, 'ERROR_VMS'),
});

async function waitSg(o: Oned, id: number, ok: (sg: XmlNode) => boolean): Promise<XmlNode> {
  const until = Date.now() + 8000;
  for (;;) {
    const sg = await okXml(o, 'one.secgroup.info', [id]);
    if (ok(sg)) return sg;
    if (Date.now() > until) assert.fail(`security group ${id}: ${JSON.stringify(lists(sg))}`);
    await sleep(25);
  }
}

/** The VM's SECURITY_GROUP_RULEs as "group:protocol:type[:ip/size][:range]". */
async function vmRules(o: Oned, vm: number): Promise<string[]> {
  const t = must(await okXml(o, 'one.vm.info', [vm]), 'TEMPLATE');
  return all(t, 'SECURITY_GROUP_RULE').map((r) =>
    [childText(r, 'SECURITY_GROUP_ID'), childText(r, 'PROTOCOL'), childText(r, 'RULE_TYPE'), childText(r, 'IP') && `${childText(r, 'IP')}/${childText(r, 'SIZE')}`, childText(r, 'RANGE')].filter((x) => x !== '').join(':'),
  );
}

onFeatureBackends(
  'security groups',
  (oned) => {
    let web = -1;
    let net = -1;
    let other = -1;
    let host = -1;
    let vm = -1;

    test('group 0 "default" exists: oneadmin\'s, u:uma g:u o:u, all traffic both ways', async () => {
      const sg = await okXml(oned(), 'one.secgroup.info', [0]);
      assert.equal(sg.name, 'SECURITY_GROUP');
      assert.deepEqual([childText(sg, 'NAME'), childInt(sg, 'UID'), childInt(sg, 'GID'), childText(sg, 'UNAME')], ['default', 0, 0, 'oneadmin']);
      assert.equal(permissionsOf(sg), '111100100');
      const rules = all(must(sg, 'TEMPLATE'), 'RULE').map((r) => `${childText(r, 'PROTOCOL')}:${childText(r, 'RULE_TYPE')}`);
      assert.deepEqual(rules, ['ALL:OUTBOUND', 'ALL:INBOUND']);
      assert.deepEqual(lists(sg), { updated: [], outdated: [], updating: [], error: [] });
    });

    test('allocate checks every RULE and stores nothing on a bad one; the first group is 100', async () => {
      const o = oned();
      const bad: [string, RegExp][] = [
        ['RULE = [ PROTOCOL = "SCTP", RULE_TYPE = "INBOUND" ]', /Wrong PROTOCOL "SCTP"/],
        ['RULE = [ PROTOCOL = "TCP", RULE_TYPE = "SIDEWAYS" ]', /Wrong RULE_TYPE "SIDEWAYS"/],
        ['RULE = [ PROTOCOL = "TCP", RULE_TYPE = "INBOUND", RANGE = "22-80" ]', /Invalid RANGE specification/],
        ['RULE = [ PROTOCOL = "TCP", RULE_TYPE = "INBOUND", RANGE = "90:80" ]', /Invalid RANGE specification/],
        ['RULE = [ PROTOCOL = "ICMP", RULE_TYPE = "INBOUND", RANGE = "22" ]', /RANGE is supported only for TCP and UDP/],
        ['RULE = [ PROTOCOL = "TCP", RULE_TYPE = "INBOUND", ICMP_TYPE = "8" ]', /ICMP_TYPE is supported only for ICMP/],
        ['RULE = [ PROTOCOL = "ALL", RULE_TYPE = "INBOUND", IP = "10.0.0.300", SIZE = "2" ]', /Wrong format for IP/],
        ['RULE = [ PROTOCOL = "ALL", RULE_TYPE = "INBOUND", IP = "10.0.0.1" ]', /Wrong or empty SIZE/],
        ['RULE = [ PROTOCOL = "ALL", RULE_TYPE = "INBOUND", NETWORK_ID = "x" ]', /Wrong NETWORK_ID/],
      ];
      for (const [rule, msg] of bad) await refused(o, 'one.secgroup.allocate', [`NAME = "bad"\n${rule}`], Code.ALLOCATE, msg);
      await refused(o, 'one.secgroup.allocate', ['RULE = [ PROTOCOL = "ALL", RULE_TYPE = "INBOUND" ]'], Code.ALLOCATE, /No NAME/);
      const pool = await okXml(o, 'one.secgrouppool.info', [-2, -1, -1]);
      assert.equal(pool.name, 'SECURITY_GROUP_POOL');
      assert.deepEqual(pool.children.map((c) => childInt(c, 'ID')), [0], 'nothing stored');
      web = await okId(o, 'one.secgroup.allocate', ['NAME = "web"\nDESCRIPTION = "web servers"\nRULE = [ PROTOCOL = "TCP", RULE_TYPE = "inbound", RANGE = "22,80:90" ]\nRULE = [ PROTOCOL = "ALL", RULE_TYPE = "OUTBOUND" ]']);
      assert.equal(web, 100);
      await refused(o, 'one.secgroup.allocate', ['NAME = "web"'], Code.ALLOCATE, /NAME is already taken/);
    });

    test('clone, rename, chmod; a user sees what permissions let them see', async () => {
      const o = oned();
      const copy = await okId(o, 'one.secgroup.clone', [web, 'web-copy']);
      const c = await okXml(o, 'one.secgroup.info', [copy]);
      assert.equal(all(must(c, 'TEMPLATE'), 'RULE').length, 2);
      await okId(o, 'one.secgroup.rename', [copy, 'web-2']);
      assert.equal(childText(await okXml(o, 'one.secgroup.info', [copy]), 'NAME'), 'web-2');
      await okId(o, 'one.secgroup.chmod', [copy, 1, 1, 0, 1, 0, 0, 0, 0, 0]);
      assert.equal(permissionsOf(await okXml(o, 'one.secgroup.info', [copy])), '110100000');
      const u = await addUser(o, 'sg-user');
      const mine = await okId(o, 'one.secgroup.allocate', ['NAME = "mine"'], u.session);
      await refused(o, 'one.secgroup.delete', [web], Code.AUTHORIZATION, /Not authorized/, u.session);
      await okId(o, 'one.secgroup.delete', [mine], u.session);
      await okId(o, 'one.secgroup.delete', [copy]);
      await refused(o, 'one.secgroup.info', [copy], Code.NO_EXISTS, /./);
    });

    test('networks are in group 0 plus the groups they name; a VM\'s NICs inherit them and its TEMPLATE gets their rules', async () => {
      const o = oned();
      other = await okId(o, 'one.vn.allocate', ['NAME = "sg-other"\nVN_MAD = "dummy"\nBRIDGE = "br1"\nAR = [ TYPE = "IP4", IP = "10.8.0.10", SIZE = "5" ]', -1]);
      const fromNet = await okId(o, 'one.secgroup.allocate', [`NAME = "from-net"\nRULE = [ PROTOCOL = "UDP", RULE_TYPE = "INBOUND", NETWORK_ID = "${other}" ]`]);
      net = await okId(o, 'one.vn.allocate', [`NAME = "sg-net"\nVN_MAD = "dummy"\nBRIDGE = "br0"\nSECURITY_GROUPS = "${web},${fromNet}"\nAR = [ TYPE = "IP4", IP = "10.7.0.10", SIZE = "20" ]`, -1]);
      assert.equal(childText(must(await okXml(o, 'one.vn.info', [net]), 'TEMPLATE'), 'SECURITY_GROUPS'), `0,${web},${fromNet}`);
      assert.equal(childText(must(await okXml(o, 'one.vn.info', [other]), 'TEMPLATE'), 'SECURITY_GROUPS'), '0');
      await okId(o, 'one.datastore.update', [0, 'TM_MAD = "dummy"', 1]);
      host = await okId(o, 'one.host.allocate', ['sg-host', 'dummy', 'scripted', -1]);
      vm = await okId(o, 'one.vm.allocate', [`NAME = "sg-vm"\nCPU = 1\nMEMORY = 64\nNIC = [ NETWORK_ID = ${net} ]`]);
      const nic = must(must(await okXml(o, 'one.vm.info', [vm]), 'TEMPLATE'), 'NIC');
      assert.equal(childText(nic, 'SECURITY_GROUPS'), `0,${web},${fromNet}`);
      assert.deepEqual(await vmRules(o, vm), ['0:ALL:OUTBOUND', '0:ALL:INBOUND', `${web}:TCP:inbound:22,80:90`, `${web}:ALL:OUTBOUND`, `${fromNet}:UDP:INBOUND:10.8.0.10/5`]);
      for (const g of [0, web, fromNet]) assert.deepEqual(lists(await okXml(o, 'one.secgroup.info', [g])).updated, [vm]);
      await refused(o, 'one.secgroup.delete', [web], Code.ACTION, new RegExp(`VMs ${vm} use it`));
      await refused(o, 'one.secgroup.delete', [0], Code.ACTION, /default security group \(0\) cannot be deleted/);
    });

    test('commit: a running VM goes UPDATING then UPDATED; a host refusing puts it in ERROR_VMS, a recovery commit retries it', async () => {
      const o = oned();
      await okId(o, 'one.vm.deploy', [vm, host]);
      await waitFor(o, vm, 3, 3);
      writeFileSync(join(SCRIPTS, 'updatesg'), 'success 0.3\n');
      await okId(o, 'one.secgroup.commit', [web, false]);
      const during = lists(await okXml(o, 'one.secgroup.info', [web]));
      assert.deepEqual(during.updating, [vm]);
      await waitSg(o, web, (sg) => lists(sg).updated.includes(vm));
      writeFileSync(join(SCRIPTS, 'updatesg'), 'failure\n');
      await okId(o, 'one.secgroup.commit', [web, false]);
      await waitSg(o, web, (sg) => lists(sg).error.includes(vm));
      writeFileSync(join(SCRIPTS, 'updatesg'), 'success\n');
      await okId(o, 'one.secgroup.commit', [web, true]);
      const after = await waitSg(o, web, (sg) => lists(sg).updated.includes(vm));
      assert.deepEqual(lists(after), { updated: [vm], outdated: [], updating: [], error: [] });
    });

    test('update checks the rules (nothing changed on a refusal), then the VMs get the new ones', async () => {
      const o = oned();
      await refused(o, 'one.secgroup.update', [web, 'RULE = [ PROTOCOL = "TCP", RULE_TYPE = "INBOUND", RANGE = "a" ]', 0], Code.INTERNAL, /Invalid RANGE/);
      assert.ok((await vmRules(o, vm)).includes(`${web}:TCP:inbound:22,80:90`));
      await okId(o, 'one.secgroup.update', [web, 'RULE = [ PROTOCOL = "TCP", RULE_TYPE = "INBOUND", RANGE = "8080", IP = "10.7.0.10", SIZE = "1" ]', 0]);
      await waitSg(o, web, (sg) => lists(sg).updated.includes(vm));
      assert.ok((await vmRules(o, vm)).includes(`${web}:TCP:INBOUND:10.7.0.10/1:8080`));
      assert.ok(!(await vmRules(o, vm)).some((r) => r.startsWith(`${web}:ALL`)));
    });

    test('after a restart the groups show the same VMs (learnt from their NICs) and the same rules', async () => {
      const o = oned();
      const before = await Promise.all([0, web].map(async (g) => String(await o.ok('one.secgroup.info', [g]))));
      assert.equal(await o.signal('SIGTERM'), 0);
      await o.launch();
      const after = await Promise.all([0, web].map(async (g) => String(await o.ok('one.secgroup.info', [g]))));
      assert.deepEqual(after, before);
      assert.deepEqual(lists(await okXml(o, 'one.secgroup.info', [0])).updated, [vm]);
      assert.equal(await okId(o, 'one.secgroup.allocate', ['NAME = "after-restart"']), web + 4, 'ids go on from the last one');
      await okId(o, 'one.secgroup.delete', [web + 4]);
    });

    test('attachsg / detachsg on a running VM: the NIC\'s groups, the rules and the group\'s VMs follow', async () => {
      const o = oned();
      const extra = await okId(o, 'one.secgroup.allocate', ['NAME = "ssh"\nRULE = [ PROTOCOL = "TCP", RULE_TYPE = "INBOUND", RANGE = "22" ]']);
      await refused(o, 'one.vm.attachsg', [vm, 7, extra], Code.ACTION, /no NIC with NIC_ID 7/);
      await refused(o, 'one.vm.attachsg', [vm, 0, 999], Code.NO_EXISTS, /./);
      await refused(o, 'one.vm.attachsg', [vm, 0, web], Code.ACTION, /already has security group/);
      await okId(o, 'one.vm.attachsg', [vm, 0, extra]);
      await waitSg(o, extra, (sg) => lists(sg).updated.includes(vm));
      assert.ok((await vmRules(o, vm)).includes(`${extra}:TCP:INBOUND:22`));
      assert.match(childText(must(must(await okXml(o, 'one.vm.info', [vm]), 'TEMPLATE'), 'NIC'), 'SECURITY_GROUPS'), new RegExp(`,${extra}$`));
      await okId(o, 'one.vm.detachsg', [vm, 0, extra]);
      assert.deepEqual(lists(await okXml(o, 'one.secgroup.info', [extra])).updated, []);
      assert.ok(!(await vmRules(o, vm)).some((r) => r.startsWith(`${extra}:`)));
      await refused(o, 'one.vm.detachsg', [vm, 0, extra], Code.ACTION, /does not have security group/);
      await okId(o, 'one.secgroup.delete', [extra]);
    });

    test('a VM that is DONE leaves its groups; a group a network names cannot be deleted', async () => {
      const o = oned();
      await okId(o, 'one.vm.action', ['terminate-hard', vm]);
      await waitFor(o, vm, 6);
      // The group lets the VM go once the DONE state is committed (a moment after memory shows it).
      await waitSg(o, web, (sg) => lists(sg).updated.length === 0);
      assert.deepEqual(lists(await okXml(o, 'one.secgroup.info', [web])).updated, []);
      await refused(o, 'one.secgroup.delete', [web], Code.ACTION, new RegExp(`virtual networks ${net} use it`));
      await okId(o, 'one.vn.update', [net, 'SECURITY_GROUPS = "0"', 1]);
      await okId(o, 'one.secgroup.delete', [web]);
    });
  },
  CONF,
);
