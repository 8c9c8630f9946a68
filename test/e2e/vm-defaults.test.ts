/**
 * What oned adds to VMs and shows of them, as OpenNebula 7.4 does (the calls of its reference
 * answers): a template with an image disk, a volatile disk, a NIC and a CONTEXT, shown extended;
 * the VM instantiated on hold with its defaults, its DISKs and NICs filled from the image, the
 * datastores and the network; what deploy adds; the short pool listing, accounting and the
 * errors of a VM that does not exist or cannot be deployed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { child, childInt, childText, type XmlNode } from '../../src/common/xml-tree.js';
import type { Oned } from './harness.js';
import { Code, all, must, okId, okXml, onFeatureBackends, sleep } from './api-helpers.js';

const names = (node: XmlNode) => node.children.map((c) => c.name);

async function waitVm(oned: Oned, id: number, state: number, lcm: number): Promise<XmlNode> {
  const until = Date.now() + 8000;
  for (;;) {
    const v = await okXml(oned, 'one.vm.info', [id]);
    if (childInt(v, 'STATE') === state && childInt(v, 'LCM_STATE') === lcm) return v;
    if (Date.now() > until) assert.fail(`VM ${id} is ${childInt(v, 'STATE')}/${childInt(v, 'LCM_STATE')}, not ${state}/${lcm}`);
    await sleep(25);
  }
}

onFeatureBackends('VM defaults and listings as OpenNebula 7.4', (get) => {
  let cluster = -1;
  let host = -1;
  let sys = -1;
  let imgDs = -1;
  let image = -1;
  let vnet = -1;
  let tmpl = -1;
  let vm = -1;

  test('setup: a cluster with a dummy host, system and image datastores, an image and a network', async () => {
    const oned = get();
    cluster = await okId(oned, 'one.cluster.allocate', ['c-defaults']);
    host = await okId(oned, 'one.host.allocate', ['h-defaults', 'dummy', 'dummy', cluster]);
    sys = await okId(oned, 'one.datastore.allocate', ['NAME = "sys-defaults"\nTYPE = "SYSTEM_DS"\nTM_MAD = "dummy"', cluster]);
    imgDs = await okId(oned, 'one.datastore.allocate', ['NAME = "img-defaults"\nDS_MAD = "dummy"\nTM_MAD = "dummy"', cluster]);
    image = await okId(oned, 'one.image.allocate', ['NAME = "os-defaults"\nPATH = "/var/tmp/none.img"\nTYPE = "OS"\nSIZE = "200"', imgDs, true]);
    const until = Date.now() + 8000;
    while (childInt(await okXml(oned, 'one.image.info', [image]), 'STATE') !== 1) {
      if (Date.now() > until) assert.fail('the image should be READY');
      await sleep(25);
    }
    vnet = await okId(oned, 'one.vn.allocate', [
      'NAME = "net-defaults"\nVN_MAD = "bridge"\nBRIDGE = "br-def"\nNETWORK_ADDRESS = "10.9.0.0"\nNETWORK_MASK = "255.255.255.0"\nDNS = "10.9.0.1"\nGATEWAY = "10.9.0.1"\nAR = [ TYPE = "IP4", IP = "10.9.0.10", SIZE = "50" ]',
      cluster,
    ]);
    tmpl = await okId(oned, 'one.template.allocate', [
      `NAME = "tpl-defaults"\nCPU = "0.5"\nVCPU = "2"\nMEMORY = "256"\nDISK = [ IMAGE_ID = "${image}" ]\nDISK = [ TYPE = "fs", SIZE = "64", FORMAT = "raw" ]\n` +
        `NIC = [ NETWORK_ID = "${vnet}" ]\nCONTEXT = [ NETWORK = "YES", SET_HOSTNAME = "$NAME", SSH_PUBLIC_KEY = "$USER[SSH_PUBLIC_KEY]" ]\n` +
        'GRAPHICS = [ TYPE = "VNC", LISTEN = "0.0.0.0" ]\nOS = [ ARCH = "x86_64", BOOT = "disk0" ]\nFEATURES = [ ACPI = "yes" ]\nDESCRIPTION = "ref"\nSCHED_REQUIREMENTS = "ID>=0"',
    ]);
  });

  test('template.info: the template as given; extended: its DISKs filled from the image, nothing taken', async () => {
    const oned = get();
    const plain = all(must(await okXml(oned, 'one.template.info', [tmpl]), 'TEMPLATE'), 'DISK');
    assert.deepEqual(plain.map(names), [['IMAGE_ID'], ['FORMAT', 'SIZE', 'TYPE']]);
    const disks = all(must(await okXml(oned, 'one.template.info', [tmpl, true]), 'TEMPLATE'), 'DISK');
    assert.deepEqual(names(disks[1]!), ['DISK_ID', 'FORMAT', 'SIZE', 'TYPE']);
    for (const a of ['ALLOW_ORPHANS', 'CLONE', 'CLONE_TARGET', 'CLUSTER_ID', 'DATASTORE', 'DATASTORE_ID', 'DEV_PREFIX', 'DISK_ID', 'DISK_SNAPSHOT_TOTAL_SIZE', 'DISK_TYPE', 'DRIVER', 'FORMAT', 'IMAGE', 'IMAGE_ID', 'IMAGE_STATE', 'LN_TARGET', 'ORIGINAL_SIZE', 'PERSISTENT_SNAPSHOTS', 'READONLY', 'SAVE', 'SIZE', 'SOURCE', 'TM_MAD', 'TYPE']) {
      assert.ok(child(disks[0]!, a), `extended DISK has ${a}`);
    }
    assert.equal(child(disks[0]!, 'TARGET'), undefined);
    assert.deepEqual([childText(disks[0]!, 'IMAGE_STATE'), childText(disks[0]!, 'CLONE_TARGET'), childText(disks[0]!, 'LN_TARGET')], ['1', 'SYSTEM', 'NONE']);
    assert.equal(childInt(await okXml(oned, 'one.image.info', [image]), 'RUNNING_VMS'), 0, 'info took nothing');
  });

  test('instantiate on hold: the VM with the defaults, DISKs and NICs 7.4 shows', async () => {
    const oned = get();
    vm = await okId(oned, 'one.template.instantiate', [tmpl, 'vm-defaults', true, '', false]);
    const v = await okXml(oned, 'one.vm.info', [vm]);
    assert.deepEqual(names(v), [
      'ID', 'UID', 'GID', 'UNAME', 'GNAME', 'NAME', 'PERMISSIONS', 'LAST_POLL', 'STATE', 'LCM_STATE', 'PREV_STATE', 'PREV_LCM_STATE', 'RESCHED',
      'STIME', 'ETIME', 'DEPLOY_ID', 'MONITORING', 'SCHED_ACTIONS', 'TEMPLATE', 'USER_TEMPLATE', 'HISTORY_RECORDS', 'BACKUPS',
    ]);
    assert.deepEqual(names(must(v, 'BACKUPS')), ['BACKUP_CONFIG', 'BACKUP_IDS']);
    const t = must(v, 'TEMPLATE');
    assert.equal(childText(t, 'AUTOMATIC_REQUIREMENTS'), `(CLUSTER_ID = ${cluster}) & !(PIN_POLICY = PINNED)`);
    assert.equal(childText(t, 'AUTOMATIC_DS_REQUIREMENTS'), `("CLUSTERS/ID" @> ${cluster})`);
    assert.equal(childText(t, 'AUTOMATIC_NIC_REQUIREMENTS'), `("CLUSTERS/ID" @> ${cluster})`);
    assert.equal(childText(t, 'SUBMIT_ON_HOLD'), 'YES');
    assert.equal(childText(t, 'TEMPLATE_ID'), String(tmpl));
    assert.equal(childText(t, 'VMID'), String(vm));
    assert.equal(childText(must(t, 'FEATURES'), 'ACPI'), 'YES');
    assert.deepEqual(names(must(t, 'OS')), ['ARCH', 'BOOT', 'UUID'], 'no default MACHINE: see the conformance allow-list');
    const rules = all(t, 'SECURITY_GROUP_RULE');
    assert.deepEqual(rules.map((r) => [childText(r, 'RULE_TYPE'), childText(r, 'PROTOCOL'), childText(r, 'SECURITY_GROUP_ID'), childText(r, 'SECURITY_GROUP_NAME')]), [
      ['OUTBOUND', 'ALL', '0', 'default'],
      ['INBOUND', 'ALL', '0', 'default'],
    ]);
    const ctx = must(t, 'CONTEXT');
    assert.equal(childText(ctx, 'SET_HOSTNAME'), 'vm-defaults', 'variables expanded when the VM is made');
    assert.equal(childText(ctx, 'SSH_PUBLIC_KEY'), '');
    assert.equal(childText(ctx, 'ETH0_IP'), '10.9.0.10');
    assert.equal(childText(ctx, 'ETH0_MASK'), '255.255.255.0');
    for (const k of ['ETH0_DNS', 'ETH0_EXTERNAL', 'ETH0_GATEWAY', 'ETH0_IP6', 'ETH0_IP6_GATEWAY', 'ETH0_MAC', 'ETH0_NETWORK', 'ETH0_SEARCH_DOMAIN', 'ETH0_VLAN_ID', 'ETH0_VROUTER_IP', 'ETH0_VROUTER_MANAGEMENT']) {
      assert.ok(child(ctx, k), `CONTEXT has ${k}`);
    }
    const [d0, d1] = all(t, 'DISK');
    assert.deepEqual(names(d0!), [
      'ALLOW_ORPHANS', 'CLONE', 'CLONE_TARGET', 'CLUSTER_ID', 'DATASTORE', 'DATASTORE_ID', 'DEV_PREFIX', 'DISK_ID', 'DISK_SNAPSHOT_TOTAL_SIZE', 'DISK_TYPE', 'DRIVER', 'FORMAT',
      'IMAGE', 'IMAGE_ID', 'IMAGE_STATE', 'LN_TARGET', 'ORDER', 'ORIGINAL_SIZE', 'PERSISTENT_SNAPSHOTS', 'READONLY', 'SAVE', 'SIZE', 'SOURCE', 'TARGET', 'TM_MAD', 'TYPE',
    ]);
    assert.equal(childText(d0!, 'ORDER'), '1', 'OS BOOT = disk0');
    assert.equal(childText(d0!, 'IMAGE_STATE'), '2', 'the image is USED');
    assert.deepEqual(names(d1!), ['DEV_PREFIX', 'DISK_ID', 'FORMAT', 'SIZE', 'TARGET', 'TYPE']);
    const nic = must(t, 'NIC');
    assert.deepEqual(names(nic), ['AR_ID', 'BRIDGE', 'BRIDGE_TYPE', 'CLUSTER_ID', 'DNS', 'GATEWAY', 'IP', 'MAC', 'NAME', 'NETWORK', 'NETWORK_ID', 'NIC_ID', 'SECURITY_GROUPS', 'TARGET', 'VN_MAD']);
    assert.deepEqual([childText(nic, 'NAME'), childText(nic, 'TARGET'), childText(nic, 'SECURITY_GROUPS')], ['NIC0', `one-${vm}-0`, '0']);
    assert.deepEqual(names(must(v, 'USER_TEMPLATE')), ['DESCRIPTION', 'SCHED_REQUIREMENTS']);
    assert.deepEqual(must(v, 'HISTORY_RECORDS').children, []);
  });

  test('deploy: TM_MAD_SYSTEM, the volatile disk on the system datastore, the GRAPHICS port; then a second deploy is refused as 7.4 refuses it', async () => {
    const oned = get();
    await okId(oned, 'one.vm.deploy', [vm, host, false, sys]);
    const v = await waitVm(oned, vm, 3, 3);
    const t = must(v, 'TEMPLATE');
    assert.equal(childText(t, 'TM_MAD_SYSTEM'), 'dummy');
    assert.equal(childText(must(t, 'GRAPHICS'), 'PORT'), String(5900 + vm));
    const volatile = all(t, 'DISK')[1]!;
    assert.deepEqual(names(volatile), ['ALLOW_ORPHANS', 'CLUSTER_ID', 'DATASTORE', 'DATASTORE_ID', 'DEV_PREFIX', 'DISK_ID', 'DISK_TYPE', 'DRIVER', 'FORMAT', 'PERSISTENT_SNAPSHOTS', 'SIZE', 'TARGET', 'TM_MAD', 'TYPE']);
    assert.deepEqual([childText(volatile, 'DATASTORE_ID'), childText(volatile, 'DRIVER')], [String(sys), 'raw']);
    const r = await oned.call('one.vm.deploy', [vm, host, false, -1]);
    assert.deepEqual(r.slice(0, 4), [false, '[one.vm.deploy] Deploy action is not available for state RUNNING', Code.ACTION, -1]);
    const badFilter = await oned.call('one.vmpool.info', [-9, -1, -1, -1]);
    assert.deepEqual(badFilter.slice(0, 4), [false, '[one.vmpool.info] Incorrect filter_flag', Code.XML_RPC_API, -1]);
    const missing = await oned.call('one.vm.info', [99999]);
    assert.deepEqual(missing.slice(0, 4), [false, '[one.vm.info] Error getting virtual machine [99999].', Code.NO_EXISTS, 99999]);
  });

  test('vmpool.info is the short listing: reduced TEMPLATE, DISK and NIC sets, USER_TEMPLATE and history', async () => {
    const oned = get();
    const pool = await okXml(oned, 'one.vmpool.info', [-2, -1, -1, -1]);
    const v = all(pool, 'VM').find((x) => childInt(x, 'ID') === vm)!;
    assert.deepEqual(names(v), ['ID', 'UID', 'GID', 'UNAME', 'GNAME', 'NAME', 'LAST_POLL', 'STATE', 'LCM_STATE', 'RESCHED', 'STIME', 'ETIME', 'DEPLOY_ID', 'TEMPLATE', 'MONITORING', 'USER_TEMPLATE', 'HISTORY_RECORDS']);
    const t = must(v, 'TEMPLATE');
    assert.deepEqual(names(t), ['CPU', 'MEMORY', 'VCPU', 'DISK', 'DISK', 'NIC', 'GRAPHICS']);
    const short = ['DISK_ID', 'DATASTORE', 'DATASTORE_ID', 'IMAGE', 'IMAGE_ID', 'SIZE', 'TYPE', 'CLONE', 'CLONE_TARGET', 'LN_TARGET', 'DISK_SNAPSHOT_TOTAL_SIZE'];
    assert.deepEqual(all(t, 'DISK').map(names), [short, short]);
    assert.equal(childText(all(t, 'DISK')[1]!, 'IMAGE_ID'), '', 'a volatile disk lists its missing attributes empty');
    assert.deepEqual(names(must(t, 'NIC')), ['IP', 'MAC', 'NETWORK', 'NETWORK_ID', 'NIC_ID', 'SECURITY_GROUPS']);
    assert.deepEqual(names(must(v, 'USER_TEMPLATE')), ['SCHED_REQUIREMENTS']);
    assert.deepEqual(names(must(must(v, 'HISTORY_RECORDS'), 'HISTORY')), ['OID', 'SEQ', 'HOSTNAME', 'HID', 'CID', 'DS_ID', 'VM_MAD', 'TM_MAD', 'ACTION']);
    const extended = all(await okXml(oned, 'one.vmpool.infoextended', [-2, -1, -1, -1]), 'VM').find((x) => childInt(x, 'ID') === vm)!;
    assert.deepEqual(names(extended), names(await okXml(oned, 'one.vm.info', [vm])), 'infoextended lists the full VMs');
  });

  test('accounting: each history record nests the VM without its history', async () => {
    const oned = get();
    const acct = await okXml(oned, 'one.vmpool.accounting', [-2, -1, -1]);
    const h = all(acct, 'HISTORY').find((x) => childInt(x, 'OID') === vm)!;
    assert.equal(h.children.at(-1)!.name, 'VM');
    const nested = must(h, 'VM');
    assert.equal(childInt(nested, 'ID'), vm);
    assert.deepEqual(must(nested, 'HISTORY_RECORDS').children, []);
    assert.ok(child(must(nested, 'TEMPLATE'), 'CPU'));
  });
});
