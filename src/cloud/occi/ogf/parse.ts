/**
 * OCCI 1.2 requests read into one shape whatever their rendering: text/plain (lines in the
 * body), text/occi (the same in headers, values comma-separated) or application/occi+json.
 * Malformed input is a 400 saying where.
 */
import { badRequest } from '../errors.js';
import type { AttrValue } from './entities.js';
import { ACTIONS, id, KINDS } from './model.js';

export interface CategoryRef {
  readonly term: string;
  readonly scheme: string;
  readonly class?: string;
}

export interface LinkRequest {
  readonly target: string;
  /** The link's kind (`category=` in text, `kind` in JSON). */
  readonly kind?: string;
  readonly attributes: Map<string, AttrValue>;
}

export interface OcciRequest {
  kind?: string;
  mixins: string[];
  action?: string;
  attributes: Map<string, AttrValue>;
  links: LinkRequest[];
}

const empty = (): OcciRequest => ({ mixins: [], attributes: new Map(), links: [] });

/** Splits on `sep` outside double quotes and angle brackets. */
export function splitOutside(s: string, sep: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  let angle = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (quoted && ch === '\\' && i + 1 < s.length) {
      cur += ch + s[++i];
      continue;
    }
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === '<') angle = true;
    else if (!quoted && ch === '>') angle = false;
    if (ch === sep && !quoted && !angle) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (quoted) throw badRequest(`Unterminated quoted string in "${s}"`);
  out.push(cur);
  return out.map((x) => x.trim()).filter((x) => x !== '');
}

function unquote(v: string): string {
  if (!(v.length >= 2 && v.startsWith('"') && v.endsWith('"'))) return v;
  return v.slice(1, -1).replace(/\\(.)/g, '$1');
}

/** An attribute's value: a quoted string, a number, true/false (anything else as a string). */
export function parseValue(raw: string): AttrValue {
  const v = raw.trim();
  if (v.startsWith('"')) {
    if (!v.endsWith('"') || v.length < 2) throw badRequest(`Unterminated quoted string: ${v}`);
    return unquote(v);
  }
  if (/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(v)) return Number(v);
  if (v === 'true' || v === 'false') return v === 'true';
  return v;
}

/** `name=value`. */
function attribute(text: string): [string, AttrValue] {
  const eq = text.indexOf('=');
  if (eq <= 0) throw badRequest(`Not an attribute (name=value): "${text}"`);
  const name = text.slice(0, eq).trim();
  if (!/^[a-zA-Z][a-zA-Z0-9_.-]*$/.test(name)) throw badRequest(`Not an attribute name: "${name}"`);
  return [name, parseValue(text.slice(eq + 1))];
}

function params(parts: string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const p of parts) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw badRequest(`Not a parameter (name="value"): "${p}"`);
    m.set(p.slice(0, eq).trim(), p.slice(eq + 1).trim());
  }
  return m;
}

/** `term; scheme="..."; class="..."`. */
export function parseCategory(value: string): CategoryRef {
  const [term, ...rest] = splitOutside(value, ';');
  const p = params(rest);
  const scheme = unquote(p.get('scheme') ?? '');
  if (!term || !/^[a-zA-Z][a-zA-Z0-9_-]*$/.test(term) || !scheme) throw badRequest(`A Category needs a term and a scheme: "${value}"`);
  const cls = p.get('class');
  return { term, scheme, ...(cls ? { class: unquote(cls) } : {}) };
}

/** `<target>; rel="..."; category="..."; attr=value...`. */
export function parseLink(value: string): LinkRequest {
  const [target, ...rest] = splitOutside(value, ';');
  const m = /^<([^>]*)>$/.exec(target ?? '');
  if (!m) throw badRequest(`A Link starts with <location>: "${value}"`);
  const attributes = new Map<string, AttrValue>();
  let kind: string | undefined;
  for (const part of rest) {
    const [name, v] = attribute(part);
    if (name === 'category') kind = String(v).split(/\s+/)[0];
    else if (name !== 'rel' && name !== 'self') attributes.set(name, v);
  }
  return { target: m[1]!, kind, attributes };
}

const KIND_IDS = new Set(Object.values(KINDS).map(id));
const ACTION_IDS = new Set(Object.values(ACTIONS).map(id));

function addCategory(req: OcciRequest, c: CategoryRef): void {
  const full = c.scheme + c.term;
  const cls = c.class ?? (KIND_IDS.has(full) ? 'kind' : ACTION_IDS.has(full) ? 'action' : 'mixin');
  if (cls === 'kind') {
    if (req.kind && req.kind !== full) throw badRequest('A request names one kind');
    req.kind = full;
  } else if (cls === 'action') req.action = full;
  else if (cls === 'mixin') req.mixins.push(full);
  else throw badRequest(`Unknown category class "${cls}"`);
}

/** Reads `Name: value` pairs (the lines of text/plain, or the headers of text/occi). */
export function parseText(pairs: readonly (readonly [string, string])[]): OcciRequest {
  const req = empty();
  for (const [name, value] of pairs) {
    switch (name.toLowerCase()) {
      case 'category':
        for (const v of splitOutside(value, ',')) addCategory(req, parseCategory(v));
        break;
      case 'x-occi-attribute':
        for (const v of splitOutside(value, ',')) {
          const [k, x] = attribute(v);
          req.attributes.set(k, x);
        }
        break;
      case 'link':
        for (const v of splitOutside(value, ',')) req.links.push(parseLink(v));
        break;
      default:
        break;
    }
  }
  return req;
}

/** The lines of a text/plain body as name/value pairs. */
export function textPlainPairs(body: string): [string, string][] {
  const out: [string, string][] = [];
  for (const raw of body.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) throw badRequest(`Not a "Name: value" line: "${line}"`);
    out.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  }
  return out;
}

function attributesOf(v: unknown, where: string): Map<string, AttrValue> {
  if (v === undefined) return new Map();
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw badRequest(`${where} must be an object of attribute values`);
  const m = new Map<string, AttrValue>();
  for (const [k, x] of Object.entries(v)) {
    if (typeof x !== 'string' && typeof x !== 'number' && typeof x !== 'boolean') throw badRequest(`Attribute ${k} must be a string, number or boolean`);
    m.set(k, x);
  }
  return m;
}

function locationOf(v: unknown, where: string): string {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && typeof (v as { location?: unknown }).location === 'string') return (v as { location: string }).location;
  throw badRequest(`${where} must be a location or { "location": ... }`);
}

/** An application/occi+json body: a resource, a link or an action invocation. */
export function parseJson(body: string): OcciRequest {
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch {
    throw badRequest('The request body is not valid JSON');
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw badRequest('The request body must be a JSON object');
  const o = v as Record<string, unknown>;
  const req = empty();
  if (o.action !== undefined) {
    if (typeof o.action !== 'string') throw badRequest('"action" must be the action\'s scheme and term');
    req.action = o.action;
  }
  if (o.kind !== undefined) {
    if (typeof o.kind !== 'string') throw badRequest('"kind" must be the kind\'s scheme and term');
    req.kind = o.kind;
  }
  if (o.mixins !== undefined) {
    if (!Array.isArray(o.mixins) || o.mixins.some((m) => typeof m !== 'string')) throw badRequest('"mixins" must be a list of scheme+term strings');
    req.mixins = o.mixins as string[];
  }
  req.attributes = attributesOf(o.attributes, '"attributes"');
  if (o.title !== undefined) req.attributes.set('occi.core.title', String(o.title));
  if (o.summary !== undefined) req.attributes.set('occi.core.summary', String(o.summary));
  if (o.source !== undefined) req.attributes.set('occi.core.source', locationOf(o.source, '"source"'));
  if (o.target !== undefined) req.attributes.set('occi.core.target', locationOf(o.target, '"target"'));
  if (o.links !== undefined) {
    if (!Array.isArray(o.links)) throw badRequest('"links" must be a list');
    req.links = o.links.map((l, i) => {
      if (!l || typeof l !== 'object') throw badRequest(`links[${i}] must be an object`);
      const x = l as Record<string, unknown>;
      return { target: locationOf(x.target, `links[${i}].target`), kind: typeof x.kind === 'string' ? x.kind : undefined, attributes: attributesOf(x.attributes, `links[${i}].attributes`) };
    });
  }
  return req;
}
