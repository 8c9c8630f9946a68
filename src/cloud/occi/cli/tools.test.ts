import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COMPUTE, idOfDocument, parseArgs, runTool, UsageError } from './tools.js';

test('options of the 3.x commands, long and short', () => {
  const { opts, positional } = parseArgs(['show', '-U', 'bob', '--password', 'pw', '-R', 'http://h:1', '-T', '5', '--verbose', '-M', '3']);
  assert.deepEqual(positional, ['show', '3']);
  assert.equal(opts.username, 'bob');
  assert.equal(opts.password, 'pw');
  assert.equal(opts.url, 'http://h:1');
  assert.equal(opts.timeout, 5);
  assert.ok(opts.verbose && opts.multipart);
  assert.throws(() => parseArgs(['--bogus']), UsageError);
  assert.throws(() => parseArgs(['-T', 'soon']), /--timeout must be a number/);
  assert.throws(() => parseArgs(['--url']), /needs a value/);
});

test('update documents name their resource by ID or href', () => {
  assert.equal(idOfDocument('<COMPUTE><ID>12</ID><STATE>STOPPED</STATE></COMPUTE>', 'COMPUTE'), '12');
  assert.equal(idOfDocument('<COMPUTE href="http://h/compute/9"><STATE>STOPPED</STATE></COMPUTE>', 'COMPUTE'), '9');
  assert.throws(() => idOfDocument('<COMPUTE><STATE>X</STATE></COMPUTE>', 'COMPUTE'), /must name the compute/);
});

test('usage errors exit 2 with the reason; help exits 0', async () => {
  const lines: string[] = [];
  assert.equal(await runTool('occi-compute', COMPUTE, ['show', 'x', '-U', 'a', '-P', 'b'], (l) => lines.push(l), (l) => lines.push(l)), 2);
  assert.match(lines.join('\n'), /Give the compute id/);
  assert.equal(await runTool('occi-compute', COMPUTE, ['--help'], (l) => lines.push(l), (l) => lines.push(l)), 0);
  assert.match(lines.join('\n'), /attachdisk <compute id> <storage id>/);
});
