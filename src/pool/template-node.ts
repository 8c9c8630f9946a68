/** Rebuilds a Template from an already parsed `<TEMPLATE>` element of a stored body. */
import type { XmlNode } from '../common/xml-tree.js';
import { Template, type Attribute, type TemplateOptions } from '../common/template/index.js';

export function templateFromNode(node: XmlNode | undefined, options?: TemplateOptions): Template {
  const attrs: Attribute[] = (node?.children ?? []).map((c) => ({
    name: c.name,
    value: c.children.length ? new Map(c.children.map((k) => [k.name, k.text])) : c.text,
  }));
  return new Template(attrs, options);
}
