/** The client library wraps every method oned serves, and names no method oned does not serve. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALL_METHODS } from '../rpc/methods/index.js';
import { WRAPPED_METHODS } from './resources.js';

const served = new Set(ALL_METHODS.map((m) => m.name));

test('every method oned serves has a typed wrapper in OCA', () => {
  const missing = [...served].filter((name) => !WRAPPED_METHODS.has(name)).sort();
  assert.deepEqual(missing, [], `OCA does not wrap: ${missing.join(', ')} (add a wrapper and its name with wraps() in src/oca/resources.ts)`);
});

test('OCA lists no method oned does not serve', () => {
  const unknown = [...WRAPPED_METHODS].filter((name) => !served.has(name)).sort();
  assert.deepEqual(unknown, [], `OCA names methods oned does not serve: ${unknown.join(', ')}`);
});
