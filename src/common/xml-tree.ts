/**
 * A small element tree for reading the XML bodies oned stores (and loads at start-up).
 * Parsed with saxes; an element's text is its own text and CDATA, concatenated.
 */
import { saxesParser } from './saxes.js';

export interface XmlNode {
  readonly name: string;
  readonly children: XmlNode[];
  text: string;
}

/** Parses a document into its root element. Throws on malformed XML. */
export function parseXmlTree(xml: string): XmlNode {
  return parseXmlTreeFast(xml) ?? parseXmlTreeFully(xml);
}

/**
 * Tags, and CDATA sections, of the XML oned writes: elements without attributes. A tokenizer
 * on this one regex reads a 20,000-VM listing several times faster than the SAX parser.
 */
const TOKEN = /<(?:(\/)?([A-Za-z_][\w.:-]*)\s*(\/)?>|!\[CDATA\[([\s\S]*?)\]\]>)/g;
/** Characters XML forbids, CR (read as LF) and surrogates: documents with any go to saxes. */
const NOT_PLAIN = /[\u0000-\u0008\u000B\u000C\u000D\u000E-\u001F\uFFFE\uFFFF\uD800-\uDFFF]/;
const ENTITY = /&(lt|gt|amp|quot|apos);|&/g;
const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Text with its named entities replaced; undefined when it holds anything else an `&` starts. */
function unescapeText(text: string): string | undefined {
  if (!text.includes('&')) return text;
  let bad = false;
  const out = text.replace(ENTITY, (m, name: string | undefined) => {
    if (name === undefined) bad = true;
    return name === undefined ? m : NAMED[name]!;
  });
  return bad ? undefined : out;
}

/**
 * The fast reading of a plain document (elements, text, CDATA, the five named entities; an XML
 * declaration first). Undefined for anything else: attributes, comments, processing
 * instructions, a DOCTYPE, numeric entities, unbalanced tags... which the SAX parser then reads
 * or refuses with its message. Both give the same tree for what the fast one accepts.
 */
export function parseXmlTreeFast(xml: string): XmlNode | undefined {
  if (NOT_PLAIN.test(xml)) return undefined;
  let start = 0;
  if (xml.startsWith('<?xml')) {
    const end = xml.indexOf('?>');
    if (end < 0) return undefined;
    start = end + 2;
  }
  const stack: XmlNode[] = [];
  let root: XmlNode | undefined;
  const re = new RegExp(TOKEN.source, 'g');
  re.lastIndex = start;
  let last = start;
  for (let m = re.exec(xml); m !== null; m = re.exec(xml)) {
    const top = stack[stack.length - 1];
    if (m.index !== last) {
      const raw = xml.slice(last, m.index);
      if (raw.includes('<') || raw.includes(']]>')) return undefined;
      if (top) {
        const t = unescapeText(raw);
        if (t === undefined) return undefined;
        top.text += t;
      } else if (raw.trim() !== '') return undefined;
    }
    last = re.lastIndex;
    if (m[4] !== undefined) {
      if (!top) return undefined;
      top.text += m[4];
    } else if (m[1]) {
      if (m[3] || !top || top.name !== m[2]) return undefined;
      stack.pop();
    } else {
      if (!top && root) return undefined;
      const node: XmlNode = { name: m[2]!, children: [], text: '' };
      if (top) top.children.push(node);
      else root = node;
      if (!m[3]) stack.push(node);
    }
  }
  if (stack.length > 0 || !root || xml.slice(last).trim() !== '') return undefined;
  return root;
}

/** The SAX parser's reading (strict XML; its errors name the position). */
export function parseXmlTreeFully(xml: string): XmlNode {
  const parser = new (saxesParser())();
  const stack: XmlNode[] = [];
  let root: XmlNode | undefined;
  let error: Error | undefined;
  parser.on('error', (e) => {
    error ??= e;
  });
  parser.on('opentag', (tag) => {
    const node: XmlNode = { name: tag.name, children: [], text: '' };
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(node);
    else root ??= node;
    stack.push(node);
  });
  parser.on('closetag', () => {
    stack.pop();
  });
  const onText = (t: string) => {
    const top = stack[stack.length - 1];
    if (top) top.text += t;
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.write(xml).close();
  if (error) throw error;
  if (!root) throw new Error('empty XML document');
  return root;
}

/** The first child element with that name. */
export function child(node: XmlNode, name: string): XmlNode | undefined {
  return node.children.find((c) => c.name === name);
}

/** Text of the first child with that name, or '' when absent. */
export function childText(node: XmlNode, name: string): string {
  return child(node, name)?.text ?? '';
}

/** Integer value of the first child with that name, or `fallback` when absent or not a number. */
export function childInt(node: XmlNode, name: string, fallback = 0): number {
  const n = Number.parseInt(childText(node, name), 10);
  return Number.isNaN(n) ? fallback : n;
}

/** Elements at `path` (`VM/TEMPLATE/NIC`) below `node`, in document order. */
export function select(node: XmlNode, path: string): XmlNode[] {
  let level = [node];
  for (const name of path.split('/')) {
    const next: XmlNode[] = [];
    for (const n of level) for (const c of n.children) if (c.name === name) next.push(c);
    level = next;
  }
  return level;
}
