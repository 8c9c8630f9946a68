import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EconeError } from './command.js';
import { instanceCount, userData } from './instances.js';

test('-n N and -n MIN-MAX', () => {
  assert.deepEqual(instanceCount(undefined), [1, 1]);
  assert.deepEqual(instanceCount('3'), [3, 3]);
  assert.deepEqual(instanceCount('2-5'), [2, 5]);
  for (const bad of ['0', '5-2', 'x', '-1', '2-']) assert.throws(() => instanceCount(bad), (e: unknown) => e instanceof EconeError && e.exitCode === 1, bad);
});

test('user data must already be Base64, as 3.x sent it', () => {
  assert.equal(userData(undefined), undefined);
  assert.equal(userData(Buffer.from('hello world\n').toString('base64')), 'aGVsbG8gd29ybGQK');
  assert.equal(userData('aGVs\nbG8='), 'aGVsbG8=', 'line breaks of base64 -w76 are dropped');
  for (const bad of ['hello world', 'abc', '', '====']) assert.throws(() => userData(bad), /Base64/, bad);
});
