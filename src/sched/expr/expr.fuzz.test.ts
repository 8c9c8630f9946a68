/**
 * Property tests of the REQUIREMENTS and RANK parsers on hostile input: they throw nothing but
 * ExpressionError, evaluation throws nothing but RankError, deep nesting is refused at the
 * limit, and long chains neither overflow the stack when parsed nor when evaluated.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { attributesOf, ExpressionError, parseRank, parseRequirements, RankError } from './index.js';
import { MAX_NESTING } from './cursor.js';

const attrs = attributesOf({ CPU: '4', FREE_MEM: '1024', NAME: 'host-1', ZERO: '0', TEXT: 'abc', PCI: ['1', '2'] });

const soup = fc
  .array(
    fc.oneof(
      fc.constantFrom('(', ')', '!', '&', '|', '=', '>', '<', '@', '+', '-', '*', '/', '^', '"', ' ', 'CPU', 'FREE_MEM', 'NAME', 'ZERO', 'TEXT', 'PCI', 'X', '1', '-1', '0.5', '"h*"', '""'),
      fc.string({ maxLength: 4 }),
    ),
    { maxLength: 30 },
  )
  .map((parts) => parts.join(''));

function refusedOrRan(run: () => unknown, allowed: (err: unknown) => boolean): void {
  try {
    run();
  } catch (err) {
    assert.ok(allowed(err), `threw ${String(err)}`);
  }
}

test('any text: REQUIREMENTS parse and test, or ExpressionError', () => {
  fc.assert(
    fc.property(fc.oneof(soup, fc.string({ unit: 'binary', maxLength: 60 })), (text) => {
      refusedOrRan(() => parseRequirements(text).test(attrs), (e) => e instanceof ExpressionError);
    }),
    { numRuns: 3000 },
  );
});

test('any text: RANK parses and evaluates, or ExpressionError / RankError (division by zero)', () => {
  fc.assert(
    fc.property(fc.oneof(soup, fc.string({ unit: 'binary', maxLength: 60 })), (text) => {
      refusedOrRan(() => {
        const n = parseRank(text).evaluate(attrs);
        assert.ok(Number.isInteger(n) || !Number.isFinite(n), `${text} → ${n}`);
      }, (e) => e instanceof ExpressionError || e instanceof RankError);
    }),
    { numRuns: 3000 },
  );
});

test('nesting: up to the limit is read, deeper is an ExpressionError at the first level too deep', () => {
  const wrap = (depth: number, open: string, inner: string, close = ''): string => open.repeat(depth) + inner + close.repeat(depth);
  for (const depth of [MAX_NESTING, MAX_NESTING + 1, 100_000]) {
    const cases: [() => unknown, number][] = [
      [() => parseRequirements(wrap(depth, '(', 'CPU > 1', ')')).test(attrs), 1],
      [() => parseRequirements(wrap(depth, '!', 'CPU > 1')).test(attrs), 1],
      [() => parseRank(wrap(depth, '(', 'CPU', ')')).evaluate(attrs), 1],
      [() => parseRank(wrap(depth, '- ', 'CPU')).evaluate(attrs), 2],
    ];
    for (const [run, width] of cases) {
      if (depth <= MAX_NESTING) run();
      else assert.throws(run, (err: unknown) => err instanceof ExpressionError && err.column === MAX_NESTING * width + 1);
    }
  }
});

test('chains of 100,000 terms parse and evaluate without recursion, left to right', () => {
  const n = 100_000;
  assert.equal(parseRequirements(Array(n).fill('CPU > 1').join(' & ')).test(attrs), true);
  assert.equal(parseRequirements([...Array(n).fill('CPU > 9'), 'NAME = "host-*"'].join(' | ')).test(attrs), true);
  // Same precedence, left to right: (CPU>9 | CPU>1) & ZERO>0 is false.
  assert.equal(parseRequirements('CPU > 9 | CPU > 1 & ZERO > 0').test(attrs), false);
  assert.equal(parseRank(Array(n).fill('CPU').join(' + ')).evaluate(attrs), 4 * n);
  assert.equal(parseRank(['FREE_MEM', ...Array(10).fill('2')].join(' / ')).evaluate(attrs), 1);
  assert.equal(parseRank('10 - 2 - 3 * 2').evaluate(attrs), 2);
  assert.throws(() => parseRank('CPU + FREE_MEM / ZERO').evaluate(attrs), (err: unknown) => err instanceof RankError && /"FREE_MEM \/ ZERO" \(ZERO = 0\)/.test(err.message));
  assert.deepEqual(parseRank('CPU * CPU + FREE_MEM - CPU').variables, ['CPU', 'FREE_MEM']);
});
