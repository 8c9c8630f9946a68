import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Template } from '../common/template/index.js';
import type { Database, Write } from '../db/database.js';
import { Document, DocumentPool } from '../document/index.js';
import { Permissions } from './permissions.js';
import { Transaction } from './transaction.js';

test('rollback puts touched objects back, drops created ones and writes nothing', async () => {
  const written: Write[][] = [];
  const db = { write: async (w: readonly Write[]) => void written.push([...w]) } as unknown as Database;
  const pool = new DocumentPool();
  const make = (name: string) => new Document(pool.nextOid(), name, { uid: 1, gid: 1, uname: 'u', gname: 'g' }, Permissions.fromOctal(0o600), 0, Template.parse('A = 1'));
  const setup = new Transaction(db);
  const kept = setup.create(pool, make('kept'));
  await setup.commit();
  const before = kept.toXml();
  written.length = 0;

  const tx = new Transaction(db);
  tx.touch(pool, kept).template.set('A', '2');
  tx.create(pool, make('new'));
  tx.write({ kind: 'upsert', table: 'system_attributes', row: { name: 'x', body: 'y' } });
  tx.rollback();
  assert.equal(pool.get(kept.oid)!.toXml(), before);
  assert.equal(pool.getByName('new', 1), undefined);
  assert.equal(pool.size, 1);
  await tx.commit();
  assert.deepEqual(written, [], 'a rolled back transaction commits nothing');
});

test('afterCommit runs once the commit succeeded, never after a rollback or a failed commit', async () => {
  let fail = false;
  const db = { write: async () => { if (fail) throw new Error('db down'); }, query: async () => [] } as unknown as Database;
  const pool = new DocumentPool();
  const ran: string[] = [];
  const ok = new Transaction(db);
  ok.create(pool, new Document(pool.nextOid(), 'a', { uid: 1, gid: 1, uname: 'u', gname: 'g' }, Permissions.fromOctal(0o600), 0, new Template()));
  ok.afterCommit(() => ran.push('ok'));
  assert.equal(ran.length, 0, 'not before the commit');
  await ok.commit();
  assert.deepEqual(ran, ['ok']);
  const rolled = new Transaction(db);
  rolled.afterCommit(() => ran.push('rolled'));
  rolled.rollback();
  await rolled.commit();
  const failed = new Transaction(db);
  failed.touch(pool, pool.get(0)!);
  failed.afterCommit(() => ran.push('failed'));
  fail = true;
  await assert.rejects(failed.commit(), /db down/);
  assert.deepEqual(ran, ['ok']);
});
