import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Ec2Error } from './errors.js';
import { formatId, parseId, requireId } from './ids.js';
import { applyFilters, isTagFilter, PageSnapshots, paginate, tagFilterValues, wildcard } from './paging.js';
import { Params } from './params.js';
import { errorXml, responseXml, el, itemSet } from './xml.js';

const p = (o: Record<string, string>) => Params.of(Object.entries(o));
const code = (c: string) => (e: unknown) => e instanceof Ec2Error && e.code === c;

test('params: required, whole numbers, booleans', () => {
  const q = p({ A: 'x', N: '12', B: 'TRUE', E: '' });
  assert.equal(q.str('A'), 'x');
  assert.throws(() => q.str('E'), code('MissingParameter'));
  assert.throws(() => q.str('Z'), code('MissingParameter'));
  assert.equal(q.int('N', { min: 1, max: 20 }), 12);
  assert.equal(q.int('Z', { fallback: 7 }), 7);
  assert.throws(() => q.int('N', { max: 10 }), code('InvalidParameterValue'));
  assert.throws(() => p({ N: '1.5' }).int('N'), code('InvalidParameterValue'));
  assert.equal(q.bool('B'), true);
  assert.throws(() => p({ B: 'yes' }).bool('B'), code('InvalidParameterValue'));
});

test('params: .N lists in order, filters, tags, tag specifications', () => {
  const q = p({ 'InstanceId.2': 'i-2', 'InstanceId.10': 'i-10', 'InstanceId.1': 'i-1', 'Filter.1.Name': 'tag:Name', 'Filter.1.Value.2': 'b', 'Filter.1.Value.1': 'a', 'Filter.2.Name': 'instance-state-name' });
  assert.deepEqual(q.list('InstanceId'), ['i-1', 'i-2', 'i-10']);
  assert.deepEqual(q.filters(), [{ name: 'tag:Name', values: ['a', 'b'] }, { name: 'instance-state-name', values: [] }]);
  assert.throws(() => p({ 'InstanceId.0': 'x' }).list('InstanceId'), code('InvalidParameterValue'));
  assert.throws(() => p({ 'InstanceId.x': 'x' }).list('InstanceId'), code('InvalidParameterValue'));
  assert.throws(() => p({ 'Filter.1.Value.1': 'x' }).filters(), code('MissingParameter'));
  assert.deepEqual(p({ 'Tag.1.Key': 'k', 'Tag.2.Key': 'e', 'Tag.2.Value': 'v' }).tags(), [{ key: 'k', value: '' }, { key: 'e', value: 'v' }]);
  assert.throws(() => p({ 'Tag.1.Key': 'aws:x' }).tags(), code('InvalidParameterValue'));
  assert.throws(() => p({ 'Tag.1.Key': 'k', 'Tag.2.Key': 'k' }).tags(), code('InvalidParameterValue'));
  assert.throws(() => p({ 'Tag.1.Value': 'v' }).tags(), code('MissingParameter'));
  assert.deepEqual(p({ 'Tag.1.Key': 'k' }).tagSelectors(), [{ key: 'k', value: undefined }]);
  const spec = p({ 'TagSpecification.1.ResourceType': 'instance', 'TagSpecification.1.Tag.1.Key': 'Name', 'TagSpecification.1.Tag.1.Value': 'web', 'TagSpecification.2.ResourceType': 'volume', 'TagSpecification.2.Tag.1.Key': 'v' });
  assert.deepEqual(spec.tagsFor('instance', ['instance', 'volume']), [{ key: 'Name', value: 'web' }]);
  assert.throws(() => spec.tagsFor('instance'), code('InvalidParameterValue'));
});

test('ids: eight or more digits, strict parsing', () => {
  assert.equal(formatId('i', 42), 'i-00000042');
  assert.equal(formatId('ami', 123456789), 'ami-123456789');
  assert.equal(parseId('i', 'i-00000042'), 42);
  assert.equal(parseId('i', 'i-123456789'), 123456789);
  for (const bad of ['i-42', 'i-0000004a', 'ami-00000042', 'i-0123456789', 'i-00000042 ', 'x']) assert.equal(parseId('i', bad), undefined, bad);
  assert.throws(() => requireId('vol', 'vol-1'), code('InvalidVolume.Malformed'));
});

test('pagination: MaxResults 5..1000, tokens only good for their request', () => {
  const items = Array.from({ length: 12 }, (_, i) => i);
  assert.deepEqual(paginate(items, p({})).items, items);
  const first = paginate(items, p({ MaxResults: '5', 'Filter.1.Name': 'x' }));
  assert.deepEqual(first.items, [0, 1, 2, 3, 4]);
  const second = paginate(items, p({ MaxResults: '5', 'Filter.1.Name': 'x', NextToken: first.nextToken! }));
  assert.deepEqual(second.items, [5, 6, 7, 8, 9]);
  const third = paginate(items, p({ MaxResults: '5', 'Filter.1.Name': 'x', NextToken: second.nextToken! }));
  assert.deepEqual(third.items, [10, 11]);
  assert.equal(third.nextToken, undefined);
  assert.throws(() => paginate(items, p({ MaxResults: '5', 'Filter.1.Name': 'y', NextToken: first.nextToken! })), code('InvalidNextToken'));
  assert.throws(() => paginate(items, p({ NextToken: 'garbage' })), code('InvalidNextToken'));
  assert.throws(() => paginate(items, p({ MaxResults: '4' })), code('InvalidParameterValue'));
  assert.throws(() => paginate(items, p({ MaxResults: '5' }), true), code('InvalidParameterValue'));
});

test('filters: wildcards, every filter must match, unknown names refused', () => {
  assert.ok(wildcard('web-*').test('web-01'));
  assert.ok(wildcard('a?c').test('abc'));
  assert.ok(!wildcard('a.c').test('abc'));
  assert.ok(wildcard('50\\*').test('50*') && !wildcard('50\\*').test('500'));
  const items = [{ n: 'a', tags: [{ key: 'Name', value: 'web' }] }, { n: 'b', tags: [] }];
  const known = (f: string) => f === 'name' || isTagFilter(f);
  const values = (i: (typeof items)[number], f: string) => (f === 'name' ? [i.n] : (tagFilterValues(i.tags, f) ?? []));
  assert.deepEqual(applyFilters(items, [{ name: 'tag:Name', values: ['w*'] }], known, values).map((i) => i.n), ['a']);
  assert.deepEqual(applyFilters(items, [{ name: 'name', values: ['a', 'b'] }, { name: 'tag-key', values: ['Name'] }], known, values).map((i) => i.n), ['a']);
  assert.throws(() => applyFilters([], [{ name: 'colour', values: [] }], known, values), code('InvalidParameterValue'));
});

test('XML: the version namespace, escaping, EC2 error documents', () => {
  assert.equal(
    responseXml('DescribeRegions', '2016-11-15', 'rid', itemSet('regionInfo', [el('regionName', 'a&b')])),
    '<?xml version="1.0" encoding="UTF-8"?>\n<DescribeRegionsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>rid</requestId><regionInfo><item><regionName>a&amp;b</regionName></item></regionInfo></DescribeRegionsResponse>',
  );
  assert.equal(itemSet('x', []), '<x/>');
  assert.equal(el('k', undefined), '');
  assert.equal(
    errorXml('InvalidInstanceID.NotFound', "The instance ID 'i-<1>' does not exist", 'rid'),
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>InvalidInstanceID.NotFound</Code><Message>The instance ID &apos;i-&lt;1&gt;&apos; does not exist</Message></Error></Errors><RequestID>rid</RequestID></Response>",
  );
});

test('page snapshots: a long listing is remembered for its owner, later pages read from it', () => {
  const snaps = new PageSnapshots(1000);
  const ids = Array.from({ length: 12 }, (_, i) => 100 + i);
  const now = 1_000_000;
  assert.deepEqual(snaps.first(ids, p({}), 7, now), { ids }, 'no MaxResults: everything, nothing remembered');
  assert.deepEqual(snaps.first(ids.slice(0, 5), p({ MaxResults: '5' }), 7, now), { ids: ids.slice(0, 5) }, 'one page: no token');
  const first = snaps.first(ids, p({ MaxResults: '5', 'Filter.1.Name': 'x' }), 7, now);
  assert.deepEqual(first.ids, [100, 101, 102, 103, 104]);
  const q = (token: string) => p({ MaxResults: '5', 'Filter.1.Name': 'x', NextToken: token });
  const second = snaps.next(q(first.nextToken!), 7, now)!;
  assert.deepEqual(second.ids, [105, 106, 107, 108, 109]);
  const third = snaps.next(q(second.nextToken!), 7, now)!;
  assert.deepEqual(third, { ids: [110, 111], nextToken: undefined });
  assert.equal(snaps.next(q(first.nextToken!), 8, now), undefined, 'another user does not get it');
  assert.equal(snaps.next(q(first.nextToken!), 7, now + 1000), undefined, 'expired');
  assert.equal(snaps.next(p({ MaxResults: '5' }), 7, now), undefined, 'no token');
  assert.throws(() => snaps.next(p({ MaxResults: '5', 'Filter.1.Name': 'y', NextToken: first.nextToken! }), 7, now), code('InvalidNextToken'));
  // The token still pages the plain way once the listing is forgotten.
  assert.deepEqual(paginate(ids, q(first.nextToken!)).items, [105, 106, 107, 108, 109]);
});
