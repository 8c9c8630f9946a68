import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Template } from './index.js';
import { plain, SPEC_EXAMPLE } from './testing.js';

test('toText writes one attribute per line, every value quoted, vectors indented', () => {
  assert.equal(
    Template.parse(SPEC_EXAMPLE).toText(),
    [
      'NAME="web-1"',
      'CPU="0.5"',
      'MEMORY="1024"',
      'DISK=[\n  IMAGE_ID="3",\n  TARGET="vda" ]',
      'DISK=[\n  TYPE="swap",\n  SIZE="1024" ]',
      'NIC=[\n  NETWORK="public",\n  NETWORK_UNAME="oneadmin" ]',
      'CONTEXT=[\n  HOSTNAME="$NAME",\n  ETH0_IP="$NIC[IP, NETWORK=\\"public\\"]" ]',
      'SCHED_REQUIREMENTS="HYPERVISOR = kvm & FREE_CPU > 50"',
    ].join('\n'),
  );
  assert.equal(Template.parse('E = []\nS = ""').toText(), 'E=[]\nS=""');
  assert.equal(new Template().toText(), '');
});

const TRICKY_VALUES = [
  '',
  ' padded ',
  'say "hi"',
  'literal \\" inside',
  'C:\\dir\\file',
  'ends\\',
  'multi\nline\nvalue',
  '# not a comment',
  'a = [b, c]',
  '<xml> & "quotes" \'apos\'',
  'unicode: héllo → ✓',
];

function trickyTemplate(): Template {
  const t = new Template();
  TRICKY_VALUES.forEach((v, i) => t.add(`S${i}`, v));
  t.add('V', new Map(TRICKY_VALUES.map((v, i) => [`K${i}`, v])));
  t.add('S0', 'duplicate');
  t.add('EMPTY', new Map());
  return t;
}

test('parse(toText()) gives back the same attributes', () => {
  for (const t of [Template.parse(SPEC_EXAMPLE), trickyTemplate()]) {
    assert.deepEqual(plain(Template.parse(t.toText()).attributes()), plain(t.attributes()));
  }
});

test('toXml orders attributes by name (stable among equals) and vector keys alphabetically', () => {
  const t = Template.parse('Z = 1\nDISK = [ TARGET = vda, IMAGE_ID = 3 ]\nA = 2\nDISK = [ SIZE = 1 ]\nB = [ ]');
  assert.equal(
    t.toXml(),
    '<TEMPLATE><A>2</A><B></B><DISK><IMAGE_ID>3</IMAGE_ID><TARGET>vda</TARGET></DISK><DISK><SIZE>1</SIZE></DISK><Z>1</Z></TEMPLATE>',
  );
  // insertion order is untouched
  assert.deepEqual(
    t.attributes().map((a) => a.name),
    ['Z', 'DISK', 'A', 'DISK', 'B'],
  );
});

test('toXml escapes values, honours the root name and writes <ROOT/> when empty', () => {
  const t = Template.parse('A = "a&b <c> \\"d\\" \'e\'"');
  assert.equal(t.toXml('USER_TEMPLATE'), '<USER_TEMPLATE><A>a&amp;b &lt;c&gt; &quot;d&quot; &apos;e&apos;</A></USER_TEMPLATE>');
  assert.equal(new Template().toXml(), '<TEMPLATE/>');
  assert.equal(new Template().toXml('USER_TEMPLATE'), '<USER_TEMPLATE/>');
});

test('fromXml(toXml()) gives back the same template in XML order', () => {
  for (const t of [Template.parse(SPEC_EXAMPLE), trickyTemplate()]) {
    const back = Template.fromXml(t.toXml());
    assert.equal(back.toXml(), t.toXml());
    assert.equal(back.get('NAME'), t.get('NAME'));
  }
  const t = trickyTemplate();
  const back = Template.fromXml(t.toXml());
  assert.deepEqual(
    TRICKY_VALUES.map((_, i) => back.getVector('V')!.get(`K${i}`)),
    TRICKY_VALUES,
  );
  assert.deepEqual(back.getAll('S0').map((a) => a.value), ['', 'duplicate']);
  // an empty vector has no XML of its own: it comes back as an empty value
  assert.equal(back.get('EMPTY'), '');
});
