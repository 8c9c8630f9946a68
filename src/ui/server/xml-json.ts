/**
 * oned's XML answers as JSON for the browser: an element with children becomes an object, a
 * leaf its text, and a name repeated under one parent an array (`TEMPLATE.DISK` is an object
 * for one disk and an array for two; the app reads such paths through `asArray`).
 */
import { parseXmlTree, type XmlNode } from '../../common/xml-tree.js';

export type JsonTree = string | { [name: string]: JsonTree | JsonTree[] };

export function nodeToJson(node: XmlNode): JsonTree {
  if (node.children.length === 0) return node.text;
  const out: { [name: string]: JsonTree | JsonTree[] } = {};
  for (const c of node.children) {
    const v = nodeToJson(c);
    const prev = out[c.name];
    if (prev === undefined) out[c.name] = v;
    else if (Array.isArray(prev)) prev.push(v);
    else out[c.name] = [prev, v];
  }
  return out;
}

/** `<VM>...</VM>` as `{ VM: {...} }`; a value that is not XML is returned as it is. */
export function xmlToJson(value: unknown): unknown {
  if (typeof value !== 'string' || !value.startsWith('<')) return value;
  try {
    const root = parseXmlTree(value);
    return { [root.name]: nodeToJson(root) };
  } catch {
    return value;
  }
}
