/**
 * A small element tree for reading the XML bodies oned stores (and loads at start-up).
 * Parsed with saxes; an element's text is its own text and CDATA, concatenated.
 */
import { SaxesParser } from 'saxes';

export interface XmlNode {
  readonly name: string;
  readonly children: XmlNode[];
  text: string;
}

/** Parses a document into its root element. Throws on malformed XML. */
export function parseXmlTree(xml: string): XmlNode {
  const parser = new SaxesParser();
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
