/**
 * Datastores over raw XML-RPC: the three default ones, allocate and its template checks, update,
 * rename, chmod, enable, delete, cluster membership (a datastore may be in several clusters),
 * the pool listing, non-admin refusals and restart persistence.
 */
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { childInt, childText, type XmlNode } from '../../src/common/xml-tree.js';
import type { Oned } from './harness.js';
import { Code, addUser, addUserOutsideVdc, idList, idsIn, okId, okXml, onFeatureBackends, permissionsOf, refused, templateOf } from './api-helpers.js';

async function datastore(oned: Oned, id: number): Promise<XmlNode> {
  const ds = await okXml(oned, 'one.datastore.info', [id]);
  assert.equal(ds.name, 'DATASTORE');
  return ds;
}

const clustersOf = async (oned: Oned, id: number) => idList(await datastore(oned, id), 'CLUSTERS');
const datastoresOf = async (oned: Oned, cid: number) => idList(await okXml(oned, 'one.cluster.info', [cid]), 'DATASTORES');

onFeatureBackends('datastores', (get) => {
  test('the default datastores 0-2 exist in cluster 0, in OpenNebula\'s DATASTORE shape', async () => {
    const oned = get();
    const expected = [
      [0, 'system', 1, '-', 'ssh'],
      [1, 'default', 0, 'fs', 'ssh'],
      [2, 'files', 2, 'fs', 'ssh'],
    ] as const;
    for (const [id, name, type, dsMad, tmMad] of expected) {
      const ds = await datastore(oned, id);
      assert.deepEqual(ds.children.map((n) => n.name), [
        'ID', 'UID', 'GID', 'UNAME', 'GNAME', 'NAME', 'PERMISSIONS', 'DS_MAD', 'TM_MAD', 'BASE_PATH', 'TYPE', 'DISK_TYPE', 'STATE',
        'CLUSTERS', 'TOTAL_MB', 'FREE_MB', 'USED_MB', 'IMAGES', 'TEMPLATE',
      ]);
      assert.deepEqual(
        [childText(ds, 'NAME'), childInt(ds, 'TYPE'), childText(ds, 'DS_MAD'), childText(ds, 'TM_MAD'), childInt(ds, 'STATE'), childText(ds, 'UNAME')],
        [name, type, dsMad, tmMad, 0, 'oneadmin'],
      );
      assert.equal(childText(ds, 'BASE_PATH'), join(oned.location, 'var', 'datastores', String(id)));
      assert.equal(permissionsOf(ds), '110100000');
      assert.deepEqual(idList(ds, 'CLUSTERS'), [0]);
      assert.deepEqual(idList(ds, 'IMAGES'), []);
      assert.equal(templateOf(ds).TM_MAD, tmMad);
    }
    // The templates of 7.4's default datastores (with ssh where 7.4 has local): the TM_MAD's defaults, DISK_TYPE but for files, the dirs.
    const common = { ALLOW_ORPHANS: 'YES', PERSISTENT_SNAPSHOTS: 'YES', RESTRICTED_DIRS: '/', SAFE_DIRS: '/var/tmp', TM_MAD: 'ssh' };
    assert.deepEqual(templateOf(await datastore(oned, 0)), {
      ...common, DISK_TYPE: 'FILE', DS_LIVE_MIGRATE: 'YES', DS_MIGRATE: 'YES', DS_MIGRATE_SNAP: 'YES', SHARED: 'NO', TYPE: 'SYSTEM_DS',
    });
    assert.deepEqual(templateOf(await datastore(oned, 1)), { ...common, CLONE_TARGET: 'SYSTEM', DISK_TYPE: 'FILE', DS_MAD: 'fs', LN_TARGET: 'SYSTEM', TYPE: 'IMAGE_DS' });
    assert.deepEqual(templateOf(await datastore(oned, 2)), { ...common, CLONE_TARGET: 'SYSTEM', DS_MAD: 'fs', LN_TARGET: 'SYSTEM', TYPE: 'FILE_DS' });
    assert.deepEqual((await datastoresOf(oned, 0)).slice(0, 3), [0, 1, 2]);
    const pool = await okXml(oned, 'one.datastorepool.info', []);
    assert.equal(pool.name, 'DATASTORE_POOL');
    assert.deepEqual(idsIn(pool, 'DATASTORE').slice(0, 3), [0, 1, 2]);
  });

  test('allocate: TYPE, drivers and BASE_PATH from the template, in the named cluster or the default one', async () => {
    const oned = get();
    const c = await okId(oned, 'one.cluster.allocate', ['ds-alloc-cluster']);
    const img = await okId(oned, 'one.datastore.allocate', ['NAME = "ds-images"\nDS_MAD = "fs"\nTM_MAD = "shared"\nNOTE = "n"', c]);
    const sys = await okId(oned, 'one.datastore.allocate', ['NAME = "ds-system"\nTYPE = "system_ds"\nTM_MAD = "ssh"', -1]);
    const files = await okId(oned, 'one.datastore.allocate', ['NAME = "ds-files"\nTYPE = "FILE_DS"\nDS_MAD = "dummy"\nTM_MAD = "dummy"', c]);
    assert.equal(sys, img + 1);
    assert.ok(img >= 100, 'user datastores get ids from 100 up, as in OpenNebula');
    const ds = await datastore(oned, img);
    assert.deepEqual([childInt(ds, 'TYPE'), childText(ds, 'DS_MAD'), childText(ds, 'TM_MAD'), childInt(ds, 'DISK_TYPE')], [0, 'fs', 'shared', 0]);
    assert.equal(childText(ds, 'BASE_PATH'), join(oned.location, 'var', 'datastores', String(img)));
    assert.equal(permissionsOf(ds), '110100000', 'datastores are usable by their group, whatever the umask');
    // As 7.4: shared's TM_MAD_CONF (with its ssh variants), DISK_TYPE, the dirs; no TYPE added when none was given.
    assert.deepEqual(templateOf(ds), {
      ALLOW_ORPHANS: 'FORMAT', CLONE_TARGET: 'SYSTEM', CLONE_TARGET_SSH: 'SYSTEM', DISK_TYPE: 'FILE', DISK_TYPE_SSH: 'FILE', DS_MAD: 'fs',
      LN_TARGET: 'NONE', LN_TARGET_SSH: 'SYSTEM', NOTE: 'n', PERSISTENT_SNAPSHOTS: 'YES', RESTRICTED_DIRS: '/', SAFE_DIRS: '/var/tmp',
      TM_MAD: 'shared', TM_MAD_SYSTEM: 'ssh',
    });
    assert.deepEqual(templateOf(await datastore(oned, sys)), {
      ALLOW_ORPHANS: 'YES', DISK_TYPE: 'FILE', DS_LIVE_MIGRATE: 'YES', DS_MIGRATE: 'YES', DS_MIGRATE_SNAP: 'YES', PERSISTENT_SNAPSHOTS: 'YES',
      RESTRICTED_DIRS: '/', SAFE_DIRS: '/var/tmp', SHARED: 'NO', TM_MAD: 'ssh', TYPE: 'system_ds',
    });
    assert.deepEqual(templateOf(await datastore(oned, files)), {
      ALLOW_ORPHANS: 'NO', CLONE_TARGET: 'SYSTEM', DS_MAD: 'dummy', LN_TARGET: 'NONE', PERSISTENT_SNAPSHOTS: 'YES',
      RESTRICTED_DIRS: '/', SAFE_DIRS: '/var/tmp', TM_MAD: 'dummy', TYPE: 'FILE_DS',
    });
    assert.deepEqual(await clustersOf(oned, img), [c]);
    assert.deepEqual(await clustersOf(oned, sys), [0]);
    assert.equal(childInt(await datastore(oned, sys), 'TYPE'), 1);
    assert.equal(childInt(await datastore(oned, files), 'TYPE'), 2);
    assert.deepEqual(await datastoresOf(oned, c), [img, files]);
    assert.ok((await datastoresOf(oned, 0)).includes(sys));
    await refused(oned, 'one.datastore.allocate', ['NAME = "ds-images"\nDS_MAD = "fs"\nTM_MAD = "ssh"', -1], Code.ALLOCATE, new RegExp(`NAME is already taken by DATASTORE ${img}`));
    await refused(oned, 'one.datastore.allocate', ['NAME = "ds-nowhere"\nDS_MAD = "fs"\nTM_MAD = "ssh"', 9999], Code.NO_EXISTS, /Error getting cluster \[9999\]/);
  });

  test('bad templates are refused with ALLOCATE and say what is wrong', async () => {
    const oned = get();
    const bad: [string, RegExp][] = [
      ['DS_MAD = "fs"\nTM_MAD = "ssh"', /Error allocating a new datastore\. No NAME in template/],
      ['NAME = "ds-bad-type"\nTYPE = "BLOCK_DS"\nDS_MAD = "fs"\nTM_MAD = "ssh"', /Unknown datastore TYPE "BLOCK_DS"/],
      ['NAME = "ds-no-tm"\nDS_MAD = "fs"', /No TM_MAD in template/],
      ['NAME = "ds-no-ds"\nTM_MAD = "ssh"', /No DS_MAD in template/],
      ['NAME = "ds-odd-tm"\nDS_MAD = "fs"\nTM_MAD = "teleport"', /TM_MAD "teleport" is not configured in oned\.conf/],
      ['NAME = "ds-odd-ds"\nDS_MAD = "floppy"\nTM_MAD = "ssh"', /DS_MAD "floppy" is not configured/],
      ['NAME = "ds|pipe"\nDS_MAD = "fs"\nTM_MAD = "ssh"', /char '\|' is not allowed/],
      ['NAME = "ds-bad-sys"\nTYPE = "SYSTEM_DS"\nDS_MAD = "fs"\nTM_MAD = "ssh"', /SYSTEM datastores cannot have DS_MAD defined\./],
      ['NAME = "ds-bad-disk"\nDS_MAD = "fs"\nTM_MAD = "ssh"\nDISK_TYPE = "floppy"', /Unknown DISK_TYPE in template\./],
      ['NAME = "ds-bad-cdrom"\nDS_MAD = "fs"\nTM_MAD = "ssh"\nDISK_TYPE = "CDROM"', /Invalid DISK_TYPE for an Image Datastore\./],
      // fs is in TM_MAD's -d list but, as in 7.4, no TM_MAD_CONF describes it.
      ['NAME = "ds-no-conf"\nDS_MAD = "fs"\nTM_MAD = "fs"', /TM_MAD named "fs" is not defined in oned\.conf/],
    ];
    const before = await okId(oned, 'one.datastore.allocate', ['NAME = "ds-probe-1"\nDS_MAD = "dummy"\nTM_MAD = "dummy"', -1]);
    for (const [text, message] of bad) await refused(oned, 'one.datastore.allocate', [text, -1], Code.ALLOCATE, message);
    const after = await okId(oned, 'one.datastore.allocate', ['NAME = "ds-probe-2"\nDS_MAD = "dummy"\nTM_MAD = "dummy"', -1]);
    assert.equal(after, before + 1, 'a refused template takes no id');
    const pool = await okXml(oned, 'one.datastorepool.info', []);
    const names = pool.children.map((d) => childText(d, 'NAME'));
    assert.deepEqual(names.filter((n) => n.startsWith('ds-bad') || n.startsWith('ds-no') || n.startsWith('ds-odd')), [], 'nothing was created');
  });

  test('update keeps the drivers and TYPE; rename, chmod and enable', async () => {
    const oned = get();
    const id = await okId(oned, 'one.datastore.allocate', ['NAME = "ds-upd"\nDS_MAD = "fs"\nTM_MAD = "ssh"', -1]);
    await okId(oned, 'one.datastore.update', [id, 'ONLY = "this"', 0]);
    // Replaced: TYPE, the drivers, DISK_TYPE and the TM_MAD's defaults are put back.
    assert.deepEqual(templateOf(await datastore(oned, id)), {
      ALLOW_ORPHANS: 'YES', CLONE_TARGET: 'SYSTEM', DISK_TYPE: 'FILE', DS_MAD: 'fs', LN_TARGET: 'SYSTEM', ONLY: 'this', PERSISTENT_SNAPSHOTS: 'YES',
      TM_MAD: 'ssh', TYPE: 'IMAGE_DS',
    });
    await okId(oned, 'one.datastore.update', [id, 'TM_MAD = "qcow2"', 1]);
    const q = await datastore(oned, id);
    assert.equal(childText(q, 'TM_MAD'), 'qcow2');
    // The new TM_MAD's defaults replace the old one's.
    assert.deepEqual(['ALLOW_ORPHANS', 'LN_TARGET', 'DRIVER', 'TM_MAD_SYSTEM'].map((k) => templateOf(q)[k]), ['FORMAT', 'NONE', 'qcow2', 'ssh']);
    await refused(oned, 'one.datastore.update', [id, 'DISK_TYPE = "CDROM"', 1], Code.ACTION, /Invalid DISK_TYPE for an Image Datastore/);
    await okId(oned, 'one.datastore.update', [id, 'DISK_TYPE = "block"', 1]);
    assert.deepEqual([childInt(await datastore(oned, id), 'DISK_TYPE'), templateOf(await datastore(oned, id)).DISK_TYPE], [2, 'BLOCK']);
    await refused(oned, 'one.datastore.update', [id, 'TM_MAD = "teleport"', 1], Code.ACTION, /TM_MAD "teleport" is not configured/);
    await refused(oned, 'one.datastore.update', [id, 'X = 1', 7], Code.XML_RPC_API, /Wrong update type/);

    assert.equal(await okId(oned, 'one.datastore.rename', [id, 'ds-upd-renamed']), id);
    assert.equal(childText(await datastore(oned, id), 'NAME'), 'ds-upd-renamed');
    await refused(oned, 'one.datastore.rename', [id, 'default'], Code.ACTION, /NAME is already taken by DATASTORE 1/);

    await okId(oned, 'one.datastore.chmod', [id, 1, 1, 0, 1, 0, 0, 0, 0, 0]);
    assert.equal(permissionsOf(await datastore(oned, id)), '110100000');

    await refused(oned, 'one.datastore.enable', [id, false], Code.ACTION, /Only system datastores/);
    await okId(oned, 'one.datastore.enable', [0, false]);
    assert.equal(childInt(await datastore(oned, 0), 'STATE'), 1);
    await okId(oned, 'one.datastore.enable', [0, true]);
    assert.equal(childInt(await datastore(oned, 0), 'STATE'), 0);
  });

  test('the Go client\'s datastore suite, call by call (its chown to user 1 aside: here a user of ours)', async () => {
    const oned = get();
    const id = await okId(oned, 'one.datastore.allocate', ['\n\t\tNAME   = test_ds\n        TYPE   = system_ds\n        TM_MAD = dummy', -1]);
    const ds = await datastore(oned, id);
    assert.deepEqual([childInt(ds, 'ID'), templateOf(ds).TM_MAD], [id, 'dummy']);
    // As 7.4 answered for the same template (reference 031).
    assert.deepEqual(templateOf(ds), {
      ALLOW_ORPHANS: 'NO', DISK_TYPE: 'FILE', DS_LIVE_MIGRATE: 'YES', DS_MIGRATE: 'YES', DS_MIGRATE_SNAP: 'YES', PERSISTENT_SNAPSHOTS: 'YES',
      RESTRICTED_DIRS: '/', SAFE_DIRS: '/var/tmp', SHARED: 'YES', TM_MAD: 'dummy', TYPE: 'system_ds',
    });
    const pool = await okXml(oned, 'one.datastorepool.info', []);
    assert.deepEqual(pool.children.filter((d) => childText(d, 'NAME') === 'test_ds').map((d) => childInt(d, 'ID')), [id]);
    await okId(oned, 'one.datastore.update', [id, 'RESTRICTED_DIRS="/tmp"', 1]);
    assert.equal(templateOf(await datastore(oned, id)).RESTRICTED_DIRS, '/tmp');
    await okId(oned, 'one.datastore.rename', [id, 'new_name']);
    assert.equal(childText(await datastore(oned, id), 'NAME'), 'new_name');
    const user = await addUser(oned, 'goca-ds-owner');
    await okId(oned, 'one.datastore.chown', [id, user.id, 1]);
    await okId(oned, 'one.datastore.chmod', [id, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    assert.equal(permissionsOf(await datastore(oned, id)), '111111111');
    await okId(oned, 'one.datastore.enable', [id, false]);
    assert.equal(childInt(await datastore(oned, id), 'STATE'), 1, 'DISABLE');
    await okId(oned, 'one.datastore.enable', [id, true]);
    assert.equal(childInt(await datastore(oned, id), 'STATE'), 0, 'READY');
    await okId(oned, 'one.datastore.delete', [id]);
    await refused(oned, 'one.datastore.info', [id], Code.NO_EXISTS, /Error getting datastore/);
  });

  test('cluster membership both ways: several clusters, none, and the cluster\'s DATASTORES', async () => {
    const oned = get();
    const c1 = await okId(oned, 'one.cluster.allocate', ['ds-member-1']);
    const c2 = await okId(oned, 'one.cluster.allocate', ['ds-member-2']);
    const id = await okId(oned, 'one.datastore.allocate', ['NAME = "ds-member"\nDS_MAD = "fs"\nTM_MAD = "ssh"', c1]);
    assert.equal(await okId(oned, 'one.cluster.adddatastore', [c2, id]), c2);
    assert.deepEqual(await clustersOf(oned, id), [c1, c2]);
    assert.deepEqual(await datastoresOf(oned, c2), [id]);
    await refused(oned, 'one.cluster.adddatastore', [c2, id], Code.ACTION, new RegExp(`Datastore ${id} is already in cluster ${c2}`));
    await refused(oned, 'one.cluster.delete', [c2], Code.ACTION, /is not empty, it contains 1 datastores/);

    assert.equal(await okId(oned, 'one.cluster.deldatastore', [c1, id]), c1);
    assert.deepEqual(await clustersOf(oned, id), [c2]);
    assert.deepEqual(await datastoresOf(oned, c1), []);
    await okId(oned, 'one.cluster.deldatastore', [c2, id]);
    assert.deepEqual(await clustersOf(oned, id), [], 'out of its last cluster: in none');
    await refused(oned, 'one.cluster.deldatastore', [c2, id], Code.ACTION, new RegExp(`Datastore ${id} is not in cluster ${c2}`));
    await refused(oned, 'one.cluster.adddatastore', [c1, 9999], Code.NO_EXISTS, /Error getting datastore \[9999\]/);
    await okId(oned, 'one.cluster.delete', [c2]);
  });

  test('delete: out of its clusters; then gone', async () => {
    const oned = get();
    const c = await okId(oned, 'one.cluster.allocate', ['ds-del-cluster']);
    const id = await okId(oned, 'one.datastore.allocate', ['NAME = "ds-del"\nDS_MAD = "fs"\nTM_MAD = "ssh"', c]);
    assert.equal(await okId(oned, 'one.datastore.delete', [id]), id);
    await refused(oned, 'one.datastore.info', [id], Code.NO_EXISTS, new RegExp(`Error getting datastore \\[${id}\\]`));
    assert.deepEqual(await datastoresOf(oned, c), []);
    assert.ok(!idsIn(await okXml(oned, 'one.datastorepool.info', []), 'DATASTORE').includes(id));
    await refused(oned, 'one.datastore.delete', [id], Code.NO_EXISTS, /Error getting datastore/);
  });

  test('regular users may not create, see or change oneadmin\'s datastores; those of "users" may see them', async () => {
    const oned = get();
    const id = await okId(oned, 'one.datastore.allocate', ['NAME = "ds-private"\nDS_MAD = "fs"\nTM_MAD = "ssh"', -1]);
    // Outside the default VDC, which lets the members of "users" use every datastore (see below).
    const mallory = await addUserOutsideVdc(oned, 'ds-mallory');
    const s = mallory.session;
    await refused(oned, 'one.datastore.allocate', ['NAME = "ds-mallory"\nDS_MAD = "fs"\nTM_MAD = "ssh"', -1], Code.AUTHORIZATION, /Not authorized to perform CREATE DATASTORE/, s);
    await refused(oned, 'one.datastore.info', [id], Code.AUTHORIZATION, new RegExp(`Not authorized to perform USE DATASTORE \\[${id}\\]`), s);
    const member = await addUser(oned, 'ds-member');
    assert.equal(childText(await okXml(oned, 'one.datastore.info', [id], member.session), 'NAME'), 'ds-private');
    assert.ok(idsIn(await okXml(oned, 'one.datastorepool.info', [], member.session), 'DATASTORE').includes(id));
    await refused(oned, 'one.datastore.rename', [id, 'ds-stolen'], Code.AUTHORIZATION, /Not authorized to perform MANAGE DATASTORE/, member.session);
    for (const [method, params] of [
      ['one.datastore.update', [id, 'A = 1', 1]],
      ['one.datastore.rename', [id, 'ds-stolen']],
      ['one.datastore.delete', [id]],
      ['one.datastore.enable', [0, false]],
    ] as const) {
      await refused(oned, method, [...params], Code.AUTHORIZATION, /Not authorized to perform MANAGE DATASTORE/, s);
    }
    assert.ok(!idsIn(await okXml(oned, 'one.datastorepool.info', [], s), 'DATASTORE').includes(id));
    assert.equal(childText(await datastore(oned, id), 'NAME'), 'ds-private');
  });

  test('datastores and their clusters survive a restart; ids go on', async () => {
    const oned = get();
    const c = await okId(oned, 'one.cluster.allocate', ['ds-persist-cluster']);
    const a = await okId(oned, 'one.datastore.allocate', ['NAME = "ds-persist-a"\nDS_MAD = "fs"\nTM_MAD = "ssh"\nNOTE = "<&>"', c]);
    await okId(oned, 'one.cluster.adddatastore', [0, a]);
    const dropped = await okId(oned, 'one.datastore.allocate', ['NAME = "ds-persist-dropped"\nTYPE = "SYSTEM_DS"\nTM_MAD = "ssh"', -1]);
    await okId(oned, 'one.datastore.delete', [dropped]);
    const calls: [string, number[]][] = [
      ['one.datastorepool.info', []],
      ['one.datastore.info', [a]],
      ['one.cluster.info', [c]],
    ];
    // Capacity is monitoring data: a restart measures every datastore again.
    const stored = async (m: string, p: number[]) => String(await oned.ok(m, p)).replace(/<TOTAL_MB>\d+<\/TOTAL_MB><FREE_MB>\d+<\/FREE_MB><USED_MB>\d+<\/USED_MB>/g, '');
    const before = [];
    for (const [m, p] of calls) before.push(await stored(m, p));
    assert.equal(await oned.signal('SIGTERM'), 0);
    await oned.launch();
    for (let i = 0; i < calls.length; i++) assert.equal(await stored(calls[i]![0], calls[i]![1]), before[i], calls[i]![0]);
    assert.equal(templateOf(await datastore(oned, a)).NOTE, '<&>');
    assert.ok((await okId(oned, 'one.datastore.allocate', ['NAME = "ds-persist-next"\nDS_MAD = "fs"\nTM_MAD = "ssh"', -1])) > dropped);
  });
});
