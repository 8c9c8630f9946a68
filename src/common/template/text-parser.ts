import { normalizeName, type AttributeSink, type Vector } from './attribute.js';
import { TemplateSyntaxError } from './syntax-error.js';

// Character classes of the ASCII range; every non-ASCII character is a bare-value character.
const NAME = 1; // [A-Za-z0-9_]
const NOT_BARE = 2; // = # , [ ] blank newline: ends a bare value
const BLANK = 4; // space, tab, CR (CR so that CRLF files parse like LF ones)
const CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z0-9_]/.test(ch)) CLASS[c] |= NAME;
  if ('=#,[] \t\n\r'.includes(ch)) CLASS[c] |= NOT_BARE;
  if (' \t\r'.includes(ch)) CLASS[c] |= BLANK;
}

const NEWLINE = 10;
const QUOTE = 34;
const HASH = 35;
const COMMA = 44;
const EQUALS = 61;
const OPEN = 91;
const BACKSLASH = 92;
const CLOSE = 93;
const EOF = -1;

function isName(c: number): boolean {
  return c >= 0 && c < 128 && (CLASS[c]! & NAME) !== 0;
}

function isBare(c: number): boolean {
  return c >= 128 || (c >= 0 && (CLASS[c]! & NOT_BARE) === 0);
}

/**
 * Whether `value` can be written unquoted: the text syntax has no escape for a backslash before
 * the closing quote, so a value ending in `\` survives a round trip only in bare form.
 */
export function isBareValue(value: string): boolean {
  if (value.length === 0 || value.charCodeAt(0) === QUOTE) return false;
  for (let i = 0; i < value.length; i++) if (!isBare(value.charCodeAt(i))) return false;
  return true;
}

/**
 * Parses OpenNebula's attribute template syntax (spec §5.1), handing each attribute to `sink`
 * in document order. Throws {@link TemplateSyntaxError}.
 */
export function parseTemplateText(text: string, sink: AttributeSink): void {
  new TextParser(text, sink).parseFile();
}

/** Hand-written single-pass recursive-descent parser over char codes. */
class TextParser {
  private pos = 0;

  constructor(
    private readonly text: string,
    private readonly sink: AttributeSink,
  ) {}

  parseFile(): void {
    for (;;) {
      this.skipSpace();
      if (this.pos >= this.text.length) return;
      this.parseAttribute();
    }
  }

  private parseAttribute(): void {
    const rawName = this.readName('an attribute name');
    const name = normalizeName(rawName);
    this.skipSpace();
    this.expect(EQUALS, `'=' after attribute name ${rawName}`);
    this.skipBlanks();
    const c = this.peek();
    if (c === OPEN) {
      this.pos++;
      this.sink(name, this.parseVector(rawName));
    } else if (c === NEWLINE || c === EOF) {
      this.sink(name, ''); // `NAME =` at the end of a line: empty value
    } else {
      this.sink(name, this.readValue(`a value for attribute ${rawName}`, rawName));
    }
  }

  /** After `[`: `]` or `KEY = value { , KEY = value } ]`. */
  private parseVector(attrName: string): Vector {
    const vector: Vector = new Map();
    this.skipSpace();
    if (this.peek() === CLOSE) {
      this.pos++;
      return vector;
    }
    for (;;) {
      const rawKey = this.readName(`a key name in vector ${attrName}`);
      const path = `${attrName}/${rawKey}`;
      this.skipSpace();
      this.expect(EQUALS, `'=' after key ${path}`);
      this.skipBlanks();
      const value = this.readValue(`a value for ${path}`, path);
      const key = normalizeName(rawKey);
      if (!vector.has(key)) vector.set(key, value); // a repeated key keeps its first value
      this.skipSpace();
      const c = this.peek();
      if (c === CLOSE) {
        this.pos++;
        return vector;
      }
      if (c !== COMMA) this.fail(`',' or ']' after ${path}`);
      this.pos++;
      this.skipSpace();
    }
  }

  private readName(expected: string): string {
    const start = this.pos;
    while (isName(this.peek())) this.pos++;
    if (this.pos === start) this.fail(expected);
    return this.text.slice(start, this.pos);
  }

  private readValue(expected: string, owner: string): string {
    const start = this.pos;
    let value: string;
    if (this.peek() === QUOTE) {
      value = this.readQuoted(owner);
    } else {
      while (isBare(this.peek())) this.pos++;
      value = this.text.slice(start, this.pos);
    }
    // Values end up in XML, and oned refuses a CDATA terminator in (or right after) a value.
    if (value.includes(']]>') || this.text.startsWith(']]>', this.pos)) {
      this.failAt(start, `value of ${owner} contains ']]>'`);
    }
    if (this.pos === start) this.fail(expected);
    return value;
  }

  /** A quoted value ends at the first `"` not preceded by a backslash; `\"` means `"`. */
  private readQuoted(owner: string): string {
    const text = this.text;
    const open = this.pos;
    let close = open;
    do {
      close = text.indexOf('"', close + 1);
      if (close < 0) this.failAt(open, `unterminated quoted value for ${owner}`);
    } while (text.charCodeAt(close - 1) === BACKSLASH);
    this.pos = close + 1;
    const raw = text.slice(open + 1, close);
    return raw.includes('\\"') ? raw.replaceAll('\\"', '"') : raw;
  }

  /** Skips blanks, newlines and `#` comments: everything allowed between tokens. */
  private skipSpace(): void {
    const text = this.text;
    for (;;) {
      const c = this.peek();
      if (c === NEWLINE || (c >= 0 && c < 128 && (CLASS[c]! & BLANK) !== 0)) {
        this.pos++;
      } else if (c === HASH) {
        const eol = text.indexOf('\n', this.pos);
        this.pos = eol < 0 ? text.length : eol;
      } else {
        return;
      }
    }
  }

  /** Skips blanks only: after `=` a newline means "empty value". */
  private skipBlanks(): void {
    for (let c = this.peek(); c >= 0 && c < 128 && (CLASS[c]! & BLANK) !== 0; c = this.peek()) this.pos++;
  }

  private peek(): number {
    return this.pos < this.text.length ? this.text.charCodeAt(this.pos) : EOF;
  }

  private expect(c: number, expected: string): void {
    if (this.peek() !== c) this.fail(expected);
    this.pos++;
  }

  private fail(expected: string): never {
    this.failAt(this.pos, `syntax error, unexpected ${this.describe(this.pos)}, expected ${expected}`);
  }

  /** Line and column are only computed here: errors are rare, tracking them per char is not free. */
  private failAt(pos: number, detail: string): never {
    let line = 1;
    let lineStart = 0;
    for (let nl = this.text.indexOf('\n'); nl >= 0 && nl < pos; nl = this.text.indexOf('\n', nl + 1)) {
      line++;
      lineStart = nl + 1;
    }
    throw new TemplateSyntaxError(detail, line, pos - lineStart + 1);
  }

  private describe(pos: number): string {
    if (pos >= this.text.length) return 'end of input';
    const c = this.text.charCodeAt(pos);
    if (c === NEWLINE) return 'end of line';
    if (!isName(c)) return c === QUOTE ? `'"'` : JSON.stringify(this.text[pos]);
    let end = pos;
    while (end < this.text.length && isName(this.text.charCodeAt(end))) end++;
    return `name ${this.text.slice(pos, end)}`;
  }
}
