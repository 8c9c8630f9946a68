/**
 * Virtual routers end to end (dummy drivers): allocate with a floating IP (its lease owned by
 * the router in the network's leases, the router in the network's VROUTERS), KEEPALIVED_PASSWORD
 * kept encrypted, instantiate two VMs (VROUTER_ID and the router's NICs in their templates, the
 * context variables the router appliance reads), NIC attach and detach through the router
 * reaching both VMs, the VMs' own NIC changes refused, a terminated VM leaving VMS, delete
 * terminating the VMs and giving the leases back, and bad input refused with nothing half made.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { child, childInt, childText, type XmlNode } from '../../src/common/xml-tree.js';
import { Code, addUser, all, idList, must, okId, okXml, onFeatureBackends, refused, waitFor } from './api-helpers.js';

const CONF = `
VM_ENCRYPTED_ATTR = "VROUTER_KEEPALIVED_PASSWORD"
VM_ENCRYPTED_ATTR = "CONTEXT/VROUTER_KEEPALIVED_PASSWORD"
VROUTER_ENCRYPTED_ATTR = "KEEPALIVED_PASSWORD"
`;

/** The leases of a network: IP → owner (`VM 3`, `VROUTER 0`). */
function leasesOf(vn: XmlNode): Map<string, string> {
  const out = new Map<string, string>();
  for (const ar of all(must(vn, 'AR_POOL'), 'AR')) {
    const leases = child(ar, 'LEASES');
    for (const l of leases ? all(leases, 'LEASE') : []) {
      const owner = ['VM', 'VNET', 'VROUTER'].find((k) => child(l, k));
      out.set(childText(l, 'IP'), `${owner} ${childText(l, owner!)}`);
    }
  }
  return out;
}

function vectorsOf(obj: XmlNode, name: string): XmlNode[] {
  return all(must(obj, 'TEMPLATE'), name);
}

onFeatureBackends(
  'virtual routers',
  (oned) => {
    let pub = -1;
    let priv = -1;
    let mgmt = -1;
    let tmpl = -1;
    let host = -1;
    let vr = -1;
    let vms: number[] = [];

    test('setup: networks, a host, a router VM template', async () => {
      const o = oned();
      pub = await okId(o, 'one.vn.allocate', ['NAME = "vr-pub"\nVN_MAD = "dummy"\nBRIDGE = "br0"\nAR = [ TYPE = "IP4", IP = "10.1.0.10", SIZE = "10" ]', -1]);
      priv = await okId(o, 'one.vn.allocate', ['NAME = "vr-priv"\nVN_MAD = "dummy"\nBRIDGE = "br1"\nAR = [ TYPE = "IP4", IP = "10.2.0.10", SIZE = "10" ]', -1]);
      mgmt = await okId(o, 'one.vn.allocate', ['NAME = "vr-mgmt"\nVN_MAD = "dummy"\nBRIDGE = "br2"\nAR = [ TYPE = "IP4", IP = "10.3.0.10", SIZE = "2" ]', -1]);
      tmpl = await okId(o, 'one.template.allocate', ['NAME = "vr-tmpl"\nCPU = 1\nMEMORY = 64\nVROUTER = "YES"\nCONTEXT = [ NETWORK = "YES" ]']);
      host = await okId(o, 'one.host.allocate', ['vr-host', 'dummy', 'dummy', -1]);
      await okId(o, 'one.datastore.update', [0, 'TM_MAD = "dummy"', 1]);
    });

    test('allocate: a floating NIC takes a lease owned by the router; the password is kept encrypted', async () => {
      const o = oned();
      vr = await okId(o, 'one.vrouter.allocate', [
        `NAME = "edge"\nKEEPALIVED_PASSWORD = "s3cret"\nNIC = [ NETWORK_ID = ${pub}, FLOATING_IP = "YES" ]\nNIC = [ NETWORK = "vr-priv", FLOATING_IP = "YES", IP = "10.2.0.15" ]\nNIC = [ NETWORK_ID = ${mgmt}, VROUTER_MANAGEMENT = "YES" ]`,
      ]);
      const r = await okXml(o, 'one.vrouter.info', [vr]);
      assert.equal(childText(r, 'NAME'), 'edge');
      assert.deepEqual(idList(r, 'VMS'), []);
      for (const e of ['ID', 'UID', 'GID', 'UNAME', 'GNAME', 'NAME', 'PERMISSIONS', 'VMS', 'TEMPLATE']) must(r, e);
      const nics = vectorsOf(r, 'NIC');
      assert.equal(nics.length, 3);
      assert.equal(childText(nics[0]!, 'VROUTER_IP'), '10.1.0.10');
      assert.equal(childText(nics[0]!, 'NIC_ID'), '0');
      assert.equal(childText(nics[1]!, 'VROUTER_IP'), '10.2.0.15');
      assert.equal(childText(nics[1]!, 'NETWORK_ID'), String(priv));
      assert.equal(child(nics[2]!, 'VROUTER_IP'), undefined, 'a NIC that does not float takes no lease');
      assert.notEqual(childText(must(r, 'TEMPLATE'), 'KEEPALIVED_PASSWORD'), 's3cret');
      const clear = await okXml(o, 'one.vrouter.info', [vr, true]);
      assert.equal(childText(must(clear, 'TEMPLATE'), 'KEEPALIVED_PASSWORD'), 's3cret');
      const vn = await okXml(o, 'one.vn.info', [pub]);
      assert.equal(leasesOf(vn).get('10.1.0.10'), `VROUTER ${vr}`);
      assert.deepEqual(idList(vn, 'VROUTERS'), [vr]);
      assert.equal(leasesOf(await okXml(o, 'one.vn.info', [priv])).get('10.2.0.15'), `VROUTER ${vr}`);
      assert.equal(leasesOf(await okXml(o, 'one.vn.info', [mgmt])).size, 0);
      const pool = await okXml(o, 'one.vrouterpool.info', [-2, -1, -1]);
      assert.deepEqual(all(pool, 'VROUTER').map((v) => childInt(v, 'ID')), [vr]);
    });

    test('bad input: a missing network, no free address, a taken IP, no NAME: nothing made, no lease kept', async () => {
      const o = oned();
      await refused(o, 'one.vrouter.allocate', ['NAME = "bad1"\nNIC = [ NETWORK_ID = 999, FLOATING_IP = "YES" ]'], Code.ALLOCATE, /Virtual network 999 does not exist/);
      await refused(o, 'one.vrouter.allocate', [`NAME = "bad2"\nNIC = [ NETWORK_ID = ${pub}, FLOATING_IP = "YES" ]\nNIC = [ NETWORK_ID = ${priv}, FLOATING_IP = "YES", IP = "10.2.0.15" ]`], Code.ALLOCATE, /already in use/);
      await refused(o, 'one.vrouter.allocate', [`NAME = "bad3"\nNIC = [ NETWORK_ID = ${pub}, FLOATING_IP = "YES" ]\nNIC = [ NETWORK_ID = ${priv}, NETWORK_MODE = "auto" ]`], Code.ALLOCATE, /incompatible with auto mode/);
      await refused(o, 'one.vrouter.allocate', ['NIC = [ NETWORK_ID = 0 ]'], Code.ALLOCATE, /NAME/);
      await refused(o, 'one.vrouter.allocate', [`NAME = "edge"\nNIC = [ NETWORK_ID = ${pub} ]`], Code.ALLOCATE, /already taken/);
      const leases = leasesOf(await okXml(o, 'one.vn.info', [pub]));
      assert.deepEqual([...leases.keys()], ['10.1.0.10'], 'the refused routers left no lease');
      assert.deepEqual(idList(await okXml(o, 'one.vn.info', [pub]), 'VROUTERS'), [vr]);
      assert.equal(all(await okXml(o, 'one.vrouterpool.info', [-2, -1, -1]), 'VROUTER').length, 1);
      // A plain template is not a router's; a router without TEMPLATE_ID needs one.
      const plain = await okId(o, 'one.template.allocate', ['NAME = "plain"\nCPU = 1\nMEMORY = 64']);
      await refused(o, 'one.vrouter.instantiate', [vr, 1, plain, '', false, ''], Code.ACTION, /Only virtual router templates are allowed/);
      await refused(o, 'one.vrouter.instantiate', [vr, 1, -1, '', false, ''], Code.ACTION, /does not have a default one/);
      await refused(o, 'one.vrouter.instantiate', [vr, 1, 999, '', false, ''], Code.NO_EXISTS, /.+/);
      await refused(o, 'one.vrouter.instantiate', [999, 1, tmpl, '', false, ''], Code.NO_EXISTS, /.+/);
      const user = await addUser(o, 'vr-user');
      await refused(o, 'one.vrouter.info', [vr], Code.AUTHORIZATION, /.+/, user.session);
    });

    test('instantiate that cannot make every VM ends those it made', async () => {
      const o = oned();
      // vr-mgmt has two addresses: the third VM finds none.
      await refused(o, 'one.vrouter.instantiate', [vr, 3, tmpl, 'try-%i', true, ''], Code.ALLOCATE, /No free leases in virtual network/);
      assert.deepEqual(idList(await okXml(o, 'one.vrouter.info', [vr]), 'VMS'), []);
      const pool = await okXml(o, 'one.vmpool.info', [-2, -1, -1, -1]);
      assert.deepEqual(all(pool, 'VM').filter((v) => childText(v, 'NAME').startsWith('try-')), [], 'the VMs made are DONE');
      assert.equal(leasesOf(await okXml(o, 'one.vn.info', [mgmt])).size, 0);
    });

    test('instantiate: two VMs with the router NICs, VROUTER_ID and the router context variables', async () => {
      const o = oned();
      assert.equal(await okId(o, 'one.vrouter.instantiate', [vr, 2, tmpl, '', true, 'DESCRIPTION = "edge vm"']), vr);
      const r = await okXml(o, 'one.vrouter.info', [vr]);
      vms = idList(r, 'VMS');
      assert.equal(vms.length, 2);
      assert.equal(childText(must(r, 'TEMPLATE'), 'TEMPLATE_ID'), String(tmpl));
      const own = new Set<string>();
      for (const [i, id] of vms.entries()) {
        const vm = await waitFor(o, id, 2); // HOLD
        assert.equal(childText(vm, 'NAME'), `vr-edge-${i}`);
        const t = must(vm, 'TEMPLATE');
        assert.equal(childText(t, 'VROUTER_ID'), String(vr));
        assert.equal(childText(t, 'VROUTER_KEEPALIVED_ID'), String((vr % 255) + 1));
        assert.notEqual(childText(t, 'VROUTER_KEEPALIVED_PASSWORD'), 's3cret', 'kept encrypted in the VM');
        const nics = all(t, 'NIC');
        assert.equal(nics.length, 3);
        assert.equal(childText(nics[0]!, 'VROUTER_IP'), '10.1.0.10');
        assert.notEqual(childText(nics[0]!, 'IP'), '10.1.0.10');
        own.add(childText(nics[0]!, 'IP'));
        const ctx = must(t, 'CONTEXT');
        assert.equal(childText(ctx, 'VROUTER_ID'), String(vr));
        assert.equal(childText(ctx, 'VROUTER_KEEPALIVED_ID'), String((vr % 255) + 1));
        assert.notEqual(childText(ctx, 'VROUTER_KEEPALIVED_PASSWORD'), '');
        assert.equal(childText(ctx, 'ETH0_VROUTER_IP'), '10.1.0.10');
        assert.equal(childText(ctx, 'ETH1_VROUTER_IP'), '10.2.0.15');
        assert.equal(childText(ctx, 'ETH2_VROUTER_IP'), '');
        assert.equal(childText(ctx, 'ETH2_VROUTER_MANAGEMENT'), 'YES');
        assert.equal(childText(ctx, 'ETH0_IP'), childText(nics[0]!, 'IP'));
        assert.equal(childText(must(vm, 'USER_TEMPLATE'), 'DESCRIPTION'), 'edge vm');
        const clear = await okXml(o, 'one.vm.info', [id, true]);
        assert.equal(childText(must(must(clear, 'TEMPLATE'), 'CONTEXT'), 'VROUTER_KEEPALIVED_PASSWORD'), 's3cret');
      }
      assert.equal(own.size, 2, 'each VM has its own address');
      const leases = leasesOf(await okXml(o, 'one.vn.info', [pub]));
      assert.equal(leases.get('10.1.0.10'), `VROUTER ${vr}`);
      for (const ip of own) assert.match(leases.get(ip) ?? '', /^VM \d+$/);
    });

    test("router VMs change NICs only through the router; attach and detach reach every VM", async () => {
      const o = oned();
      for (const id of vms) {
        await okId(o, 'one.vm.deploy', [id, host]);
        await waitFor(o, id, 3, 3);
      }
      await refused(o, 'one.vm.attachnic', [vms[0]!, `NIC = [ NETWORK_ID = ${priv} ]`], Code.ACTION, /not supported for virtual router VMs/);
      await refused(o, 'one.vm.detachnic', [vms[0]!, 0], Code.ACTION, /not supported for virtual router VMs/);
      await okId(o, 'one.vrouter.attachnic', [vr, `NIC = [ NETWORK_ID = ${priv}, FLOATING_IP = "YES" ]`]);
      const r = await okXml(o, 'one.vrouter.info', [vr]);
      const added = vectorsOf(r, 'NIC')[3]!;
      assert.equal(childText(added, 'NIC_ID'), '3');
      const floating = childText(added, 'VROUTER_IP');
      assert.equal(leasesOf(await okXml(o, 'one.vn.info', [priv])).get(floating), `VROUTER ${vr}`);
      for (const id of vms) {
        const vm = await waitFor(o, id, 3, 3);
        const nics = all(must(vm, 'TEMPLATE'), 'NIC');
        assert.equal(nics.length, 4);
        assert.equal(childText(nics[3]!, 'VROUTER_IP'), floating);
      }
      await okId(o, 'one.vrouter.detachnic', [vr, 3]);
      assert.equal(vectorsOf(await okXml(o, 'one.vrouter.info', [vr]), 'NIC').length, 3);
      assert.equal(leasesOf(await okXml(o, 'one.vn.info', [priv])).get(floating), undefined, 'the floating lease is back');
      for (const id of vms) {
        const until = Date.now() + 8000;
        for (;;) {
          const vm = await okXml(o, 'one.vm.info', [id]);
          if (all(must(vm, 'TEMPLATE'), 'NIC').length === 3 && childInt(vm, 'LCM_STATE') === 3) break;
          if (Date.now() > until) assert.fail(`VM ${id} kept the detached NIC`);
          await new Promise((res) => setTimeout(res, 25));
        }
      }
      await refused(o, 'one.vrouter.detachnic', [vr, 9], Code.ACTION, /NIC with NIC_ID 9 does not exist/);
      await refused(o, 'one.vrouter.attachnic', [vr, 'NIC_ALIAS = [ NETWORK_ID = 0 ]'], Code.ACTION, /Alias/);
      await refused(o, 'one.vrouter.attachnic', [vr, 'DESCRIPTION = "x"'], Code.ACTION, /one NIC/);
      await refused(o, 'one.vrouter.attachnic', [vr, 'NIC = [ NETWORK_ID = 999 ]'], Code.ACTION, /999/);
    });

    test('FLOATING_ONLY: the VMs take no address of their own on that network', async () => {
      const o = oned();
      const fo = await okId(o, 'one.vn.allocate', ['NAME = "vr-fo"\nVN_MAD = "dummy"\nBRIDGE = "br3"\nAR = [ TYPE = "IP4", IP = "10.4.0.10", SIZE = "4" ]', -1]);
      const r = await okId(o, 'one.vrouter.allocate', [`NAME = "fo"\nNIC = [ NETWORK_ID = ${fo}, FLOATING_IP = "YES", FLOATING_ONLY = "YES" ]`]);
      await okId(o, 'one.vrouter.instantiate', [r, 2, tmpl, '', true, '']);
      for (const id of idList(await okXml(o, 'one.vrouter.info', [r]), 'VMS')) {
        const vm = await okXml(o, 'one.vm.info', [id]);
        const nic = must(must(vm, 'TEMPLATE'), 'NIC');
        assert.equal(childText(nic, 'VROUTER_IP'), '10.4.0.10');
        assert.equal(child(nic, 'IP'), undefined);
        assert.equal(childText(nic, 'BRIDGE'), 'br3');
        const ctx = must(must(vm, 'TEMPLATE'), 'CONTEXT');
        assert.equal(childText(ctx, 'ETH0_VROUTER_IP'), '10.4.0.10');
        assert.equal(childText(ctx, 'ETH0_IP'), '');
      }
      assert.deepEqual([...leasesOf(await okXml(o, 'one.vn.info', [fo])).entries()], [['10.4.0.10', `VROUTER ${r}`]]);
      await okId(o, 'one.vrouter.delete', [r]);
      assert.equal(leasesOf(await okXml(o, 'one.vn.info', [fo])).size, 0);
    });

    test('update keeps the NICs; rename, chmod, lock', async () => {
      const o = oned();
      await okId(o, 'one.vrouter.update', [vr, 'DESCRIPTION = "edge router"\nNIC = [ NETWORK_ID = 0 ]', 0]);
      const r = await okXml(o, 'one.vrouter.info', [vr]);
      assert.equal(childText(must(r, 'TEMPLATE'), 'DESCRIPTION'), 'edge router');
      assert.equal(vectorsOf(r, 'NIC').length, 3);
      await okId(o, 'one.vrouter.rename', [vr, 'edge2']);
      await okId(o, 'one.vrouter.chmod', [vr, 1, 1, 0, 1, 0, 0, 0, 0, 0]);
      await okId(o, 'one.vrouter.lock', [vr, 2]);
      await refused(o, 'one.vrouter.rename', [vr, 'edge3'], Code.AUTHORIZATION, /VROUTER is locked/);
      await okId(o, 'one.vrouter.unlock', [vr]);
      assert.equal(childText(await okXml(o, 'one.vrouter.info', [vr]), 'NAME'), 'edge2');
    });

    test('a terminated VM leaves VMS; delete terminates the rest and gives the leases back', async () => {
      const o = oned();
      await okId(o, 'one.vm.action', ['terminate-hard', vms[1]!]);
      await waitFor(o, vms[1]!, 6);
      assert.deepEqual(idList(await okXml(o, 'one.vrouter.info', [vr]), 'VMS'), [vms[0]!]);
      await okId(o, 'one.vrouter.delete', [vr]);
      await refused(o, 'one.vrouter.info', [vr], Code.NO_EXISTS, /.+/);
      await waitFor(o, vms[0]!, 6);
      for (const n of [pub, priv]) {
        const vn = await okXml(o, 'one.vn.info', [n]);
        assert.equal(leasesOf(vn).size, 0, `network ${n} keeps no lease`);
        assert.deepEqual(idList(vn, 'VROUTERS'), []);
      }
    });
  },
  CONF,
);
