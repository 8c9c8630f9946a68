import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PendingMark } from './pending-mark.js';

test('a waiter sleeps until the mark moves, then every waiter gets the new mark', async () => {
  const m = new PendingMark();
  assert.equal(await m.wait(-1, 30), 0, 'a mark that differs answers at once');
  let woke: number | undefined;
  const a = m.wait(0, 30).then((v) => (woke = v));
  const b = m.wait(0, 30);
  await new Promise((r) => setImmediate(r));
  assert.equal(woke, undefined, 'nothing new: still waiting');
  assert.equal(m.waiting, 2);
  m.bump();
  m.bump();
  assert.deepEqual(await Promise.all([a, b]), [1, 1], 'woken by the first bump');
  assert.equal(m.current, 2);
  assert.equal(m.waiting, 0);
});

test('a wait ends at its timeout with the same mark, and at once when oned stops', async () => {
  const m = new PendingMark();
  assert.equal(await m.wait(0, 0.05), 0);
  const waiting = m.wait(0, 30);
  m.close();
  assert.equal(await waiting, 0);
  assert.equal(await m.wait(0, 30), 0, 'no more waiting once closed');
});
