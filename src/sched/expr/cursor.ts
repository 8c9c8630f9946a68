/** A read position in a token list, with the error helpers and variable bookkeeping both parsers share. */
import { ExpressionError, describe, tokenize, type Token } from './lexer.js';

/**
 * How deep parentheses, `!` and unary `-` may nest. The parsers recurse on them, and so do the
 * compiled closures: a deeper expression is a syntax error, not a stack overflow.
 */
export const MAX_NESTING = 100;

export class Cursor {
  private readonly tokens: Token[];
  private i = 0;
  private depth = 0;
  private readonly seen = new Set<string>();
  /** Variable names in order of first appearance. */
  readonly variables: string[] = [];

  constructor(readonly text: string) {
    this.tokens = tokenize(text);
  }

  peek(): Token {
    return this.tokens[this.i]!;
  }

  next(): Token {
    const t = this.tokens[this.i]!;
    if (t.kind !== 'end') this.i++;
    return t;
  }

  /** True (and consumes it) when the next token is the operator `op`. */
  accept(op: string): boolean {
    const t = this.peek();
    if (t.kind !== 'op' || t.value !== op) return false;
    this.i++;
    return true;
  }

  /** Runs `parse` one nesting level down (after a "(", "!" or unary "-" at `token`). */
  nest<T>(token: Token, parse: () => T): T {
    if (++this.depth > MAX_NESTING) this.fail(token, `expression nested more than ${MAX_NESTING} deep`);
    const result = parse();
    this.depth--;
    return result;
  }

  /** True when the text holds no token at all (the empty expression). */
  empty(): boolean {
    return this.tokens.length === 1;
  }

  /** End offset of the last token consumed. */
  lastEnd(): number {
    return this.i === 0 ? 0 : this.tokens[this.i - 1]!.end;
  }

  fail(token: Token, reason: string): never {
    throw new ExpressionError(token.start + 1, reason);
  }

  unexpected(token: Token, expected: string): never {
    this.fail(token, `unexpected ${describe(token)}, expected ${expected}`);
  }

  /** Consumes the closing parenthesis of the one opened by `open`. */
  close(open: Token): void {
    if (!this.accept(')')) this.unexpected(this.peek(), `")" to close the "(" at column ${open.start + 1}`);
  }

  /** Fails unless every token was read. */
  finish(expected: string): void {
    const t = this.peek();
    if (t.kind === 'end') return;
    if (t.kind === 'op' && t.value === ')') this.fail(t, 'unexpected ")" with no "(" to close');
    this.unexpected(t, expected);
  }

  /**
   * Reads a variable name: a bare word, or a non-empty quoted string as OpenNebula also allows.
   * @param expected what the error names when the next token is something else
   */
  variable(expected: string): string {
    const t = this.peek();
    if (!((t.kind === 'word' || t.kind === 'quoted') && t.value !== '')) this.unexpected(t, expected);
    this.i++;
    const name = t.value as string;
    if (!this.seen.has(name)) {
      this.seen.add(name);
      this.variables.push(name);
    }
    return name;
  }
}
