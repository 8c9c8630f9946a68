import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkParams } from './params.js';
import { XmlRpcFault } from './xmlrpc/index.js';

const sig = ['i', 's', { opt: 'i', def: 0 }, { opt: 'b', def: false }] as const;

test('converts well-typed parameters after the session and fills optional defaults', () => {
  const [id, text, type, flag] = checkParams('one.x.update', sig, ['sess', 3, 'A=1']);
  assert.deepEqual([id, text, type, flag], [3, 'A=1', 0, false]);
  assert.deepEqual(checkParams('one.x.update', sig, ['sess', 3, 'A=1', 1, true]), [3, 'A=1', 1, true]);
});

test('booleans stand for 0/1 ints, 0/1 ints for booleans, empty or nil for an omitted optional', () => {
  assert.deepEqual(checkParams('m', sig, ['s', true, 'x', false, 1]), [1, 'x', 0, true]);
  assert.deepEqual(checkParams('m', sig, ['s', 1, 'x', '', null]), [1, 'x', 0, false]);
});

test('extra trailing parameters are ignored', () => {
  assert.deepEqual(checkParams('m', ['i'] as const, ['s', 5, 'extra', 7]), [5]);
});

test('missing required parameters are fault -502 naming the signature', () => {
  assert.throws(
    () => checkParams('one.user.passwd', ['i', 's'] as const, ['s', 1]),
    (e: unknown) => e instanceof XmlRpcFault && e.code === -502 && /one\.user\.passwd takes \(string session, int, string\)/.test(e.message),
  );
});

test('wrong types are fault -501 naming the position and the value', () => {
  assert.throws(
    () => checkParams('one.user.info', ['i'] as const, ['s', 'abc']),
    (e: unknown) => e instanceof XmlRpcFault && e.code === -501 && /Parameter 2 of one.user.info must be an integer, got string "abc"/.test(e.message),
  );
  assert.throws(() => checkParams('m', ['i'] as const, ['s', 1.5]), /must be an integer/);
  assert.throws(() => checkParams('m', ['i'] as const, ['s', 2 ** 31]), /must be an integer/);
  assert.throws(() => checkParams('m', ['s'] as const, ['s', 3]), /must be a string, got number 3/);
  assert.throws(() => checkParams('m', ['b'] as const, ['s', 2]), /must be a boolean/);
});

test('an int-or-string parameter keeps the type it came with and refuses others', () => {
  const spec = ['is', { opt: 'i', def: -1 }] as const;
  assert.deepEqual(checkParams('m', spec, ['s', 3]), [3, -1]);
  assert.deepEqual(checkParams('m', spec, ['s', 'dummy', 4]), ['dummy', 4]);
  assert.throws(() => checkParams('m', spec, ['s', [1]]), /Parameter 2 of m must be an integer or a string, got array/);
});
