/**
 * Fault injection: oned's PostgreSQL server stops for a while under a write load. oned stays up;
 * reads of objects in memory are answered during the outage; writes wait for the server (up to
 * DB OUTAGE_TIMEOUT) and succeed, or fail with an error that says the database did not answer;
 * every acknowledged write is in the database afterwards (read directly, and through a restarted
 * oned), and writes work again. Slow (minutes): run with `npm run test:faults`.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Oned } from './harness.js';
import { PgCluster, privatePgUnavailable } from './pg-cluster.js';
import { WriteLoad } from './write-load.js';

const DB = 'nebula_outage';
/** The long outage: writes wait it out (OUTAGE_TIMEOUT is longer). */
const LONG_OUTAGE_MS = 30_000;
/** The short-timeout outage: writes give up after OUTAGE_TIMEOUT = 5 s. */
const SHORT_OUTAGE_MS = 15_000;

describe('oned through a PostgreSQL outage', { skip: privatePgUnavailable() }, () => {
  let cluster: PgCluster;
  let oned: Oned;

  before(async () => {
    cluster = await PgCluster.create();
  });
  after(async () => {
    await oned?.stop().catch(() => {});
    cluster?.destroy();
  });

  /** oned's log lines of the database layer. */
  const dbLog = (): string => readFileSync(join(oned.location, 'var', 'oned.log'), 'utf8').split('\n').filter((l) => l.includes('[DBM]')).join('\n');

  /** Reads during the outage: a user's info from memory, answered within a second or two. */
  async function readsDuringOutage(until: number): Promise<number[]> {
    const times: number[] = [];
    while (Date.now() < until - 2000) {
      const t = Date.now();
      await oned.ok('one.user.info', [0]);
      times.push(Date.now() - t);
      await sleep(1000);
    }
    return times;
  }

  test('a 30 s outage: writes wait and succeed, reads are answered from memory, nothing acknowledged is lost', async (t) => {
    oned = await Oned.start({ backend: 'postgresql', db: cluster.dbSection(DB).replace(' ]', ', OUTAGE_TIMEOUT = 60 ]') });
    const load = new WriteLoad(oned, 4, 'long');
    load.start();
    await load.firstAckSentAfter(Date.now());
    await sleep(1000);
    cluster.stop();
    const stoppedAt = Date.now();
    const readTimes = await readsDuringOutage(stoppedAt + LONG_OUTAGE_MS);
    // A reply to a commit made just before the stop may arrive a moment after it.
    const ackedDuring = load.acks.filter((a) => a.ackAt > stoppedAt + 1000).length;
    cluster.start();
    const restartedAt = Date.now();
    const firstAfter = await load.firstAckSentAfter(restartedAt);
    await sleep(1000);
    await load.stop();

    assert.equal(ackedDuring, 0, 'no write was acknowledged while the server was down');
    assert.ok(readTimes.length >= 10, `reads were answered during the outage (${readTimes.length})`);
    assert.ok(Math.max(...readTimes) < 2000, `reads answered from memory at once: ${readTimes.join(', ')} ms`);
    assert.deepEqual(load.failures, [], 'no write failed: each waited for the server');
    assert.deepEqual(load.transportErrors, [], 'oned answered every call');
    assert.match(dbLog(), /Lost the database server 127\.0\.0\.1:\d+/, 'the log says the connection was lost');
    assert.match(dbLog(), /Using the database server 127\.0\.0\.1:\d+/, 'and that it is back');
    t.diagnostic(dbLog());
    t.diagnostic(`${load.acks.length} writes acknowledged; the first write sent after the restart took ${firstAfter.ackAt - firstAfter.sentAt} ms`);

    await load.checkDatabase((sql) => cluster.query(DB, sql));
    await load.checkOned(oned, 'in memory');
    assert.equal(await oned.signal('SIGKILL'), 'SIGKILL');
    await oned.launch();
    await load.checkOned(oned, 'after a restart');
  });

  test('with OUTAGE_TIMEOUT = 5 writes fail with a clear error, then work again; nothing acknowledged is lost', async (t) => {
    await oned.stop(); // its own DB section: the database stays
    oned = await Oned.start({ backend: 'postgresql', db: cluster.dbSection(DB).replace(' ]', ', OUTAGE_TIMEOUT = 5 ]') });
    const load = new WriteLoad(oned, 4, 'short');
    load.start();
    await load.firstAckSentAfter(Date.now());
    await sleep(1000);
    cluster.stop();
    await sleep(SHORT_OUTAGE_MS);
    // Calls wait while oned re-reads what a failed commit touched: the process is asked, not the API.
    assert.doesNotThrow(() => process.kill(oned.pid, 0), 'oned is running');
    cluster.start();
    await load.firstAckSentAfter(Date.now());
    await sleep(1000);
    await load.stop();
    assert.equal(await oned.ok('one.system.version', []), '6.10.0', 'oned answers');

    assert.ok(load.failures.length > 0, 'writes failed during the outage');
    for (const f of load.failures) {
      assert.match(f, /no database server answered within 5 s|The database failed while this call ran; nothing was changed/, f);
    }
    assert.deepEqual(load.transportErrors, [], 'oned answered every call');
    assert.match(dbLog(), /A commit failed: no database server answered within 5 s/, 'the log says what happened to the failed commit');
    t.diagnostic(dbLog());
    t.diagnostic(`${load.acks.length} writes acknowledged, ${load.failures.length} refused`);
    const uid = (await oned.ok('one.user.allocate', ['after-outage', 'pw', ''])) as number;
    assert.ok(uid > 0, 'writes work again');

    await load.checkDatabase((sql) => cluster.query(DB, sql));
    await load.checkOned(oned, 'in memory');
    assert.equal(await oned.signal('SIGKILL'), 'SIGKILL');
    await oned.launch();
    await load.checkOned(oned, 'after a restart');
  });
});
