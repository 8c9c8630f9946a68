/**
 * OCCI 1.2 renderings of categories and entities: the text rendering (`Category:`, `Link:`,
 * `X-OCCI-Attribute:` lines, in the body for text/plain or as headers for text/occi) and the
 * JSON rendering (application/occi+json). Locations are made absolute with `base`.
 */
import type { AttrValue, Entity, LinkEntity } from './entities.js';
import { id, type Category } from './model.js';

/** A quoted string of the text rendering (`"` and `\` escaped). */
export function quote(s: string): string {
  return `"${s.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

export function attributeValue(v: AttrValue): string {
  return typeof v === 'string' ? quote(v) : String(v);
}

const abs = (base: string, location: string) => (/^https?:/.test(location) ? location : base + location);

/** `term; scheme="..."; class="..."; title=...` of a category (`full`: with attributes and actions, as the query interface gives it). */
export function categoryText(c: Category, base: string, full: boolean): string {
  const parts = [c.term, `scheme=${quote(c.scheme)}`, `class=${quote(c.class)}`, `title=${quote(c.title)}`];
  const rel = c.parent ? [c.parent] : [...(c.depends ?? []), ...(full ? (c.applies ?? []) : [])];
  if (rel.length) parts.push(`rel=${quote(rel.join(' '))}`);
  if (c.location) parts.push(`location=${quote(abs(base, c.location))}`);
  if (full && c.attributes.length) {
    parts.push(`attributes=${quote(c.attributes.map((a) => a.name + (a.required ? '{required}' : a.mutable ? '' : '{immutable}')).join(' '))}`);
  }
  if (full && c.actions?.length) parts.push(`actions=${quote(c.actions.join(' '))}`);
  return parts.join('; ');
}

/** The `Link:` value of a link entity (as part of its source's rendering). */
export function linkText(l: LinkEntity, base: string): string {
  const parts = [`<${abs(base, l.target.location)}>`, `rel=${quote(id(l.target.kind))}`, `self=${quote(abs(base, l.location))}`, `category=${quote([l.kind, ...l.mixins].map(id).join(' '))}`];
  for (const [k, v] of l.attributes) parts.push(`${k}=${attributeValue(v)}`);
  return parts.join('; ');
}

export interface TextRendering {
  readonly categories: string[];
  readonly links: string[];
  readonly attributes: string[];
}

/** The three kinds of values an entity is rendered as, in text. */
export function entityText(e: Entity, base: string): TextRendering {
  const attributes = e.attributes.map(([k, v]) => `${k}=${attributeValue(v)}`);
  if ('source' in e) {
    const l = e as LinkEntity;
    attributes.push(`occi.core.source=${quote(abs(base, l.source.location))}`, `occi.core.target=${quote(abs(base, l.target.location))}`);
  }
  return {
    categories: [e.kind, ...e.mixins].map((c) => categoryText(c, base, false)),
    links: [...e.links.map((l) => linkText(l, base)), ...e.actions.map((a) => `<${abs(base, e.location)}?action=${a.term}>; rel=${quote(id(a))}`)],
    attributes,
  };
}

/** The body of text/plain: one `Name: value` line each. */
export function textPlain(r: TextRendering): string {
  return [...r.categories.map((v) => `Category: ${v}`), ...r.links.map((v) => `Link: ${v}`), ...r.attributes.map((v) => `X-OCCI-Attribute: ${v}`)].join('\n') + '\n';
}

/** The headers of text/occi: each name once, its values comma-separated. */
export function textOcciHeaders(r: TextRendering): Record<string, string> {
  const h: Record<string, string> = {};
  if (r.categories.length) h['Category'] = r.categories.join(', ');
  if (r.links.length) h['Link'] = r.links.join(', ');
  if (r.attributes.length) h['X-OCCI-Attribute'] = r.attributes.join(', ');
  return h;
}

// ---------------------------------------------------------------- JSON

export function categoryJson(c: Category, base: string): Record<string, unknown> {
  const out: Record<string, unknown> = { term: c.term, scheme: c.scheme, title: c.title };
  if (c.attributes.length) {
    out.attributes = Object.fromEntries(
      c.attributes.map((a) => [a.name, { mutable: a.mutable, required: a.required, type: a.type, description: a.description, ...(a.default === undefined ? {} : { default: a.default }) }]),
    );
  }
  if (c.parent) out.parent = c.parent;
  if (c.depends?.length) out.depends = c.depends;
  if (c.applies?.length) out.applies = c.applies;
  if (c.actions?.length) out.actions = c.actions;
  if (c.location) out.location = abs(base, c.location);
  return out;
}

/** `{kinds, mixins, actions}` of the query interface. */
export function queryJson(categories: readonly Category[], base: string): Record<string, unknown> {
  const of = (cls: Category['class']) => categories.filter((c) => c.class === cls).map((c) => categoryJson(c, base));
  return { kinds: of('kind'), mixins: of('mixin'), actions: of('action') };
}

export function entityJson(e: Entity, base: string): Record<string, unknown> {
  const out: Record<string, unknown> = {
    kind: id(e.kind),
    id: String(e.attributes.find(([k]) => k === 'occi.core.id')?.[1] ?? ''),
  };
  const title = e.attributes.find(([k]) => k === 'occi.core.title')?.[1];
  if (title !== undefined) out.title = title;
  if (e.mixins.length) out.mixins = e.mixins.map(id);
  const attrs = e.attributes.filter(([k]) => k !== 'occi.core.id' && k !== 'occi.core.title');
  if (attrs.length) out.attributes = Object.fromEntries(attrs);
  if (e.actions.length) out.actions = e.actions.map(id);
  if ('source' in e) {
    const l = e as LinkEntity;
    out.source = { location: abs(base, l.source.location), kind: id(l.source.kind) };
    out.target = { location: abs(base, l.target.location), kind: id(l.target.kind) };
  }
  if (e.links.length) out.links = e.links.map((l) => entityJson(l, base));
  out.location = abs(base, e.location);
  return out;
}
