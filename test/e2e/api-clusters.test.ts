/**
 * Clusters over raw XML-RPC: the default cluster, allocate, update, rename, host membership
 * (every host in exactly one cluster), delete rules, the pool listing, and non-admin refusals.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { childInt, childText, type XmlNode } from '../../src/common/xml-tree.js';
import { openDatabase } from '../../src/db/index.js';
import { Oned } from './harness.js';
import { Code, addUser, databaseOf, idList, idsIn, listedIds, okId, okXml, onFeatureBackends, refused, templateOf, TEST_DRIVERS } from './api-helpers.js';

async function cluster(oned: Oned, id: number): Promise<XmlNode> {
  const c = await okXml(oned, 'one.cluster.info', [id]);
  assert.equal(c.name, 'CLUSTER');
  return c;
}

const hostsOf = async (oned: Oned, id: number) => idList(await cluster(oned, id), 'HOSTS');

/** [CLUSTER_ID, CLUSTER] of a host. */
async function placeOf(oned: Oned, hid: number): Promise<[number, string]> {
  const h = await okXml(oned, 'one.host.info', [hid]);
  return [childInt(h, 'CLUSTER_ID'), childText(h, 'CLUSTER')];
}

onFeatureBackends('clusters', (get) => {
  test('the default cluster 0 exists from the first start, in OpenNebula\'s CLUSTER shape', async () => {
    const oned = get();
    const c = await cluster(oned, 0);
    assert.deepEqual(c.children.map((n) => n.name), ['ID', 'NAME', 'HOSTS', 'DATASTORES', 'VNETS', 'TEMPLATE']);
    assert.equal(childText(c, 'NAME'), 'default');
    assert.deepEqual(idList(c, 'DATASTORES'), [0, 1, 2], 'the default datastores');
    assert.deepEqual(idList(c, 'VNETS'), []);
    assert.deepEqual(templateOf(c), { RESERVED_CPU: '', RESERVED_MEM: '' });
    const pool = await okXml(oned, 'one.clusterpool.info', []);
    assert.equal(pool.name, 'CLUSTER_POOL');
    assert.equal(idsIn(pool, 'CLUSTER')[0], 0);
  });

  test('allocate: ids from 100, unique valid names', async () => {
    const oned = get();
    const a = await okId(oned, 'one.cluster.allocate', ['c-alpha']);
    assert.ok(a >= 100, `user clusters start at 100, got ${a}`);
    const b = await okId(oned, 'one.cluster.allocate', ['c-beta']);
    assert.equal(b, a + 1);
    assert.equal(childText(await cluster(oned, b), 'NAME'), 'c-beta');
    await refused(oned, 'one.cluster.allocate', ['c-alpha'], Code.ALLOCATE, new RegExp(`Error allocating a new cluster\\. NAME is already taken by CLUSTER ${a}\\.`));
    await refused(oned, 'one.cluster.allocate', ['default'], Code.ALLOCATE, /NAME is already taken by CLUSTER 0/);
    await refused(oned, 'one.cluster.allocate', ['c|pipe'], Code.ALLOCATE, /char '\|' is not allowed/);
    const ids = listedIds(await okXml(oned, 'one.clusterpool.info', []), 'CLUSTER');
    assert.ok(ids.includes(a) && ids.includes(b));
    assert.deepEqual(ids, [...ids].sort((x, y) => y - x), 'newest first');
  });

  test('update merges or replaces the template (one value per name); rename shows in the hosts', async () => {
    const oned = get();
    const id = await okId(oned, 'one.cluster.allocate', ['c-upd']);
    const h = await okId(oned, 'one.host.allocate', ['c-upd-host', 'kvm', 'kvm', id]);
    await okId(oned, 'one.cluster.update', [id, 'ZONE_NOTE = "a"\nZONE_NOTE = "b"\nRESERVED_CPU = "10%"', 1]);
    assert.deepEqual(templateOf(await cluster(oned, id)), { RESERVED_CPU: '10%', RESERVED_MEM: '', ZONE_NOTE: 'b' });
    await okId(oned, 'one.cluster.update', [id, 'ONLY = "this"', 0]);
    assert.deepEqual(templateOf(await cluster(oned, id)), { ONLY: 'this' });
    await refused(oned, 'one.cluster.update', [id, 'X = 1', 7], Code.XML_RPC_API, /Wrong update type/);

    assert.equal(await okId(oned, 'one.cluster.rename', [id, 'c-upd-renamed']), id);
    assert.equal(childText(await cluster(oned, id), 'NAME'), 'c-upd-renamed');
    assert.deepEqual(await placeOf(oned, h), [id, 'c-upd-renamed']);
    await refused(oned, 'one.cluster.rename', [id, 'default'], Code.ACTION, /NAME is already taken by CLUSTER 0/);
    await refused(oned, 'one.cluster.rename', [id, ''], Code.ACTION, /cannot be empty/);
  });

  test('addhost and delhost move a host between clusters; it is always in exactly one', async () => {
    const oned = get();
    const c1 = await okId(oned, 'one.cluster.allocate', ['c-move-1']);
    const c2 = await okId(oned, 'one.cluster.allocate', ['c-move-2']);
    const h = await okId(oned, 'one.host.allocate', ['c-move-host', 'kvm', 'kvm', -1]);
    assert.ok((await hostsOf(oned, 0)).includes(h));

    assert.equal(await okId(oned, 'one.cluster.addhost', [c1, h]), c1);
    assert.deepEqual(await placeOf(oned, h), [c1, 'c-move-1']);
    assert.deepEqual(await hostsOf(oned, c1), [h]);
    assert.ok(!(await hostsOf(oned, 0)).includes(h));

    await okId(oned, 'one.cluster.addhost', [c2, h]);
    assert.deepEqual(await placeOf(oned, h), [c2, 'c-move-2']);
    assert.deepEqual(await hostsOf(oned, c1), []);
    assert.deepEqual(await hostsOf(oned, c2), [h]);
    await okId(oned, 'one.cluster.addhost', [c2, h]);
    assert.deepEqual(await hostsOf(oned, c2), [h], 'adding it again changes nothing');

    assert.equal(await okId(oned, 'one.cluster.delhost', [c2, h]), c2);
    assert.deepEqual(await placeOf(oned, h), [0, 'default'], 'taken out: back in the default cluster');
    assert.deepEqual(await hostsOf(oned, c2), []);
    assert.ok((await hostsOf(oned, 0)).includes(h));

    await refused(oned, 'one.cluster.addhost', [c1, 9999], Code.NO_EXISTS, /Error getting host \[9999\]/);
    await refused(oned, 'one.cluster.addhost', [9999, h], Code.NO_EXISTS, /Error getting cluster \[9999\]/);
    assert.deepEqual(await placeOf(oned, h), [0, 'default']);
  });

  test('delete: only empty user clusters; the default cluster stays', async () => {
    const oned = get();
    const id = await okId(oned, 'one.cluster.allocate', ['c-del']);
    const h = await okId(oned, 'one.host.allocate', ['c-del-host', 'kvm', 'kvm', id]);
    await refused(oned, 'one.cluster.delete', [id], Code.ACTION, new RegExp(`Cannot delete cluster\\. Cluster ${id} is not empty, it contains 1 hosts\\.`));
    await refused(oned, 'one.cluster.delete', [0], Code.ACTION, /System Clusters \(ID < 100\) cannot be deleted/);
    await okId(oned, 'one.host.delete', [h]);
    assert.equal(await okId(oned, 'one.cluster.delete', [id]), id);
    await refused(oned, 'one.cluster.info', [id], Code.NO_EXISTS, new RegExp(`Error getting cluster \\[${id}\\]`));
    assert.ok(!idsIn(await okXml(oned, 'one.clusterpool.info', []), 'CLUSTER').includes(id));
    await refused(oned, 'one.host.allocate', ['c-del-late', 'kvm', 'kvm', id], Code.NO_EXISTS, /Error getting cluster/);
    await cluster(oned, 0);
  });

  test('regular users may not create, see or change clusters', async () => {
    const oned = get();
    const id = await okId(oned, 'one.cluster.allocate', ['c-private']);
    const h = await okId(oned, 'one.host.allocate', ['c-private-host', 'kvm', 'kvm', -1]);
    const mallory = await addUser(oned, 'c-mallory');
    const s = mallory.session;
    await refused(oned, 'one.cluster.allocate', ['c-mallory'], Code.AUTHORIZATION, /Not authorized to perform CREATE CLUSTER/, s);
    await refused(oned, 'one.cluster.info', [id], Code.AUTHORIZATION, new RegExp(`Not authorized to perform USE CLUSTER \\[${id}\\]`), s);
    for (const [method, params] of [
      ['one.cluster.update', [id, 'A = 1', 1]],
      ['one.cluster.rename', [id, 'c-stolen']],
      ['one.cluster.delete', [id]],
      ['one.cluster.addhost', [id, h]],
    ] as const) {
      await refused(oned, method, [...params], Code.AUTHORIZATION, new RegExp(`Not authorized to perform ADMIN CLUSTER \\[${id}\\]`), s);
    }
    assert.deepEqual(idsIn(await okXml(oned, 'one.clusterpool.info', [], s), 'CLUSTER'), []);
    assert.deepEqual(await hostsOf(oned, id), []);
    assert.equal(childText(await cluster(oned, id), 'NAME'), 'c-private');
  });

  test('a database from before clusters (schema 1, no default cluster) gets cluster 0 at its next start', async () => {
    const old = await Oned.start({ backend: get().backend, conf: TEST_DRIVERS });
    try {
      assert.equal(await old.signal('SIGTERM'), 0);
      const db = await openDatabase(databaseOf(old));
      await db.write([
        { kind: 'delete', table: 'cluster_pool', where: { oid: 0 } },
        { kind: 'delete', table: 'pool_control', where: { tablename: 'cluster_pool' } },
        { kind: 'delete', table: 'db_versioning', where: { version: 2 } },
      ]);
      await db.close();
      await old.launch();
      const c = await cluster(old, 0);
      assert.equal(childText(c, 'NAME'), 'default');
      assert.deepEqual(templateOf(c), { RESERVED_CPU: '', RESERVED_MEM: '' });
      assert.equal(await okId(old, 'one.cluster.allocate', ['c-after-upgrade']), 100);
      const h = await okId(old, 'one.host.allocate', ['c-after-upgrade-host', 'kvm', 'kvm', -1]);
      assert.deepEqual(await hostsOf(old, 0), [h]);
    } finally {
      await old.stop();
    }
  });
});
