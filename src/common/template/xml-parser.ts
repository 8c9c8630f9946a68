import { saxesParser } from '../saxes.js';
import { normalizeName, type AttributeSink, type Vector } from './attribute.js';
import { TemplateSyntaxError } from './syntax-error.js';

/**
 * Parses the XML form of a template (spec §5.2): `<ANYROOT><A>v</A><V><K>v</K></V></ANYROOT>`.
 * An element with child elements is a vector, any other element a single attribute whose value
 * is its text and CDATA (both accepted: 3.x–4.x wrote CDATA, later versions escape). Whitespace
 * between elements is ignored; deeper nesting or text mixed with child elements is an error.
 * A vector key given twice keeps its last value, as OpenNebula's XML loader does.
 * Throws {@link TemplateSyntaxError} positioned by the XML parser.
 */
export function parseTemplateXml(xml: string, sink: AttributeSink): void {
  const parser = new (saxesParser())();
  let depth = 0;
  let name = ''; // attribute element (depth 2)
  let text = '';
  let vector: Vector | undefined;
  let key = ''; // vector key element (depth 3)
  let keyText = '';

  parser.on('error', (err) => {
    // saxes prefixes "line:column: "; we report the position our own way.
    const prefix = `${parser.line}:${parser.column}: `;
    let detail = err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message;
    if (detail.endsWith('.')) detail = detail.slice(0, -1);
    throw new TemplateSyntaxError(`invalid XML template: ${detail}`, parser.line, Math.max(1, parser.column));
  });

  parser.on('opentag', (tag) => {
    depth++;
    if (depth === 2) {
      name = tag.name;
      text = '';
      vector = undefined;
    } else if (depth === 3) {
      if (vector === undefined) {
        if (!isWhitespace(text)) parser.fail(`attribute <${name}> mixes text with child elements`);
        vector = new Map();
      }
      key = tag.name;
      keyText = '';
    } else if (depth > 3) {
      parser.fail(`element <${tag.name}> inside <${name}><${key}> is nested too deep (vectors hold only values)`);
    }
  });

  const onText = (chunk: string): void => {
    if (depth === 3) {
      keyText += chunk;
    } else if (depth === 2 && vector === undefined) {
      text += chunk;
    } else if (!isWhitespace(chunk)) {
      parser.fail(depth === 2 ? `attribute <${name}> mixes text with child elements` : 'text outside any attribute element');
    }
  };
  parser.on('text', onText);
  parser.on('cdata', onText);

  parser.on('closetag', () => {
    if (depth === 3) {
      vector!.set(normalizeName(key), keyText);
    } else if (depth === 2) {
      sink(normalizeName(name), vector ?? text);
    }
    depth--;
  });

  parser.write(xml).close();
}

function isWhitespace(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 32 && c !== 10 && c !== 9 && c !== 13) return false;
  }
  return true;
}
