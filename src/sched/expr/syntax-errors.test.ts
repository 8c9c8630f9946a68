import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExpressionError, parseRank, parseRequirements } from './index.js';

function syntaxError(parse: (text: string) => unknown, text: string, column: number, reason: RegExp): void {
  assert.throws(() => parse(text), (e: unknown) => {
    assert.ok(e instanceof ExpressionError, String(e));
    assert.equal(e.column, column, e.message);
    assert.ok(e.message.startsWith(`syntax error at column ${column}: `), e.message);
    assert.match(e.message, reason);
    return true;
  });
}

test('REQUIREMENTS syntax errors name the column and the reason', () => {
  syntaxError(parseRequirements, '(A = 1 & (B = 2)', 17, /unexpected end of expression, expected "\)" to close the "\(" at column 1/);
  syntaxError(parseRequirements, 'A = 1)', 6, /unexpected "\)" with no "\(" to close/);
  syntaxError(parseRequirements, 'A = 1 &', 8, /unexpected end of expression, expected a comparison/);
  syntaxError(parseRequirements, 'A = 1 | | B = 2', 9, /unexpected "\|"/);
  syntaxError(parseRequirements, '& A = 1', 1, /unexpected "&"/);
  syntaxError(parseRequirements, 'A = 1 B = 2', 7, /unexpected "B", expected "&", "\|" or the end/);
  syntaxError(parseRequirements, 'FREE_CPU >= 50', 10, /">=" is not an operator: write \(FREE_CPU > n \| FREE_CPU = n\)/);
  syntaxError(parseRequirements, 'FREE_CPU <= 50', 10, /"<=" is not an operator/);
  syntaxError(parseRequirements, 'A == 1', 3, /"==" is not an operator: use "="/);
  syntaxError(parseRequirements, 'NAME = "node*', 8, /unterminated string/);
  syntaxError(parseRequirements, 'A = 1 # comment', 7, /unexpected character "#"/);
  syntaxError(parseRequirements, 'A = 1.', 6, /unexpected character "\."/);
  syntaxError(parseRequirements, 'A > kvm', 5, /">" compares numbers, got "kvm"/);
  syntaxError(parseRequirements, 'A < "1"', 5, /"<" compares numbers/);
  syntaxError(parseRequirements, 'A =', 4, /unexpected end of expression, expected a number or a string/);
  syntaxError(parseRequirements, 'A 1', 3, /unexpected "1", expected "=", "!=", ">", "<" or "@>"/);
  syntaxError(parseRequirements, 'A ! 1', 5, /unexpected "1", expected "=" \(the operator is "!="\)/);
  syntaxError(parseRequirements, 'A @ 1', 5, /expected ">" \(the operator is "@>"\)/);
  syntaxError(parseRequirements, 'A = - 1', 5, /unexpected "-"/);
  syntaxError(parseRequirements, 'A + 1 = 2', 3, /unexpected "\+"/);
  syntaxError(parseRequirements, '"" = 1', 1, /unexpected empty string "", expected a comparison/);
  syntaxError(parseRequirements, 'A = 1 & "B"', 12, /unexpected end of expression, expected "=", "!="/);
  syntaxError(parseRequirements, '3 = 1', 1, /unexpected "3", expected a comparison/);
  syntaxError(parseRequirements, '()', 2, /unexpected "\)", expected a comparison/);
});

test('RANK syntax errors name the column and the reason', () => {
  syntaxError(parseRank, '2 ^ 3', 3, /unexpected "\^", expected an operator or the end/);
  syntaxError(parseRank, '(FREE_CPU + 1', 14, /unexpected end of expression, expected "\)" to close the "\(" at column 1/);
  syntaxError(parseRank, 'FREE_CPU)', 9, /unexpected "\)" with no "\(" to close/);
  syntaxError(parseRank, 'FREE_CPU *', 11, /unexpected end of expression, expected a number, a variable, "-" or "\("/);
  syntaxError(parseRank, '* 2', 1, /unexpected "\*"/);
  syntaxError(parseRank, 'FREE_CPU RUNNING_VMS', 10, /unexpected "RUNNING_VMS", expected an operator or the end/);
  syntaxError(parseRank, 'FREE_CPU = 1', 10, /unexpected "="/);
  syntaxError(parseRank, 'FREE_CPU % 2', 10, /unexpected character "%"/);
  syntaxError(parseRank, '"FREE_CPU', 1, /unterminated string/);
  syntaxError(parseRank, '()', 2, /unexpected "\)"/);
});
