import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Template } from './index.js';
import { assertSyntaxError, plain } from './testing.js';

const fromXml = (xml: string) => plain(Template.fromXml(xml).attributes());

const rejects = (xml: string, detail: string, line: number, column: number) =>
  assertSyntaxError(() => Template.fromXml(xml), `invalid XML template: ${detail}`, line, column);

test('escaped text (5.0+ style) is unescaped', () => {
  assert.deepEqual(fromXml('<TEMPLATE><A>a&amp;b &lt;c&gt; &quot;d&quot; &#65;</A><V><K>x&apos;y</K></V></TEMPLATE>'), [
    ['A', 'a&b <c> "d" A'],
    ['V', [['K', "x'y"]]],
  ]);
});

test('CDATA (3.x-4.x style) is read verbatim, also mixed with text', () => {
  assert.deepEqual(
    fromXml('<TEMPLATE><A><![CDATA[a&b <c>]]></A><V><K><![CDATA[$NIC[IP]]]></K></V><M>x<![CDATA[&]]>y</M></TEMPLATE>'),
    [
      ['A', 'a&b <c>'],
      ['V', [['K', '$NIC[IP]']]],
      ['M', 'x&y'],
    ],
  );
});

test('any root name; root attributes, declaration and whitespace between elements are ignored', () => {
  const xml = '<?xml version="1.0"?>\n<USER_TEMPLATE version="1">\n  <A>1</A>\n  <DISK>\n    <SIZE>2</SIZE>\n  </DISK>\n</USER_TEMPLATE>\n';
  assert.deepEqual(fromXml(xml), [
    ['A', '1'],
    ['DISK', [['SIZE', '2']]],
  ]);
});

test('the text of a single attribute is kept exactly, whitespace included', () => {
  assert.deepEqual(fromXml('<T><A> x </A><B>\n</B><C>l1\nl2</C></T>'), [
    ['A', ' x '],
    ['B', '\n'],
    ['C', 'l1\nl2'],
  ]);
});

test('names and keys are normalized; a repeated key keeps its last value; duplicates are kept', () => {
  assert.deepEqual(fromXml('<T><disk><image_id>1</image_id><K>a</K><k>b</k></disk><DISK><IMAGE_ID>2</IMAGE_ID></DISK><xml_a>z</xml_a></T>'), [
    ['DISK', [['IMAGE_ID', '1'], ['K', 'b']]],
    ['DISK', [['IMAGE_ID', '2']]],
    ['ONE_XML_A', 'z'],
  ]);
});

test('elements without content are empty values', () => {
  assert.deepEqual(fromXml('<T><A/><B></B><V><K/><L></L></V></T>'), [
    ['A', ''],
    ['B', ''],
    ['V', [['K', ''], ['L', '']]],
  ]);
});

test('an empty root is an empty template', () => {
  assert.equal(Template.fromXml('<TEMPLATE/>').size, 0);
  assert.equal(Template.fromXml('<TEMPLATE>\n</TEMPLATE>').size, 0);
});

test('replace mode keeps one attribute per name', () => {
  const t = Template.fromXml('<T><A>1</A><B>2</B><A>3</A></T>', { replaceMode: true });
  assert.deepEqual(plain(t.attributes()), [
    ['A', '3'],
    ['B', '2'],
  ]);
});

test('structure errors carry the position of the offending element or text', () => {
  rejects('<T>\n  <A><B><C>1</C></B></A>\n</T>', 'element <C> inside <A><B> is nested too deep (vectors hold only values)', 2, 11);
  rejects('<T><V>x<K>1</K></V></T>', 'attribute <V> mixes text with child elements', 1, 10);
  rejects('<T><V><K>1</K>x</V></T>', 'attribute <V> mixes text with child elements', 1, 16);
  rejects('<T>junk<A>1</A></T>', 'text outside any attribute element', 1, 8);
});

test('malformed XML is reported with the XML parser position', () => {
  rejects('<T>\n  <A>1</B>\n</T>', 'unexpected close tag', 2, 10);
  rejects('<T><A>1</A>', 'unclosed tag: T', 1, 11);
  rejects('<T><A>&nope;</A></T>', 'undefined entity', 1, 12);
  rejects('', 'document must contain a root element', 1, 1);
});

test('parseTextOrXml picks XML when the first non-blank character is <', () => {
  assert.deepEqual(plain(Template.parseTextOrXml(' \n\t<T><A>1</A></T>').attributes()), [['A', '1']]);
  assert.deepEqual(plain(Template.parseTextOrXml('A = <b>').attributes()), [['A', '<b>']]);
  assert.equal(Template.parseTextOrXml('').size, 0);
  assert.throws(() => Template.parseTextOrXml('  <T>'), /invalid XML template/);
});
