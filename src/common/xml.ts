/** Small helpers for writing XML text. Parsing always goes through a real parser (saxes). */

const NEEDS_ESCAPE = /[&<>"']/;

/**
 * Escapes text for use as element content or an attribute value. One pass that copies the
 * clean runs between special characters: responses escape whole XML documents (pool listings
 * of megabytes), so this is on the hot path.
 */
export function xmlEscape(text: string): string {
  if (!NEEDS_ESCAPE.test(text)) return text;
  let out = '';
  let last = 0;
  for (let i = 0; i < text.length; i++) {
    let rep: string;
    switch (text.charCodeAt(i)) {
      case 38: rep = '&amp;'; break;
      case 60: rep = '&lt;'; break;
      case 62: rep = '&gt;'; break;
      case 34: rep = '&quot;'; break;
      case 39: rep = '&apos;'; break;
      default: continue;
    }
    if (i > last) out += text.slice(last, i);
    out += rep;
    last = i + 1;
  }
  return last < text.length ? out + text.slice(last) : out;
}

/**
 * Escapes text that will travel as XML element content and must come back unchanged: like
 * xmlEscape, plus carriage returns as `&#13;` (a parser would turn a raw CR LF into LF).
 */
export function xmlEscapeText(text: string): string {
  const escaped = xmlEscape(text);
  return escaped.includes('\r') ? escaped.replaceAll('\r', '&#13;') : escaped;
}

/** `<NAME>escaped value</NAME>`. */
export function xmlElement(name: string, value: string | number): string {
  return `<${name}>${typeof value === 'number' ? value : xmlEscape(value)}</${name}>`;
}
