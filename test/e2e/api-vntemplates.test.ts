/**
 * Virtual network templates end to end: allocate / info / pool / update / rename / clone /
 * chmod / chown / lock / unlock / delete, instantiate (the template merged with the extra
 * template, TEMPLATE_ID recorded, CLUSTER_IDS honoured, the caller the owner), bad input that
 * creates nothing, and who may instantiate (USE on the template, CREATE NET). Then the network
 * methods recover, rename and lock on networks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { child, childInt, childText } from '../../src/common/xml-tree.js';
import { AclRule } from '../../src/common/acl/acl-rule.js';
import type { Oned } from './harness.js';
import { Code, addUser, all, idsIn, must, okId, okXml, onFeatureBackends, refused, templateOf } from './api-helpers.js';

const BASE = 'NAME = "private"\nVN_MAD = "bridge"\nBRIDGE = "br0"\nDESCRIPTION = "lab network"\nAR = [ TYPE = "IP4", IP = "10.0.0.1", SIZE = "10" ]';

async function vnetCount(o: Oned): Promise<number> {
  return all(await okXml(o, 'one.vnpool.info', [-2, -1, -1]), 'VNET').length;
}

onFeatureBackends('virtual network templates', (oned) => {
  let tid = -1;

  test('allocate, info (VMTEMPLATE shape) and the pool', async () => {
    const o = oned();
    tid = await okId(o, 'one.vntemplate.allocate', [BASE]);
    const t = await okXml(o, 'one.vntemplate.info', [tid]);
    assert.equal(t.name, 'VNTEMPLATE');
    assert.deepEqual(t.children.map((c) => c.name), ['ID', 'UID', 'GID', 'UNAME', 'GNAME', 'NAME', 'PERMISSIONS', 'REGTIME', 'TEMPLATE']);
    assert.equal(childText(t, 'NAME'), 'private');
    assert.ok(childInt(t, 'REGTIME') > 0);
    assert.equal(templateOf(t)['VN_MAD'], 'bridge');
    assert.equal(templateOf(t)['NAME'], undefined, 'NAME leaves the template');
    const pool = await okXml(o, 'one.vntemplatepool.info', [-2, -1, -1]);
    assert.equal(pool.name, 'VNTEMPLATE_POOL');
    assert.deepEqual(idsIn(pool, 'VNTEMPLATE'), [tid]);
    await refused(o, 'one.vntemplate.allocate', ['VN_MAD = "bridge"'], Code.ALLOCATE, /No NAME/);
    await refused(o, 'one.vntemplate.allocate', [BASE], Code.INTERNAL, /NAME/);
    await refused(o, 'one.vntemplate.info', [999], Code.NO_EXISTS, /999/);
  });

  test('update, rename, clone, chmod, chown, lock and unlock', async () => {
    const o = oned();
    await okId(o, 'one.vntemplate.update', [tid, 'DNS = "10.0.0.254"', 1]);
    assert.equal(templateOf(await okXml(o, 'one.vntemplate.info', [tid]))['DNS'], '10.0.0.254');
    const copy = await okId(o, 'one.vntemplate.clone', [tid, 'private-copy']);
    const c = await okXml(o, 'one.vntemplate.info', [copy]);
    assert.equal(childText(c, 'NAME'), 'private-copy');
    assert.equal(templateOf(c)['DNS'], '10.0.0.254');
    await okId(o, 'one.vntemplate.rename', [copy, 'spare']);
    await refused(o, 'one.vntemplate.rename', [copy, 'private'], Code.ACTION, /already taken/);
    await okId(o, 'one.vntemplate.chmod', [copy, 1, 1, 0, 1, 0, 0, 0, 0, 0]);
    assert.equal(childText(must(await okXml(o, 'one.vntemplate.info', [copy]), 'PERMISSIONS'), 'GROUP_U'), '1');
    await okId(o, 'one.vntemplate.chown', [copy, -1, 1]);
    assert.equal(childInt(await okXml(o, 'one.vntemplate.info', [copy]), 'GID'), 1);
    await okId(o, 'one.vntemplate.lock', [copy, 2]);
    assert.ok(child(await okXml(o, 'one.vntemplate.info', [copy]), 'LOCK'));
    await refused(o, 'one.vntemplate.delete', [copy], Code.AUTHORIZATION, /locked/);
    await okId(o, 'one.vntemplate.unlock', [copy]);
    await okId(o, 'one.vntemplate.delete', [copy]);
    await refused(o, 'one.vntemplate.info', [copy], Code.NO_EXISTS, /./);
  });

  test('instantiate: the template merged with the extra one, TEMPLATE_ID recorded, in the default cluster', async () => {
    const o = oned();
    const vn = await okId(o, 'one.vntemplate.instantiate', [tid, 'net-a', 'AR = [ TYPE = "IP4", IP = "10.1.0.1", SIZE = "5" ]\nGATEWAY = "10.1.0.254"']);
    const v = await okXml(o, 'one.vn.info', [vn]);
    assert.equal(childText(v, 'NAME'), 'net-a');
    assert.equal(childInt(v, 'UID'), 0);
    assert.equal(childText(v, 'TEMPLATE_ID'), String(tid));
    const t = templateOf(v);
    assert.equal(t['TEMPLATE_ID'], String(tid));
    assert.equal(t['TEMPLATE_NAME'], 'private');
    assert.equal(t['GATEWAY'], '10.1.0.254');
    assert.equal(t['DESCRIPTION'], 'lab network');
    const ars = all(must(v, 'AR_POOL'), 'AR');
    assert.equal(ars.length, 1, 'the extra AR replaces the template\'s, as a merge does');
    assert.equal(childText(ars[0]!, 'IP'), '10.1.0.1');
    assert.deepEqual(all(must(v, 'CLUSTERS'), 'ID').map((n) => Number(n.text)), [0]);
    assert.ok(all(must(await okXml(o, 'one.cluster.info', [0]), 'VNETS'), 'ID').some((n) => Number(n.text) === vn));
    // No name: the template's, with the new id.
    const unnamed = await okId(o, 'one.vntemplate.instantiate', [tid, '', '']);
    assert.equal(childText(await okXml(o, 'one.vn.info', [unnamed]), 'NAME'), `private-${unnamed}`);
    // CLUSTER_IDS puts the networks in those clusters.
    const cid = await okId(o, 'one.cluster.allocate', ['vnt-cluster']);
    const inCluster = await okId(o, 'one.vntemplate.allocate', [`NAME = "clustered"\nVN_MAD = "bridge"\nBRIDGE = "br1"\nCLUSTER_IDS = "${cid}"`]);
    const vn2 = await okId(o, 'one.vntemplate.instantiate', [inCluster, 'net-c', '']);
    assert.deepEqual(all(must(await okXml(o, 'one.vn.info', [vn2]), 'CLUSTERS'), 'ID').map((n) => Number(n.text)), [cid]);
  });

  test('bad input: a clear error and no network', async () => {
    const o = oned();
    const before = await vnetCount(o);
    const noMad = await okId(o, 'one.vntemplate.allocate', ['NAME = "no-mad"\nBRIDGE = "br0"']);
    await refused(o, 'one.vntemplate.instantiate', [noMad, 'x1', ''], Code.ALLOCATE, /No VN_MAD/);
    await refused(o, 'one.vntemplate.instantiate', [tid, 'x2', 'AR = [ TYPE = "IP4", IP = "10.2.0.1", SIZE = "many" ]'], Code.ALLOCATE, /SIZE/);
    await refused(o, 'one.vntemplate.instantiate', [tid, 'x3', 'AR = [ TYPE = "CARRIER_PIGEON", SIZE = "2" ]'], Code.ALLOCATE, /TYPE/);
    await refused(o, 'one.vntemplate.instantiate', [tid, 'x4', 'AR = [ TYPE = '], Code.INTERNAL, /./);
    await refused(o, 'one.vntemplate.instantiate', [tid, 'net-a', ''], Code.ALLOCATE, /already taken/);
    await refused(o, 'one.vntemplate.instantiate', [9999, 'x5', ''], Code.NO_EXISTS, /9999/);
    assert.equal(await vnetCount(o), before);
    // The next network takes the next id: refusals left no hole.
    const next = await okId(o, 'one.vntemplate.instantiate', [tid, 'after-refusals', '']);
    assert.equal(next, Math.max(...idsIn(await okXml(o, 'one.vnpool.info', [-2, -1, -1]), 'VNET')));
  });

  test('permissions: USE on the template and CREATE NET; the network is the caller\'s', async () => {
    const o = oned();
    const alice = await addUser(o, 'vnt-alice');
    await refused(o, 'one.vntemplate.instantiate', [tid, 'alice-net', ''], Code.AUTHORIZATION, /./, alice.session);
    await refused(o, 'one.vntemplate.info', [tid], Code.AUTHORIZATION, /./, alice.session);
    await okId(o, 'one.vntemplate.chmod', [tid, -1, -1, -1, -1, -1, -1, 1, -1, -1]);
    assert.equal(childText(await okXml(o, 'one.vntemplate.info', [tid], alice.session), 'NAME'), 'private');
    await refused(o, 'one.vntemplate.instantiate', [tid, 'alice-net', ''], Code.AUTHORIZATION, /NET/, alice.session);
    await refused(o, 'one.vntemplate.update', [tid, 'X = 1', 1], Code.AUTHORIZATION, /./, alice.session);
    const rule = AclRule.parse('@1 NET/* CREATE');
    await okId(o, 'one.acl.addrule', [rule.user, rule.resource, rule.rights].map((x) => x.toString(16)));
    const vn = await okId(o, 'one.vntemplate.instantiate', [tid, 'alice-net', ''], alice.session);
    const v = await okXml(o, 'one.vn.info', [vn], alice.session);
    assert.equal(childInt(v, 'UID'), alice.id);
    assert.equal(childText(v, 'UNAME'), 'vnt-alice');
    // Restricted attributes (VNET_RESTRICTED_ATTR: VN_MAD...) may not be changed by users.
    await refused(o, 'one.vntemplate.instantiate', [tid, 'alice-2', 'VN_MAD = "dummy"'], Code.AUTHORIZATION, /restricted attribute VN_MAD/, alice.session);
    await refused(o, 'one.vntemplate.delete', [tid], Code.AUTHORIZATION, /./, alice.session);
  });
});

onFeatureBackends('virtual network recover, rename and lock', (oned) => {
  const badAr = (name: string) => `NAME = "${name}"\nVN_MAD = "bridge"\nBRIDGE = "br0"\nAR = [ TYPE = "IP4", IP = "10.9.0.1", SIZE = "zero" ]`;

  test('recover: success brings an ERROR network to READY, delete removes it, wrong states and codes refused', async () => {
    const o = oned();
    const vn = await okId(o, 'one.vn.allocate', [badAr('rec-a'), -1]);
    const v = await okXml(o, 'one.vn.info', [vn]);
    assert.equal(childInt(v, 'STATE'), 5, 'a bad AR on allocate leaves the network in ERROR, as 7.4');
    assert.match(templateOf(v)['ERROR'] ?? '', /SIZE/);
    await refused(o, 'one.vn.recover', [vn, 3], Code.INTERNAL, /Could not perform 'recover retry' on VN \d+, wrong state ERROR/);
    await refused(o, 'one.vn.recover', [vn, 7], Code.ACTION, /Wrong recovery operation/);
    await okId(o, 'one.vn.recover', [vn, 1]);
    const ready = await okXml(o, 'one.vn.info', [vn]);
    assert.equal(childInt(ready, 'STATE'), 1);
    assert.equal(templateOf(ready)['ERROR'], undefined);
    await refused(o, 'one.vn.recover', [vn, 0], Code.INTERNAL, /wrong state READY/);
    const gone = await okId(o, 'one.vn.allocate', [badAr('rec-b'), -1]);
    await okId(o, 'one.vn.recover', [gone, 2]);
    await refused(o, 'one.vn.info', [gone], Code.NO_EXISTS, /./);
  });

  test('rename and lock', async () => {
    const o = oned();
    const a = await okId(o, 'one.vn.allocate', ['NAME = "ren-a"\nVN_MAD = "bridge"\nBRIDGE = "br0"', -1]);
    const b = await okId(o, 'one.vn.allocate', ['NAME = "ren-b"\nVN_MAD = "bridge"\nBRIDGE = "br0"', -1]);
    await okId(o, 'one.vn.rename', [a, 'ren-c']);
    assert.equal(childText(await okXml(o, 'one.vn.info', [a]), 'NAME'), 'ren-c');
    await refused(o, 'one.vn.rename', [a, 'ren-b'], Code.ACTION, /already taken/);
    await okId(o, 'one.vn.lock', [b, 2]);
    await refused(o, 'one.vn.rename', [b, 'ren-d'], Code.AUTHORIZATION, /locked/);
    await okId(o, 'one.vn.unlock', [b]);
    await okId(o, 'one.vn.rename', [b, 'ren-d']);
  });
});
