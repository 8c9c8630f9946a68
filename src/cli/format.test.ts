import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dateTime, percent, permissionTriples, size } from './format.js';

test('sizes as OpenNebula prints them', () => {
  assert.equal(size(0), '0K');
  assert.equal(size(1023), '1023K');
  assert.equal(size(524288), '512M');
  assert.equal(size(7969177), '7.6G');
  assert.equal(size(258048, 'M'), '252G');
  assert.equal(size(Number.NaN), '-');
});

test('percentages and permissions', () => {
  assert.equal(percent(1, 4), '25%');
  assert.equal(percent(1, 0), '-');
  assert.deepEqual(permissionTriples('640'), ['um-', 'u--', '---']);
  assert.deepEqual(permissionTriples('751'), ['uma', 'u-a', '--a']);
});

test('dates: month/day time, - when unset', () => {
  assert.equal(dateTime(0), '-');
  assert.match(dateTime(1_700_000_000), /^\d\d\/\d\d \d\d:\d\d:\d\d$/);
});
