/**
 * Durability: oned replies to a write only once it is committed, so `kill -9` in the middle of a
 * stream of writes from concurrent clients loses nothing that was acknowledged, and leaves
 * nothing half-written (a transaction's rows are all there or none are). The same must hold
 * when the database server drops oned's connections in the middle of the stream.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import mysql from 'mysql2/promise';
import { BACKENDS, Oned } from './harness.js';
import { child, childInt, childText, parseXmlTree, type XmlNode } from '../../src/common/xml-tree.js';
import type { XmlRpcClient, XmlRpcValue } from '../../src/rpc/xmlrpc/index.js';

const CLIENTS = 8;
const CYCLES = 3;
/** The stream runs this long (plus a random part) before the kill... */
const MIN_STREAM_MS = 300;
const RANDOM_STREAM_MS = 500;
/** ...and has had at least this many writes acknowledged, so every cycle kills a busy oned. */
const MIN_ACKS_BEFORE_KILL = 3 * CLIENTS;
/** How long the database server keeps cutting oned's connections. */
const CUTTING_MS = 3000;
/** A call oned answered with a failure: never expected here, unlike a broken connection. */
class CallFailed extends Error {}

/** What oned acknowledged (and, for template updates, what was sent at all). */
class Ledger {
  /** Acknowledged users: name → id. */
  readonly users = new Map<string, number>();
  /** Users each client created and keeps updating (only it updates them, so its SEQ values grow). */
  readonly owned: number[][] = Array.from({ length: CLIENTS }, () => []);
  /** Highest SEQ sent to a user, acknowledged or not. */
  readonly seqSent = new Map<number, number>();
  /** Highest SEQ acknowledged for a user. */
  readonly seqAcked = new Map<number, number>();
  /** Acknowledged documents: name → id. */
  readonly docs = new Map<string, number>();
  /** Names of documents whose deletion was sent: they may be gone... */
  readonly deleteSent = new Set<string>();
  /** ...and must be gone once it was acknowledged. */
  readonly deletedDocs = new Set<string>();
  acks = 0;
}

function maxOf(ids: Iterable<number>): number {
  let max = -1;
  for (const id of ids) max = Math.max(max, id);
  return max;
}

/** Calls as oneadmin; resolves with the value of a success, throws CallFailed on a failure. */
async function write(client: XmlRpcClient, oned: Oned, method: string, params: XmlRpcValue[]): Promise<XmlRpcValue> {
  const r = (await client.call(method, [oned.oneadmin, ...params])) as XmlRpcValue[];
  if (r[0] !== true) throw new CallFailed(`${method} failed: ${String(r[1])} (code ${String(r[2])})`);
  return r[1]!;
}

/**
 * One client's stream: create a user (in two of the test groups, or the default group), bump the
 * SEQ of one of its users, create a document and now and then delete it again. Ends at the
 * first broken connection, which is expected only once the kill has started.
 */
async function stream(oned: Oned, ledger: Ledger, c: number, cycle: number, groups: readonly number[], killing: () => boolean): Promise<void> {
  const client = oned.client();
  const owned = ledger.owned[c]!;
  try {
    for (let n = 0; ; n++) {
      const name = `u${cycle}_${c}_${n}`;
      const k = c + n;
      const memberOf = n % 4 === 0 ? [] : [groups[k % groups.length]!, groups[(k + 1) % groups.length]!];
      const uid = (await write(client, oned, 'one.user.allocate', [name, `pw${n}`, '', memberOf])) as number;
      ledger.users.set(name, uid);
      owned.push(uid);
      ledger.acks++;

      const target = owned[Math.floor(Math.random() * owned.length)]!;
      const seq = (ledger.seqSent.get(target) ?? 0) + 1;
      ledger.seqSent.set(target, seq);
      await write(client, oned, 'one.user.update', [target, `SEQ = ${seq}`, 1]);
      ledger.seqAcked.set(target, seq);
      ledger.acks++;

      const doc = `d${cycle}_${c}_${n}`;
      const did = (await write(client, oned, 'one.document.allocate', [`NAME = "${doc}"\nSEQ = ${n}`, 7])) as number;
      ledger.docs.set(doc, did);
      ledger.acks++;
      if (n % 3 === 2) {
        ledger.deleteSent.add(doc);
        await write(client, oned, 'one.document.delete', [did]);
        ledger.deletedDocs.add(doc);
        ledger.acks++;
      }
    }
  } catch (err) {
    if (err instanceof CallFailed || !killing()) throw err;
  }
}

/** The objects (`element`s) of a pool listing. */
async function listing(oned: Oned, method: string, element: string, params: XmlRpcValue[] = []): Promise<XmlNode[]> {
  const pool = parseXmlTree(String(await oned.ok(method, params)));
  return pool.children.filter((c) => c.name === element);
}

/** The objects of a pool listing by NAME. */
async function poolByName(oned: Oned, method: string, element: string, params: XmlRpcValue[] = []): Promise<Map<string, XmlNode>> {
  const byName = new Map<string, XmlNode>();
  for (const obj of await listing(oned, method, element, params)) {
    const name = childText(obj, 'NAME');
    assert.ok(!byName.has(name), `${method}: two objects named ${name}`);
    byName.set(name, obj);
  }
  return byName;
}

function byId(objs: Iterable<XmlNode>): Map<number, XmlNode> {
  const map = new Map<number, XmlNode>();
  for (const obj of objs) map.set(childInt(obj, 'ID', -1), obj);
  return map;
}

function ids(node: XmlNode | undefined): number[] {
  return (node?.children ?? []).map((id) => Number(id.text));
}

/** Every acknowledged object (name → id) is in the listing with its id. */
function checkAcknowledged(listed: ReadonlyMap<string, XmlNode>, acked: ReadonlyMap<string, number>, when: string): void {
  for (const [name, id] of acked) {
    const obj = listed.get(name);
    assert.ok(obj, `${when}: acknowledged ${name} (#${id}) is missing`);
    assert.equal(childInt(obj, 'ID', -1), id, `${when}: ${name} has another id`);
  }
}

/** Users and groups agree both ways: a user's GROUPS list the groups whose USERS list it. */
async function checkMembership(oned: Oned, usersById: ReadonlyMap<number, XmlNode>, when: string): Promise<void> {
  const members = new Map<number, Set<number>>();
  for (const g of await listing(oned, 'one.grouppool.info', 'GROUP')) members.set(childInt(g, 'ID', -1), new Set(ids(child(g, 'USERS'))));
  for (const [uid, u] of usersById) {
    const gids = ids(child(u, 'GROUPS'));
    assert.ok(gids.includes(childInt(u, 'GID', -1)), `${when}: user #${uid} is not in its primary group's GROUPS`);
    for (const gid of gids) {
      assert.ok(members.get(gid)?.has(uid), `${when}: user #${uid} names group ${gid}, which does not list it`);
    }
  }
  for (const [gid, uids] of members) {
    for (const uid of uids) {
      const u = usersById.get(uid);
      assert.ok(u, `${when}: group ${gid} lists user #${uid}, which does not exist`);
      assert.ok(ids(child(u, 'GROUPS')).includes(gid), `${when}: group ${gid} lists user #${uid}, which does not name it`);
    }
  }
}

/** Every acknowledged write is there; users and their groups agree both ways. */
async function verify(oned: Oned, ledger: Ledger, cycle: number): Promise<void> {
  const users = await poolByName(oned, 'one.userpool.info', 'USER');
  const usersById = byId(users.values());
  checkAcknowledged(users, ledger.users, `cycle ${cycle}`);
  for (const [uid, sent] of ledger.seqSent) {
    const u = usersById.get(uid)!;
    const text = childText(child(u, 'TEMPLATE')!, 'SEQ');
    const acked = ledger.seqAcked.get(uid);
    if (acked === undefined && text === '') continue; // never acknowledged, never committed
    const seq = Number(text);
    assert.ok(seq >= (acked ?? 1) && seq <= sent, `cycle ${cycle}: user #${uid} has SEQ "${text}", acknowledged ${acked}, last sent ${sent}`);
  }

  await checkMembership(oned, usersById, `cycle ${cycle}`);

  const docs = await poolByName(oned, 'one.documentpool.info', 'DOCUMENT', [-2, -1, -1]);
  for (const [name, did] of ledger.docs) {
    const d = docs.get(name);
    if (ledger.deletedDocs.has(name)) {
      assert.equal(d, undefined, `cycle ${cycle}: document ${name} (#${did}) is back after its deletion was acknowledged`);
      continue;
    }
    if (ledger.deleteSent.has(name)) continue; // deleted or not: both are right
    assert.ok(d, `cycle ${cycle}: acknowledged document ${name} (#${did}) is missing`);
    assert.equal(childInt(d, 'ID', -1), did, `cycle ${cycle}: document ${name} has another id`);
  }

  // Ids are never handed out twice, even the ids of deleted objects.
  const uid = (await oned.ok('one.user.allocate', [`probe${cycle}`, 'pw', ''])) as number;
  assert.ok(uid > maxOf(ledger.users.values()) && !usersById.has(uid), `cycle ${cycle}: new user got id ${uid} again`);
  ledger.users.set(`probe${cycle}`, uid);
  const did = (await oned.ok('one.document.allocate', [`NAME = "probe${cycle}"`, 7])) as number;
  assert.ok(did > maxOf(ledger.docs.values()), `cycle ${cycle}: new document got id ${did} again`);
  ledger.docs.set(`probe${cycle}`, did);
}

for (const backend of BACKENDS) {
  test(`acknowledged writes survive kill -9 of oned on ${backend}`, async (t) => {
    const oned = await Oned.start({ backend });
    try {
      const groups: number[] = [];
      for (const name of ['durable_a', 'durable_b', 'durable_c']) groups.push((await oned.ok('one.group.allocate', [name])) as number);
      const ledger = new Ledger();
      for (let cycle = 0; cycle < CYCLES; cycle++) {
        let killing = false;
        const acksBefore = ledger.acks;
        const streams = Array.from({ length: CLIENTS }, (_, c) => stream(oned, ledger, c, cycle, groups, () => killing));
        // Streams end only once the kill starts; one that fails before ends the wait at once.
        const ended = Promise.all(streams);
        await Promise.race([ended, sleep(MIN_STREAM_MS + Math.random() * RANDOM_STREAM_MS)]);
        // At least one acknowledged document deletion before the first kill (every kind of write is
        // tested, however slowly a loaded machine runs the streams).
        while (ledger.acks - acksBefore < MIN_ACKS_BEFORE_KILL || ledger.deletedDocs.size === 0) await Promise.race([ended, sleep(20)]);
        killing = true;
        assert.equal(await oned.signal('SIGKILL'), 'SIGKILL');
        await ended;
        await oned.launch();
        await verify(oned, ledger, cycle);
        t.diagnostic(`cycle ${cycle}: killed after ${ledger.acks - acksBefore} acknowledged writes, all found`);
      }
      assert.ok(ledger.seqAcked.size > 0 && ledger.deletedDocs.size > 0, 'the streams did every kind of write');

      // The newest objects deleted: only the stored id counters keep their ids from coming back.
      const uid = (await oned.ok('one.user.allocate', ['newest', 'pw', ''])) as number;
      const did = (await oned.ok('one.document.allocate', ['NAME = "newest"', 7])) as number;
      await oned.ok('one.user.delete', [uid]);
      await oned.ok('one.document.delete', [did]);
      await oned.signal('SIGKILL');
      await oned.launch();
      assert.ok(((await oned.ok('one.user.allocate', ['after', 'pw', ''])) as number) > uid, 'a deleted user\'s id is not given again');
      assert.ok(((await oned.ok('one.document.allocate', ['NAME = "after"', 7])) as number) > did, 'a deleted document\'s id is not given again');
    } finally {
      await oned.stop();
    }
  });
}

/** Cuts, from the server side, every connection to the test database: oned's, and only oned's. */
interface ConnectionCutter {
  cut(): Promise<void>;
  end(): Promise<void>;
}

async function connectionCutter(oned: Oned): Promise<ConnectionCutter> {
  if (oned.backend === 'postgresql') {
    const admin = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres' });
    await admin.connect();
    return {
      cut: async () => void (await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [oned.dbName])),
      end: () => admin.end(),
    };
  }
  const admin = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', password: '' });
  return {
    cut: async () => {
      const [rows] = await admin.query('SELECT id FROM information_schema.processlist WHERE db = ?', [oned.dbName]);
      // A connection may be gone between the listing and the KILL.
      for (const row of rows as { id: number }[]) await admin.query(`KILL ${Number(row.id)}`).catch(() => {});
    },
    end: () => admin.end(),
  };
}

for (const backend of BACKENDS.filter((b) => b !== 'sqlite')) {
  test(`losing the database connections mid-stream leaves nothing half-written on ${backend}`, async () => {
    const oned = await Oned.start({ backend });
    const cutter = await connectionCutter(oned);
    try {
      const groups: number[] = [];
      for (const name of ['cut_a', 'cut_b']) groups.push((await oned.ok('one.group.allocate', [name])) as number);
      const acked = new Map<string, number>();
      let cutting = true;
      const streams = Array.from({ length: CLIENTS }, async (_, c) => {
        const client = oned.client();
        for (let n = 0; cutting; n++) {
          const name = `c${c}_${n}`;
          // Failures are expected while connections drop; only the state afterwards matters.
          const r = (await client.call('one.user.allocate', [oned.oneadmin, name, 'pw', '', n % 2 ? groups : []]).catch(() => [false])) as XmlRpcValue[];
          if (r[0] === true) acked.set(name, r[1] as number);
        }
      });
      for (const end = Date.now() + CUTTING_MS; Date.now() < end; ) {
        await sleep(30 + Math.random() * 60);
        await cutter.cut();
      }
      cutting = false;
      await Promise.all(streams);
      await oned.call('one.system.version', []).catch((err: unknown) => assert.fail(`oned stopped serving (${String(err)}):\n${oned.output.slice(-2000)}`));

      for (const when of ['in memory', 'after a restart']) {
        if (when === 'after a restart') {
          await oned.signal('SIGKILL');
          await oned.launch();
        }
        const users = await poolByName(oned, 'one.userpool.info', 'USER');
        checkAcknowledged(users, acked, when);
        await checkMembership(oned, byId(users.values()), when);
      }
    } finally {
      await cutter.end();
      await oned.stop();
    }
  });
}
