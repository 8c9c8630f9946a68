import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluate, ExpressionError, parseExpression } from './expression.js';

const values: Record<string, number> = { CPU: 92.5, MEMORY: 512, LOAD: 1 };
const run = (text: string) => evaluate(parseExpression(text), (n) => values[n]);

test('comparisons, & and |, ! and parentheses evaluate with the attribute values', () => {
  assert.equal(run('CPU > 80').value, true);
  assert.equal(run('CPU < 80').value, false);
  assert.equal(run('MEMORY >= 512 & LOAD == 1').value, true);
  assert.equal(run('MEMORY > 512 | LOAD = 1').value, true, '= is ==');
  assert.equal(run('!(CPU > 80)').value, false);
  assert.equal(run('(CPU > 95 | MEMORY < 100) && LOAD != 2').value, false);
  assert.equal(run('80 < CPU').value, true, 'a number on the left');
  assert.equal(run('CPU > 80').shown, 'CPU[92.5] > 80');
});

test('an attribute no VM has makes its comparison false', () => {
  assert.equal(run('NOPE > 1').value, false);
  assert.equal(run('NOPE > 1').shown, 'NOPE[--] > 1');
  assert.equal(run('!(NOPE > 1)').value, true);
});

test('bad expressions are refused with what was expected', () => {
  for (const [text, msg] of [
    ['', /empty/],
    ['CPU >', /expected a number or an attribute name but found the end/],
    ['CPU 80', /expected a comparison/],
    ['(CPU > 80', /expected "\)"/],
    ['CPU > 80 LOAD', /unexpected "LOAD"/],
    ['CPU > 80 $', /unexpected "\$" at column 10/],
    ['& CPU > 1', /expected a number or an attribute name but found "&"/],
  ] as const) {
    assert.throws(() => parseExpression(text), (e: unknown) => e instanceof ExpressionError && msg.test(e.message), text);
  }
});
