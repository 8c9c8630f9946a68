/**
 * The RANK language (OpenNebula's expr_arith.y): `+ - * /` with the usual precedence, unary minus
 * and parentheses over variables and numbers, evaluated in floating point and truncated toward
 * zero. Compiled once into closures; each node keeps its span so a division by zero can name it.
 */
import { Cursor } from './cursor.js';
import { firstValue, numberOf, type Attributes } from './values.js';

/** A compiled SCHED_RANK / SCHED_DS_RANK expression. */
export interface Rank {
  readonly text: string;
  readonly variables: readonly string[];
  /** Float evaluation, result truncated toward zero to an integer (as OpenNebula). @throws RankError on a
   *  division by zero, naming the divisor expression and the values, e.g.
   *  `division by zero in "FREE_CPU / RUNNING_VMS" (RUNNING_VMS = 0)`. */
  evaluate(attrs: Attributes): number;
}

/** An evaluation that has no number: a division by zero. */
export class RankError extends Error {
  override readonly name = 'RankError';
}

type Value = (attrs: Attributes) => number;

interface Node {
  readonly value: Value;
  /** Offsets of the node's text in the expression: [start, end). */
  readonly start: number;
  readonly end: number;
  /** Variables the node reads, each once. */
  readonly names: readonly string[];
}

/** @throws ExpressionError. Empty or blank text = 0. */
export function parseRank(text: string): Rank {
  const cursor = new Cursor(text);
  if (cursor.empty()) return { text, variables: [], evaluate: () => 0 };
  const root = sum(cursor).value;
  cursor.finish('an operator or the end');
  // `+ 0` turns -0 into 0.
  return { text, variables: cursor.variables, evaluate: (attrs) => Math.trunc(root(attrs)) + 0 };
}

function sum(cursor: Cursor): Node {
  return chain(cursor, '+', '-', product, (plus, _start, right) => {
    const b = right.value;
    return plus ? (acc, attrs) => acc + b(attrs) : (acc, attrs) => acc - b(attrs);
  });
}

function product(cursor: Cursor): Node {
  return chain(cursor, '*', '/', unary, (times, start, right) => {
    const b = right.value;
    return times ? (acc, attrs) => acc * b(attrs) : divide(cursor.text.slice(start, right.end), right);
  });
}

/** One step of a chain: the value so far combined with the next operand. */
type Step = (acc: number, attrs: Attributes) => number;

/**
 * Operands joined left to right by the operators `first` or `second` (one precedence level),
 * evaluated in a loop: a chain of thousands of terms neither recurses when parsed nor when evaluated.
 */
function chain(
  cursor: Cursor,
  first: string,
  second: string,
  operand: (cursor: Cursor) => Node,
  step: (isFirst: boolean, start: number, right: Node) => Step,
): Node {
  const head = operand(cursor);
  const steps: Step[] = [];
  const names = new Set(head.names);
  let end = head.end;
  for (;;) {
    const isFirst = cursor.accept(first);
    if (!isFirst && !cursor.accept(second)) break;
    const right = operand(cursor);
    steps.push(step(isFirst, head.start, right));
    for (const n of right.names) names.add(n);
    end = right.end;
  }
  if (steps.length === 0) return head;
  const h = head.value;
  const value: Value = (attrs) => {
    let acc = h(attrs);
    for (const s of steps) acc = s(acc, attrs);
    return acc;
  };
  return { value, start: head.start, end, names: [...names] };
}

/** Division by `right`; `what` is the text from the chain's start to the divisor, for the error. */
function divide(what: string, right: Node): Step {
  const b = right.value;
  return (acc, attrs) => {
    const divisor = b(attrs);
    if (divisor === 0) throw new RankError(`division by zero in "${what}"${valuesOf(right.names, attrs)}`);
    return acc / divisor;
  };
}

/** ` (A = 0, B is not set)`: what the divisor's variables held, '' when it has none. */
function valuesOf(names: readonly string[], attrs: Attributes): string {
  if (names.length === 0) return '';
  const shown = names.map((name) => {
    const v = firstValue(attrs, name);
    if (v === undefined) return `${name} is not set`;
    return Number.isNaN(numberOf(v)) ? `${name} = "${v}", not a number` : `${name} = ${v}`;
  });
  return ` (${shown.join(', ')})`;
}

function unary(cursor: Cursor): Node {
  const t = cursor.peek();
  if (cursor.accept('-')) {
    const inner = cursor.nest(t, () => unary(cursor));
    const v = inner.value;
    return { ...inner, value: (attrs) => -v(attrs), start: t.start };
  }
  if (cursor.accept('(')) {
    const inner = cursor.nest(t, () => sum(cursor));
    cursor.close(t);
    return { ...inner, start: t.start, end: cursor.lastEnd() };
  }
  if (t.kind === 'integer' || t.kind === 'float') {
    cursor.next();
    const n = t.value as number;
    return { value: () => n, start: t.start, end: t.end, names: [] };
  }
  const name = cursor.variable('a number, a variable, "-" or "("');
  return { value: (attrs) => variable(attrs, name), start: t.start, end: t.end, names: [name] };
}

/** A variable's first value as a number; 0 when it is missing or not a number. */
function variable(attrs: Attributes, name: string): number {
  const v = firstValue(attrs, name);
  const n = v === undefined ? NaN : numberOf(v);
  return Number.isNaN(n) ? 0 : n;
}
