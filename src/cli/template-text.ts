/** An object's TEMPLATE element as OpenNebula's `show` prints it: `NAME="value"` lines. */
import type { XmlNode } from '../common/xml-tree.js';

const quote = (v: string) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** The attributes of `template` (a `<TEMPLATE>` element) in the text syntax, vectors indented. */
export function templateText(template: XmlNode | undefined): string {
  if (!template) return '';
  return template.children
    .map((a) =>
      a.children.length === 0
        ? `${a.name}=${quote(a.text)}`
        : `${a.name}=[\n${a.children.map((k) => `  ${k.name}=${quote(k.text)}`).join(',\n')} ]`,
    )
    .join('\n');
}
