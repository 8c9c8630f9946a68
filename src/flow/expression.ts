/**
 * Elasticity expressions, as OneFlow writes them: comparisons of VM attributes with numbers
 * (`CPU > 80`, `FREE_MEM <= 512.5`, `LOAD == 1`), joined by `&` and `|`, negated by `!`,
 * grouped by parentheses. An attribute's value is the average over the role's running VMs of
 * that attribute, looked up in USER_TEMPLATE, MONITORING, TEMPLATE and the VM itself, in that
 * order; a comparison with an attribute no VM has is false.
 */

export type Expr =
  | { kind: 'cmp'; op: CmpOp; left: Operand; right: Operand }
  | { kind: 'and' | 'or'; left: Expr; right: Expr }
  | { kind: 'not'; expr: Expr };

export type Operand = { kind: 'num'; value: number } | { kind: 'var'; name: string };
export type CmpOp = '==' | '!=' | '>' | '<' | '>=' | '<=';

export class ExpressionError extends Error {}

const TOKEN = /(\d+(?:\.\d+)?|\.\d+)|([A-Za-z_][A-Za-z0-9_/]*)|(==|!=|>=|<=|>|<|=|&&?|\|\|?|!|\(|\))/y;

type Token = { t: 'num'; v: number } | { t: 'var'; v: string } | { t: 'sym'; v: string };

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let pos = 0;
  for (;;) {
    while (pos < text.length && /\s/.test(text[pos]!)) pos++;
    if (pos >= text.length) return out;
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(text);
    if (!m) throw new ExpressionError(`unexpected "${text[pos]}" at column ${pos + 1}`);
    if (m[1] !== undefined) out.push({ t: 'num', v: Number(m[1]) });
    else if (m[2] !== undefined) out.push({ t: 'var', v: m[2] });
    else {
      // `=` is `==`, `&&` is `&`, `||` is `|` (OneFlow accepts both spellings).
      const s = m[3] === '=' ? '==' : m[3] === '&&' ? '&' : m[3] === '||' ? '|' : m[3]!;
      out.push({ t: 'sym', v: s });
    }
    pos = TOKEN.lastIndex;
  }
}

/** Parses an expression; a syntax error is an ExpressionError saying what was expected. */
export function parseExpression(text: string): Expr {
  if (typeof text !== 'string' || text.trim() === '') throw new ExpressionError('the expression is empty');
  const tokens = tokenize(text);
  let i = 0;
  const peek = () => tokens[i];
  const isSym = (v: string) => peek()?.t === 'sym' && peek()!.v === v;
  const describe = (tk: Token | undefined) => (tk === undefined ? 'the end' : `"${tk.v}"`);

  function or(): Expr {
    let left = and();
    while (isSym('|')) {
      i++;
      left = { kind: 'or', left, right: and() };
    }
    return left;
  }
  function and(): Expr {
    let left = unary();
    while (isSym('&')) {
      i++;
      left = { kind: 'and', left, right: unary() };
    }
    return left;
  }
  function unary(): Expr {
    if (isSym('!')) {
      i++;
      return { kind: 'not', expr: unary() };
    }
    if (isSym('(')) {
      i++;
      const e = or();
      if (!isSym(')')) throw new ExpressionError(`expected ")" but found ${describe(peek())}`);
      i++;
      return e;
    }
    const left = operand();
    const tk = peek();
    if (tk?.t !== 'sym' || !['==', '!=', '>', '<', '>=', '<='].includes(tk.v)) throw new ExpressionError(`expected a comparison (==, !=, >, <, >=, <=) after ${left.kind === 'var' ? left.name : left.value} but found ${describe(tk)}`);
    i++;
    return { kind: 'cmp', op: tk.v as CmpOp, left, right: operand() };
  }
  function operand(): Operand {
    const tk = peek();
    if (tk?.t === 'num') {
      i++;
      return { kind: 'num', value: tk.v };
    }
    if (tk?.t === 'var') {
      i++;
      return { kind: 'var', name: tk.v };
    }
    throw new ExpressionError(`expected a number or an attribute name but found ${describe(tk)}`);
  }

  const e = or();
  if (i < tokens.length) throw new ExpressionError(`unexpected ${describe(tokens[i])} after a complete expression`);
  return e;
}

/** The value of an attribute (the role's average), or undefined when no VM has it. */
export type Lookup = (name: string) => number | undefined;

/** Evaluates; `shown` gets the expression with the values used (`CPU[92.5] > 80`). */
export function evaluate(e: Expr, lookup: Lookup): { value: boolean; shown: string } {
  switch (e.kind) {
    case 'not': {
      const r = evaluate(e.expr, lookup);
      return { value: !r.value, shown: `!(${r.shown})` };
    }
    case 'and':
    case 'or': {
      const l = evaluate(e.left, lookup);
      const r = evaluate(e.right, lookup);
      return { value: e.kind === 'and' ? l.value && r.value : l.value || r.value, shown: `(${l.shown} ${e.kind === 'and' ? '&' : '|'} ${r.shown})` };
    }
    case 'cmp': {
      const side = (o: Operand) => (o.kind === 'num' ? { v: o.value, s: String(o.value) } : (() => {
        const v = lookup(o.name);
        return { v, s: `${o.name}[${v === undefined ? '--' : round(v)}]` };
      })());
      const l = side(e.left);
      const r = side(e.right);
      const shown = `${l.s} ${e.op} ${r.s}`;
      if (l.v === undefined || r.v === undefined) return { value: false, shown };
      return { value: compare(l.v, e.op, r.v), shown };
    }
  }
}

function round(v: number): string {
  return String(Math.round(v * 100) / 100);
}

function compare(a: number, op: CmpOp, b: number): boolean {
  switch (op) {
    case '==':
      return a === b;
    case '!=':
      return a !== b;
    case '>':
      return a > b;
    case '<':
      return a < b;
    case '>=':
      return a >= b;
    case '<=':
      return a <= b;
  }
}
