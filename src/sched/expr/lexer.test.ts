import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExpressionError, tokenize } from './lexer.js';

function kinds(text: string): string[] {
  return tokenize(text).map((t) => `${t.kind}:${String(t.value)}@${t.start}`);
}

test('operators, words, quoted strings and numbers, blanks skipped, each with its offset', () => {
  assert.deepEqual(kinds('NAME!="n o*"&(X>-2.5)'), [
    'word:NAME@0', 'op:!@4', 'op:=@5', 'quoted:n o*@6', 'op:&@12', 'op:(@13', 'word:X@14', 'op:>@15',
    'float:-2.5@16', 'op:)@20', 'end:@21',
  ]);
  assert.deepEqual(kinds(' @ > ""\t12 x_1 '), ['op:@@1', 'op:>@3', 'quoted:@5', 'integer:12@8', 'word:x_1@11', 'end:@15']);
});

test('a minus before a digit is part of the number only where an operand may start', () => {
  assert.deepEqual(kinds('-1'), ['integer:-1@0', 'end:@2']);
  assert.deepEqual(kinds('(-1'), ['op:(@0', 'integer:-1@1', 'end:@3']);
  assert.deepEqual(kinds('A-1'), ['word:A@0', 'op:-@1', 'integer:1@2', 'end:@3']);
  assert.deepEqual(kinds('2 -1'), ['integer:2@0', 'op:-@2', 'integer:1@3', 'end:@4']);
  assert.deepEqual(kinds(')-1'), ['op:)@0', 'op:-@1', 'integer:1@2', 'end:@3']);
  assert.deepEqual(kinds('- 1'), ['op:-@0', 'integer:1@2', 'end:@3']);
});

test('a word starts with a letter; numbers and words split where OpenNebula splits them', () => {
  assert.deepEqual(kinds('12abc'), ['integer:12@0', 'word:abc@2', 'end:@5']);
  assert.throws(() => tokenize('_X = 1'), (e: unknown) => e instanceof ExpressionError && e.column === 1);
});

test('an unterminated string and a stray character are errors at their column', () => {
  assert.throws(() => tokenize('A = "x'), { message: 'syntax error at column 5: unterminated string (no closing ")' });
  assert.throws(() => tokenize('A = 1, B'), { message: 'syntax error at column 6: unexpected character ","' });
});
