import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseXmlTree, parseXmlTreeFast, parseXmlTreeFully, type XmlNode } from './xml-tree.js';

/** A document as oned writes one: nested elements, text with entities, CDATA, empty elements. */
const name = fc.constantFrom('VM', 'ID', 'NAME', 'TEMPLATE', 'DISK', 'NIC', 'A_B', 'x.y');
const text = fc.string({ unit: 'binary', maxLength: 12 });
const escape = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const element: fc.Memo<string> = fc.memo((depth) =>
  depth <= 1
    ? fc.oneof(
        fc.tuple(name, text).map(([n, t]) => `<${n}>${escape(t)}</${n}>`),
        fc.tuple(name, text).map(([n, t]) => `<${n}><![CDATA[${t.replace(/]]>/g, '')}]]></${n}>`),
        name.map((n) => `<${n}/>`),
      )
    : fc.tuple(name, fc.array(element(depth - 1), { maxLength: 4 })).map(([n, kids]) => `<${n}>${kids.join('')}</${n}>`),
);

const plain = (n: XmlNode): unknown => ({ name: n.name, text: n.text, children: n.children.map(plain) });

test('the fast reading gives the SAX tree, or hands the document over', () => {
  fc.assert(
    fc.property(element(4), fc.boolean(), (doc, decl) => {
      const xml = `${decl ? '<?xml version="1.0"?>' : ''}${doc}`;
      let full: XmlNode | undefined;
      try {
        full = parseXmlTreeFully(xml);
      } catch {
        assert.equal(parseXmlTreeFast(xml), undefined, 'the fast reading must not accept what saxes refuses');
        return;
      }
      const fast = parseXmlTreeFast(xml);
      if (fast) assert.deepEqual(plain(fast), plain(full));
      assert.deepEqual(plain(parseXmlTree(xml)), plain(full));
    }),
    { numRuns: 1500 },
  );
});

test('what the fast reading leaves to saxes, and malformed documents still refused', () => {
  for (const xml of ['<A x="1">t</A>', '<A><!-- c --></A>', '<!DOCTYPE A><A/>', '<A>&#65;</A>', '<A>a\r\nb</A>', '<A><?pi x?></A>', '<A>🙂</A>']) {
    assert.equal(parseXmlTreeFast(xml), undefined, xml);
  }
  assert.equal(parseXmlTree('<A x="1">t</A>').text, 't');
  assert.equal(parseXmlTree('<A>&#65;</A>').text, 'A');
  assert.equal(parseXmlTree('<A>a\r\nb</A>').text, 'a\nb');
  for (const bad of ['<A><B></A></B>', '<A>', '<A></A><B></B>', 'text<A/>', '<A>a & b</A>', '<A>&bogus;</A>', '']) {
    assert.equal(parseXmlTreeFast(bad), undefined, bad);
    assert.throws(() => parseXmlTree(bad), Error, bad);
  }
});
