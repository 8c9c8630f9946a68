import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RankHeap } from './rank-heap.js';
import { host } from './testing.js';

test('pops the highest rank first, the lower host id among equals', () => {
  const heap = new RankHeap();
  const ranks = [5, -1, 7, 5, 0, 7, 3];
  ranks.forEach((rank, id) => heap.push({ host: host({ id }), rank, version: 0 }));
  const out: number[] = [];
  while (heap.size > 0) out.push(heap.pop()!.host.id);
  assert.deepEqual(out, [2, 5, 0, 3, 6, 4, 1]);
  assert.equal(heap.pop(), undefined);
});
