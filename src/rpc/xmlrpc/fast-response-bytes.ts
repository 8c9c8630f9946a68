/**
 * The fast path of oned's answers on their bytes, as they came off the socket: the
 * client does not decode the whole body into a string first (a 100,000-VM listing is 55 MB of
 * escaped text), then encode its big string back into bytes to unescape it, then decode it
 * again. Here the markup is matched with Buffer's native searches, each string is unescaped in
 * one loop over its bytes, and only the result becomes a string (latin1 when it is ASCII: a
 * plain copy). Anything outside the shape, or doubtful (faults, structs, doubles, CDATA, CR,
 * numeric or unknown entities, characters XML forbids, invalid UTF-8), returns undefined and the
 * caller decodes the text fully, with its checks and messages.
 */
import { isAscii } from 'node:buffer';
import { TextDecoder } from 'node:util';
import { isInt32, type XmlRpcValue } from './value.js';

const HEAD = Buffer.from('<methodResponse><params><param><value><array><data>', 'latin1');
const TAIL = Buffer.from('</data></array></value></param></params></methodResponse>', 'latin1');
const XML_DECL = Buffer.from('<?xml', 'latin1');
const OPEN = Buffer.from('<value>', 'latin1');
const CLOSE = Buffer.from('</value>', 'latin1');
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Whether `buf` holds `part` at `at`. */
function has(buf: Uint8Array, part: Uint8Array, at: number): boolean {
  if (at < 0 || at + part.length > buf.length) return false;
  for (let i = 0; i < part.length; i++) if (buf[at + i] !== part[i]) return false;
  return true;
}

/** U+FFFE and U+FFFF in UTF-8: characters XML forbids. */
const NON_CHARACTERS = [Buffer.from([0xef, 0xbf, 0xbe]), Buffer.from([0xef, 0xbf, 0xbf])];

/**
 * src[a, b) with the five named entities replaced, as a string; undefined for another `&`, a CR
 * (XML reads it as LF), a character XML forbids or invalid UTF-8. The caller has checked there
 * is no `<` in the range. The loop does the least per byte (most bytes are above `&`); whether
 * the text is ASCII is asked once at the end, natively.
 */
export function unescapeBytes(src: Uint8Array, a: number, b: number): string | undefined {
  const out = Buffer.allocUnsafe(b - a);
  let o = 0;
  for (let i = a; i < b; i++) {
    const c = src[i]!;
    if (c > 0x26) {
      out[o++] = c;
      continue;
    }
    if (c === 0x26) {
      const c1 = src[i + 1];
      const c2 = src[i + 2];
      const c3 = src[i + 3];
      if (c2 === 0x74 && c3 === 0x3b && (c1 === 0x6c || c1 === 0x67)) {
        out[o++] = c1 === 0x6c ? 0x3c : 0x3e; // &lt; &gt;
        i += 3;
      } else if (c1 === 0x61 && c2 === 0x6d && c3 === 0x70 && src[i + 4] === 0x3b) {
        out[o++] = 0x26; // &amp;
        i += 4;
      } else if (c1 === 0x71 && c2 === 0x75 && c3 === 0x6f && src[i + 4] === 0x74 && src[i + 5] === 0x3b) {
        out[o++] = 0x22; // &quot;
        i += 5;
      } else if (c1 === 0x61 && c2 === 0x70 && c3 === 0x6f && src[i + 4] === 0x73 && src[i + 5] === 0x3b) {
        out[o++] = 0x27; // &apos;
        i += 5;
      } else return undefined;
      // An entity's end past b is caught by the caller's range: b is a `<`, never part of one.
      continue;
    }
    if (c < 0x20 && c !== 0x09 && c !== 0x0a) return undefined;
    out[o++] = c;
  }
  const bytes = out.subarray(0, o);
  // ASCII (oned's listings): a plain copy into a one-byte string.
  if (isAscii(bytes)) return bytes.toString('latin1');
  if (NON_CHARACTERS.some((n) => bytes.includes(n))) return undefined;
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

function isSpace(c: number | undefined): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** The response's value, or undefined when the full decoder must read the body's text. */
export function fastResponseBytes(buf: Buffer): XmlRpcValue | undefined {
  let p = 0;
  if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) p = 3; // a BOM, as TextDecoder drops it
  if (has(buf, XML_DECL, p)) {
    const end = buf.indexOf('?>', p);
    if (end < 0) return undefined;
    for (let i = p; i < end; i++) if (buf[i]! >= 0x80 || buf[i]! < 0x20) return undefined;
    p = end + 2;
  }
  while (p < buf.length && (buf[p] === 0x0a || buf[p] === 0x0d || buf[p] === 0x20)) p++;
  if (!has(buf, HEAD, p)) return undefined;
  p += HEAD.length;
  let end = buf.length;
  while (end > 0 && isSpace(buf[end - 1])) end--;
  end -= TAIL.length;
  if (end < p || !has(buf, TAIL, end)) return undefined;
  const items: XmlRpcValue[] = [];
  while (p < end) {
    if (!has(buf, OPEN, p)) return undefined;
    p += OPEN.length;
    const close = buf.indexOf(CLOSE, p);
    if (close < 0 || close > end) return undefined;
    let a = p;
    let b = close;
    p = close + CLOSE.length;
    let type = 'string';
    if (a < b && buf[a] === 0x3c) {
      let t = a + 1;
      while (t < b && ((buf[t]! >= 0x61 && buf[t]! <= 0x7a) || (buf[t]! >= 0x30 && buf[t]! <= 0x39))) t++;
      if (t === a + 1 || buf[t] !== 0x3e) return undefined;
      type = buf.toString('latin1', a + 1, t);
      const closeTag = Buffer.from(`</${type}>`, 'latin1');
      if (b - closeTag.length <= t || !has(buf, closeTag, b - closeTag.length)) return undefined;
      a = t + 1;
      b -= closeTag.length;
    }
    const lt = buf.indexOf(0x3c, a);
    if (lt >= 0 && lt < b) return undefined;
    switch (type) {
      case 'string': {
        const s = unescapeBytes(buf, a, b);
        if (s === undefined) return undefined;
        items.push(s);
        break;
      }
      case 'boolean': {
        const v = buf.toString('latin1', a, b);
        if (v !== '0' && v !== '1') return undefined;
        items.push(v === '1');
        break;
      }
      case 'i4':
      case 'int': {
        const v = buf.toString('latin1', a, b);
        if (!/^[+-]?\d{1,10}$/.test(v) || !isInt32(Number(v))) return undefined;
        items.push(Number(v));
        break;
      }
      default:
        return undefined;
    }
  }
  return items;
}
