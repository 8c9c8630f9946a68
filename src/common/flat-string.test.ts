import assert from 'node:assert/strict';
import test from 'node:test';
import { flat } from './flat-string.js';

test('flat returns the same text, whatever it was built from', () => {
  let s = '';
  for (let i = 0; i < 1000; i++) s += `<ID>${i}</ID>`;
  assert.equal(flat(s), s);
  assert.equal(flat(''), '');
  assert.equal(flat('12'), '12');
});
