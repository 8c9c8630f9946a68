import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from '../common/template/index.js';
import { xmlEscapeText } from '../common/xml.js';
import { openDatabase } from '../db/index.js';
import type { Database, SqlValue, Write } from '../db/database.js';
import { Document, DocumentPool } from '../document/index.js';
import { Permissions } from './permissions.js';
import { afterRecovery, StaleTransactionError, Transaction } from './transaction.js';

async function sqlite(): Promise<Database> {
  const db = await openDatabase({ backend: 'sqlite', file: join(mkdtempSync(join(tmpdir(), 'pool-')), 'one.db') });
  await db.migrate();
  return db;
}

function doc(pool: DocumentPool, name: string, uid = 1, gid = 1): Document {
  return new Document(pool.nextOid(), name, { uid, gid, uname: `u${uid}`, gname: `g${gid}` }, Permissions.fromOctal(0o640), 0, Template.parse(`N = "${name}"`));
}

test('objects are stored by a transaction and loaded back with their ids, names and owners', async () => {
  const db = await sqlite();
  const pool = new DocumentPool();
  const tx = new Transaction(db);
  for (const [n, uid] of [['a', 1], ['b', 2], ['c', 1]] as const) tx.create(pool, doc(pool, n, uid));
  await tx.commit();

  const loaded = new DocumentPool();
  await loaded.load(db);
  assert.equal(loaded.size, 3);
  assert.equal(loaded.lastId, 2);
  assert.equal(loaded.getByName('b', 2)?.oid, 1);
  assert.equal(loaded.getByName('b', 1), undefined, 'names are per owner');
  assert.equal(loaded.get(2)!.toXml(), pool.get(2)!.toXml());
  assert.equal(loaded.nextOid(), 3);
  await db.close();
});

test('XML is rendered once and again only after a change', async () => {
  const db = await sqlite();
  const pool = new DocumentPool();
  const tx = new Transaction(db);
  const d = tx.create(pool, doc(pool, 'x'));
  await tx.commit();
  const first = d.toXml();
  assert.equal(d.toXml(), first, 'same string while unchanged');
  const tx2 = new Transaction(db);
  tx2.touch(pool, d);
  pool.rename(d, 'y');
  await tx2.commit();
  assert.match(d.toXml(), /<NAME>y<\/NAME>/);
  assert.equal(pool.getByName('y', 1), d);
  assert.equal(pool.getByName('x', 1), undefined);
  await db.close();
});

test('listing: owner index, id ranges, visibility and pagination in id order', async () => {
  const db = await sqlite();
  const pool = new DocumentPool();
  const tx = new Transaction(db);
  for (let i = 0; i < 20; i++) tx.create(pool, doc(pool, `d${i}`, i % 2));
  await tx.commit();
  const ids = (objs: Document[]) => objs.map((o) => o.oid);
  assert.deepEqual(ids(pool.list({ uid: 1, startId: 10 })), [11, 13, 15, 17, 19]);
  assert.deepEqual(ids(pool.list({ startId: 5, endId: 8 })), [5, 6, 7, 8]);
  assert.deepEqual(ids(pool.list({ offset: 3, limit: 4 })), [3, 4, 5, 6]);
  assert.deepEqual(ids(pool.list({ visible: (o) => o.oid % 5 === 0, offset: 1, limit: 2 })), [5, 10]);
  assert.equal(pool.toEscapedXml(pool.list({ endId: 0 })), xmlEscapeText(`<DOCUMENT_POOL>${pool.get(0)!.toXml()}</DOCUMENT_POOL>`));
  await db.close();
});

/** A database whose writes fail (reads go to the real one): the commit path's failure branch. */
class FailingDb {
  readonly backend = 'sqlite' as const;
  writes: Write[][] = [];
  constructor(private readonly real: Database) {}
  async write(w: readonly Write[]): Promise<void> {
    this.writes.push([...w]);
    throw new Error('disk full');
  }
  query(sql: string, params?: readonly SqlValue[]) {
    return this.real.query(sql, params);
  }
}

test('a failed commit restores every touched, created and deleted object', async () => {
  const db = await sqlite();
  const pool = new DocumentPool();
  const setup = new Transaction(db);
  const keep = setup.create(pool, doc(pool, 'keep'));
  const gone = setup.create(pool, doc(pool, 'gone'));
  await setup.commit();
  const before = keep.toXml();

  const failing = new FailingDb(db) as unknown as Database;
  const tx = new Transaction(failing);
  tx.touch(pool, keep);
  pool.rename(keep, 'renamed');
  tx.create(pool, doc(pool, 'new'));
  tx.delete(pool, gone);
  await assert.rejects(tx.commit(), /disk full/);

  assert.equal(pool.get(0)!.toXml(), before);
  assert.equal(pool.getByName('keep', 1)?.oid, 0);
  assert.equal(pool.getByName('renamed', 1), undefined);
  assert.equal(pool.getByName('new', 1), undefined);
  assert.equal(pool.get(1)?.name, 'gone');
  assert.deepEqual(pool.list().map((o) => o.oid), [0, 1], 'id order kept after restoring a deleted object');
  await db.close();
});

test('after a failed commit, memory follows the database, and calls prepared before it are refused', async () => {
  const db = await sqlite();
  const pool = new DocumentPool();
  const setup = new Transaction(db);
  const d = setup.create(pool, doc(pool, 'stored'));
  await setup.commit();

  // The commit "fails" but its change did land (a lost reply): the re-read must show it.
  const epoch = await afterRecovery(db);
  const realWrite = db.write.bind(db);
  const lostReply = async (w: readonly Write[]) => {
    await realWrite(w);
    throw new Error('connection lost');
  };
  const early = new Transaction(db, epoch);
  const tx = new Transaction(db, epoch);
  tx.touch(pool, d);
  pool.rename(d, 'landed');
  Object.assign(db, { write: lostReply });
  await assert.rejects(tx.commit(), /connection lost/);
  Object.assign(db, { write: realWrite });
  assert.equal(pool.get(0)!.name, 'landed', 'the row the database holds wins');

  early.touch(pool, pool.get(0)!);
  pool.rename(pool.get(0)!, 'from-stale-state');
  await assert.rejects(early.commit(), StaleTransactionError);
  assert.equal(pool.get(0)!.name, 'landed');
  assert.equal((await db.query('SELECT name FROM document_pool WHERE oid = 0'))[0]!.name, 'landed');
  await db.close();
});

test('side changes: their writes are committed without the object\'s row, and undone in order with touches on failure', async () => {
  const db = await sqlite();
  const pool = new DocumentPool();
  const setup = new Transaction(db);
  const d = setup.create(pool, doc(pool, 'd'));
  await setup.commit();
  const side: Write = { kind: 'upsert', table: 'system_attributes', row: { name: 'SIDE', body: 'x' } };

  const failing = new FailingDb(db);
  const tx = new Transaction(failing as unknown as Database);
  const log: string[] = [];
  tx.sideChange(pool, d, { writes: [side], undo: () => log.push(`side 1, name ${pool.get(0)!.name}`) });
  tx.touch(pool, d);
  pool.rename(d, 'renamed');
  tx.sideChange(pool, d, { writes: [], undo: () => log.push(`side 2, name ${pool.get(0)!.name}`) });
  await assert.rejects(tx.commit(), /disk full/);
  assert.deepEqual(failing.writes[0]!.map((w) => w.table), ['document_pool', 'system_attributes'], 'the row for the touch, then the side write');
  assert.deepEqual(log, ['side 2, name renamed', 'side 1, name d'], 'newest first: the later side change sees the touch not yet undone');

  const only = new FailingDb(db);
  const sideOnly = new Transaction(only as unknown as Database);
  sideOnly.sideChange(pool, pool.get(0)!, { writes: [side], undo: () => undefined });
  await assert.rejects(sideOnly.commit(), /disk full/);
  assert.deepEqual(only.writes[0]!.map((w) => w.table), ['system_attributes'], 'no row for an object with side changes only');
  await db.close();
});
