import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GaugeFamily, escapeLabelValue, formatValue } from './exposition.js';

test('label values escape backslash, double quote and newline; plain ones are kept as they are', () => {
  assert.equal(escapeLabelValue('front-1.example'), 'front-1.example');
  assert.equal(escapeLabelValue('a\\b"c\nd'), 'a\\\\b\\"c\\nd');
});

test('values: integers, fractions, large byte counts, and the special floats', () => {
  assert.equal(formatValue(3), '3');
  assert.equal(formatValue(0.25), '0.25');
  assert.equal(formatValue(2 ** 40), '1099511627776');
  assert.equal(formatValue(Number.NaN), 'NaN');
  assert.equal(formatValue(Infinity), '+Inf');
  assert.equal(formatValue(-Infinity), '-Inf');
});

test('a family renders HELP, TYPE and its samples in the order added, labels in the declared order', () => {
  const f = new GaugeFamily({ name: 'x_bytes', help: 'Some\nhelp \\ text', labels: ['a', 'b'] });
  f.set(['1', 2], 10);
  f.set(['q"', ''], 0.5);
  f.set(['skipped', 'x'], Number.NaN);
  assert.equal(f.size, 2);
  assert.equal(f.render(), '# HELP x_bytes Some\\nhelp \\\\ text\n# TYPE x_bytes gauge\nx_bytes{a="1",b="2"} 10\nx_bytes{a="q\\"",b=""} 0.5\n');
  const total = new GaugeFamily({ name: 'n', help: 'h', labels: [] });
  total.set([], 4);
  assert.equal(total.render(), '# HELP n h\n# TYPE n gauge\nn 4\n');
});
