import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseActionList, parseDriverArgs } from './options.js';

test('common driver options, own options and the driver name', () => {
  const a = parseDriverArgs(['-t', '4', '-r', '2', '-w', '90', '-l', 'deploy, poll=poll_ganglia', '-d', 'dummy,shared', 'kvm'], {
    types: { type: 'string', short: 'd' },
  });
  assert.equal(a.threads, 4);
  assert.equal(a.retries, 2);
  assert.equal(a.timeoutMs, 90_000);
  assert.deepEqual([...a.local], [['DEPLOY', undefined], ['POLL', 'poll_ganglia']]);
  assert.equal(a.values.types, 'dummy,shared');
  assert.deepEqual(a.positionals, ['kvm']);
  const d = parseDriverArgs([]);
  assert.deepEqual([d.threads, d.retries, d.timeoutMs, d.local.size], [15, 0, 0, 0]);
});

test('bad options are refused with the option named', () => {
  assert.throws(() => parseDriverArgs(['-t', '0']), /-t expects an integer >= 1/);
  assert.throws(() => parseDriverArgs(['-r', 'x']), /-r expects/);
  assert.throws(() => parseDriverArgs(['-q']), /Unknown option '-q'/);
  assert.deepEqual([...parseActionList(' , ,')], []);
});
