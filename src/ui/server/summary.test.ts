/** The dashboard's counts from pool rows: states, failures, capacity; and 20,000 VMs stay cheap. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { summarizeHosts, summarizeVms } from './summary.js';

const vm = (ID: number, STATE: number, LCM_STATE = 0) => ({ ID, NAME: `vm${ID}`, STATE, LCM_STATE, HOST: 'h' });

test('VMs are counted by the state a person reads; failures are FAILED, *_FAILURE and UNKNOWN, newest first', () => {
  const s = summarizeVms([vm(1, 1), vm(2, 1), vm(3, 3, 3), vm(4, 7), vm(5, 3, 16), vm(6, 3, 36), vm(7, 8), vm(8, 11)]);
  assert.equal(s.total, 8);
  assert.deepEqual(s.byState, { 1: 2, '3.3': 1, 7: 1, '3.16': 1, '3.36': 1, 8: 1, 11: 1 });
  assert.deepEqual(s.failures.map((f) => f.ID), [8, 6, 5, 4]);
});

test('hosts: capacity sums every host; ERROR and MONITORING_ERROR are failures', () => {
  const h = (ID: number, STATE: number) => ({ ID, NAME: `h${ID}`, STATE, CPU_USAGE: 100, MAX_CPU: 800, MEM_USAGE: 1024, MAX_MEM: 8192 });
  const s = summarizeHosts([h(0, 2), h(1, 3), h(2, 5), h(3, 4)]);
  assert.deepEqual(s.capacity, { cpuUsage: 400, maxCpu: 3200, memUsage: 4096, maxMem: 32768 });
  assert.deepEqual(s.byState, { 2: 1, 3: 1, 5: 1, 4: 1 });
  assert.deepEqual(s.failures.map((f) => f.ID), [1, 2]);
});

test('20,000 VMs are summarized in well under the time of a page load', () => {
  const rows = Array.from({ length: 20_000 }, (_, i) => vm(i, i % 10 === 0 ? 7 : 3, 3));
  const t = performance.now();
  const s = summarizeVms(rows);
  const ms = performance.now() - t;
  assert.equal(s.total, 20_000);
  assert.equal(s.byState['7'], 2_000);
  assert.equal(s.failures.length, 20, 'the dashboard lists the newest 20 failures');
  assert.ok(ms < 200, `took ${ms} ms`);
});
