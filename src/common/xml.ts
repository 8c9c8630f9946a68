/** Small helpers for writing XML text. Parsing always goes through a real parser (saxes). */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Escapes text for use as element content or an attribute value. */
export function xmlEscape(text: string): string {
  return /[&<>"']/.test(text) ? text.replace(/[&<>"']/g, (c) => ESCAPES[c]!) : text;
}

/** `<NAME>escaped value</NAME>`. */
export function xmlElement(name: string, value: string | number): string {
  return `<${name}>${typeof value === 'number' ? value : xmlEscape(value)}</${name}>`;
}
