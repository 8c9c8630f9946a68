import { test } from 'node:test';
import assert from 'node:assert/strict';
import { leaseOf, parseDuration, parseStart } from './lease.js';

const lease = (attrs: Record<string, string>, submitted = 1_000_000) => leaseOf((n) => attrs[n], submitted);

test('durations in seconds or with a unit; starts in epoch seconds or ISO 8601', () => {
  assert.equal(parseDuration('90'), 90);
  assert.equal(parseDuration('90m'), 5400);
  assert.equal(parseDuration(' 2h '), 7200);
  assert.equal(parseDuration('1d'), 86400);
  for (const bad of ['0', '-5', '1.5h', 'soon', '']) assert.equal(parseDuration(bad), undefined, bad);
  assert.equal(parseStart('1796164177'), 1796164177);
  assert.equal(parseStart('2026-12-02T09:00:00Z'), Date.UTC(2026, 11, 2, 9) / 1000);
  assert.equal(parseStart('tomorrow'), undefined);
});

test('a reservation, best-effort leases, and no lease at all', () => {
  assert.deepEqual(lease({}), {});
  assert.deepEqual(lease({ SCHED_START: '1000100', SCHED_DURATION: '1h' }).lease, { start: 1000100, durationSec: 3600, preemptible: false, end: undefined });
  assert.deepEqual(lease({ SCHED_PREEMPTIBLE: 'yes' }).lease, { start: undefined, durationSec: undefined, preemptible: true, end: undefined });
  assert.equal(lease({ SCHED_DURATION: '10', SCHED_END: '1000010' }).lease?.end, 1000010);
});

test('bad leases say why', () => {
  assert.match(lease({ SCHED_START: '999000', SCHED_DURATION: '60' }).error!, /before the VM was submitted/);
  assert.equal(lease({ SCHED_START: '999950', SCHED_DURATION: '60' }).error, undefined, 'a minute of clock skew is tolerated');
  assert.match(lease({ SCHED_START: '1000100' }).error!, /needs SCHED_DURATION/);
  assert.match(lease({ SCHED_START: '1000100', SCHED_DURATION: '60', SCHED_PREEMPTIBLE: 'YES' }).error!, /cannot be preemptible/);
  assert.match(lease({ SCHED_PREEMPTIBLE: 'maybe' }).error!, /SCHED_PREEMPTIBLE must be YES or NO/);
});
