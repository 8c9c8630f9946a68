import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Write } from './database.js';
import { GroupCommitter } from './group-commit.js';

function put(id: number): Write {
  return { kind: 'upsert', table: 't', row: { id } };
}

function ids(writes: readonly Write[]): number[] {
  return writes.map((write) => (write.kind === 'upsert' ? (write.row['id'] as number) : -1));
}

/** A fake database: transactions are all-or-none; a transaction holding id < 0 fails. */
function fakeStore() {
  const committed: number[] = [];
  const transactions: number[][] = [];
  const run = async (writes: readonly Write[]) => {
    transactions.push(ids(writes));
    if (ids(writes).some((id) => id < 0)) throw new Error('bad write');
    committed.push(...ids(writes));
  };
  return { committed, transactions, run };
}

test('calls made together are committed in one transaction, in call order', async () => {
  const store = fakeStore();
  const committer = new GroupCommitter(store.run);
  await Promise.all([committer.write([put(1), put(2)]), committer.write([put(3)]), committer.write([put(4)])]);
  assert.deepEqual(store.transactions, [[1, 2, 3, 4]]);
  assert.deepEqual(committer.stats, { calls: 3, transactions: 1 });
});

test('calls made while a transaction commits go together in the next one', async () => {
  let release!: () => void;
  const transactions: number[][] = [];
  const committer = new GroupCommitter(async (writes) => {
    transactions.push(ids(writes));
    if (transactions.length === 1) await new Promise<void>((resolve) => (release = resolve));
  });
  const first = committer.write([put(1)]);
  while (transactions.length === 0) await new Promise(setImmediate);
  const later = [committer.write([put(2)]), committer.write([put(3)]), committer.write([put(4)])];
  await new Promise(setImmediate);
  assert.equal(transactions.length, 1, 'nothing else may start while the first commits');
  release();
  await Promise.all([first, ...later]);
  assert.deepEqual(transactions, [[1], [2, 3, 4]]);
});

test('a group is all or nothing: one failing call fails the group and the calls queued behind it, newest first', async () => {
  let release!: () => void;
  const committed: number[] = [];
  const transactions: number[][] = [];
  const committer = new GroupCommitter(async (writes) => {
    transactions.push(ids(writes));
    if (transactions.length === 1) await new Promise<void>((resolve) => (release = resolve));
    if (ids(writes).some((id) => id < 0)) throw new Error('bad write');
    committed.push(...ids(writes));
  });
  const order: number[] = [];
  const track = (n: number, p: Promise<void>) => p.then(() => order.push(n), () => order.push(-n));
  const first = track(1, committer.write([put(1), put(-1)]));
  while (transactions.length === 0) await new Promise(setImmediate);
  const behind = [track(2, committer.write([put(2)])), track(3, committer.write([put(3)]))];
  release();
  await Promise.all([first, ...behind]);
  assert.deepEqual(order, [-3, -2, -1], 'every call fails, the newest first');
  assert.deepEqual(committed, []);
  assert.deepEqual(transactions, [[1, -1]], 'the queued calls are not tried on top of a failed group');
  await committer.write([put(4)]);
  assert.deepEqual(committed, [4], 'later calls go on normally');
});

test('a lone failing call is rejected with the transaction’s error, without a retry', async () => {
  const store = fakeStore();
  const committer = new GroupCommitter(store.run);
  await assert.rejects(committer.write([put(-1)]), /bad write/);
  assert.equal(store.transactions.length, 1);
});

test('close waits for queued calls, then refuses new ones', async () => {
  const store = fakeStore();
  const committer = new GroupCommitter(store.run);
  const pending = committer.write([put(1)]);
  await committer.close();
  assert.deepEqual(store.committed, [1]);
  await pending;
  await assert.rejects(committer.write([put(2)]), /closed/);
});

test('a call with no writes resolves without a transaction', async () => {
  const store = fakeStore();
  const committer = new GroupCommitter(store.run);
  await committer.write([]);
  assert.equal(store.transactions.length, 0);
});

test('settled waits for every call queued so far, failed ones too', async () => {
  const releases: (() => void)[] = [];
  const committed: number[] = [];
  const committer = new GroupCommitter(async (writes) => {
    await new Promise<void>((resolve) => releases.push(resolve));
    if (ids(writes).some((id) => id < 0)) throw new Error('bad write');
    committed.push(...ids(writes));
  });
  await committer.settled(); // nothing queued: at once
  const first = committer.write([put(1)]);
  const failing = committer.write([put(-1)]).catch(() => 'failed');
  let settled = false;
  const barrier = committer.settled().then(() => (settled = true));
  while (releases.length === 0) await new Promise(setImmediate);
  await new Promise(setImmediate);
  assert.equal(settled, false, 'settled must wait for the queued calls');
  releases.shift()!();
  assert.equal(await failing, 'failed');
  await assert.rejects(first);
  await barrier;
  assert.equal(settled, true);
  assert.deepEqual(committed, []);
  // Asked again after a new call, settled waits for that call.
  committer.write([put(2)]).catch(() => undefined);
  const next = committer.settled();
  while (releases.length === 0) await new Promise(setImmediate);
  releases.shift()!();
  await next;
  assert.deepEqual(committed, [2]);
});
