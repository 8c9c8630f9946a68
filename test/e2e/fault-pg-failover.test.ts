/**
 * Fault injection: oned on a highly available PostgreSQL (three Patroni nodes over etcd,
 * synchronous replication) under a write load, through (a) a planned switchover with patronictl
 * and (b) a crash of the primary (its postmaster killed with SIGKILL; Patroni fails over to the
 * synchronous standby). oned follows the new primary, no acknowledged write is lost, and the time
 * from the kill to the first acknowledged write is measured and printed (bench/README.md).
 * Slow (minutes; installs patroni and etcd-server): run with `npm run test:faults`.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Oned } from './harness.js';
import { PatroniCluster, patroniUnavailable } from './patroni-cluster.js';
import { WriteLoad } from './write-load.js';

const DB = 'nebula_ha';
const CLIENTS = 4;

describe('oned on a Patroni cluster', { skip: patroniUnavailable() }, () => {
  let cluster: PatroniCluster;
  let oned: Oned;

  before(async () => {
    cluster = await PatroniCluster.create();
    oned = await Oned.start({ backend: 'postgresql', db: cluster.dbSection(DB, 'OUTAGE_TIMEOUT = 60') });
  });
  after(async () => {
    await oned?.stop().catch(() => {});
    await cluster?.destroy();
  });

  const dbLog = (): string => readFileSync(join(oned.location, 'var', 'oned.log'), 'utf8').split('\n').filter((l) => l.includes('[DBM]')).join('\n');

  /** Runs the load around `fault`; checks every acknowledged write is on the new primary and in a restarted oned. */
  async function underLoad(prefix: string, fault: () => Promise<{ to: { name: string; pgPort: number } }>): Promise<{ load: WriteLoad; faultAt: number; firstAck: number }> {
    const load = new WriteLoad(oned, CLIENTS, prefix);
    load.start();
    await load.firstAckSentAfter(Date.now());
    await sleep(2000);
    const faultAt = Date.now();
    const { to } = await fault();
    await load.firstAckSentAfter(faultAt);
    await sleep(2000);
    await load.stop();

    assert.deepEqual(load.transportErrors, [], 'oned answered every call');
    assert.deepEqual(load.failures, [], 'no write failed: each waited for the new primary');
    assert.equal((await cluster.primary()).name, to.name, 'the expected node is the primary');
    assert.match(dbLog(), new RegExp(`Using the database server 127\\.0\\.0\\.1:${to.pgPort}`), 'oned uses the new primary');
    await load.checkDatabase((sql) => cluster.query(DB, sql));
    await load.checkOned(oned, 'in memory');
    return { load, faultAt, firstAck: load.resumedAfter(faultAt) };
  }

  test('a switchover with patronictl: oned follows the new primary, no acknowledged write lost', async (t) => {
    const { load, faultAt, firstAck } = await underLoad('sw', () => cluster.switchover());
    t.diagnostic(`switchover: ${load.acks.length} writes acknowledged, writes resumed ${firstAck - faultAt} ms after the switchover started`);
  });

  test('kill -9 of the primary\'s postmaster: failover to the synchronous standby, no acknowledged write lost', async (t) => {
    await cluster.waitHealthy();
    const { load, faultAt, firstAck } = await underLoad('crash', () => cluster.crashPrimary());
    const failoverMs = firstAck - faultAt;
    t.diagnostic(`FAILOVER kill -9 -> writes acknowledged again: ${failoverMs} ms; ${load.acks.length} writes acknowledged, 0 lost`);
    console.log(`failover (kill -9 of the primary's postmaster -> writes acknowledged again): ${failoverMs} ms, writes lost: 0 of ${load.acks.length}`);
    t.diagnostic(dbLog());

    // Every acknowledged write again through a restarted oned (it finds the new primary at start).
    assert.equal(await oned.signal('SIGKILL'), 'SIGKILL');
    await oned.launch();
    await load.checkOned(oned, 'after a restart');
    assert.ok(((await oned.ok('one.user.allocate', ['after-failover', 'pw', ''])) as number) > 0, 'writes work');
  });
});
