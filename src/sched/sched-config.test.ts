import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_SCHED_CONFIG, parseSchedConfig, policyRank, Policy } from './sched-config.js';

test('an empty sched.conf is OpenNebula 3.x defaults; a partial one overrides only what it names', () => {
  assert.deepEqual(parseSchedConfig(''), DEFAULT_SCHED_CONFIG);
  const c = parseSchedConfig('MAX_DISPATCH = 500\nDEFAULT_SCHED = [ POLICY = 3, RANK = "- RUNNING_VMS" ]\nLIVE_RESCHEDS = 1\nPREEMPTION = suspend');
  assert.equal(c.maxDispatch, 500);
  assert.equal(c.intervalSec, 30);
  assert.equal(c.maxHost, 1);
  assert.equal(c.liveRescheds, true);
  assert.deepEqual(c.hostPolicy, { policy: Policy.CUSTOM, rank: '- RUNNING_VMS' });
  assert.equal(c.preemption, 'suspend');
  assert.equal(c.wakeOnPending, true);
  const quiet = parseSchedConfig('WAKE_ON_PENDING = 0\nWAKE_DELAY_MS = 0\nWAKE_GAP_MS = 250');
  assert.deepEqual([quiet.wakeOnPending, quiet.wakeDelayMs, quiet.wakeGapMs], [false, 0, 250]);
});

test('bad settings name the attribute and what it must be', () => {
  assert.throws(() => parseSchedConfig('SCHED_INTERVAL = 0'), /SCHED_INTERVAL must be an integer of at least 1, got "0"/);
  assert.throws(() => parseSchedConfig('DEFAULT_SCHED = [ POLICY = 7 ]'), /DEFAULT_SCHED POLICY must be 0 \(packing\), 1 \(striping\), 2 \(load-aware\) or 3 \(custom\), got "7"/);
  assert.throws(() => parseSchedConfig('DEFAULT_SCHED = [ POLICY = 3 ]'), /POLICY 3 \(custom\) needs a RANK/);
  assert.throws(() => parseSchedConfig('DEFAULT_SCHED = 1'), /must be a vector/);
  assert.throws(() => parseSchedConfig('PREEMPTION = kill'), /PREEMPTION must be requeue or suspend/);
  assert.throws(() => parseSchedConfig('WAKE_DELAY_MS = -5'), /WAKE_DELAY_MS must be an integer of at least 0, got "-5"/);
});

test('policies stand for the rank expressions of OpenNebula', () => {
  assert.equal(policyRank({ policy: Policy.PACKING, rank: '' }, 'host'), 'RUNNING_VMS');
  assert.equal(policyRank({ policy: Policy.STRIPING, rank: '' }, 'host'), '- RUNNING_VMS');
  assert.equal(policyRank({ policy: Policy.LOAD_AWARE, rank: '' }, 'host'), 'FREE_CPU');
  assert.equal(policyRank({ policy: Policy.PACKING, rank: '' }, 'datastore'), '- FREE_MB');
  assert.equal(policyRank({ policy: Policy.CUSTOM, rank: 'PRIORITY' }, 'datastore'), 'PRIORITY');
});

test('the shipped share/etc/sched.conf states exactly the defaults', async () => {
  const { readFileSync } = await import('node:fs');
  const shipped = new URL('../../../share/etc/sched.conf', import.meta.url);
  assert.deepEqual(parseSchedConfig(readFileSync(shipped, 'utf8')), DEFAULT_SCHED_CONFIG);
});
