/**
 * The base64 XML documents oned sends with VMM and datastore requests
 * (`VMM_DRIVER_ACTION_DATA`, `DS_DRIVER_ACTION_DATA`), and simple path lookups in them.
 */
import { parseXmlTree, select, type XmlNode } from '../../common/xml-tree.js';

export interface ActionData {
  /** The decoded XML text. */
  readonly xml: string;
  readonly root: XmlNode;
}

/** @throws Error when the argument is not base64 of an XML document. */
export function decodeActionData(base64: string | undefined): ActionData {
  if (!base64) throw new Error('Missing driver action data');
  const xml = Buffer.from(base64, 'base64').toString('utf8');
  try {
    return { xml, root: parseXmlTree(xml) };
  } catch (e) {
    throw new Error(`Cannot decode driver action data: ${(e as Error).message}`);
  }
}


/** Text of the first element at `path`, '' when there is none. */
export function text(node: XmlNode, path: string): string {
  return select(node, path)[0]?.text.trim() ?? '';
}

/** The first element at `path` whose child `key` has text `value` (`DISK` with `ATTACH=YES`). */
export function where(node: XmlNode, path: string, key: string, value: string): XmlNode | undefined {
  return select(node, path).find((n) => text(n, key).toUpperCase() === value);
}

/** The source text of the first `<name>...</name>` element in `xml` (its outermost occurrence). */
export function rawElement(xml: string, name: string): string {
  const start = xml.indexOf(`<${name}>`);
  const close = `</${name}>`;
  const end = xml.lastIndexOf(close);
  return start === -1 || end < start ? '' : xml.slice(start, end + close.length);
}
