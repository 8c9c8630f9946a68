/**
 * The lexer both expression languages share (OpenNebula's expr_parser.l): single-character
 * operators, bare words, double-quoted strings, integers and floats, blanks between tokens.
 */

/** A parse error; `column` is 1-based, counted in characters from the start of the text. */
export class ExpressionError extends Error {
  override readonly name = 'ExpressionError';
  constructor(readonly column: number, reason: string) {
    super(`syntax error at column ${column}: ${reason}`);
  }
}

export type TokenKind = 'word' | 'quoted' | 'integer' | 'float' | 'op' | 'end';

export interface Token {
  readonly kind: TokenKind;
  /** The token as written (quotes included); '' for the end. */
  readonly text: string;
  /** Words and quoted strings: the string (without quotes); numbers: their value. */
  readonly value: string | number;
  /** 0-based offsets of the token in the expression: [start, end). */
  readonly start: number;
  readonly end: number;
}

const OPERATORS = '@!&|=><()*+/^-';
const WORD = /[A-Za-z][0-9A-Za-z_]*/y;
const NUMBER = /-?[0-9]+(\.[0-9]+)?/y;
const BLANKS = /\s+/y;

/** How a token reads in an error message. */
export function describe(token: Token): string {
  if (token.kind === 'end') return 'end of expression';
  if (token.kind === 'quoted') return token.value === '' ? 'empty string ""' : token.text;
  return `"${token.text}"`;
}

/**
 * Splits `text` into tokens, ending with an 'end' token. A '-' right before a digit starts a
 * negative number only where an operand may start (OpenNebula's lexer always reads it so, which
 * makes `RUNNING_VMS-1` a syntax error there; here it is a subtraction).
 * @throws ExpressionError on an unterminated string or a character no token starts with.
 */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const match = (re: RegExp): string | undefined => {
    re.lastIndex = i;
    return re.exec(text)?.[0];
  };
  const push = (kind: TokenKind, end: number, value: string | number): void => {
    tokens.push({ kind, text: text.slice(i, end), value, start: i, end });
    i = end;
  };
  while (i < text.length) {
    const blanks = match(BLANKS);
    if (blanks !== undefined) {
      i += blanks.length;
      continue;
    }
    const c = text[i]!;
    const number = (c === '-' && operandMayStart(tokens)) || (c >= '0' && c <= '9') ? match(NUMBER) : undefined;
    if (number !== undefined) {
      push(number.includes('.') ? 'float' : 'integer', i + number.length, Number(number));
    } else if (OPERATORS.includes(c)) {
      push('op', i + 1, c);
    } else if (c === '"') {
      const close = text.indexOf('"', i + 1);
      if (close < 0) throw new ExpressionError(i + 1, 'unterminated string (no closing ")');
      push('quoted', close + 1, text.slice(i + 1, close));
    } else {
      const word = match(WORD);
      if (word === undefined) throw new ExpressionError(i + 1, `unexpected character "${c}"`);
      push('word', i + word.length, word);
    }
  }
  tokens.push({ kind: 'end', text: '', value: '', start: text.length, end: text.length });
  return tokens;
}

function operandMayStart(tokens: readonly Token[]): boolean {
  const last = tokens[tokens.length - 1];
  return last === undefined || (last.kind === 'op' && last.value !== ')');
}
