/**
 * Shell-glob matching as fnmatch(3) without flags, which REQUIREMENTS' string `=`, `!=` and `@>`
 * use: `*` and `?` also match `/` and a leading `.`, `\` quotes the next character, `[...]` takes
 * `!` or `^` for negation, ranges, a leading `]` as a member and POSIX classes such as
 * `[[:digit:]]` (C locale; an unknown class matches nothing); a `[` with no closing `]` is a plain
 * character; a pattern ending in a lone `\` matches nothing.
 */

/** POSIX character classes in the C locale, as regular-expression class bodies. */
const CLASSES: ReadonlyMap<string, string> = new Map(Object.entries({
  alnum: '0-9A-Za-z', alpha: 'A-Za-z', blank: ' \\t', cntrl: '\\x00-\\x1f\\x7f', digit: '0-9',
  graph: '!-~', lower: 'a-z', print: ' -~', punct: '!-\\/:-@\\[-`{-~', space: ' \\t-\\r',
  upper: 'A-Z', xdigit: '0-9A-Fa-f',
}));

const NEVER = (): boolean => false;

/** Compiles a pattern once into a matcher (a regular expression, or string equality without wildcards). */
export function compileGlob(pattern: string): (value: string) => boolean {
  if (!/[*?[\\]/.test(pattern)) return (value) => value === pattern;
  let source = '';
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === '*') {
      source += '[^]*';
      i++;
    } else if (c === '?') {
      source += '[^]';
      i++;
    } else if (c === '\\') {
      if (i + 1 >= pattern.length) return NEVER;
      source += literal(pattern[i + 1]!);
      i += 2;
    } else if (c === '[') {
      const bracket = readBracket(pattern, i);
      if (bracket === null) return NEVER;
      source += bracket?.source ?? literal(c);
      i = bracket?.end ?? i + 1;
    } else {
      source += literal(c);
      i++;
    }
  }
  const re = new RegExp(`^(?:${source})$`, 'u');
  return (value) => re.test(value);
}

/** Shell-glob match as fnmatch(3) without flags: `*`, `?`, `[abc]`, `[a-z]`, `[!x]`; case-sensitive. */
export function globMatch(pattern: string, value: string): boolean {
  return compileGlob(pattern)(value);
}

function literal(c: string): string {
  // Escapes the regular-expression syntax characters ('-' is plain outside a class).
  return /[\^$.*+?()[\]{}|\\/]/.test(c) ? `\\${c}` : c;
}

/**
 * The bracket expression starting at `pattern[open]`: undefined when no `]` closes it, null when
 * it names an unknown class (glibc then matches nothing).
 */
function readBracket(pattern: string, open: number): { source: string; end: number } | undefined | null {
  let i = open + 1;
  const negate = pattern[i] === '!' || pattern[i] === '^';
  if (negate) i++;
  let body = '';
  let first = true;
  while (i < pattern.length) {
    if (pattern[i] === ']' && !first) {
      // An empty set (only reversed ranges) matches nothing, its negation anything.
      const set = body === '' ? (negate ? '[^]' : '[]') : `[${negate ? '^' : ''}${body}]`;
      return { source: set, end: i + 1 };
    }
    first = false;
    const cls = /^\[:([a-z]*):\]/.exec(pattern.slice(i));
    if (cls !== null) {
      const members = CLASSES.get(cls[1]!);
      if (members === undefined) return null;
      body += members;
      i += cls[0].length;
      continue;
    }
    const lo = member(pattern, i);
    if (lo === undefined) return undefined;
    i = lo.end;
    if (pattern[i] === '-' && pattern[i + 1] !== undefined && pattern[i + 1] !== ']') {
      const hi = member(pattern, i + 1);
      if (hi === undefined) return undefined;
      i = hi.end;
      if (lo.c <= hi.c) body += `${inClass(lo.c)}-${inClass(hi.c)}`;
    } else {
      body += inClass(lo.c);
    }
  }
  return undefined;
}

/** One (possibly backslash-quoted) character of a bracket expression. */
function member(pattern: string, i: number): { c: string; end: number } | undefined {
  const quoted = pattern[i] === '\\';
  const c = pattern.codePointAt(quoted ? i + 1 : i);
  if (c === undefined) return undefined;
  const s = String.fromCodePoint(c);
  return { c: s, end: i + (quoted ? 1 : 0) + s.length };
}

function inClass(c: string): string {
  return /[\\\]\[^-]/.test(c) ? `\\${c}` : c;
}
