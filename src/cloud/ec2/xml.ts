/**
 * EC2's XML: `<ActionResponse xmlns="http://ec2.amazonaws.com/doc/<Version>/">` with a
 * requestId and the action's elements; errors as `<Response><Errors><Error>...`. Builders
 * escape every text they are given.
 */
import { xmlEscape } from '../../common/xml.js';

/** `<name>text</name>`, escaped; nothing for undefined (EC2 leaves absent fields out). */
export function el(name: string, value: string | number | boolean | undefined | null): string {
  if (value === undefined || value === null) return '';
  return `<${name}>${typeof value === 'string' ? xmlEscape(value) : String(value)}</${name}>`;
}

/** `<name>` around already-built XML. */
export function wrap(name: string, inner: string): string {
  return `<${name}>${inner}</${name}>`;
}

/** A list element of `<item>`s (`<instancesSet><item>…</item></instancesSet>`), built from the items' inner XML. */
export function itemSet(name: string, items: readonly string[]): string {
  return items.length === 0 ? `<${name}/>` : `<${name}>${items.map((i) => `<item>${i}</item>`).join('')}</${name}>`;
}

/** A tagSet of `key`/`value` items. */
export function tagSet(tags: ReadonlyArray<{ key: string; value: string }>, name = 'tagSet'): string {
  return itemSet(name, tags.map((t) => el('key', t.key) + el('value', t.value)));
}

/** An ISO time as EC2 writes it (`2024-05-01T10:00:00.000Z`) from epoch seconds. */
export function isoTime(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString();
}

const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

/** The whole answer of an action. */
export function responseXml(action: string, version: string, requestId: string, inner: string): string {
  return `${DECLARATION}<${action}Response xmlns="http://ec2.amazonaws.com/doc/${xmlEscape(version)}/">${el('requestId', requestId)}${inner}</${action}Response>`;
}

/** An error answer. */
export function errorXml(code: string, message: string, requestId: string): string {
  return `${DECLARATION}<Response><Errors><Error>${el('Code', code)}${el('Message', message)}</Error></Errors>${el('RequestID', requestId)}</Response>`;
}
