/**
 * Virtual networks over raw XML-RPC: allocate from HEAD and 3.x templates, the VNET XML with
 * LEASES in info and ALLOCATED in the pool, address ranges (add, update, remove, free), holds,
 * reservations, cluster membership, ACL, bad input and restart persistence.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { child, childText, type XmlNode } from '../../src/common/xml-tree.js';
import type { Oned } from './harness.js';
import { openDatabase } from '../../src/db/index.js';
import { Code, addUser, addUserOutsideVdc, all, databaseOf, idList, idsIn, must, okId, okXml, onFeatureBackends, permissionsOf, refused, templateOf } from './api-helpers.js';

async function vnet(oned: Oned, id: number, session = oned.oneadmin): Promise<XmlNode> {
  const v = await okXml(oned, 'one.vn.info', [id], session);
  assert.equal(v.name, 'VNET');
  return v;
}

const ars = (v: XmlNode) => all(must(v, 'AR_POOL'), 'AR');

/** The leases of a network as `IP|MAC owner=id`, in AR then address order. */
function leases(v: XmlNode): string[] {
  return ars(v).flatMap((ar) =>
    all(must(ar, 'LEASES'), 'LEASE').map((l) => {
      const owner = l.children.find((c) => ['VM', 'VNET', 'VROUTER'].includes(c.name))!;
      return `${childText(l, 'IP') || childText(l, 'MAC')} ${owner.name}=${owner.text}`;
    }),
  );
}

/** 7.4's answer to a hold of an address that is used or not in the network (080-err.vn.hold-used). */
const HOLD_REFUSED = /^\[one\.vn\.hold\] Address is not part of the address range or in use\.$/;

const vnetsOf = async (oned: Oned, cid: number) => idList(await okXml(oned, 'one.cluster.info', [cid]), 'VNETS');

const LAN = (name: string) => `NAME = "${name}"\nVN_MAD = "bridge"\nBRIDGE = "br0"\nGATEWAY = "10.0.0.254"\nAR = [ TYPE = "IP4", IP = "10.0.0.1", SIZE = "4" ]`;

onFeatureBackends('virtual networks', (get) => {
  test('OpenNebula\'s Go client test of virtual networks (goca TestVirtualNetwork), call for call', async () => {
    const oned = get();
    // 7.4 bootstraps serveradmin as user 1; this test runs first, so a missing one gets id 1 here.
    if ((await oned.call('one.user.info', [1]))[0] !== true) assert.equal((await addUser(oned, 'serveradmin')).id, 1);
    // createVirtualNetwork: keys Name, Bridge, PhyDev, SecGroups, VlanID, VNMad, as goca's template writes them.
    const id = await okId(oned, 'one.vn.allocate', ['NAME="vntest"\nBRIDGE="vnetbr"\nPHYDEV="eth0"\nSECURITY_GROUPS="0"\nVLAN_ID="8000042"\nVN_MAD="vxlan"\n', -1]);
    const info = async () => vnet(oned, id);
    assert.equal(childText(await info(), 'ID'), String(id));
    // ByName: the pool listing, one network of that name.
    const named = all(await okXml(oned, 'one.vnpool.info', [-2, -1, -1]), 'VNET').filter((n) => childText(n, 'NAME') === 'vntest');
    assert.deepEqual(named.map((n) => childText(n, 'ID')), [String(id)]);
    await okId(oned, 'one.vn.chown', [id, -1, -1]);
    let v = await info();
    assert.deepEqual([childText(v, 'UNAME'), childText(v, 'GNAME')], ['oneadmin', 'oneadmin']);
    await okId(oned, 'one.vn.chown', [id, 1, 1]);
    v = await info();
    assert.deepEqual([childText(v, 'UNAME'), childText(v, 'GNAME')], ['serveradmin', 'users']);
    await okId(oned, 'one.vn.delete', [id]);
    await refused(oned, 'one.vn.info', [id], Code.NO_EXISTS, /Error getting virtual network/);
  });

  test('OpenNebula 7.4\'s Go client suite of virtual networks (goca VNSuite, TestRecover aside), call for call, in its order', async () => {
    const oned = get();
    // SetUpSuite
    const id = await okId(oned, 'one.vn.allocate', ['NAME="vntest"\nBRIDGE="vnetbr"\nPHYDEV="eth0"\nSECURITY_GROUPS="0"\nVLAN_ID="8000042"\nVN_MAD="vxlan"\n', -1]);
    const info = async (vid = id) => vnet(oned, vid);
    const ready = async (vid: number) => assert.equal(childText(await info(vid), 'STATE'), '1', 'WaitState READY');
    // TestAR
    await ready(id);
    await okId(oned, 'one.vn.add_ar', [id, 'AR=[TYPE=IP4,IP=10.0.0.1,SIZE=200]']);
    await okId(oned, 'one.vn.update_ar', [id, 'AR=[AR_ID=0,SIZE=100]']);
    const r1 = await okId(oned, 'one.vn.reserve', [id, 'NAME=r1\nSIZE=2']);
    await okId(oned, 'one.vn.hold', [id, 'LEASES=[IP=10.0.0.50]']);
    await okId(oned, 'one.vn.release', [id, 'LEASES=[IP=10.0.0.50]']);
    await ready(r1);
    await okId(oned, 'one.vn.free_ar', [r1, 0]);
    await okId(oned, 'one.vn.rm_ar', [id, 0]);
    await okId(oned, 'one.vn.delete', [r1]);
    // TestChmod: all nine bits, as oneadmin.
    await okId(oned, 'one.vn.chmod', [id, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    assert.equal(permissionsOf(await info()), '111111111');
    // TestChown
    await okId(oned, 'one.vn.chown', [id, 1, 1]);
    let v = await info();
    assert.deepEqual([childText(v, 'UID'), childText(v, 'GID')], ['1', '1']);
    await okId(oned, 'one.vn.chown', [id, 0, 0]);
    // TestGetByNameAndID
    v = await info();
    assert.equal(childText(v, 'ID'), String(id));
    assert.deepEqual(all(await okXml(oned, 'one.vnpool.info', [-2, -1, -1]), 'VNET').filter((n) => childText(n, 'NAME') === childText(v, 'NAME')).map((n) => childText(n, 'ID')), [String(id)]);
    // TestLock: LOCK/LOCKED 1 while locked (level USE), no LOCK after unlock.
    await okId(oned, 'one.vn.lock', [id, 1]);
    assert.equal(childText(must(await info(), 'LOCK'), 'LOCKED'), '1');
    await okId(oned, 'one.vn.unlock', [id]);
    assert.equal(child(await info(), 'LOCK'), undefined);
    // TestRename
    await okId(oned, 'one.vn.rename', [id, 'new_name']);
    assert.equal(childText(await info(), 'NAME'), 'new_name');
    // TestUpdate
    await okId(oned, 'one.vn.update', [id, 'A=B', 1]);
    assert.equal(templateOf(await info()).A, 'B');
    // TearDownSuite
    await okId(oned, 'one.vn.delete', [id]);
  });

  test('allocate a HEAD template: the VNET XML of OpenNebula 7.4, the AR with its computed ends, in the default cluster', async () => {
    const oned = get();
    const id = await okId(oned, 'one.vn.allocate', [`${LAN('vn-head')}\nAR = [ TYPE = "IP4_6", IP = "10.0.1.1", SIZE = "2", ULA_PREFIX = "fd00::" ]`, -1]);
    const v = await vnet(oned, id);
    assert.deepEqual(v.children.map((n) => n.name), [
      'ID', 'UID', 'GID', 'UNAME', 'GNAME', 'NAME', 'PERMISSIONS', 'CLUSTERS', 'BRIDGE', 'BRIDGE_TYPE', 'STATE', 'PREV_STATE', 'PARENT_NETWORK_ID',
      'TEMPLATE_ID', 'VN_MAD', 'PHYDEV', 'VLAN_ID', 'OUTER_VLAN_ID', 'VLAN_ID_AUTOMATIC', 'OUTER_VLAN_ID_AUTOMATIC', 'USED_LEASES', 'VROUTERS', 'UPDATED_VMS', 'OUTDATED_VMS',
      'UPDATING_VMS', 'ERROR_VMS', 'TEMPLATE', 'AR_POOL',
    ]);
    assert.deepEqual([childText(v, 'NAME'), childText(v, 'BRIDGE'), childText(v, 'BRIDGE_TYPE'), childText(v, 'VN_MAD'), childText(v, 'STATE'), childText(v, 'PARENT_NETWORK_ID')], ['vn-head', 'br0', 'linux', 'bridge', '1', '']);
    assert.deepEqual(idList(v, 'CLUSTERS'), [0]);
    assert.ok((await vnetsOf(oned, 0)).includes(id));
    assert.equal(permissionsOf(v), '110000000');
    const t = templateOf(v);
    assert.deepEqual([t.GATEWAY, t.VN_MAD, t.BRIDGE, t.AR], ['10.0.0.254', 'bridge', 'br0', undefined], 'ARs leave the template');
    // What 7.4 adds (7.4's CLI reads VLAN_ID and OUTER_VLAN_ID of every network: empty, not missing).
    assert.deepEqual([childText(v, 'VLAN_ID'), childText(v, 'OUTER_VLAN_ID'), childText(v, 'PREV_STATE')], ['', '', '1']);
    assert.deepEqual([t.SECURITY_GROUPS, t.BRIDGE_TYPE, t.VLAN_ID, t.OUTER_VLAN_ID, t.PHYDEV], ['0', 'linux', '', '', '']);
    const [ar0, ar1] = ars(v);
    assert.deepEqual(ar0!.children.map((c) => c.name), ['AR_ID', 'IP', 'MAC', 'NEXT_INDEX', 'SHARED', 'SIZE', 'TYPE', 'MAC_END', 'IP_END', 'USED_LEASES', 'LEASES']);
    assert.equal(childText(ar0!, 'SHARED'), 'NO');
    assert.deepEqual([childText(ar0!, 'MAC'), childText(ar0!, 'IP_END'), childText(ar0!, 'MAC_END')], ['02:00:0a:00:00:01', '10.0.0.4', '02:00:0a:00:00:04']);
    assert.deepEqual([childText(ar1!, 'AR_ID'), childText(ar1!, 'IP6_ULA'), childText(ar1!, 'IP6_ULA_END')], ['1', 'fd00::aff:fe00:101', 'fd00::aff:fe00:102']);

    const noBridge = await okId(oned, 'one.vn.allocate', ['NAME = "vn-nobridge"\nVN_MAD = "ovswitch"', -1]);
    const nb = await vnet(oned, noBridge);
    assert.deepEqual([childText(nb, 'BRIDGE'), childText(nb, 'BRIDGE_TYPE')], [`onebr${noBridge}`, 'openvswitch']);
    assert.equal(ars(nb).length, 0);
  });

  test('the calls of the 7.4 reference (042-048): network, hold, reservation and pool listing element for element', async () => {
    const oned = get();
    const cid = await okId(oned, 'one.cluster.allocate', ['vn-ref-cluster']);
    const id = await okId(oned, 'one.vn.allocate', [
      'NAME = "net-ref"\nVN_MAD = "bridge"\nBRIDGE = "br-ref"\nNETWORK_ADDRESS = "10.9.0.0"\nNETWORK_MASK = "255.255.255.0"\nGATEWAY = "10.9.0.1"\nDNS = "10.9.0.1"\n' +
        'AR = [ TYPE = "IP4", IP = "10.9.0.10", SIZE = "50" ]\nAR = [ TYPE = "IP4_6", IP = "10.9.1.10", SIZE = "8", GLOBAL_PREFIX = "2001:db8::" ]\nAR = [ TYPE = "ETHER", SIZE = "4" ]',
      cid,
    ]);
    const head = [
      'ID', 'UID', 'GID', 'UNAME', 'GNAME', 'NAME', 'PERMISSIONS', 'CLUSTERS', 'BRIDGE', 'BRIDGE_TYPE', 'STATE', 'PREV_STATE', 'PARENT_NETWORK_ID', 'TEMPLATE_ID', 'VN_MAD',
      'PHYDEV', 'VLAN_ID', 'OUTER_VLAN_ID', 'VLAN_ID_AUTOMATIC', 'OUTER_VLAN_ID_AUTOMATIC', 'USED_LEASES', 'VROUTERS', 'UPDATED_VMS', 'OUTDATED_VMS', 'UPDATING_VMS', 'ERROR_VMS',
      'TEMPLATE', 'AR_POOL',
    ];
    const names = (n: XmlNode) => n.children.map((c) => c.name);
    const templateNames = (n: XmlNode) => names(must(n, 'TEMPLATE')).sort();
    const TEMPLATE = ['BRIDGE', 'BRIDGE_TYPE', 'DNS', 'GATEWAY', 'NETWORK_ADDRESS', 'NETWORK_MASK', 'OUTER_VLAN_ID', 'PHYDEV', 'SECURITY_GROUPS', 'VLAN_ID', 'VN_MAD'];
    let v = await vnet(oned, id);
    assert.deepEqual(names(v), head);
    assert.deepEqual(templateNames(v), TEMPLATE);
    assert.deepEqual(ars(v).map(names), [
      ['AR_ID', 'IP', 'MAC', 'NEXT_INDEX', 'SHARED', 'SIZE', 'TYPE', 'MAC_END', 'IP_END', 'USED_LEASES', 'LEASES'],
      ['AR_ID', 'GLOBAL_PREFIX', 'IP', 'MAC', 'NEXT_INDEX', 'SHARED', 'SIZE', 'TYPE', 'MAC_END', 'IP_END', 'IP6_GLOBAL', 'IP6_GLOBAL_END', 'USED_LEASES', 'LEASES'],
      ['AR_ID', 'MAC', 'NEXT_INDEX', 'SHARED', 'SIZE', 'TYPE', 'MAC_END', 'USED_LEASES', 'LEASES'],
    ]);
    assert.deepEqual([childText(ars(v)[1]!, 'IP6_GLOBAL'), childText(ars(v)[1]!, 'IP6_GLOBAL_END')], ['2001:db8::aff:fe09:10a', '2001:db8::aff:fe09:111']);

    await okId(oned, 'one.vn.hold', [id, 'LEASES=[IP="10.9.0.11"]']);
    const rsv = await okId(oned, 'one.vn.reserve', [id, 'SIZE="4"\nNAME="rsv-ref"']);
    const r = await vnet(oned, rsv);
    assert.deepEqual(names(r), head);
    assert.deepEqual(templateNames(r), TEMPLATE);
    assert.deepEqual([childText(r, 'PARENT_NETWORK_ID'), childText(r, 'BRIDGE'), ...idList(r, 'CLUSTERS').map(String)], [String(id), 'br-ref', String(cid)]);
    assert.deepEqual(ars(r).map(names), [['AR_ID', 'IP', 'MAC', 'NEXT_INDEX', 'PARENT_NETWORK_AR_ID', 'SHARED', 'SIZE', 'TYPE', 'MAC_END', 'IP_END', 'USED_LEASES', 'LEASES']]);
    assert.deepEqual(['IP', 'PARENT_NETWORK_AR_ID', 'SIZE', 'IP_END'].map((n) => childText(ars(r)[0]!, n)), ['10.9.0.12', '0', '4', '10.9.0.15']);

    v = await vnet(oned, id);
    assert.equal(childText(v, 'USED_LEASES'), '5');
    assert.equal(childText(ars(v)[0]!, 'NEXT_INDEX'), '6');
    assert.deepEqual(all(must(ars(v)[0]!, 'LEASES'), 'LEASE').map(names), [['IP', 'MAC', 'VM'], ...Array<string[]>(4).fill(['IP', 'MAC', 'VNET'])]);
    assert.deepEqual(leases(v), ['10.9.0.11 VM=-1', ...[12, 13, 14, 15].map((n) => `10.9.0.${n} VNET=${rsv}`)]);

    const pool = all(await okXml(oned, 'one.vnpool.info', [-2, Math.min(id, rsv), Math.max(id, rsv)]), 'VNET');
    const byId = new Map(pool.map((n) => [Number(childText(n, 'ID')), n]));
    for (const n of pool) assert.deepEqual(names(n), head);
    assert.deepEqual(ars(byId.get(id)!).map(names), [
      ['ALLOCATED', 'AR_ID', 'IP', 'MAC', 'NEXT_INDEX', 'SHARED', 'SIZE', 'TYPE'],
      ['AR_ID', 'GLOBAL_PREFIX', 'IP', 'MAC', 'NEXT_INDEX', 'SHARED', 'SIZE', 'TYPE'],
      ['AR_ID', 'MAC', 'NEXT_INDEX', 'SHARED', 'SIZE', 'TYPE'],
    ]);
    const NET = 0x4000000000;
    assert.equal(childText(ars(byId.get(id)!)[0]!, 'ALLOCATED'), ` 1 ${0x10ffffffff} 2 ${NET + rsv} 3 ${NET + rsv} 4 ${NET + rsv} 5 ${NET + rsv}`);
    assert.deepEqual(ars(byId.get(rsv)!).map(names), [['AR_ID', 'IP', 'MAC', 'NEXT_INDEX', 'PARENT_NETWORK_AR_ID', 'SHARED', 'SIZE', 'TYPE']]);

    // 080: the held address again.
    await refused(oned, 'one.vn.hold', [id, 'LEASES=[IP="10.9.0.11"]'], Code.INTERNAL, HOLD_REFUSED);
  });

  test('recover: 7.4\'s operations on a network left in a driver state; a READY network has nothing to recover', async () => {
    const oned = get();
    const id = await okId(oned, 'one.vn.allocate', [LAN('vn-recover'), -1]);
    await refused(oned, 'one.vn.recover', [id, 1], Code.INTERNAL, new RegExp(`^\\[one\\.vn\\.recover\\] Could not perform 'recover success' on VN ${id}, wrong state READY\\.$`));
    await refused(oned, 'one.vn.recover', [id, 2], Code.INTERNAL, /'recover delete' .* wrong state READY/);
    await refused(oned, 'one.vn.recover', [id, 7], Code.ACTION, /Wrong recovery operation code/);
    await refused(oned, 'one.vn.recover', [9999, 1], Code.NO_EXISTS, /Error getting virtual network \[9999\]/);
    const stuck = await okId(oned, 'one.vn.allocate', [LAN('vn-recover-stuck'), -1]);
    const doomed = await okId(oned, 'one.vn.allocate', [LAN('vn-recover-doomed'), -1]);
    // Networks a driver left behind (LOCK_CREATE, ERROR): written so in the database, read at start.
    assert.equal(await oned.signal('SIGTERM'), 0);
    const db = await openDatabase(databaseOf(oned));
    for (const [oid, state] of [[stuck, 2], [doomed, 5]] as const) {
      const [row] = await db.query('SELECT * FROM network_pool WHERE oid = ?', [oid]);
      const body = String(row!.body).replace(/<STATE>1<\/STATE><PREV_STATE>1<\/PREV_STATE>/, `<STATE>${state}</STATE><PREV_STATE>${state}</PREV_STATE>`);
      assert.notEqual(body, String(row!.body));
      await db.write([{ kind: 'upsert', table: 'network_pool', row: { ...row!, body } }]);
    }
    await db.close();
    await oned.launch();
    const state = async (oid: number) => [childText(await vnet(oned, oid), 'STATE'), templateOf(await vnet(oned, oid)).ERROR ?? ''];
    await okId(oned, 'one.vn.recover', [stuck, 0]);
    const [failed, error] = await state(stuck);
    assert.equal(failed, '5');
    assert.match(error!, /Failure forced by user/);
    await refused(oned, 'one.vn.recover', [stuck, 0], Code.INTERNAL, /'recover failure' .* wrong state ERROR/);
    await okId(oned, 'one.vn.recover', [stuck, 1]);
    assert.deepEqual(await state(stuck), ['1', ''], 'success: READY, the error gone');
    await okId(oned, 'one.vn.recover', [doomed, 2]);
    await refused(oned, 'one.vn.info', [doomed], Code.NO_EXISTS, /Error getting virtual network/);
    assert.ok(!(await vnetsOf(oned, 0)).includes(doomed));
  });

  test('VLANs: given or automatic (802.1Q map, VXLAN START + id), what each driver needs, ids given back on delete and kept over a restart', async () => {
    const oned = get();
    // The network OpenNebula's Go client tests create.
    const go = await vnet(oned, await okId(oned, 'one.vn.allocate', ['NAME = "vntest"\nBRIDGE = "vnetbr"\nPHYDEV = "eth0"\nSECURITY_GROUPS = "0"\nVLAN_ID = "8000042"\nVN_MAD = "vxlan"', -1]));
    assert.deepEqual(['VLAN_ID', 'VLAN_ID_AUTOMATIC', 'PHYDEV', 'VN_MAD'].map((n) => childText(go, n)), ['8000042', '0', 'eth0', 'vxlan']);
    assert.deepEqual([templateOf(go).VLAN_ID, templateOf(go).SECURITY_GROUPS], ['8000042', '0']);

    const auto = async (name: string, text: string) => vnet(oned, await okId(oned, 'one.vn.allocate', [`NAME = "${name}"\n${text}`, -1]));
    const q1 = await auto('vn-vlan-auto-1', 'VN_MAD = "802.1Q"\nPHYDEV = "eth0"\nAUTOMATIC_VLAN_ID = "YES"');
    const id1 = Number(childText(q1, 'ID'));
    const vlan1 = Number(childText(q1, 'VLAN_ID'));
    assert.ok(vlan1 >= 2 && vlan1 < 4095, `VLAN_ID ${vlan1} from the map (START 2, 0, 1 and 4095 reserved)`);
    assert.equal(vlan1, 2 + (id1 % 4093), 'START + id mod (4095 - START)');
    assert.deepEqual([childText(q1, 'VLAN_ID_AUTOMATIC'), childText(q1, 'BRIDGE'), templateOf(q1).VLAN_ID, templateOf(q1).AUTOMATIC_VLAN_ID], ['1', `onebr${id1}`, undefined, undefined]);
    const vx = await auto('vn-vxlan-auto', 'VN_MAD = "ovswitch_vxlan"\nAUTOMATIC_VLAN_ID = "YES"\nAUTOMATIC_OUTER_VLAN_ID = "YES"');
    const idx = Number(childText(vx, 'ID'));
    assert.deepEqual([childText(vx, 'OUTER_VLAN_ID'), childText(vx, 'OUTER_VLAN_ID_AUTOMATIC'), childText(vx, 'VLAN_ID_AUTOMATIC')], [String(2 + idx), '1', '1']);
    assert.notEqual(childText(vx, 'VLAN_ID'), String(vlan1), 'no 802.1Q id given twice');
    const tagged = await auto('vn-vlan-given', 'VN_MAD = "802.1Q"\nPHYDEV = "eth0"\nVLAN_ID = "300"');
    assert.deepEqual([childText(tagged, 'BRIDGE'), childText(tagged, 'VLAN_ID_AUTOMATIC')], ['onebr.300', '0'], 'a network named after its VLAN');

    for (const [text, message] of [
      ['VN_MAD = "802.1Q"\nVLAN_ID = "5"', /^\[one\.vn\.allocate\] PHYDEV is mandatory for driver 802\.1Q$/],
      ['VN_MAD = "vxlan"\nPHYDEV = "eth0"', /VLAN_ID \(or AUTOMATIC_VLAN_ID\) is mandatory for driver vxlan/],
      ['VN_MAD = "dummy"', /BRIDGE is mandatory for driver dummy/],
      ['VN_MAD = "ovswitch_vxlan"', /OUTER_VLAN_ID \(or AUTOMATIC\) is mandatory for driver ovswitch_vxlan/],
    ] as const) {
      await refused(oned, 'one.vn.allocate', [`NAME = "vn-vlan-bad"\n${text}`, -1], Code.INTERNAL, message);
    }

    // An update cannot take the automatic id out of the head.
    await okId(oned, 'one.vn.update', [id1, 'VLAN_ID = "9"\nAUTOMATIC_VLAN_ID = "NO"', 1]);
    const updated = await vnet(oned, id1);
    assert.deepEqual([childText(updated, 'VLAN_ID'), templateOf(updated).VLAN_ID, templateOf(updated).AUTOMATIC_VLAN_ID], [String(vlan1), undefined, undefined]);

    assert.equal(await oned.signal('SIGTERM'), 0);
    await oned.launch();
    const after = await auto('vn-vlan-auto-2', 'VN_MAD = "802.1Q"\nPHYDEV = "eth0"\nAUTOMATIC_VLAN_ID = "YES"');
    const taken = [vlan1, Number(childText(vx, 'VLAN_ID'))];
    assert.ok(!taken.includes(Number(childText(after, 'VLAN_ID'))), 'ids of networks from before the restart are not given again');
    // (Ids given back on delete: src/vnet/vlan-ids.test.ts.)
    for (const v of [id1, idx, Number(childText(after, 'ID'))]) await okId(oned, 'one.vn.delete', [v]);
  });

  test('3.x templates: RANGED and FIXED networks become address ranges, VN_MAD dummy', async () => {
    const oned = get();
    const ranged = await vnet(oned, await okId(oned, 'one.vn.allocate', ['NAME = "vn-ranged"\nTYPE = RANGED\nBRIDGE = vbr0\nNETWORK_ADDRESS = 192.168.0.0\nNETWORK_SIZE = C\nDNS = 192.168.0.53', -1]));
    assert.equal(childText(ranged, 'VN_MAD'), 'dummy');
    const [r] = ars(ranged);
    assert.deepEqual([childText(r!, 'TYPE'), childText(r!, 'IP'), childText(r!, 'SIZE'), childText(r!, 'IP_END'), childText(r!, 'NETWORK_MASK')], ['IP4', '192.168.0.1', '254', '192.168.0.254', '255.255.255.0']);
    assert.equal(templateOf(ranged).TYPE, undefined);
    const fixed = await vnet(oned, await okId(oned, 'one.vn.allocate', ['NAME = "vn-fixed"\nTYPE = FIXED\nBRIDGE = vbr1\nLEASES = [ IP = 130.10.0.1 ]\nLEASES = [ IP = 130.10.0.7, MAC = "50:20:20:20:20:21" ]', -1]));
    assert.deepEqual(ars(fixed).map((a) => `${childText(a, 'IP')}/${childText(a, 'MAC')}/${childText(a, 'SIZE')}`), ['130.10.0.1/02:00:82:0a:00:01/1', '130.10.0.7/50:20:20:20:20:21/1']);
  });

  test('bad templates are refused with INTERNAL (7.4\'s code) and the reason; nothing is created', async () => {
    const oned = get();
    const before = idsIn(await okXml(oned, 'one.vnpool.info', [-2, -1, -1]), 'VNET');
    const bad: [string, RegExp][] = [
      ['VN_MAD = "bridge"', /^\[one\.vn\.allocate\] No NAME in template for Virtual Network\.$/],
      ['NAME = "vn-bad-1"\nBRIDGE = "br0"', /No VN_MAD in template/],
      ['NAME = "vn-bad-2"\nVN_MAD = "bridge"\nAR = "10.0.0.1"', /AR must be a vector/],
      ['NAME = "vn-bad-6"\nTYPE = RANGED\nNETWORK_ADDRESS = "not-an-ip"', /Wrong NETWORK_ADDRESS/],
      ['NAME = "vn/bad"\nVN_MAD = "bridge"', /Invalid NAME, char '\/' is not allowed/],
      ['NAME = "vn-bad-7"\nVN_MAD = "bridge"\nSECURITY_GROUPS = "web"', /Wrong SECURITY_GROUPS "web"/],
      ['NAME = "vn-bad-8"\nVN_MAD = "bridge"\nX = [ ', /Parse error/],
    ];
    for (const [text, message] of bad) await refused(oned, 'one.vn.allocate', [text, -1], Code.INTERNAL, message);
    await refused(oned, 'one.vn.allocate', [LAN('vn-nowhere'), 9999], Code.NO_EXISTS, /Error getting cluster \[9999\]/);
    const id = await okId(oned, 'one.vn.allocate', [LAN('vn-dup'), -1]);
    await refused(oned, 'one.vn.allocate', [LAN('vn-dup'), -1], Code.INTERNAL, new RegExp(`^\\[one\\.vn\\.allocate\\] NAME is already taken by NET ${id}\\.$`));
    assert.deepEqual(idsIn(await okXml(oned, 'one.vnpool.info', [-2, -1, -1]), 'VNET'), [...before, id], 'refused calls leave no network and no id hole');
    await refused(oned, 'one.vn.info', [9999], Code.NO_EXISTS, /Error getting virtual network \[9999\]/);
  });

  test('a bad AR on allocate: the network is made in ERROR with the reason (7.4), ARs before it kept; recover success makes it READY (goca TestVirtualNetworkRecover)', async () => {
    const oned = get();
    const stateOf = async (id: number) => {
      const v = await vnet(oned, id);
      return { state: childText(v, 'STATE'), error: templateOf(v).ERROR ?? '', ars: ars(v).map((a) => childText(a, 'IP')), tmplAr: templateOf(v).AR };
    };
    // goca's sequence: allocate, wait for ERROR, recover success, wait for READY, delete.
    const goca = 'NAME = vn_invalid_ar\nBRIDGE = vbr0\nVN_MAD = dummy\nNETWORK_ADDRESS = 192.168.0.0\nAR = [ TYPE = IP4, IP = 192.168.0.1, SIZE = -1 ]\n';
    const id = await okId(oned, 'one.vn.allocate', [goca, -1]);
    const failed = await stateOf(id);
    assert.equal(failed.state, '5', 'ERROR');
    assert.match(failed.error, /^\w{3} \w{3} \d{2} \d{2}:\d{2}:\d{2} \d{4}: Wrong SIZE "-1" for the address range/);
    assert.deepEqual([failed.ars, failed.tmplAr], [[], undefined], 'the bad AR is dropped, not left in the template');
    await refused(oned, 'one.vn.recover', [id, 0], Code.INTERNAL, /'recover failure' .* wrong state ERROR/);
    await okId(oned, 'one.vn.recover', [id, 1]);
    assert.deepEqual(await stateOf(id), { state: '1', error: '', ars: [], tmplAr: undefined }, 'READY, the error gone');
    await okId(oned, 'one.vn.delete', [id]);
    await refused(oned, 'one.vn.info', [id], Code.NO_EXISTS, /Error getting virtual network/);

    // ARs are made in order up to the first bad one; it and those after it are dropped.
    const cases: [string, RegExp][] = [
      ['AR = [ TYPE = "IP4", IP = "10.0.0.1", SIZE = "0" ]', /Wrong SIZE "0"/],
      ['AR = [ TYPE = "IP4", IP = "10.0.0.256", SIZE = "2" ]', /Wrong IP "10.0.0.256"/],
      ['AR = [ TYPE = "IPX", SIZE = "2" ]', /Unknown address range TYPE "IPX"/],
      ['AR = [ TYPE = "IP4", IP = "10.0.0.5", SIZE = "10" ]', /overlaps with address range 0/],
    ];
    for (const [i, [bad, message]] of cases.entries()) {
      const text = `NAME = "vn-bad-ar-${i}"\nVN_MAD = "bridge"\nAR = [ TYPE = "IP4", IP = "10.0.0.1", SIZE = "10" ]\n${bad}\nAR = [ TYPE = "IP4", IP = "10.1.0.1", SIZE = "2" ]`;
      const vid = await okId(oned, 'one.vn.allocate', [text, -1]);
      const got = await stateOf(vid);
      assert.equal(got.state, '5', bad);
      assert.match(got.error, message);
      assert.deepEqual([got.ars, got.tmplAr], [['10.0.0.1'], undefined], bad);
    }
    // A good network stays READY with no ERROR.
    const good = await stateOf(await okId(oned, 'one.vn.allocate', [LAN('vn-good-ar'), -1]));
    assert.deepEqual([good.state, good.error, good.ars], ['1', '', ['10.0.0.1']]);
  });

  test('add_ar, update_ar, rm_ar: ids go on, overlaps and bad ranges refused, used ranges kept unless forced', async () => {
    const oned = get();
    const id = await okId(oned, 'one.vn.allocate', [LAN('vn-ars'), -1]);
    await okId(oned, 'one.vn.add_ar', [id, 'AR = [ TYPE = "ETHER", SIZE = "8", MAC = "02:00:00:00:ff:00" ]']);
    await okId(oned, 'one.vn.add_ar', [id, 'AR = [ TYPE = "IP6_STATIC", IP6 = "2001:db8::10", PREFIX_LENGTH = "64", SIZE = "3" ]']);
    let v = await vnet(oned, id);
    assert.deepEqual(ars(v).map((a) => childText(a, 'AR_ID')), ['0', '1', '2']);
    assert.equal(childText(ars(v)[2]!, 'IP6_END'), '2001:db8::12');
    // Failed AR actions are INTERNAL in 7.4.
    await refused(oned, 'one.vn.add_ar', [id, 'AR = [ TYPE = "IP4", IP = "10.0.0.3", SIZE = "2" ]'], Code.INTERNAL, /overlaps with address range 0/);
    await refused(oned, 'one.vn.add_ar', [id, 'AR = [ TYPE = "IP4", IP = "10.0.9.1", SIZE = "-1" ]'], Code.INTERNAL, /Wrong SIZE "-1"/);
    await refused(oned, 'one.vn.add_ar', [id, 'SIZE = 3'], Code.INTERNAL, /Wrong AR definition\. AR vector attribute is missing\./);
    await refused(oned, 'one.vn.add_ar', [id, 'AR = [ '], Code.INTERNAL, /Parse error/);
    await okId(oned, 'one.vn.add_ar', [id, 'AR = [ TYPE = "ETHER", SIZE = "1", MAC = "02:00:00:00:fe:00", PARENT_NETWORK_AR_ID = "0" ]']);
    assert.equal(childText(ars(await vnet(oned, id))[3]!, 'PARENT_NETWORK_AR_ID'), '', 'only reservations get PARENT_NETWORK_AR_ID');
    await okId(oned, 'one.vn.rm_ar', [id, 3]);

    await okId(oned, 'one.vn.update_ar', [id, 'AR = [ AR_ID = "0", SIZE = "6", GATEWAY = "10.0.0.6", IP = "99.9.9.9" ]']);
    v = await vnet(oned, id);
    const ar0 = ars(v)[0]!;
    assert.deepEqual([childText(ar0, 'SIZE'), childText(ar0, 'IP'), childText(ar0, 'IP_END'), childText(ar0, 'GATEWAY')], ['6', '10.0.0.1', '10.0.0.6', '10.0.0.6'], 'IP stays');
    await refused(oned, 'one.vn.update_ar', [id, 'AR = [ SIZE = "2" ]'], Code.INTERNAL, /AR\/AR_ID attribute is missing\./);
    await refused(oned, 'one.vn.update_ar', [id, 'AR = [ AR_ID = "9", SIZE = "2" ]'], Code.INTERNAL, /Address Range with ID 9 was not found\./);

    await okId(oned, 'one.vn.hold', [id, 'LEASES = [ IP = "10.0.0.5" ]']);
    await refused(oned, 'one.vn.update_ar', [id, 'AR = [ AR_ID = "0", SIZE = "4" ]'], Code.INTERNAL, /Cannot shrink address range 0 to SIZE 4: lease 4 is in use/);
    await refused(oned, 'one.vn.rm_ar', [id, 0], Code.INTERNAL, /Address Range has leases in use: 1 in address range 0 of virtual network \d+/);
    await okId(oned, 'one.vn.rm_ar', [id, 1]);
    await okId(oned, 'one.vn.rm_ar', [id, 0, true]);
    await refused(oned, 'one.vn.rm_ar', [id, 0], Code.INTERNAL, /Address Range does not exist/);
    v = await vnet(oned, id);
    assert.deepEqual(ars(v).map((a) => childText(a, 'AR_ID')), ['2']);
    await okId(oned, 'one.vn.add_ar', [id, 'AR = [ TYPE = "IP4", IP = "10.0.0.1", SIZE = "2" ]']);
    assert.deepEqual(ars(await vnet(oned, id)).map((a) => childText(a, 'AR_ID')), ['2', '4'], 'AR ids are not given twice while the network lives');
  });

  test('hold and release: LEASES in info, ALLOCATED in the pool, wrong and used addresses refused as 7.4 refuses them', async () => {
    const oned = get();
    const id = await okId(oned, 'one.vn.allocate', [LAN('vn-hold'), -1]);
    await okId(oned, 'one.vn.hold', [id, 'LEASES = [ IP = "10.0.0.2" ]']);
    await okId(oned, 'one.vn.hold', [id, 'LEASES = [ MAC = "02:00:0a:00:00:04", AR_ID = "0" ]']);
    let v = await vnet(oned, id);
    assert.deepEqual(leases(v), ['10.0.0.2 VM=-1', '10.0.0.4 VM=-1']);
    assert.equal(childText(v, 'USED_LEASES'), '2');
    const lease = all(must(ars(v)[0]!, 'LEASES'), 'LEASE')[0]!;
    assert.deepEqual(lease.children.map((c) => c.name), ['IP', 'MAC', 'VM']);
    const listed = all(await okXml(oned, 'one.vnpool.info', [-2, id, id]), 'VNET');
    assert.equal(listed.length, 1);
    const pooled = ars(listed[0]!)[0]!;
    assert.equal(child(pooled, 'LEASES'), undefined, 'the pool listing has no LEASES');
    assert.equal(childText(pooled, 'ALLOCATED'), ` 1 ${0x1000000000 + 0xffffffff} 3 ${0x1000000000 + 0xffffffff}`);
    // As 7.4 stores it: no USED_LEASES, no computed ends in a listed AR.
    assert.deepEqual(pooled.children.map((c) => c.name), ['ALLOCATED', 'AR_ID', 'IP', 'MAC', 'NEXT_INDEX', 'SHARED', 'SIZE', 'TYPE']);

    // 080-err.vn.hold-used: INTERNAL, 7.4's message, object -1.
    const used = await oned.call('one.vn.hold', [id, 'LEASES = [ IP = "10.0.0.2" ]']);
    assert.deepEqual(used.slice(0, 4), [false, '[one.vn.hold] Address is not part of the address range or in use.', Code.INTERNAL, -1]);
    await refused(oned, 'one.vn.hold', [id, 'LEASES = [ IP = "10.0.7.1" ]'], Code.INTERNAL, HOLD_REFUSED);
    await refused(oned, 'one.vn.hold', [id, 'LEASES = [ IP = "10.0.0.1", AR_ID = "5" ]'], Code.INTERNAL, HOLD_REFUSED);
    await refused(oned, 'one.vn.hold', [id, 'LEASES = [ AR_ID = "0" ]'], Code.INTERNAL, /Missing MAC, IP or IP6\./);
    await refused(oned, 'one.vn.hold', [id, 'LEASES = [ IP = "10.0.0.1", MAC = "02:00:0a:00:00:01" ]'], Code.INTERNAL, /Only one attribute MAC, IP or IP6 can be set\./);
    await refused(oned, 'one.vn.hold', [id, 'IP = "10.0.0.1"'], Code.INTERNAL, /Empty lease description\./);
    await refused(oned, 'one.vn.release', [id, 'LEASES = [ IP = "10.0.0.3" ]'], Code.INTERNAL, /IP 10.0.0.3 of virtual network \d+ is not on hold/);
    await refused(oned, 'one.vn.hold', [9999, 'LEASES = [ IP = "10.0.0.1" ]'], Code.NO_EXISTS, /Error getting virtual network \[9999\]/);
    await okId(oned, 'one.vn.release', [id, 'LEASES = [ IP = "10.0.0.2" ]']);
    v = await vnet(oned, id);
    assert.deepEqual(leases(v), ['10.0.0.4 VM=-1']);
    // Holds do not keep a network from being deleted.
    await okId(oned, 'one.vn.delete', [id]);
    await refused(oned, 'one.vn.info', [id], Code.NO_EXISTS, /Error getting virtual network/);
    assert.ok(!(await vnetsOf(oned, 0)).includes(id));
  });

  test('concurrent holds and reservations of the same addresses: each lease goes to one call only', async () => {
    const oned = get();
    const id = await okId(oned, 'one.vn.allocate', ['NAME = "vn-race"\nVN_MAD = "dummy"\nBRIDGE = "br0"\nAR = [ TYPE = "IP4", IP = "10.7.0.1", SIZE = "12" ]', -1]);
    const holds = await Promise.all(Array.from({ length: 6 }, () => oned.call('one.vn.hold', [id, 'LEASES = [ IP = "10.7.0.1" ]'])));
    assert.equal(holds.filter((r) => r[0] === true).length, 1);
    const reservations = await Promise.all(Array.from({ length: 4 }, (_, i) => oned.call('one.vn.reserve', [id, `SIZE = 4\nNAME = "vn-race-${i}"`])));
    const won = reservations.filter((r) => r[0] === true).map((r) => r[1] as number);
    assert.equal(won.length, 2, '11 free leases make two reservations of 4');
    const owners = leases(await vnet(oned, id)).map((l) => l.split(' ')[1]);
    assert.equal(owners.length, 9);
    for (const r of won) assert.equal(owners.filter((o) => o === `VNET=${r}`).length, 4);
  });

  test('exhaustion: every lease held, the next hold of a free address is refused, a reservation finds no room', async () => {
    const oned = get();
    const id = await okId(oned, 'one.vn.allocate', ['NAME = "vn-tiny"\nVN_MAD = "dummy"\nBRIDGE = "br0"\nAR = [ TYPE = "IP4", IP = "10.5.0.1", SIZE = "2" ]', -1]);
    await okId(oned, 'one.vn.hold', [id, 'LEASES = [ IP = "10.5.0.1" ]']);
    await okId(oned, 'one.vn.hold', [id, 'LEASES = [ IP = "10.5.0.2" ]']);
    await refused(oned, 'one.vn.reserve', [id, 'SIZE = 1\nNAME = "vn-tiny-r"'], Code.ACTION, /Not enough free leases in virtual network \d+: no address range has 1 consecutive free leases/);
    await refused(oned, 'one.vn.hold', [id, 'LEASES = [ IP = "10.5.0.3" ]'], Code.INTERNAL, HOLD_REFUSED);
  });

  test('reserve: a new network of the caller with PARENT_NETWORK_ID, more leases into it, free_ar and delete give them back', async () => {
    const oned = get();
    const parent = await okId(oned, 'one.vn.allocate', ['NAME = "vn-parent"\nVN_MAD = "bridge"\nBRIDGE = "br9"\nAR = [ TYPE = "IP4", IP = "10.9.0.1", SIZE = "20", GATEWAY = "10.9.0.254" ]', -1]);
    await okId(oned, 'one.vn.hold', [parent, 'LEASES = [ IP = "10.9.0.2" ]']);
    const user = await addUser(oned, 'vn-reserver');
    const who = `0x1${user.id.toString(16).padStart(8, '0')}`;
    await oned.ok('one.acl.addrule', [who, (0x4000000000n | 0x100000000n | BigInt(parent)).toString(16), '1']); // USE of the parent
    await oned.ok('one.acl.addrule', [who, '0x4400000000', '0x8']); // CREATE NET
    await okId(oned, 'one.user.quota', [user.id, `NETWORK = [ ID = ${parent}, LEASES = 5 ]`]);
    const leasesUsed = async () => childText(must(must(await okXml(oned, 'one.user.info', [user.id]), 'NETWORK_QUOTA'), 'NETWORK'), 'LEASES_USED');
    const res = await okId(oned, 'one.vn.reserve', [parent, 'SIZE = 3\nNAME = "vn-mine"'], user.session);
    let r = await vnet(oned, res, user.session);
    assert.deepEqual([childText(r, 'NAME'), childText(r, 'UNAME'), childText(r, 'PARENT_NETWORK_ID'), childText(r, 'BRIDGE'), childText(r, 'VN_MAD')], ['vn-mine', 'vn-reserver', String(parent), 'br9', 'bridge']);
    const [rar] = ars(r);
    assert.deepEqual([childText(rar!, 'IP'), childText(rar!, 'SIZE'), childText(rar!, 'PARENT_NETWORK_AR_ID'), childText(rar!, 'GATEWAY')], ['10.9.0.3', '3', '0', '10.9.0.254'], 'the first free run after the hold; AR attributes kept');
    assert.deepEqual(leases(await vnet(oned, parent)), ['10.9.0.2 VM=-1', ...['3', '4', '5'].map((n) => `10.9.0.${n} VNET=${res}`)]);

    await okId(oned, 'one.vn.reserve', [parent, `SIZE = 2\nNETWORK_ID = ${res}\nIP = "10.9.0.10"`], user.session);
    r = await vnet(oned, res, user.session);
    assert.deepEqual(ars(r).map((a) => `${childText(a, 'AR_ID')}:${childText(a, 'IP')}+${childText(a, 'SIZE')}`), ['0:10.9.0.3+3', '1:10.9.0.10+2']);
    assert.equal(await leasesUsed(), '5', 'reservations take NETWORK quota LEASES of the parent');
    await refused(oned, 'one.vn.reserve', [parent, 'SIZE = 1\nNAME = "vn-over"'], Code.AUTHORIZATION, new RegExp(`limit of 5 reached for NETWORK \\[${parent}\\] LEASES quota`), user.session);
    await okId(oned, 'one.user.quota', [user.id, `NETWORK = [ ID = ${parent}, LEASES = 10 ]`]);
    await refused(oned, 'one.vn.reserve', [parent, 'SIZE = 2\nNAME = "vn-clash"\nIP = "10.9.0.11"'], Code.ACTION, /Cannot reserve 2 leases from IP 10.9.0.11/, user.session);
    assert.equal(await leasesUsed(), '5', 'a refused reservation takes no quota');
    await refused(oned, 'one.vn.reserve', [parent, 'SIZE = 0\nNAME = "vn-zero"'], Code.ACTION, /Reservation SIZE must be a greater than 0/, user.session);
    await refused(oned, 'one.vn.reserve', [parent, 'SIZE = 1'], Code.ACTION, /NAME for reservation has to be set/, user.session);
    await refused(oned, 'one.vn.reserve', [parent, 'SIZE = 1\nNAME = "vn-mine"'], Code.INTERNAL, new RegExp(`NAME is already taken by NET ${res}\\.`), user.session);
    await refused(oned, 'one.vn.reserve', [parent, `SIZE = 1\nNETWORK_ID = ${parent}`], Code.ACTION, /Cannot add a reservation from the same network/);
    const other = await okId(oned, 'one.vn.allocate', [LAN('vn-not-reserved'), -1]);
    await refused(oned, 'one.vn.reserve', [parent, `SIZE = 1\nNETWORK_ID = ${other}`], Code.ACTION, /Cannot add reservations to a non-reservation VNET/);
    await refused(oned, 'one.vn.reserve', [res, 'SIZE = 1\nNAME = "vn-nested"'], Code.ACTION, /Cannot reserve addresses from a reserved VNET/);
    await okId(oned, 'one.vn.delete', [other]);
    await refused(oned, 'one.vn.update_ar', [res, 'AR = [ AR_ID = "0", SIZE = "9" ]'], Code.INTERNAL, /The SIZE of a reservation cannot be changed\./, user.session);
    await refused(oned, 'one.vn.add_ar', [res, 'AR = [ TYPE = "IP4", IP = "10.10.0.1", SIZE = "2" ]'], Code.INTERNAL, /is a reservation/);
    await refused(oned, 'one.vn.free_ar', [parent, 0], Code.INTERNAL, /Address range 0 of virtual network \d+ is not a reservation/);
    await refused(oned, 'one.vn.delete', [parent], Code.ACTION, /has leases in use \(VNET \d+\)/);

    await okId(oned, 'one.vn.free_ar', [res, 1], user.session);
    assert.deepEqual(leases(await vnet(oned, parent)).filter((l) => l.includes('VNET')).length, 3);
    assert.equal(await leasesUsed(), '3');
    await okId(oned, 'one.vn.update', [res, 'NOTE = "mine"', 1], user.session);
    // As OpenNebula 7.4 answers a change of a VNET_RESTRICTED_ATTR by a non-admin (INTERNAL).
    await refused(oned, 'one.vn.update', [res, 'BRIDGE = "br-hijack"', 1], Code.INTERNAL, /Cannot update template\. User Template includes a restricted attribute BRIDGE$/, user.session);
    await refused(oned, 'one.vn.update', [res, 'VLAN_ID = "99"', 0], Code.INTERNAL, /Cannot update template\. Tried to change restricted attribute: VLAN_ID$/, user.session);
    assert.equal(childText(await vnet(oned, res), 'BRIDGE'), 'br9');
    await okId(oned, 'one.vn.delete', [res], user.session);
    assert.equal(await leasesUsed(), '0');
    assert.deepEqual(leases(await vnet(oned, parent)), ['10.9.0.2 VM=-1'], 'deleting the reservation gives its leases back');
  });

  test('cluster addvnet / delvnet: a network in several clusters, or none', async () => {
    const oned = get();
    const c1 = await okId(oned, 'one.cluster.allocate', ['vn-cluster-1']);
    const c2 = await okId(oned, 'one.cluster.allocate', ['vn-cluster-2']);
    const id = await okId(oned, 'one.vn.allocate', [LAN('vn-clustered'), c1]);
    assert.deepEqual(idList(await vnet(oned, id), 'CLUSTERS'), [c1]);
    assert.equal(await okId(oned, 'one.cluster.addvnet', [c2, id]), c2);
    assert.deepEqual(idList(await vnet(oned, id), 'CLUSTERS'), [c1, c2]);
    assert.deepEqual(await vnetsOf(oned, c2), [id]);
    await refused(oned, 'one.cluster.addvnet', [c2, id], Code.ACTION, new RegExp(`Virtual network ${id} is already in cluster ${c2}`));
    await refused(oned, 'one.cluster.delete', [c2], Code.ACTION, /is not empty, it contains 1 vnets/);
    await okId(oned, 'one.cluster.delvnet', [c1, id]);
    await okId(oned, 'one.cluster.delvnet', [c2, id]);
    assert.deepEqual(idList(await vnet(oned, id), 'CLUSTERS'), []);
    await refused(oned, 'one.cluster.delvnet', [c2, id], Code.ACTION, new RegExp(`Virtual network ${id} is not in cluster ${c2}`));
    await refused(oned, 'one.cluster.addvnet', [c1, 9999], Code.NO_EXISTS, /Error getting virtual network \[9999\]/);
    await okId(oned, 'one.cluster.delete', [c2]);
  });

  test('ACL: users cannot create or see oneadmin\'s networks; a NET/%cid rule opens those of one cluster', async () => {
    const oned = get();
    // Not in "users", whose default VDC rule lets it use every network (checked at the end).
    const user = await addUserOutsideVdc(oned, 'vn-acl-user');
    const s = user.session;
    const cid = await okId(oned, 'one.cluster.allocate', ['vn-acl-cluster']);
    const inside = await okId(oned, 'one.vn.allocate', [LAN('vn-acl-in'), cid]);
    const outside = await okId(oned, 'one.vn.allocate', [LAN('vn-acl-out'), -1]);
    await refused(oned, 'one.vn.allocate', [LAN('vn-acl-mine'), -1], Code.AUTHORIZATION, /Not authorized to perform CREATE NET/, s);
    await refused(oned, 'one.vn.info', [inside], Code.AUTHORIZATION, new RegExp(`Not authorized to perform USE NET \\[${inside}\\]`), s);
    for (const [method, params] of [
      ['one.vn.update', [outside, 'A = 1', 1]],
      ['one.vn.rename', [outside, 'vn-stolen']],
      ['one.vn.delete', [outside]],
      ['one.vn.hold', [outside, 'LEASES = [ IP = "10.0.0.1" ]']],
    ] as const) {
      await refused(oned, method, [...params], Code.AUTHORIZATION, /Not authorized to perform MANAGE NET/, s);
    }
    await refused(oned, 'one.vn.add_ar', [outside, 'AR = [ TYPE = "ETHER", SIZE = "1" ]'], Code.AUTHORIZATION, /Not authorized to perform ADMIN NET/, s);
    await refused(oned, 'one.vn.reserve', [outside, 'SIZE = 1\nNAME = "vn-steal"'], Code.AUTHORIZATION, /Not authorized to perform USE NET/, s);
    assert.deepEqual(idsIn(await okXml(oned, 'one.vnpool.info', [-2, -1, -1], s), 'VNET'), []);

    await oned.ok('one.acl.addrule', [`0x1${user.id.toString(16).padStart(8, '0')}`, (0x4000000000n | 0x800000000n | BigInt(cid)).toString(16), '3']);
    assert.equal(childText(await vnet(oned, inside, s), 'NAME'), 'vn-acl-in');
    await okId(oned, 'one.vn.hold', [inside, 'LEASES = [ IP = "10.0.0.1" ]'], s);
    assert.deepEqual(idsIn(await okXml(oned, 'one.vnpool.info', [-2, -1, -1], s), 'VNET'), [inside]);
    await refused(oned, 'one.vn.info', [outside], Code.AUTHORIZATION, /USE NET/, s);

    // A member of "users" (the default VDC, as OpenNebula 7.4) may use every network, not manage it.
    const member = await addUser(oned, 'vn-acl-member');
    assert.equal(childText(await vnet(oned, outside, member.session), 'NAME'), 'vn-acl-out');
    await refused(oned, 'one.vn.rename', [outside, 'vn-stolen'], Code.AUTHORIZATION, /Not authorized to perform MANAGE NET/, member.session);
    await refused(oned, 'one.vn.allocate', [LAN('vn-acl-member'), -1], Code.AUTHORIZATION, /Not authorized to perform CREATE NET/, member.session);
  });

  test('update, rename, chown, lock: head fields follow the template; locked networks refuse changes', async () => {
    const oned = get();
    const id = await okId(oned, 'one.vn.allocate', [LAN('vn-upd'), -1]);
    await okId(oned, 'one.vn.update', [id, 'BRIDGE = "br7"\nPHYDEV = "eth1"\nNOTE = "x"\nAR = [ TYPE = "IP4", IP = "1.1.1.1", SIZE = "1" ]', 1]);
    let v = await vnet(oned, id);
    assert.deepEqual([childText(v, 'BRIDGE'), childText(v, 'PHYDEV'), templateOf(v).NOTE, templateOf(v).AR, ars(v).length], ['br7', 'eth1', 'x', undefined, 1]);
    await okId(oned, 'one.vn.update', [id, 'NOTE = "replaced"', 0]);
    v = await vnet(oned, id);
    assert.deepEqual([childText(v, 'BRIDGE'), childText(v, 'VN_MAD'), templateOf(v).NOTE, templateOf(v).GATEWAY], ['br7', 'bridge', 'replaced', undefined], 'replace keeps the head fields');
    await okId(oned, 'one.vn.rename', [id, 'vn-upd-renamed']);
    const user = await addUser(oned, 'vn-new-owner');
    await okId(oned, 'one.vn.chown', [id, user.id, -1]);
    v = await vnet(oned, id);
    assert.deepEqual([childText(v, 'NAME'), childText(v, 'UNAME')], ['vn-upd-renamed', 'vn-new-owner']);
    await okId(oned, 'one.vn.lock', [id, 1]);
    await refused(oned, 'one.vn.hold', [id, 'LEASES = [ IP = "10.0.0.1" ]'], Code.AUTHORIZATION, /NET is locked/);
    await okId(oned, 'one.vn.unlock', [id]);
    await okId(oned, 'one.vn.hold', [id, 'LEASES = [ IP = "10.0.0.1" ]']);
  });

  test('networks, their leases and reservations survive a restart; ids go on', async () => {
    const oned = get();
    const id = await okId(oned, 'one.vn.allocate', [`${LAN('vn-persist')}\nNOTE = "<&>"\nAR = [ TYPE = "IP6", SIZE = "4", ULA_PREFIX = "fd01::", MAC = "02:00:00:00:aa:00" ]`, -1]);
    await okId(oned, 'one.vn.hold', [id, 'LEASES = [ IP = "10.0.0.3" ]']);
    await okId(oned, 'one.vn.hold', [id, 'LEASES = [ MAC = "02:00:00:00:aa:02" ]']);
    const res = await okId(oned, 'one.vn.reserve', [id, 'SIZE = 2\nNAME = "vn-persist-res"']);
    const dropped = await okId(oned, 'one.vn.allocate', [LAN('vn-persist-dropped'), -1]);
    await okId(oned, 'one.vn.delete', [dropped]);
    const calls: [string, number[]][] = [
      ['one.vnpool.info', [-2, -1, -1]],
      ['one.vn.info', [id]],
      ['one.vn.info', [res]],
      ['one.cluster.info', [0]],
    ];
    const before = [];
    for (const [m, p] of calls) before.push(String(await oned.ok(m, p)));
    assert.equal(await oned.signal('SIGTERM'), 0);
    await oned.launch();
    for (let i = 0; i < calls.length; i++) assert.equal(String(await oned.ok(calls[i]![0], calls[i]![1])), before[i], calls[i]![0]);
    assert.equal(templateOf(await vnet(oned, id)).NOTE, '<&>');
    // The restored leases are still taken.
    await refused(oned, 'one.vn.hold', [id, 'LEASES = [ IP = "10.0.0.3" ]'], Code.INTERNAL, HOLD_REFUSED);
    await refused(oned, 'one.vn.hold', [id, 'LEASES = [ IP = "10.0.0.1" ]'], Code.INTERNAL, HOLD_REFUSED);
    assert.ok(leases(await vnet(oned, id)).includes(`10.0.0.1 VNET=${res}`), 'the reserved lease is the reservation\'s again');
    assert.ok((await okId(oned, 'one.vn.allocate', [LAN('vn-persist-next'), -1])) > dropped);
  });
});
