import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Database, Write } from '../db/database.js';
import { Cluster } from './cluster.js';
import { ClusterPool } from './cluster-pool.js';

/** A database that records writes, or refuses them while `failing`. */
function fakeDb() {
  const writes: Write[][] = [];
  const db = {
    failing: false,
    writes,
    write: async (w: readonly Write[]) => {
      if (db.failing) throw new Error('disk full');
      writes.push([...w]);
    },
  };
  return db;
}

const hostsInRow = (w: Write) => /<HOSTS>(.*?)<\/HOSTS>|<HOSTS\/>/.exec(String((w as unknown as { row: { body: string } }).row.body))![1] ?? '';

test('host changes are in memory at once and written together, once, by flush', async () => {
  const pool = new ClusterPool();
  pool.add(Cluster.create(0, 'default'));
  const db = fakeDb();
  for (let hid = 0; hid < 1000; hid++) pool.setHost(db as unknown as Database, 0, hid, true);
  pool.setHost(db as unknown as Database, 0, 7, false);
  assert.equal(pool.get(0)!.hosts.size, 999);
  assert.match(pool.get(0)!.toXml(), /<HOSTS><ID>0<\/ID><ID>1<\/ID>.*<ID>999<\/ID><\/HOSTS>/);
  assert.equal(db.writes.length, 0, 'not written per change');
  await pool.flush();
  assert.equal(db.writes.length, 1);
  assert.equal(db.writes[0]!.length, 1);
  assert.doesNotMatch(hostsInRow(db.writes[0]![0]!), /<ID>7<\/ID>/);
  await pool.flush();
  assert.equal(db.writes.length, 1, 'nothing left to write');
});

test('a cluster put back from an older row keeps the changes not yet written; a failed write is tried again', async () => {
  const pool = new ClusterPool();
  pool.add(Cluster.create(0, 'default'));
  const db = fakeDb();
  const row = pool.get(0)!.toBody();
  pool.setHost(db as unknown as Database, 0, 5, true);
  db.failing = true;
  let errors = 0;
  pool.onWriteError = () => errors++;
  await pool.flush();
  assert.equal(errors, 1);
  pool.restore(0, row); // as after another call's failed commit
  assert.deepEqual([...pool.get(0)!.hosts], [5]);
  db.failing = false;
  await pool.flush();
  assert.match(hostsInRow(db.writes[0]![0]!), /<ID>5<\/ID>/);
});

test('reconcileHosts makes each list the hosts whose CLUSTER_ID names it', async () => {
  const pool = new ClusterPool();
  pool.add(new Cluster(0, 'default', Cluster.create(0, 'x').template, [1, 2]));
  pool.add(Cluster.create(100, 'other'));
  const db = fakeDb();
  pool.reconcileHosts(db as unknown as Database, [{ oid: 1, clusterId: 0 }, { oid: 2, clusterId: 100 }, { oid: 3, clusterId: 100 }]);
  assert.deepEqual([...pool.get(0)!.hosts], [1]);
  assert.deepEqual([...pool.get(100)!.hosts].sort(), [2, 3]);
  await pool.flush();
  assert.equal(db.writes[0]!.length, 2, 'both rows written again');
});
