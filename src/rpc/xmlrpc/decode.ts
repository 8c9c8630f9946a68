/**
 * Reads XML-RPC documents in one saxes pass with a small stack of reusable frames (no DOM).
 * Every problem, malformed XML or a document that is not valid XML-RPC, becomes
 * XmlRpcFault(PARSE) whose message carries the line and column where it was found.
 */
import { TextDecoder } from 'node:util';
import type { SaxesParser } from 'saxes';
import { saxesParser } from '../../common/saxes.js';
import { fastResponse } from './fast-response.js';
import { Double, EscapedBytes, EscapedString, FaultCode, isInt32, XmlRpcFault, type MethodCall, type XmlRpcValue } from './value.js';

/**
 * How deep arrays and structs may nest (xmlrpc-c's nesting limit has the same default): deeper
 * documents are refused while parsing, so no value of unbounded depth ever reaches the code that
 * walks values recursively.
 */
export const DEFAULT_MAX_NESTING = 64;

/**
 * Parses a `<methodCall>`. Throws XmlRpcFault(PARSE) for anything else, and for arrays and
 * structs nested more than `maxNesting` deep.
 */
export function decodeMethodCall(xml: string, maxNesting = DEFAULT_MAX_NESTING): MethodCall {
  return decoder().decodeCall(xml, maxNesting);
}

/** Parses a `<methodResponse>` into its value; a fault response is thrown as XmlRpcFault with its code. */
export function decodeMethodResponse(xml: string, maxNesting = DEFAULT_MAX_NESTING): XmlRpcValue {
  return fastResponse(xml) ?? decoder().decodeResponse(xml, maxNesting);
}

/** The SAX decoder alone, without the fast path (its tests compare the two). */
export function decodeMethodResponseFully(xml: string): XmlRpcValue {
  return decoder().decodeResponse(xml);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes a message body as UTF-8 (dropping a BOM); invalid UTF-8 → XmlRpcFault(INVALID_UTF8). */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new XmlRpcFault(FaultCode.INVALID_UTF8, 'XML-RPC message is not valid UTF-8');
  }
}

const enum Kind {
  DOCUMENT,
  METHOD_CALL,
  METHOD_RESPONSE,
  METHOD_NAME,
  PARAMS,
  PARAM,
  FAULT,
  VALUE,
  ARRAY,
  DATA,
  STRUCT,
  MEMBER,
  NAME,
  INT,
  I8,
  BOOLEAN,
  STRING,
  DOUBLE,
  DATE_TIME,
  BASE64,
  NIL,
}

// `ex:` names are the Apache extensions that xmlrpc-c writes for 64-bit integers and nil.
const KINDS = new Map<string, Kind>([
  ['methodCall', Kind.METHOD_CALL],
  ['methodResponse', Kind.METHOD_RESPONSE],
  ['methodName', Kind.METHOD_NAME],
  ['params', Kind.PARAMS],
  ['param', Kind.PARAM],
  ['fault', Kind.FAULT],
  ['value', Kind.VALUE],
  ['array', Kind.ARRAY],
  ['data', Kind.DATA],
  ['struct', Kind.STRUCT],
  ['member', Kind.MEMBER],
  ['name', Kind.NAME],
  ['int', Kind.INT],
  ['i4', Kind.INT],
  ['i8', Kind.I8],
  ['ex:i8', Kind.I8],
  ['boolean', Kind.BOOLEAN],
  ['string', Kind.STRING],
  ['double', Kind.DOUBLE],
  ['dateTime.iso8601', Kind.DATE_TIME],
  ['base64', Kind.BASE64],
  ['nil', Kind.NIL],
  ['ex:nil', Kind.NIL],
]);

const bit = (kind: Kind): number => 1 << kind;
const SCALARS =
  bit(Kind.INT) | bit(Kind.I8) | bit(Kind.BOOLEAN) | bit(Kind.STRING) | bit(Kind.DOUBLE) | bit(Kind.DATE_TIME) | bit(Kind.BASE64);
const TYPES = SCALARS | bit(Kind.NIL) | bit(Kind.ARRAY) | bit(Kind.STRUCT);
/** Elements whose character data is their content (elsewhere only whitespace is allowed). */
const TEXT_KINDS = SCALARS | bit(Kind.METHOD_NAME) | bit(Kind.NAME);

/** Which children each element may hold, as a bit set of kinds. */
const CHILDREN: readonly number[] = (() => {
  const children = new Array<number>(Kind.NIL + 1).fill(0);
  children[Kind.DOCUMENT] = bit(Kind.METHOD_CALL) | bit(Kind.METHOD_RESPONSE);
  children[Kind.METHOD_CALL] = bit(Kind.METHOD_NAME) | bit(Kind.PARAMS);
  children[Kind.METHOD_RESPONSE] = bit(Kind.PARAMS) | bit(Kind.FAULT);
  children[Kind.PARAMS] = bit(Kind.PARAM);
  children[Kind.PARAM] = bit(Kind.VALUE);
  children[Kind.FAULT] = bit(Kind.VALUE);
  children[Kind.VALUE] = TYPES;
  children[Kind.ARRAY] = bit(Kind.DATA);
  children[Kind.DATA] = bit(Kind.VALUE);
  children[Kind.STRUCT] = bit(Kind.MEMBER);
  children[Kind.MEMBER] = bit(Kind.NAME) | bit(Kind.VALUE);
  return children;
})();

/** What a scalar's text must be, for error messages. */
const EXPECTED: Partial<Record<Kind, string>> = {
  [Kind.INT]: 'a 32-bit integer',
  [Kind.I8]: 'a 64-bit integer',
  [Kind.BOOLEAN]: '0 or 1',
  [Kind.DOUBLE]: 'a finite decimal number',
  [Kind.DATE_TIME]: 'an ISO 8601 date and time',
  [Kind.BASE64]: 'base64',
};

/** One open element. Frames are reused between elements and documents. */
class Frame {
  kind = Kind.DOCUMENT;
  /** The element's name as written, for messages. */
  tag = '';
  text = '';
  /** VALUE: holds a typed child; PARAM/FAULT/MEMBER: holds its value; ARRAY: holds its data; METHOD_RESPONSE: holds its content. */
  filled = false;
  /** The finished child value (VALUE, PARAM, FAULT, MEMBER, ARRAY). */
  value: XmlRpcValue = null;
  /** PARAMS and DATA collect their values here. */
  items: XmlRpcValue[] | null = null;
  struct: { [member: string]: XmlRpcValue } | null = null;
  /** MEMBER: the member's name once its `<name>` closed. */
  name: string | null = null;
}

/** A saxes parser whose errors are parse faults carrying the position (saxes is loaded on first use). */
function faultingSaxesParser(): SaxesParser {
  return new (class extends saxesParser() {
    override makeError(message: string): Error {
      return new XmlRpcFault(FaultCode.PARSE, `XML-RPC parse error at line ${this.line}, column ${this.column}: ${message}`);
    }
  })();
}

/**
 * The decoding state machine. One instance serves all calls: decoding is synchronous, so
 * no document can start while another is half-read.
 */
class Decoder {
  private readonly parser = faultingSaxesParser();
  private readonly frames: Frame[] = [new Frame()];
  private depth = 0;
  /** Open arrays and structs, and how many may be open at once. */
  private nesting = 0;
  private maxNesting = DEFAULT_MAX_NESTING;
  private root = Kind.METHOD_CALL;
  private methodName: string | null = null;
  private params: XmlRpcValue[] | null = null;
  private fault: { code: number; message: string } | null = null;

  constructor() {
    const { parser } = this;
    parser.on('opentag', (tag) => this.open(tag.name));
    parser.on('closetag', () => this.close());
    parser.on('text', (text) => this.text(text));
    parser.on('cdata', (text) => this.text(text));
    // Refusing any DOCTYPE keeps entity definitions (and their expansion) out entirely.
    parser.on('doctype', () => this.fail('DOCTYPE declarations are not allowed'));
  }

  decodeCall(xml: string, maxNesting: number): MethodCall {
    this.parse(xml, Kind.METHOD_CALL, maxNesting);
    const call: MethodCall = { method: this.methodName!, params: this.params ?? [] };
    this.reset();
    return call;
  }

  decodeResponse(xml: string, maxNesting = DEFAULT_MAX_NESTING): XmlRpcValue {
    this.parse(xml, Kind.METHOD_RESPONSE, maxNesting);
    const { fault, params } = this;
    this.reset();
    if (fault) throw new XmlRpcFault(fault.code, fault.message);
    return params![0]!;
  }

  private parse(xml: string, root: Kind, maxNesting: number): void {
    this.root = root;
    this.maxNesting = maxNesting;
    try {
      this.parser.write(xml).close();
    } catch (err) {
      // A throw leaves saxes mid-document; _init() (public in its typings) readies it for the next one.
      this.parser._init();
      this.reset();
      throw err;
    }
  }

  private reset(): void {
    for (let i = this.depth; i > 0; i--) release(this.frames[i]!);
    this.depth = 0;
    this.nesting = 0;
    this.methodName = null;
    this.params = null;
    this.fault = null;
  }

  private fail(message: string): never {
    throw this.parser.makeError(message);
  }

  private open(name: string): void {
    const kind = KINDS.get(name);
    if (kind === undefined) this.fail(`unknown element <${name}>`);
    const parent = this.frames[this.depth]!;
    if ((CHILDREN[parent.kind]! & bit(kind)) === 0 || (parent.kind === Kind.DOCUMENT && kind !== this.root)) {
      this.fail(
        parent.kind === Kind.DOCUMENT
          ? `expected <${this.root === Kind.METHOD_CALL ? 'methodCall' : 'methodResponse'}>, found <${name}>`
          : `<${name}> is not allowed in <${parent.tag}>`,
      );
    }
    switch (parent.kind) {
      case Kind.VALUE:
        if (parent.filled) this.fail(`<value> holds more than one value`);
        if (!isBlank(parent.text)) this.fail(`<value> mixes text with <${name}>`);
        parent.filled = true;
        break;
      case Kind.MEMBER:
        if (kind === Kind.NAME) {
          if (parent.name !== null) this.fail('more than one <name> in <member>');
        } else {
          if (parent.name === null) this.fail('<member> has a <value> before its <name>');
          this.claimOnlyChild(parent, name);
        }
        break;
      case Kind.PARAM:
      case Kind.FAULT:
      case Kind.ARRAY:
      case Kind.METHOD_RESPONSE:
        this.claimOnlyChild(parent, name);
        break;
      case Kind.METHOD_CALL:
        if (kind === Kind.METHOD_NAME ? this.methodName !== null : this.params !== null) {
          this.fail(`more than one <${name}> in <methodCall>`);
        }
        break;
    }
    this.push(kind, name);
  }

  /** For elements that hold exactly one child. */
  private claimOnlyChild(parent: Frame, name: string): void {
    if (parent.filled) this.fail(`unexpected <${name}>: <${parent.tag}> is already complete`);
    parent.filled = true;
  }

  private push(kind: Kind, tag: string): void {
    if ((kind === Kind.ARRAY || kind === Kind.STRUCT) && ++this.nesting > this.maxNesting) {
      this.fail(`arrays and structs are nested more than ${this.maxNesting} deep`);
    }
    this.depth++;
    let frame = this.frames[this.depth];
    if (frame === undefined) this.frames.push((frame = new Frame()));
    frame.kind = kind;
    frame.tag = tag;
    frame.filled = false;
    if (kind === Kind.PARAMS || kind === Kind.DATA) frame.items = [];
    else if (kind === Kind.STRUCT) frame.struct = Object.create(null) as { [member: string]: XmlRpcValue };
  }

  private text(text: string): void {
    const frame = this.frames[this.depth]!;
    if ((TEXT_KINDS & bit(frame.kind)) !== 0 || (frame.kind === Kind.VALUE && !frame.filled)) frame.text += text;
    else if (!isBlank(text)) this.fail(`unexpected text in <${frame.tag}>`);
  }

  private close(): void {
    const frame = this.frames[this.depth]!;
    const parent = this.frames[this.depth - 1]!;
    switch (frame.kind) {
      case Kind.VALUE: {
        // Without a type element the value is a string, whitespace included.
        const value = frame.filled ? frame.value : frame.text;
        if (parent.kind === Kind.DATA) parent.items!.push(value);
        else parent.value = value;
        break;
      }
      case Kind.STRING:
        parent.value = frame.text;
        break;
      case Kind.INT:
      case Kind.I8:
      case Kind.BOOLEAN:
      case Kind.DOUBLE:
      case Kind.DATE_TIME:
      case Kind.BASE64: {
        const value = parseScalar(frame.kind, frame.text.trim());
        if (value === undefined) this.fail(`<${frame.tag}> value '${excerpt(frame.text)}' is not ${EXPECTED[frame.kind]}`);
        parent.value = value;
        break;
      }
      case Kind.NIL:
        parent.value = null;
        break;
      case Kind.DATA:
        parent.value = frame.items;
        break;
      case Kind.ARRAY:
        if (!frame.filled) this.fail('<array> without <data>');
        parent.value = frame.value;
        this.nesting--;
        break;
      case Kind.STRUCT:
        parent.value = frame.struct;
        this.nesting--;
        break;
      case Kind.NAME:
        parent.name = frame.text;
        break;
      case Kind.MEMBER:
        if (!frame.filled) this.fail(frame.name === null ? '<member> without <name>' : `<member> '${excerpt(frame.name)}' without <value>`);
        parent.struct![frame.name!] = frame.value;
        break;
      case Kind.PARAM:
        if (!frame.filled) this.fail('<param> without <value>');
        parent.items!.push(frame.value);
        break;
      case Kind.PARAMS:
        this.params = frame.items;
        break;
      case Kind.FAULT:
        if (!frame.filled) this.fail('<fault> without <value>');
        this.fault = this.faultOf(frame.value);
        break;
      case Kind.METHOD_NAME:
        this.methodName = frame.text.trim();
        if (this.methodName === '') this.fail('empty <methodName>');
        break;
      case Kind.METHOD_CALL:
        if (this.methodName === null) this.fail('<methodCall> without <methodName>');
        break;
      case Kind.METHOD_RESPONSE:
        if (!frame.filled) this.fail('<methodResponse> holds neither <params> nor <fault>');
        if (this.params !== null && this.params.length !== 1) {
          this.fail(`<methodResponse> must hold exactly one <param>, found ${this.params.length}`);
        }
        break;
    }
    release(frame);
    this.depth--;
  }

  private faultOf(value: XmlRpcValue): { code: number; message: string } {
    const struct = isStruct(value) ? value : undefined;
    const code = struct?.faultCode;
    const message = struct?.faultString;
    if (typeof code !== 'number' || !isInt32(code) || typeof message !== 'string') {
      this.fail('<fault> must hold a struct with an integer faultCode and a string faultString');
    }
    return { code, message };
  }
}

/** Drops a closed frame's references so the last document is not kept alive. */
function release(frame: Frame): void {
  frame.text = '';
  frame.value = null;
  frame.items = null;
  frame.struct = null;
  frame.name = null;
}

function isStruct(value: XmlRpcValue): value is { [member: string]: XmlRpcValue } {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Double) &&
    !(value instanceof EscapedString) &&
    !(value instanceof EscapedBytes) &&
    !(value instanceof Date) &&
    !Buffer.isBuffer(value)
  );
}

const INTEGER = /^[+-]?[0-9]+$/;
const DECIMAL = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const WHITESPACE = /\s+/g;
// Basic and extended forms, optional fraction and zone: 20240131T23:59:59, 2024-01-31T23:59:59.5+01:00.
const DATE_TIME = /^(\d{4})-?(\d{2})-?(\d{2})T(\d{2}):?(\d{2}):?(\d{2})(?:[.,](\d+))?(Z|[+-]\d{2}(?::?\d{2})?)?$/;
const I8_MIN = -(2n ** 63n);
const I8_MAX = 2n ** 63n - 1n;
/** Longest integer text that is certainly exact as a double (15 digits, or fewer with a sign). */
const SAFE_LENGTH = 15;

/** A scalar's value from its trimmed text, or undefined when the text is not of that type. */
function parseScalar(kind: Kind, text: string): XmlRpcValue | undefined {
  switch (kind) {
    case Kind.INT: {
      if (!INTEGER.test(text)) return undefined;
      const n = Number(text);
      return isInt32(n) ? n : undefined;
    }
    case Kind.I8:
      return parseI8(text);
    case Kind.BOOLEAN:
      if (text === '1' || text === 'true') return true;
      if (text === '0' || text === 'false') return false;
      return undefined;
    case Kind.DOUBLE: {
      if (!DECIMAL.test(text)) return undefined;
      const n = Number(text);
      return Number.isFinite(n) ? new Double(n) : undefined;
    }
    case Kind.DATE_TIME:
      return parseDateTime(text);
    case Kind.BASE64: {
      const compact = text.replace(WHITESPACE, '');
      return BASE64.test(compact) ? Buffer.from(compact, 'base64') : undefined;
    }
  }
  return undefined;
}

function parseI8(text: string): number | bigint | undefined {
  if (!INTEGER.test(text)) return undefined;
  if (text.length <= SAFE_LENGTH) return Number(text);
  if (text.length > 64) return undefined;
  const n = BigInt(text);
  if (n < I8_MIN || n > I8_MAX) return undefined;
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
}

/** A dateTime.iso8601; without a zone it is taken as UTC (as xmlrpc-c does). */
function parseDateTime(text: string): Date | undefined {
  const m = DATE_TIME.exec(text);
  if (!m) return undefined;
  const [, year, month, day, hour, minute, second, fraction, zone] = m;
  const mo = Number(month);
  const d = Number(day);
  const h = Number(hour);
  const mi = Number(minute);
  const s = Number(second);
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return undefined;
  const ms = fraction === undefined ? 0 : Math.round(Number(`0.${fraction}`) * 1000);
  let time = Date.UTC(Number(year), mo - 1, d, h, mi, s, ms);
  if (zone !== undefined && zone !== 'Z') {
    const digits = zone.replace(':', '');
    const offset = Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5) || '0');
    time -= (zone[0] === '-' ? -offset : offset) * 60_000;
  }
  return new Date(time);
}

function isBlank(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x09 && c !== 0x0d) return false;
  }
  return true;
}

/** Input quoted in messages is cut short: it comes from the network. */
function excerpt(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

let theDecoder: Decoder | undefined;
/** The one decoder, made on first use (it loads saxes). */
function decoder(): Decoder {
  return (theDecoder ??= new Decoder());
}
