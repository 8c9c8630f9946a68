import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatFields, formatTable } from './table.js';

const cols = [
  { header: 'instanceId', width: 12, value: (r: { id: string; ip?: string }) => r.id },
  { header: 'IP', width: 4, value: (r: { id: string; ip?: string }) => r.ip },
];

test('columns padded to their width or their longest value; missing values as -', () => {
  assert.deepEqual(formatTable(cols, [{ id: 'i-00000001', ip: '10.0.0.1' }, { id: 'i-0000000012345' }], false), [
    'i-00000001       10.0.0.1',
    'i-0000000012345  -',
  ]);
});

test('headers and a rule only when asked', () => {
  const out = formatTable(cols, [], true);
  assert.equal(out.length, 2);
  assert.match(out[0]!, /^instanceId\s+IP$/);
  assert.match(out[1]!, /^-{20,}$/);
  assert.deepEqual(formatTable(cols, [], false), []);
});

test('key: value lines', () => {
  assert.deepEqual(formatFields([['volumeId', 'vol-00000004'], ['size', 2], ['device', undefined]]), ['volumeId: vol-00000004', 'size: 2', 'device: -']);
});
