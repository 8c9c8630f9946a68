/**
 * OpenNebula's attribute templates (spec §5.1–5.2): the `NAME = value` / `NAME = [ K = v, … ]`
 * language of oned.conf and of every object template, and its XML form.
 *
 * - {@link Template} is an ordered multimap of attributes. Names (and vector keys) are stored
 *   upper-case, with OpenNebula's `ONE_` fix-up for names that are not valid XML element names,
 *   so lookups are case-insensitive. Repeated names are kept in order unless the template is in
 *   replace mode (cluster, image and user templates).
 * - `Template.parse` reads the text syntax with a single-pass hand-written parser;
 *   `Template.fromXml` reads `<ROOT><A>v</A><V><K>v</K></V></ROOT>` (escaped text or CDATA);
 *   `Template.parseTextOrXml` picks by the first non-blank character, as update calls do.
 *   All three throw {@link TemplateSyntaxError} with a 1-based line and column.
 * - `toText()` writes the client-style text syntax in insertion order; `toXml()` writes what
 *   oned writes: attributes sorted by name, vector keys sorted, values XML-escaped.
 *
 * Deliberate differences from oned, all on inputs oned handles badly: `NAME =` at end of input
 * is an empty value (oned: syntax error); CR is a blank (oned keeps it in bare values);
 * characters no rule accepts are errors (oned's lexer silently skips them); an unterminated
 * quote is an error (oned reads it as part of a bare value); the `ONE_` fix-up also applies to
 * vector keys and matches `XML` in any case; an element without content in the XML form is an
 * empty value (oned drops it).
 */
export { type Attribute, type Vector, normalizeName } from './attribute.js';
export { TemplateSyntaxError } from './syntax-error.js';
export { Template, type TemplateOptions } from './template.js';
export { AttributeRules } from './attribute-rules.js';
