import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RankError, attributesOf, parseRank } from './index.js';

const HOST = attributesOf({
  FREE_CPU: '350', RUNNING_VMS: '4', FREE_MB: '1024', LOAD: '0.75', ZERO: '0', HYPERVISOR: 'kvm', MULTI: ['10', '20'],
});

function rank(text: string, attrs = HOST): number {
  return parseRank(text).evaluate(attrs);
}

test('operators, precedence and left associativity', () => {
  assert.equal(rank('1 + 2 * 3'), 7);
  assert.equal(rank('(1 + 2) * 3'), 9);
  assert.equal(rank('10 - 4 - 3'), 3, '(10 - 4) - 3');
  assert.equal(rank('100 / 10 / 5'), 2, '(100 / 10) / 5');
  assert.equal(rank('2 * 3 - 8 / 4'), 4);
  assert.equal(rank('FREE_CPU / RUNNING_VMS'), 87);
  assert.equal(rank('FREE_CPU - RUNNING_VMS * 10'), 310);
});

test('unary minus, negative literals and subtraction without blanks', () => {
  assert.equal(rank('- RUNNING_VMS'), -4);
  assert.equal(rank('-FREE_MB'), -1024);
  assert.equal(rank('-(1 + 2) * 3'), -9);
  assert.equal(rank('- - 5'), 5);
  assert.equal(rank('2 * -3'), -6);
  assert.equal(rank('-2 - -3'), 1);
  assert.equal(rank('FREE_CPU-1'), 349, 'a minus after an operand subtracts');
  assert.equal(rank('RUNNING_VMS -1'), 3);
  assert.equal(rank('(1)-1'), 0);
});

test('evaluated in floating point, the result truncated toward zero', () => {
  assert.equal(rank('7 / 2'), 3);
  assert.equal(rank('-7 / 2'), -3);
  assert.equal(rank('LOAD * 100'), 75);
  assert.equal(rank('1 / 3 * 3'), 1, 'no integer division on the way');
  assert.equal(rank('0.5 + 0.75'), 1);
  assert.ok(Object.is(rank('-1 / 3'), 0), '-0 comes back as 0');
});

test('an unknown variable or a value that is not a number reads 0; several values read the first', () => {
  assert.equal(rank('NOPE + 5'), 5);
  assert.equal(rank('HYPERVISOR + 5'), 5);
  assert.equal(rank('MULTI'), 10);
  assert.equal(rank('X * 2', attributesOf({ X: '1e2' })), 200);
});

test('empty or blank text ranks 0 and reads nothing', () => {
  for (const text of ['', ' \n ']) {
    const r = parseRank(text);
    assert.equal(r.evaluate(HOST), 0);
    assert.deepEqual(r.variables, []);
  }
});

test('variables: names as written, each once, in order of appearance', () => {
  const r = parseRank('FREE_CPU * 2 - (running_vms + FREE_CPU) / "FREE_MB" + 3');
  assert.deepEqual(r.variables, ['FREE_CPU', 'running_vms', 'FREE_MB']);
  assert.equal(r.text, 'FREE_CPU * 2 - (running_vms + FREE_CPU) / "FREE_MB" + 3');
});

function divisionByZero(text: string, message: string, attrs = HOST): void {
  const r = parseRank(text);
  assert.throws(() => r.evaluate(attrs), (e: unknown) => e instanceof RankError && e.message === message);
}

test('a division by zero throws a RankError naming the division and what its divisor read', () => {
  const idle = attributesOf({ FREE_CPU: '400', RUNNING_VMS: '0' });
  divisionByZero('FREE_CPU / RUNNING_VMS', 'division by zero in "FREE_CPU / RUNNING_VMS" (RUNNING_VMS = 0)', idle);
  divisionByZero('10 + FREE_CPU / (RUNNING_VMS - ZERO * 2) * 3',
    'division by zero in "FREE_CPU / (RUNNING_VMS - ZERO * 2)" (RUNNING_VMS = 0, ZERO is not set)', idle);
  divisionByZero('1 / HYPERVISOR', 'division by zero in "1 / HYPERVISOR" (HYPERVISOR = "kvm", not a number)');
  divisionByZero('FREE_MB / 0', 'division by zero in "FREE_MB / 0"');
  divisionByZero('FREE_MB / 2 / ZERO', 'division by zero in "FREE_MB / 2 / ZERO" (ZERO = 0)');
  assert.equal(parseRank('FREE_CPU / RUNNING_VMS').evaluate(HOST), 87, 'the same expression with a divisor');
});
