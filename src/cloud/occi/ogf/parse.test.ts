import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OcciError } from '../errors.js';
import { parseCategory, parseJson, parseLink, parseText, parseValue, splitOutside, textPlainPairs } from './parse.js';

const INFRA = 'http://schemas.ogf.org/occi/infrastructure#';
const bad = (fn: () => unknown, re: RegExp) => assert.throws(fn, (e: Error) => e instanceof OcciError && e.status === 400 && re.test(e.message));

test('splitOutside keeps separators inside quotes and angle brackets', () => {
  assert.deepEqual(splitOutside('a; b="x;y"; <u;v>', ';'), ['a', 'b="x;y"', '<u;v>']);
  assert.deepEqual(splitOutside('t1; scheme="s, x", t2; scheme="s"', ','), ['t1; scheme="s, x"', 't2; scheme="s"']);
  assert.deepEqual(splitOutside('a="q\\"; b"; c', ';'), ['a="q\\"; b"', 'c']);
  bad(() => splitOutside('a="open', ';'), /Unterminated/);
});

test('attribute values: quoted strings with escapes, numbers, booleans', () => {
  assert.equal(parseValue('"say \\"hi\\" \\\\ bye"'), 'say "hi" \\ bye');
  assert.equal(parseValue('2'), 2);
  assert.equal(parseValue('0.5'), 0.5);
  assert.equal(parseValue('true'), true);
  bad(() => parseValue('"open'), /Unterminated/);
});

test('categories and links of the text rendering', () => {
  assert.deepEqual(parseCategory(`compute; scheme="${INFRA}"; class="kind"`), { term: 'compute', scheme: INFRA, class: 'kind' });
  bad(() => parseCategory('compute'), /needs a term and a scheme/);
  const l = parseLink(`</occi1.2/network/3>; rel="${INFRA}network"; self="/x"; category="${INFRA}networkinterface ${INFRA}ipnetworkinterface"; occi.networkinterface.address="10.0.0.9"`);
  assert.equal(l.target, '/occi1.2/network/3');
  assert.equal(l.kind, `${INFRA}networkinterface`);
  assert.deepEqual([...l.attributes], [['occi.networkinterface.address', '10.0.0.9']]);
  bad(() => parseLink('/occi1.2/network/3; rel="x"'), /starts with <location>/);
});

test('text/plain lines and text/occi headers read alike; kinds, mixins and actions told apart', () => {
  const body = `Category: compute; scheme="${INFRA}"; class="kind"\nCategory: small; scheme="http://x/resource_tpl#"; class="mixin"\nX-OCCI-Attribute: occi.core.title="a, b"\nX-OCCI-Attribute: occi.compute.cores=2\nLink: </n/1>; rel="${INFRA}network"\n`;
  const plain = parseText(textPlainPairs(body));
  const occi = parseText([
    ['Category', `compute; scheme="${INFRA}"; class="kind", small; scheme="http://x/resource_tpl#"; class="mixin"`],
    ['X-OCCI-Attribute', 'occi.core.title="a, b", occi.compute.cores=2'],
    ['Link', `</n/1>; rel="${INFRA}network"`],
  ]);
  for (const r of [plain, occi]) {
    assert.equal(r.kind, `${INFRA}compute`);
    assert.deepEqual(r.mixins, ['http://x/resource_tpl#small']);
    assert.deepEqual([...r.attributes], [['occi.core.title', 'a, b'], ['occi.compute.cores', 2]]);
    assert.equal(r.links[0]!.target, '/n/1');
  }
  const action = parseText([['Category', 'stop; scheme="http://schemas.ogf.org/occi/infrastructure/compute/action#"']]);
  assert.equal(action.action, 'http://schemas.ogf.org/occi/infrastructure/compute/action#stop');
  bad(() => textPlainPairs('no colon here'), /Name: value/);
  bad(() => parseText([['X-OCCI-Attribute', '=3']]), /Not an attribute/);
});

test('the JSON rendering of resources, links and actions', () => {
  const r = parseJson(JSON.stringify({ kind: `${INFRA}compute`, mixins: ['m#a'], title: 'vm', attributes: { 'occi.compute.cores': 1 }, links: [{ kind: `${INFRA}storagelink`, target: { location: '/s/1' }, attributes: { 'occi.storagelink.deviceid': 'vdb' } }] }));
  assert.equal(r.kind, `${INFRA}compute`);
  assert.equal(r.attributes.get('occi.core.title'), 'vm');
  assert.equal(r.links[0]!.target, '/s/1');
  assert.equal(r.links[0]!.attributes.get('occi.storagelink.deviceid'), 'vdb');
  assert.equal(parseJson('{"action": "x#stop"}').action, 'x#stop');
  assert.equal(parseJson(JSON.stringify({ kind: 'k', source: { location: '/c/1' }, target: '/n/2' })).attributes.get('occi.core.target'), '/n/2');
  bad(() => parseJson('[1]'), /must be a JSON object/);
  bad(() => parseJson('{'), /not valid JSON/);
  bad(() => parseJson('{"attributes": {"a": {"b": 1}}}'), /string, number or boolean/);
  bad(() => parseJson('{"mixins": "m"}'), /"mixins" must be a list/);
});
