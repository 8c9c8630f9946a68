/**
 * The XML of OpenNebula's OCCI API: elements with attributes (`<STORAGE href="..."/>`), read
 * with saxes into a small tree, and written with escaped text.
 */
import { SaxesParser } from 'saxes';
import { xmlEscape } from '../../common/xml.js';
import { badRequest } from './errors.js';

export interface Element {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: Element[];
  text: string;
}

/** Parses a request body; malformed XML (or none) is a 400 naming the problem. */
export function parseXml(body: string): Element {
  if (body.trim() === '') throw badRequest('The request body is empty: an XML document was expected');
  const parser = new SaxesParser({ xmlns: false });
  const stack: Element[] = [];
  let root: Element | undefined;
  let failure: string | undefined;
  parser.on('error', (e) => {
    failure ??= e.message;
  });
  parser.on('doctype', () => {
    failure ??= 'DOCTYPE declarations are not accepted';
  });
  parser.on('opentag', (t) => {
    const el: Element = { name: t.name, attrs: Object.fromEntries(Object.entries(t.attributes).map(([k, v]) => [k, String(v)])), children: [], text: '' };
    const top = stack[stack.length - 1];
    if (top) top.children.push(el);
    else root ??= el;
    stack.push(el);
  });
  parser.on('closetag', () => void stack.pop());
  parser.on('text', (t) => {
    const top = stack[stack.length - 1];
    if (top) top.text += t;
  });
  parser.on('cdata', (t) => {
    const top = stack[stack.length - 1];
    if (top) top.text += t;
  });
  try {
    parser.write(body).close();
  } catch (err) {
    failure ??= (err as Error).message;
  }
  if (failure || !root) throw badRequest(`Malformed XML in the request body: ${failure ?? 'no root element'}`);
  return root;
}

export function childEl(el: Element, name: string): Element | undefined {
  return el.children.find((c) => c.name === name);
}

export function childrenEl(el: Element, name: string): Element[] {
  return el.children.filter((c) => c.name === name);
}

/** Trimmed text of the child `name` ('' when absent). */
export function textOf(el: Element, name: string): string {
  return childEl(el, name)?.text.trim() ?? '';
}

/** `<name a="..">text</name>`, escaped; `text` undefined gives an empty element. */
export function tag(name: string, text?: string | number, attrs: Record<string, string | number> = {}): string {
  const a = Object.entries(attrs).map(([k, v]) => ` ${k}="${xmlEscape(String(v))}"`).join('');
  return text === undefined ? `<${name}${a}/>` : `<${name}${a}>${xmlEscape(String(text))}</${name}>`;
}

/** `<name a="..">inner</name>` with already-rendered children. */
export function wrap(name: string, inner: string, attrs: Record<string, string | number> = {}): string {
  const a = Object.entries(attrs).map(([k, v]) => ` ${k}="${xmlEscape(String(v))}"`).join('');
  return `<${name}${a}>${inner}</${name}>`;
}
