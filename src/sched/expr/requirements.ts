/**
 * The REQUIREMENTS language (OpenNebula's expr_bool.y, HEAD semantics): comparisons of a variable
 * with a literal, joined by `&`, `|` and `!`, which share one precedence and group left to right
 * (`A=1 | B=1 & C=1` is `(A=1 | B=1) & C=1`). Compiled once into closures.
 */
import { Cursor } from './cursor.js';
import { compileGlob } from './glob.js';
import { firstValue, numberOf, type Attributes } from './values.js';

/** A compiled SCHED_REQUIREMENTS / SCHED_DS_REQUIREMENTS expression. */
export interface Requirements {
  readonly text: string;
  /** Variable names exactly as written, each once, in order of appearance. */
  readonly variables: readonly string[];
  test(attrs: Attributes): boolean;
}

type Test = (attrs: Attributes) => boolean;

const ALWAYS: Test = () => true;
const NEVER: Test = () => false;

/** @throws ExpressionError. Empty or blank text = always true. */
export function parseRequirements(text: string): Requirements {
  const cursor = new Cursor(text);
  let test = ALWAYS;
  if (!cursor.empty()) {
    test = chain(cursor);
    cursor.finish('"&", "|" or the end');
  }
  return { text, variables: cursor.variables, test };
}

/**
 * Comparisons joined by `&` and `|`, evaluated left to right in a loop: a chain of thousands of
 * terms neither recurses when parsed nor when tested.
 */
function chain(cursor: Cursor): Test {
  const first = unary(cursor);
  const rest: { and: boolean; test: Test }[] = [];
  for (;;) {
    const and = cursor.accept('&');
    if (!and && !cursor.accept('|')) break;
    rest.push({ and, test: unary(cursor) });
  }
  if (rest.length === 0) return first;
  return (attrs) => {
    let value = first(attrs);
    for (const { and, test } of rest) value = and ? value && test(attrs) : value || test(attrs);
    return value;
  };
}

function unary(cursor: Cursor): Test {
  const open = cursor.peek();
  if (cursor.accept('!')) {
    const inner = cursor.nest(open, () => unary(cursor));
    return (attrs) => !inner(attrs);
  }
  if (cursor.accept('(')) {
    const inner = cursor.nest(open, () => chain(cursor));
    cursor.close(open);
    return inner;
  }
  return comparison(cursor);
}

/** `NAME op literal`; `!=` and `@>` are two tokens each, blanks between them allowed. */
function comparison(cursor: Cursor): Test {
  const name = cursor.variable('a comparison, "!" or "("');
  const opToken = cursor.peek();
  let op: string;
  if (cursor.accept('=')) op = '=';
  else if (cursor.accept('!')) op = expectSecond(cursor, '!', '=');
  else if (cursor.accept('@')) op = expectSecond(cursor, '@', '>');
  else if (cursor.accept('>')) op = '>';
  else if (cursor.accept('<')) op = '<';
  else cursor.unexpected(opToken, '"=", "!=", ">", "<" or "@>"');
  const literal = cursor.peek();
  if (literal.kind === 'op' && literal.value === '=') {
    if (op === '=') cursor.fail(opToken, '"==" is not an operator: use "="');
    if (op === '>' || op === '<') {
      cursor.fail(opToken, `"${op}=" is not an operator: write (${name} ${op} n | ${name} = n)`);
    }
  }
  cursor.next();
  if (literal.kind === 'integer' || literal.kind === 'float') {
    return numeric(name, op, literal.value as number, literal.kind === 'integer');
  }
  if (literal.kind === 'word' || literal.kind === 'quoted') {
    if (op === '>' || op === '<') cursor.fail(literal, `"${op}" compares numbers, got "${literal.value}"`);
    return literal.value === '' ? NEVER : textual(name, op, literal.value as string);
  }
  return cursor.unexpected(literal, 'a number or a string');
}

function expectSecond(cursor: Cursor, first: string, second: string): string {
  const t = cursor.peek();
  if (!cursor.accept(second)) cursor.unexpected(t, `"${second}" (the operator is "${first}${second}")`);
  return first + second;
}

/**
 * A number literal: the value is read as a decimal number, truncated toward zero when the literal
 * is an integer (OpenNebula reads it into an int); a missing or non-numeric value is false, `!=` too.
 */
function numeric(name: string, op: string, n: number, integer: boolean): Test {
  const read = integer ? (v: string) => Math.trunc(numberOf(v)) : numberOf;
  const first = (attrs: Attributes): number => {
    const v = firstValue(attrs, name);
    return v === undefined ? NaN : read(v);
  };
  switch (op) {
    case '=': return (attrs) => first(attrs) === n;
    case '!=': return (attrs) => {
      const x = first(attrs);
      return !Number.isNaN(x) && x !== n;
    };
    case '>': return (attrs) => first(attrs) > n;
    case '<': return (attrs) => first(attrs) < n;
    default: return (attrs) => attrs.lookup(name)?.some((v) => read(v) === n) ?? false;
  }
}

/** A string literal: a glob; `=` / `!=` test the first value, `@>` any value; missing is false. */
function textual(name: string, op: string, pattern: string): Test {
  const match = compileGlob(pattern);
  switch (op) {
    case '=': return (attrs) => {
      const v = firstValue(attrs, name);
      return v !== undefined && match(v);
    };
    case '!=': return (attrs) => {
      const v = firstValue(attrs, name);
      return v !== undefined && !match(v);
    };
    default: return (attrs) => attrs.lookup(name)?.some(match) ?? false;
  }
}
