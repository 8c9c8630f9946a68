import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Database, Row } from '../../db/database.js';
import { Fence } from './fence.js';

// A fence waiting its whole bound (10 minutes) would outlast the test's timeout.
test('a fence the master cannot be reached for answers at once; reached() wakes the writes its row covers', { timeout: 120_000 }, async () => {
  // Port 1: nothing listens, so the bump fails and the write answers without waiting.
  const fence = new Fence(100, { server: '127.0.0.1', port: 1, user: 'u', passwd: '', dbName: 'd' }, 600_000);
  await fence.pass();
  let seq = 0;
  fence.attach({ query: async (): Promise<Row[]> => (seq ? [{ seq }] : []) } as unknown as Database);
  // Waiters as pass() leaves them, reached through the private list.
  const woken: number[] = [];
  const waiters = (fence as unknown as { waiters: { seq: number; resolve: () => void }[] }).waiters;
  waiters.push({ seq: 3, resolve: () => woken.push(3) }, { seq: 5, resolve: () => woken.push(5) });
  await fence.reached();
  assert.deepEqual(woken, [], 'no row yet');
  seq = 4;
  await fence.reached();
  assert.deepEqual(woken, [3]);
  fence.close();
  assert.deepEqual(woken, [3, 5], 'close lets every waiting write answer');
});
