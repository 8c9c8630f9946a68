/**
 * The variables an expression may name on an object, gathered once per cycle from its XML:
 * the leaf elements under each of `paths`, earlier paths winning (spec §5.4: a host's
 * TEMPLATE before its HOST_SHARE before its monitoring before its top-level fields). A name
 * repeated under one path keeps all its values (for `@>`).
 */
import { select, type XmlNode } from '../common/xml-tree.js';

export function attributeMap(root: XmlNode, paths: readonly string[]): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const path of paths) {
    const found = new Map<string, string[]>();
    for (const parent of path === '' ? [root] : select(root, path)) {
      for (const c of parent.children) {
        if (c.children.length > 0 || map.has(c.name)) continue;
        const values = found.get(c.name);
        if (values) values.push(c.text);
        else found.set(c.name, [c.text]);
      }
    }
    for (const [name, values] of found) map.set(name, values);
  }
  return map;
}
