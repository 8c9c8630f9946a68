/**
 * The shape nearly every answer of oned has, `[ok, value, code, ...]`: an array of scalars in a
 * `<methodResponse>`, read with indexOf instead of the SAX parser. A pool listing is one big
 * escaped string; unescaping it in one pass over its bytes is several times faster than feeding
 * it through saxes character by character (17 MB listing of 20,000 VMs: 0.7 s → 0.1 s). Anything outside
 * that shape (faults, structs, nested arrays, doubles, CDATA, CR characters, odd entities,
 * out-of-range numbers) returns
 * undefined and the full decoder reads it, with its checks and error messages.
 */
import { isInt32, type XmlRpcValue } from './value.js';

const HEAD = '<methodResponse><params><param><value><array><data>';
const TAIL = '</data></array></value></param></params></methodResponse>';
/**
 * Characters XML forbids, and surrogates (kept for the SAX parser, which checks their pairing):
 * text with any of them goes to the full decoder.
 */
const NOT_PLAIN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF\uD800-\uDFFF]/;

/**
 * The text with the five named entities replaced, byte by byte (String.replace over the 1.5
 * million entities of a big listing costs ten times more); undefined for a numeric or unknown
 * entity, a raw CR (XML reads it as LF) or a character XML forbids.
 */
function unescape(text: string): string | undefined {
  if (text.includes('\r') || NOT_PLAIN.test(text)) return undefined;
  if (!text.includes('&')) return text;
  const src = Buffer.from(text, 'utf8');
  const out = Buffer.allocUnsafe(src.length);
  let o = 0;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c !== 0x26) {
      out[o++] = c;
      continue;
    }
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
  }
  return out.toString('utf8', 0, o);
}

/** The response's value, or undefined when the full decoder must read it. */
export function fastResponse(xml: string): XmlRpcValue | undefined {
  let p = 0;
  if (xml.startsWith('<?xml')) {
    p = xml.indexOf('?>');
    if (p < 0) return undefined;
    p += 2;
  }
  while (p < xml.length && (xml[p] === '\n' || xml[p] === '\r' || xml[p] === ' ')) p++;
  if (!xml.startsWith(HEAD, p)) return undefined;
  p += HEAD.length;
  let end = xml.length;
  while (end > 0 && /\s/.test(xml[end - 1]!)) end--;
  if (!xml.endsWith(TAIL, end) || end - TAIL.length < p) return undefined;
  end -= TAIL.length;
  const items: XmlRpcValue[] = [];
  while (p < end) {
    if (!xml.startsWith('<value>', p)) return undefined;
    p += 7;
    const close = xml.indexOf('</value>', p);
    if (close < 0 || close > end) return undefined;
    let body = xml.slice(p, close);
    p = close + 8;
    let type = 'string';
    if (body.startsWith('<')) {
      const m = /^<([a-z0-9]+)>/.exec(body);
      if (!m || !body.endsWith(`</${m[1]}>`)) return undefined;
      type = m[1]!;
      body = body.slice(m[0].length, body.length - m[1]!.length - 3);
    }
    if (body.includes('<')) return undefined;
    switch (type) {
      case 'string': {
        const s = unescape(body);
        if (s === undefined) return undefined;
        items.push(s);
        break;
      }
      case 'boolean':
        if (body !== '0' && body !== '1') return undefined;
        items.push(body === '1');
        break;
      case 'i4':
      case 'int': {
        if (!/^[+-]?\d{1,10}$/.test(body) || !isInt32(Number(body))) return undefined;
        items.push(Number(body));
        break;
      }
      default:
        return undefined;
    }
  }
  return items;
}

const HEAD_BYTES = Buffer.from(HEAD);
const TAIL_BYTES = Buffer.from(TAIL);
const VALUE_OPEN = Buffer.from('<value>');
const VALUE_CLOSE = Buffer.from('</value>');
const XML_DECL = Buffer.from('<?xml');
/** What `unescape` refuses, once the text is decoded (no entity decodes to any of these). */
const NOT_PLAIN_OR_CR = /[\u0000-\u0008\u000B-\u001F\uFFFE\uFFFF\uD800-\uDFFF]/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

const startsWith = (buf: Buffer, what: Buffer, at: number): boolean => at + what.length <= buf.length && buf.compare(what, 0, what.length, at, at + what.length) === 0;
const isSpace = (c: number | undefined): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/**
 * `unescape` of the bytes buf[start, end): runs without `&` are copied natively (a listing has
 * long ones), then one UTF-8 decoding; undefined where `unescape` refuses, or for invalid UTF-8.
 */
function unescapeBytes(buf: Buffer, start: number, end: number): string | undefined {
  let amp = buf.indexOf(0x26, start);
  let text: string | undefined;
  if (amp < 0 || amp >= end) text = decode(buf.subarray(start, end));
  else {
    const out = Buffer.allocUnsafe(end - start);
    let o = 0;
    let i = start;
    while (amp >= 0 && amp < end) {
      o += buf.copy(out, o, i, amp);
      const c1 = buf[amp + 1];
      const c2 = buf[amp + 2];
      const c3 = buf[amp + 3];
      if (c2 === 0x74 && c3 === 0x3b && (c1 === 0x6c || c1 === 0x67)) {
        out[o++] = c1 === 0x6c ? 0x3c : 0x3e; // &lt; &gt;
        i = amp + 4;
      } else if (c1 === 0x61 && c2 === 0x6d && c3 === 0x70 && buf[amp + 4] === 0x3b) {
        out[o++] = 0x26; // &amp;
        i = amp + 5;
      } else if (c1 === 0x71 && c2 === 0x75 && c3 === 0x6f && buf[amp + 4] === 0x74 && buf[amp + 5] === 0x3b) {
        out[o++] = 0x22; // &quot;
        i = amp + 6;
      } else if (c1 === 0x61 && c2 === 0x70 && c3 === 0x6f && buf[amp + 4] === 0x73 && buf[amp + 5] === 0x3b) {
        out[o++] = 0x27; // &apos;
        i = amp + 6;
      } else return undefined;
      // An entity cut by `end` (`&am` then `</value>`) was read past the text: refused.
      if (i > end) return undefined;
      amp = buf.indexOf(0x26, i);
    }
    o += buf.copy(out, o, i, end);
    text = decode(out.subarray(0, o));
  }
  return text === undefined || NOT_PLAIN_OR_CR.test(text) ? undefined : text;
}

function decode(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * `fastResponse` of a response's bytes, without decoding the whole body into a string first:
 * a big listing is unescaped from the received bytes and decoded to a string once (the string
 * path decodes the body, encodes the value back to bytes to unescape it, and decodes again).
 * Undefined when the full decoder must read it (from `decodeUtf8` of the same bytes).
 */
export function fastResponseBytes(buf: Buffer): XmlRpcValue | undefined {
  let p = buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0; // a BOM, as decodeUtf8 drops it
  if (startsWith(buf, XML_DECL, p)) {
    p = buf.indexOf('?>', p);
    if (p < 0) return undefined;
    p += 2;
  }
  while (p < buf.length && (buf[p] === 0x0a || buf[p] === 0x0d || buf[p] === 0x20)) p++;
  if (!startsWith(buf, HEAD_BYTES, p)) return undefined;
  p += HEAD_BYTES.length;
  let end = buf.length;
  while (end > 0 && (isSpace(buf[end - 1]) || buf[end - 1] === 0x0b || buf[end - 1] === 0x0c)) end--;
  if (end - TAIL_BYTES.length < p || !startsWith(buf, TAIL_BYTES, end - TAIL_BYTES.length)) return undefined;
  end -= TAIL_BYTES.length;
  const items: XmlRpcValue[] = [];
  while (p < end) {
    if (!startsWith(buf, VALUE_OPEN, p)) return undefined;
    p += VALUE_OPEN.length;
    const close = buf.indexOf(VALUE_CLOSE, p);
    if (close < 0 || close > end) return undefined;
    let bodyStart = p;
    let bodyEnd = close;
    p = close + VALUE_CLOSE.length;
    let type = 'string';
    if (buf[bodyStart] === 0x3c) {
      const gt = buf.indexOf(0x3e, bodyStart);
      if (gt < 0 || gt >= bodyEnd) return undefined;
      type = buf.toString('latin1', bodyStart + 1, gt);
      if (!/^[a-z0-9]+$/.test(type) || !startsWith(buf, Buffer.from(`</${type}>`), bodyEnd - type.length - 3) || bodyEnd - type.length - 3 < gt + 1) return undefined;
      bodyStart = gt + 1;
      bodyEnd -= type.length + 3;
    }
    const lt = buf.indexOf(0x3c, bodyStart);
    if (lt >= 0 && lt < bodyEnd) return undefined;
    switch (type) {
      case 'string': {
        const s = unescapeBytes(buf, bodyStart, bodyEnd);
        if (s === undefined) return undefined;
        items.push(s);
        break;
      }
      case 'boolean':
      case 'i4':
      case 'int': {
        const body = buf.toString('latin1', bodyStart, bodyEnd);
        if (type === 'boolean') {
          if (body !== '0' && body !== '1') return undefined;
          items.push(body === '1');
        } else {
          if (!/^[+-]?\d{1,10}$/.test(body) || !isInt32(Number(body))) return undefined;
          items.push(Number(body));
        }
        break;
      }
      default:
        return undefined;
    }
  }
  return items;
}
