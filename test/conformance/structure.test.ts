import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alignment, compareResponses, textKind } from './structure.js';

const ok = (doc: string) =>
  `<?xml version="1.0"?><methodResponse><params><param><value><array><data><value><boolean>1</boolean></value><value><string>${doc
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')}</string></value><value><i4>0</i4></value></data></array></value></param></params></methodResponse>`;
const fail = (n: number) =>
  `<methodResponse><params><param><value><array><data><value><boolean>0</boolean></value><value><string>[m] no</string></value><value><i4>1024</i4></value>${
    n === 5 ? '<value><i4>-1</i4></value><value><i8>-1</i8></value>' : '<value><i4>-1</i4></value>'
  }</data></array></value></param></params></methodResponse>`;

test('values that differ only in content are the same structure', () => {
  assert.deepEqual(compareResponses(ok('<VM><ID>1</ID><NAME>a</NAME><T><![CDATA[x]]></T></VM>'), ok('<VM><ID>7</ID><NAME>b</NAME><T>y</T></VM>')), []);
});

test('a missing, an extra and a reordered element are each reported with their path', () => {
  const d = compareResponses(ok('<VM><NAME>a</NAME><ID>1</ID><X/></VM>'), ok('<VM><ID>1</ID><NAME>a</NAME><TEMPLATE><A>1</A></TEMPLATE></VM>'));
  const said = d.map((x) => `${x.path}: ${x.what.split(':')[0]}`).sort();
  assert.deepEqual(said, ['VM/NAME: out of order', 'VM/TEMPLATE: missing (the reference has it)', 'VM/X: extra (the reference does not have it)']);
});

test('the kind of a leaf value counts: a number is not text, empty is neither', () => {
  assert.equal(textKind('12'), 'integer');
  assert.equal(textKind('-1.5'), 'decimal');
  assert.equal(textKind(''), 'empty');
  assert.equal(textKind('10.9.0.1'), 'text');
  const d = compareResponses(ok('<V><VLAN_ID>abc</VLAN_ID></V>'), ok('<V><VLAN_ID>3</VLAN_ID></V>'));
  assert.equal(d.length, 1);
  assert.match(d[0]!.what, /text value "abc", reference integer "3"/);
});

test('the failure envelope counts its values and their types', () => {
  assert.deepEqual(compareResponses(fail(5), fail(5)), []);
  const d = compareResponses(fail(4), fail(5));
  assert.equal(d.length, 1);
  assert.match(d[0]!.what, /4 values, reference has 5 .*failed with "\[m\] no"/);
});

test('repeated siblings are paired in order, and the one missing is named', () => {
  assert.deepEqual(alignment(['A', 'B', 'B', 'C'], ['A', 'B', 'C']), [[0, 0], [1, 1], [3, 2]]);
  const d = compareResponses(ok('<P><V><ID>1</ID></V></P>'), ok('<P><V><ID>1</ID></V><V><ID>2</ID></V></P>'));
  assert.deepEqual(d.map((x) => x.path), ['P/V']);
});
