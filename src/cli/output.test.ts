import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CliError } from './command.js';
import { printList, printShow, tableLines, templateLines, toYaml, xmlToJson, type Column } from './output.js';
import { parseXmlTree } from '../common/xml-tree.js';
import { RecordingContext } from './testing.js';

interface Row {
  id: number;
  name: string;
  stat: string;
}
const columns: Column<Row>[] = [
  { name: 'ID', width: 4, value: (r) => String(r.id) },
  { name: 'NAME', width: 8, left: true, value: (r) => r.name },
  { name: 'STAT', width: 4, left: true, value: (r) => r.stat },
  { name: 'HIDDEN', width: 3, value: () => 'h', default: false },
];
const rows: Row[] = [
  { id: 0, name: 'node01', stat: 'on' },
  { id: 12, name: 'a-very-long-name', stat: 'off' },
];
const POOL = '<HOST_POOL><HOST><ID>0</ID><NAME>node01</NAME></HOST></HOST_POOL>';

test('tables pad and cut cells to the widths, numbers right, names left', () => {
  assert.deepEqual(tableLines(columns.slice(0, 3), rows), ['  ID NAME     STAT', '   0 node01   on', '  12 a-very-l off']);
  assert.deepEqual(tableLines(columns.slice(0, 2), rows, { noHeader: true, delimiter: ';' }), ['0;node01', '12;a-very-long-name']);
  assert.deepEqual(tableLines(columns.slice(0, 2), [{ id: 1, name: 'a,"b"', stat: '' }], { csv: true }), ['ID,NAME', '1,"a,""b"""']);
});

test('printList: default columns, --list, --filter, --search, --no-header', () => {
  const print = (options: Record<string, string | boolean | string[]>) => {
    const ctx = new RecordingContext(options);
    printList(ctx, columns, rows, POOL, 'HOST');
    return ctx.lines;
  };
  assert.deepEqual(print({}), ['  ID NAME     STAT', '   0 node01   on', '  12 a-very-l off']);
  assert.deepEqual(print({ list: 'name,hidden', 'no-header': true }), ['node01     h', 'a-very-l   h']);
  assert.deepEqual(print({ filter: ['STAT=off'], 'no-header': true }), ['  12 a-very-l off']);
  assert.deepEqual(print({ filter: ['ID>5,STAT!=on'], 'no-header': true }), ['  12 a-very-l off']);
  assert.deepEqual(print({ filter: ['ID<5'], 'no-header': true }), ['   0 node01   on']);
  assert.deepEqual(print({ search: 'NODE', 'no-header': true }), ['   0 node01   on']);
  assert.throws(() => print({ list: 'ID,NOPE' }), (e: unknown) => e instanceof CliError && /Unknown column "NOPE".*ID, NAME, STAT, HIDDEN/.test(e.message));
  assert.throws(() => print({ filter: ['STAT~on'] }), (e: unknown) => e instanceof CliError && /Bad --filter/.test(e.message));
});

test('printList and printShow print the document for --xml, --json, --yaml', () => {
  const ctx = new RecordingContext({ xml: true });
  printList(ctx, columns, rows, POOL, 'HOST');
  assert.deepEqual(ctx.lines, [POOL]);
  const j = new RecordingContext({ json: true });
  printList(j, columns, rows, POOL, 'HOST');
  assert.deepEqual(JSON.parse(j.lines.join('\n')), { HOST_POOL: { HOST: [{ ID: '0', NAME: 'node01' }] } });
  const s = new RecordingContext({});
  printShow(s, POOL, () => 'SECTIONS');
  assert.deepEqual(s.lines, ['SECTIONS']);
});

test('JSON of XML: repeated elements are arrays, text stays text, pool members always arrays', () => {
  const xml = '<VM><ID>1</ID><TEMPLATE><DISK><ID>0</ID></DISK><DISK><ID>1</ID></DISK><CPU><![CDATA[0.5]]></CPU></TEMPLATE><E/></VM>';
  assert.deepEqual(xmlToJson(xml), { VM: { ID: '1', TEMPLATE: { DISK: [{ ID: '0' }, { ID: '1' }], CPU: '0.5' }, E: '' } });
  assert.deepEqual(xmlToJson('<VM_POOL/>', ['VM']), { VM_POOL: { VM: [] } });
});

test('YAML of JSON', () => {
  const yaml = toYaml({ HOST: { ID: '0', NAME: 'node 1', VMS: { ID: ['1', '2'] }, T: { A: [{ X: 'y', Z: 'true' }] } } });
  assert.equal(yaml, ['---', 'HOST:', '  ID: "0"', '  NAME: node 1', '  VMS:', '    ID:', '    - "1"', '    - "2"', '  T:', '    A:', '    - X: y', '      Z: "true"'].join('\n'));
});

test('templates as show prints them', () => {
  const t = parseXmlTree('<TEMPLATE><A>1</A><NIC><IP>10.0.0.1</IP><MAC>x"y</MAC></NIC></TEMPLATE>');
  assert.deepEqual(templateLines(t), ['A="1"', 'NIC=[', '  IP="10.0.0.1",\n  MAC="x\\"y"', ']']);
});

test('headers are emphasized only on a terminal without NO_COLOR', () => {
  const saved = { tty: process.stdout.isTTY, noColor: process.env.NO_COLOR };
  try {
    Object.defineProperty(process.stdout, 'isTTY', { value: true, configurable: true });
    delete process.env.NO_COLOR;
    assert.equal(tableLines(columns.slice(0, 1), [])[0], '\x1b[1;4m  ID\x1b[0m');
    process.env.NO_COLOR = '1';
    assert.equal(tableLines(columns.slice(0, 1), [])[0], '  ID');
    Object.defineProperty(process.stdout, 'isTTY', { value: false, configurable: true });
    delete process.env.NO_COLOR;
    assert.equal(tableLines(columns.slice(0, 1), [])[0], '  ID');
  } finally {
    Object.defineProperty(process.stdout, 'isTTY', { value: saved.tty, configurable: true });
    if (saved.noColor === undefined) delete process.env.NO_COLOR;
    else process.env.NO_COLOR = saved.noColor;
  }
});
