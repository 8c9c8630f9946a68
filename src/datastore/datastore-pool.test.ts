import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../db/index.js';
import { Transaction } from '../pool/index.js';
import { Cluster, ClusterPool } from '../cluster/index.js';
import { DatastorePool } from './datastore-pool.js';
import { DatastoreType } from './datastore.js';

test('the default datastores: system, default and files in cluster 0, stored and loaded back; never recreated', async () => {
  const db = await openDatabase({ backend: 'sqlite', file: join(mkdtempSync(join(tmpdir(), 'ds-')), 'one.db') });
  await db.migrate();
  try {
    const clusters = new ClusterPool();
    const pool = new DatastorePool({ location: '/var/ds' });
    const tx = new Transaction(db);
    tx.create(clusters, Cluster.create(clusters.nextOid(), 'default'));
    assert.equal(pool.createDefaults(tx, clusters), true);
    await tx.commit();

    const loaded = new DatastorePool({ location: '/elsewhere' });
    await loaded.load(db);
    const loadedClusters = new ClusterPool();
    await loadedClusters.load(db);
    assert.deepEqual([...loaded.all()].map((d) => [d.oid, d.name, d.fields.dsType, d.fields.dsMad, d.fields.tmMad, d.fields.basePath]), [
      [0, 'system', DatastoreType.SYSTEM_DS, '-', 'ssh', '/var/ds/0'],
      [1, 'default', DatastoreType.IMAGE_DS, 'fs', 'ssh', '/var/ds/1'],
      [2, 'files', DatastoreType.FILE_DS, 'fs', 'ssh', '/var/ds/2'],
    ]);
    assert.deepEqual([...loadedClusters.get(0)!.datastores], [0, 1, 2]);
    assert.deepEqual(loaded.get(1)!.clusterIds, [0]);
    // Users may register files from /var/tmp only, as OpenNebula ships its datastores.
    for (const d of loaded.all()) {
      assert.deepEqual([d.template.get('RESTRICTED_DIRS'), d.template.get('SAFE_DIRS')], ['/', '/var/tmp'], `datastore ${d.oid}`);
    }

    const del = new Transaction(db);
    del.delete(loaded, loaded.get(0)!);
    await del.commit();
    const fresh = new DatastorePool({ location: '/var/ds' });
    await fresh.load(db);
    assert.equal(fresh.createDefaults(new Transaction(db), loadedClusters), false, 'a database that had datastores keeps what is left');
    assert.deepEqual([...fresh.all()].map((d) => d.oid), [1, 2]);
  } finally {
    await db.close();
  }
});
