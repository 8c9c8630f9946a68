/**
 * Leader election and fencing on a real PostgreSQL (the shared test server at 127.0.0.1:5432, a
 * database of its own): one leader at a time, a follower takes over when the leader's session
 * dies, and an old leader's writes are refused once a new epoch is claimed.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type MeteredDatabase } from '../db/index.js';
import type { DbConfig } from '../db/database.js';
import { connectLocal } from '../zone/federation/index.js';
import { Elector, RaftState } from './elector.js';
import { claimEpoch, fenceStatement, readLeader, setupLeaderTable } from './leader-lock.js';

const dbName = `nebula_ha_${randomBytes(5).toString('hex')}`;
const config: DbConfig = { backend: 'postgresql', server: '127.0.0.1', port: 5432, user: 'postgres', passwd: '', dbName, connections: 4 };
let db: MeteredDatabase;
const electors: Elector[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, ms: number, check: () => boolean): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) assert.fail(`${what}: not within ${ms} ms`);
    await sleep(20);
  }
}

function elector(serverId: number, events: string[]): Elector {
  const e = new Elector({
    serverId,
    endpoint: () => `http://server-${serverId}:2633/RPC2`,
    intervalMs: 100,
    connect: () => connectLocal(config),
    onLeader: async (epoch) => void events.push(`leader ${epoch}`),
    onFollower: (l) => void events.push(`follower of ${l.serverId}`),
    onLost: (reason) => void events.push(`lost: ${reason}`),
    log: (level: string, m: string) => { if (process.env.HA_DEBUG) console.log(serverId, level, m); },
  });
  electors.push(e);
  return e;
}

before(async () => {
  db = await openDatabase(config); // creates the database
  await db.migrate();
});

after(async () => {
  for (const e of electors) await e.stop();
  await db.close();
  const c = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres' });
  await c.connect();
  await c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(dbName)} WITH (FORCE)`);
  await c.end();
});

test('one leader at a time; a follower takes over when the leader\'s session dies; the old leader learns it lost', async () => {
  const e0: string[] = [];
  const e1: string[] = [];
  const a = elector(0, e0);
  await a.start();
  const b = elector(1, e1);
  await b.start();
  assert.equal(a.state, RaftState.LEADER);
  assert.equal(b.state, RaftState.FOLLOWER);
  assert.deepEqual(e0, ['leader 1']);
  assert.deepEqual(e1, ['follower of 0']);
  assert.deepEqual(b.leader, { epoch: 1, serverId: 0, endpoint: 'http://server-0:2633/RPC2', held: true });

  // The leader's lock session is killed (as PostgreSQL does when the leader's host dies).
  const admin = await connectLocal(config);
  await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND objid = $1 AND granted`, [0x6f6e6564]);
  await until('the follower leads', 20_000, () => b.state === RaftState.LEADER);
  assert.deepEqual(e1, ['follower of 0', 'leader 2']);
  await until('the old leader knows', 20_000, () => e0.some((e) => e.startsWith('lost:')));
  assert.notEqual(a.state, RaftState.LEADER);
  // It becomes a follower of the new leader at its next try.
  await until('the old leader follows', 20_000, () => a.state === RaftState.FOLLOWER);
  assert.equal(a.leader.serverId, 1);
  assert.equal((await readLeader(admin)).epoch, 2);
  await admin.end();
});

test('fencing: a write of an old epoch is refused; the epoch claim waits for the writes committing', async () => {
  const admin = await connectLocal(config);
  await setupLeaderTable(admin);
  const epoch = (await readLeader(admin)).epoch;
  db.fence = fenceStatement(epoch);
  await db.write([{ kind: 'upsert', table: 'system_attributes', row: { name: 'HA_TEST', body: 'one' } }]);

  // A transaction of the current leader is committing (it holds the leader row FOR SHARE)...
  const writer = await connectLocal(config);
  await writer.query('BEGIN');
  await writer.query(fenceStatement(epoch).sql);
  let claimed = 0;
  const claim = claimEpoch(admin, 9, 'http://new:2633/RPC2').then((e) => (claimed = e));
  await sleep(300);
  assert.equal(claimed, 0, 'the new epoch waits for the old leader\'s transaction');
  await writer.query('COMMIT');
  await claim;
  assert.equal(claimed, epoch + 1);

  // ...and after the claim, the old leader's writes fail, nothing of them stored.
  await assert.rejects(db.write([{ kind: 'upsert', table: 'system_attributes', row: { name: 'HA_TEST', body: 'two' } }]), /no longer the leader/);
  assert.equal(String((await db.query('SELECT body FROM system_attributes WHERE name = ?', ['HA_TEST']))[0]?.body), 'one');
  db.fence = fenceStatement(claimed);
  await db.write([{ kind: 'upsert', table: 'system_attributes', row: { name: 'HA_TEST', body: 'three' } }]);
  // A fenced oned (epoch -1) writes nothing at all.
  db.fence = fenceStatement(-1);
  await assert.rejects(db.write([{ kind: 'delete', table: 'system_attributes', where: { name: 'HA_TEST' } }]), /no longer the leader/);
  db.fence = undefined;
  assert.equal(String((await db.query('SELECT body FROM system_attributes WHERE name = ?', ['HA_TEST']))[0]?.body), 'three');
  await writer.end();
  await admin.end();
});
