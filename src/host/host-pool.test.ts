import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from '../common/template/index.js';
import { openDatabase } from '../db/index.js';
import type { Database, Write } from '../db/database.js';
import { Transaction } from '../pool/index.js';
import { Cluster, ClusterPool } from '../cluster/index.js';
import { Host, HostState } from './host.js';
import { HostPool } from './host-pool.js';

/** A SQLite database that records the tables each commit writes. */
async function recordingDb(): Promise<{ db: Database; tables: string[][] }> {
  const db = await openDatabase({ backend: 'sqlite', file: join(mkdtempSync(join(tmpdir(), 'hosts-')), 'one.db') });
  await db.migrate();
  const tables: string[][] = [];
  const write = db.write.bind(db);
  Object.assign(db, { write: (w: readonly Write[]) => (tables.push(w.map((x) => x.table)), write(w)) });
  return { db, tables };
}

async function setup() {
  const { db, tables } = await recordingDb();
  const clusters = new ClusterPool();
  const hosts = new HostPool(clusters);
  const tx = new Transaction(db);
  const cluster = tx.create(clusters, Cluster.create(clusters.nextOid(), 'default'));
  const host = tx.create(hosts, Host.create(hosts.nextOid(), 'h0', 'dummy', 'dummy', cluster.oid, cluster.name));
  cluster.hosts.add(host.oid);
  await tx.commit();
  tables.length = 0;
  return { db, tables, clusters, hosts, cluster, host };
}

const probe = (free: number, total = 800) => Template.parse(`HYPERVISOR = "dummy"\nTOTALCPU = ${total}\nTOTALMEMORY = 1024\nFREECPU = ${free}\nUSEDCPU = ${total - free}`);

async function monitor(db: Database, hosts: HostPool, host: Host, free: number, now: number, total = 800): Promise<void> {
  const tx = new Transaction(db);
  assert.ok(host.startMonitoring(now));
  hosts.monitoringSucceeded(tx, host, probe(free, total), now);
  await tx.commit();
}

test('monitoring: samples go to host_monitoring; the host row is written only when the host changes', async () => {
  const { db, tables, hosts, host } = await setup();
  await monitor(db, hosts, host, 700, 1000);
  assert.deepEqual(tables.pop()!.sort(), ['host_monitoring', 'host_pool'], 'first report: INIT -> MONITORED');
  assert.equal(host.state, HostState.MONITORED);
  await monitor(db, hosts, host, 650, 1030);
  await monitor(db, hosts, host, 600, 1060);
  assert.deepEqual(tables.splice(0), [['host_monitoring'], ['host_monitoring']], 'only measurements changed');
  await monitor(db, hosts, host, 600, 1090, 1600);
  assert.deepEqual(tables.pop()!.sort(), ['host_monitoring', 'host_pool'], 'the total changed');
  assert.equal(host.share.maxCpu, 1600);

  const rows = await db.query('SELECT hid, last_mon_time FROM host_monitoring ORDER BY last_mon_time');
  assert.deepEqual(rows.map((r) => Number(r.last_mon_time)), [1000, 1030, 1060, 1090]);
  const history = await hosts.monitoringXml(db, host.oid);
  assert.equal((history.match(/<MONITORING>/g) ?? []).length, 4);
  assert.match(history, /^<MONITORING_DATA><MONITORING><TIMESTAMP>1000<\/TIMESTAMP><ID>0<\/ID><CAPACITY><FREE_CPU>700<\/FREE_CPU>/);
  assert.equal((await hosts.poolMonitoringXml(db, 50, 1100)).match(/<MONITORING>/g)?.length, 2, 'the last 50 seconds');
  assert.equal(await hosts.poolMonitoringXml(db, 0, 1100), `<MONITORING_DATA>${host.monitoring!.xml}</MONITORING_DATA>`);
  assert.equal(await hosts.poolMonitoringXml(db, 0, 1100, () => false), '<MONITORING_DATA></MONITORING_DATA>');

  // A restart finds the latest sample.
  const clusters2 = new ClusterPool();
  await clusters2.load(db);
  const reloaded = new HostPool(clusters2);
  await reloaded.load(db);
  const h = reloaded.get(host.oid)!;
  assert.equal(h.lastMonTime, 1090);
  assert.equal(h.toXml(), host.toXml());
  await db.close();
});

test('a failure is written with its message; a round must end before the next starts', async () => {
  const { db, tables, hosts, host } = await setup();
  assert.ok(host.startMonitoring(5));
  assert.equal(host.startMonitoring(6), false);
  const tx = new Transaction(db);
  hosts.monitoringFailed(tx, host, 'probe timed out', 7);
  await tx.commit();
  assert.deepEqual(tables.pop(), ['host_pool']);
  assert.equal(host.state, HostState.ERROR);
  const row = await db.query('SELECT state, body FROM host_pool WHERE oid = ?', [host.oid]);
  assert.equal(Number(row[0]!.state), HostState.ERROR);
  assert.match(String(row[0]!.body), /<ERROR>[^<]*Error monitoring Host h0 \(0\): probe timed out<\/ERROR>/);
  assert.ok(host.startMonitoring(8), 'the failure ended the round');
  await db.close();
});

test('reserved capacity: the host\'s own, else its cluster\'s; refreshed only when it changes', async () => {
  const { db, tables, hosts, cluster, host } = await setup();
  await monitor(db, hosts, host, 800, 1);
  assert.equal(host.share.maxCpu, 800);
  tables.length = 0;
  cluster.template.set('RESERVED_CPU', '25%');
  cluster.template.set('RESERVED_MEM', '24');
  let tx = new Transaction(db);
  hosts.refreshCapacity(tx, host);
  await tx.commit();
  assert.deepEqual([host.share.maxCpu, host.share.maxMem], [600, 1000]);
  assert.deepEqual(tables.pop(), ['host_pool']);
  host.template.set('RESERVED_CPU', '100');
  tx = new Transaction(db);
  hosts.refreshCapacity(tx, host);
  hosts.refreshCapacity(tx, host);
  await tx.commit();
  assert.deepEqual([host.share.maxCpu, host.share.maxMem], [700, 1000], 'CPU from the host, memory still from the cluster');
  tx = new Transaction(db);
  hosts.refreshCapacity(tx, host);
  await tx.commit();
  assert.equal(tables.length, 1, 'nothing to write when nothing changed');
  await db.close();
});

test('a failed commit keeps the in-memory monitoring of the restored host', async () => {
  const { db, hosts, host } = await setup();
  await monitor(db, hosts, host, 700, 10);
  const sample = host.monitoring;
  const tx = new Transaction(db);
  tx.touch(hosts, host).disable();
  Object.assign(db, { write: async () => Promise.reject(new Error('disk full')) });
  await assert.rejects(tx.commit(), /disk full/);
  const restored = hosts.get(host.oid)!;
  assert.equal(restored.state, HostState.MONITORED);
  assert.equal(restored.monitoring, sample);
});
