/**
 * The scanned pool listing against the tree one: for generated pools (and near-XML token soup)
 * every read a table makes gives the same answer, and what the tree parser refuses is refused.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { select, type XmlNode } from '../common/xml-tree.js';
import { Host, parsePool, parsePoolTree, VirtualMachine, type OneObject } from './objects.js';
import { scanPool } from './pool-scan.js';

const NAMES = ['ID', 'NAME', 'TEMPLATE', 'NIC', 'IP', 'HISTORY_RECORDS', 'HISTORY', 'HOSTNAME', 'CPU', 'E'];

/** Text as oned writes it (escaped), CDATA, or formatting whitespace. */
const text = fc.oneof(
  fc.constantFrom('', ' ', '\n  ', '0', '12', 'node-1', ' padded ', 'a&amp;b', '&lt;x&gt;', '&quot;&apos;', 'é€'),
  fc.string({ maxLength: 6 }).filter((s) => !/[<&\]\r]/.test(s) && !/[\u0000-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/.test(s.replace(/[\t\n]/g, ''))),
  fc.constantFrom('x', '0.5', 'a]b', '<not a tag>', '').map((s) => `<![CDATA[${s}]]>`),
);

type Gen = { name: string; parts: (string | Gen)[]; selfClosing: boolean };
const element: fc.Memo<Gen> = fc.memo((n) =>
  fc.record({
    name: fc.constantFrom(...NAMES),
    parts: n <= 1 ? fc.array(text, { maxLength: 2 }) : fc.array(fc.oneof({ weight: 2, arbitrary: text }, { weight: 3, arbitrary: element(n - 1) }), { maxLength: 5 }),
    selfClosing: fc.boolean(),
  }),
);
const xmlOf = (e: Gen): string =>
  e.selfClosing && e.parts.length === 0 ? `<${e.name}/>` : `<${e.name}>${e.parts.map((p) => (typeof p === 'string' ? p : xmlOf(p))).join('')}</${e.name}>`;

/** A pool: members named VM (and a few other elements among them), maybe a declaration and whitespace. */
const pool = fc
  .record({
    decl: fc.boolean(),
    members: fc.array(
      fc.record({ name: fc.constantFrom('VM', 'VM', 'VM', 'OTHER'), body: fc.array(element(4), { maxLength: 6 }), selfClosing: fc.boolean() }),
      { maxLength: 6 },
    ),
    sep: fc.constantFrom('', '\n'),
  })
  .map(({ decl, members, sep }) => {
    const body = members.map((m) => (m.selfClosing && m.body.length === 0 ? `<${m.name}/>` : `<${m.name}>${m.body.map((e) => xmlOf(e)).join('')}</${m.name}>`)).join(sep);
    return `${decl ? '<?xml version="1.0"?>\n' : ''}<VM_POOL>${sep}${body}${sep}</VM_POOL>${sep}`;
  });

/** Every path below a node (`TEMPLATE/NIC/IP`). */
function pathsOf(node: XmlNode, prefix = ''): string[] {
  return node.children.flatMap((c) => {
    const p = prefix ? `${prefix}/${c.name}` : c.name;
    return [p, ...pathsOf(c, p)];
  });
}

/** Asserts the scanned objects read as the tree's: every path, the typed getters, the trees. */
function assertSame(scanned: OneObject[], tree: OneObject[]): void {
  assert.equal(scanned.length, tree.length);
  tree.forEach((t, i) => {
    const s = scanned[i]!;
    const paths = [...new Set([...pathsOf(t.node), 'ABSENT', 'TEMPLATE/ABSENT', 'HISTORY_RECORDS/HISTORY/HOSTNAME'])];
    // The getters before the tree is asked for (they must not need it), then the tree.
    for (const p of paths) assert.equal(s.get(p), t.get(p), `get(${p})`);
    for (const p of paths) assert.ok(Object.is(s.int(p), t.int(p)), `int(${p})`);
    if (t instanceof VirtualMachine) assert.equal((s as VirtualMachine).hostname, t.hostname, 'hostname');
    assert.equal(s.name, t.name);
    assert.deepEqual(s.node, t.node);
    for (const p of paths) assert.deepEqual(s.all(p), select(t.node, p), `all(${p})`);
  });
}

test('a generated pool reads the same scanned as from its tree', () => {
  fc.assert(
    fc.property(pool, (xml) => {
      assertSame(parsePool(VirtualMachine, 'VM', xml), parsePoolTree(VirtualMachine, 'VM', xml));
    }),
    { numRuns: 1000 },
  );
});

test('the documents oned writes are scanned, not handed to the tree parser', () => {
  const xml =
    '<VM_POOL><VM><ID>7</ID><NAME>web &amp; db</NAME><TEMPLATE><CPU><![CDATA[0.5]]></CPU><NIC><IP><![CDATA[10.0.0.1]]></IP></NIC><NIC><IP><![CDATA[10.0.0.2]]></IP></NIC></TEMPLATE>' +
    '<HISTORY_RECORDS><HISTORY><HOSTNAME>node1</HOSTNAME></HISTORY></HISTORY_RECORDS></VM><VM><ID>8</ID><TEMPLATE/></VM></VM_POOL>';
  const entries = scanPool(xml, 'VM');
  assert.ok(entries);
  assert.equal(entries.length, 2);
  assert.equal(entries[0]!.text('NAME'), 'web & db');
  assert.equal(entries[0]!.text('TEMPLATE/NIC/IP'), '10.0.0.1');
  assert.equal(entries[0]!.isRepeated('TEMPLATE/NIC'), true);
  assert.equal(entries[1]!.text('TEMPLATE'), '');
  assert.equal(entries[1]!.xml, '<VM><ID>8</ID><TEMPLATE/></VM>');
  const [vm] = parsePool(VirtualMachine, 'VM', xml);
  assert.equal(vm!.hostname, 'node1');
  assert.deepEqual(vm!.all('TEMPLATE/NIC/IP').map((n) => n.text), ['10.0.0.1', '10.0.0.2']);
  const hosts = parsePool(Host, 'HOST', '<HOST_POOL><HOST><ID>0</ID><NAME>h0</NAME><IM_MAD><![CDATA[kvm]]></IM_MAD><CLUSTER_ID>-1</CLUSTER_ID></HOST></HOST_POOL>');
  assert.deepEqual([hosts[0]!.id, hosts[0]!.name, hosts[0]!.imMad, hosts[0]!.clusterId], [0, 'h0', 'kvm', -1]);
});

test('members that break the guessed order (other, longer or missing names, spaces in tags) read as from the tree', () => {
  const same = '<VM><ID>1</ID><NAME>a</NAME><TEMPLATE><CPU>1</CPU><MEMORY>2</MEMORY></TEMPLATE></VM>';
  const members = [
    same,
    same,
    // A name the guess is a prefix of, then the guessed one; an element in a new place.
    '<VM><ID>2</ID><NAME_X>x</NAME_X><NAME>b</NAME><TEMPLATE><CPU_MODEL>m</CPU_MODEL><CPU>3</CPU></TEMPLATE></VM>',
    // Missing and reordered children, a space before `>` and a self-closing guess.
    '<VM><NAME >c</NAME ><ID>3</ID><TEMPLATE><MEMORY/><CPU/></TEMPLATE></VM>',
    '<VM><ID>4</ID></VM>',
    same,
  ];
  const xml = `<VM_POOL>${members.join('')}</VM_POOL>`;
  assert.ok(scanPool(xml, 'VM'), 'scanned, not left to the tree');
  assertSame(parsePool(VirtualMachine, 'VM', xml), parsePoolTree(VirtualMachine, 'VM', xml));
});

test('documents outside plain XML go to the tree parser: attributes, comments, numeric entities, CR', () => {
  for (const xml of ['<P><VM a="1"><ID>1</ID></VM></P>', '<P><!-- c --><VM><ID>1</ID></VM></P>', '<P><VM><ID>&#49;</ID></VM></P>', '<P><VM><ID>1\r</ID></VM></P>']) {
    assert.equal(scanPool(xml, 'VM'), undefined, xml);
    assertSame(parsePool(VirtualMachine, 'VM', xml), parsePoolTree(VirtualMachine, 'VM', xml));
  }
});

const SOUP = ['<VM_POOL>', '</VM_POOL>', '<VM>', '</VM>', '<VM/>', '<ID>', '</ID>', '<T>', '</T>', '<T/>', '<NIC >', '</NIC >', '<A b="c">', '&amp;', '&lt;', '&#65;', '&bad;', '&', ']]>', '<![CDATA[', '<![CDATA[x]]>', '<!-- c -->', '<?pi?>', '<?xml version="1.0"?>', ' ', '\n', '\r', '1', 'x', '<', '>', '/'];

test('near-XML token soup: the scanned reading agrees with the tree parser, or both refuse', () => {
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...SOUP), { maxLength: 30 }), (parts) => {
      const xml = parts.join('');
      let tree: OneObject[] | undefined;
      try {
        tree = parsePoolTree(VirtualMachine, 'VM', xml);
      } catch {
        assert.throws(() => parsePool(VirtualMachine, 'VM', xml));
        return;
      }
      assertSame(parsePool(VirtualMachine, 'VM', xml), tree);
    }),
    { numRuns: 3000 },
  );
});
