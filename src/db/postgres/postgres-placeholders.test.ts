import assert from 'node:assert/strict';
import { test } from 'node:test';
import { numberPlaceholders } from './postgres-placeholders.js';

test('? placeholders become $1, $2, ... in order', () => {
  assert.equal(numberPlaceholders('SELECT * FROM t WHERE a = ? AND b IN (?, ?)'), 'SELECT * FROM t WHERE a = $1 AND b IN ($2, $3)');
});

test('a ? inside a literal, a quoted identifier or a comment is left alone', () => {
  assert.equal(
    numberPlaceholders(`SELECT '?', 'it''s ?', "odd?col" FROM t -- why?\nWHERE a = ? /* b = ? */ AND c = ?`),
    `SELECT '?', 'it''s ?', "odd?col" FROM t -- why?\nWHERE a = $1 /* b = ? */ AND c = $2`,
  );
});

test('SQL without placeholders is returned as it is', () => {
  assert.equal(numberPlaceholders('SELECT 1'), 'SELECT 1');
});
