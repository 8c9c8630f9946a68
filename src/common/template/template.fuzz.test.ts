/**
 * Property tests of the template parsers on hostile input: they throw nothing but
 * TemplateSyntaxError, print and read back the same template, and refuse deep input early.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Template, TemplateSyntaxError } from './index.js';
import { plain } from './testing.js';

/** Runs `parse`; anything thrown must be a TemplateSyntaxError with a position. */
function parsesOrRefuses(parse: () => unknown): void {
  try {
    parse();
  } catch (err) {
    assert.ok(err instanceof TemplateSyntaxError, `threw ${String(err)}`);
    assert.ok(err.line >= 1 && err.column >= 1);
  }
}

/** Token soup of the text syntax: near-valid templates. */
const textSoup = fc
  .array(fc.oneof(fc.constantFrom('=', '[', ']', ',', '"', '\\', '\n', '#', ' ', 'NAME', 'A', '1', '$', '\\"', 'XML', '-', '<'), fc.string({ maxLength: 6 })), { maxLength: 40 })
  .map((parts) => parts.join(''));
/** Token soup of the XML form. */
const xmlSoup = fc
  .array(fc.oneof(fc.constantFrom('<TEMPLATE>', '</TEMPLATE>', '<A>', '</A>', '<V>', '</V>', '<K/>', '<![CDATA[x]]>', '&amp;', '&bad;', '<!DOCTYPE t [<!ENTITY e "x">]>', '<?pi?>', '<!--c-->'), fc.string({ maxLength: 6 })), { maxLength: 30 })
  .map((parts) => parts.join(''));

test('any text: parsed, or refused with a TemplateSyntaxError', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), textSoup), (text) => {
      parsesOrRefuses(() => Template.parse(text));
      parsesOrRefuses(() => Template.parseTextOrXml(text));
    }),
    { numRuns: 5000 },
  );
});

test('any XML: parsed, or refused with a TemplateSyntaxError', () => {
  fc.assert(
    fc.property(fc.oneof(xmlSoup, fc.string({ unit: 'binary', maxLength: 200 }).map((s) => `<T>${s}</T>`)), (xml) => {
      parsesOrRefuses(() => Template.fromXml(xml));
    }),
    { numRuns: 5000 },
  );
});

const name = fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,8}$/).filter((n) => !n.startsWith('XML'));
// Values the text form can carry: no CR (a blank there), no characters XML 1.0 forbids.
const text = fc.string({ unit: 'grapheme', maxLength: 20 }).map((s) => s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\r\ufffe\uffff]/g, ''));
const template = fc
  .array(fc.tuple(name, fc.oneof(text, fc.array(fc.tuple(name, text), { maxLength: 4 }).map((kv) => new Map(kv)))), { maxLength: 8 })
  .map((attrs) => {
    const t = new Template();
    for (const [n, v] of attrs) t.add(n, v);
    return t;
  });

test('round trip: parse(toText()) and fromXml(toXml()) give back the template', () => {
  fc.assert(
    fc.property(template, (t) => {
      assert.deepEqual(plain(Template.parse(t.toText()).attributes()), plain(t.attributes()));
      assert.equal(Template.fromXml(t.toXml()).toXml(), t.toXml());
    }),
    { numRuns: 2000 },
  );
});

test('deep input is refused where the nesting starts', () => {
  const n = 100_000;
  for (const [input, parse] of [
    ['A=['.repeat(n), (s: string) => Template.parse(s)],
    ['A=[B=['.repeat(n), (s: string) => Template.parse(s)],
    [`<T>${'<A>'.repeat(n)}${'</A>'.repeat(n)}</T>`, (s: string) => Template.fromXml(s)],
  ] as const) {
    assert.throws(
      () => parse(input),
      (err: unknown) => err instanceof TemplateSyntaxError && err.column < 20,
    );
  }
});
