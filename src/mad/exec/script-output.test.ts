import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ERROR_CLOSE, ERROR_OPEN, failureMessage, parseStderr } from './script-output.js';

test('stderr: log lines by severity, error block, plain lines', () => {
  const parsed = parseStderr(
    ['INFO: starting', 'WARNING: low disk', 'some noise', ERROR_OPEN, 'virsh failed:', 'domain not found', ERROR_CLOSE,
      'ERROR: deploy failed', 'DEBUG:x', ''].join('\n'),
  );
  assert.deepEqual(parsed.logs, [
    { severity: 'I', text: 'starting' },
    { severity: 'W', text: 'low disk' },
    { severity: 'E', text: 'deploy failed' },
    { severity: 'D', text: 'x' },
  ]);
  assert.deepEqual(parsed.plain, ['some noise']);
  assert.equal(parsed.errorBlock, 'virsh failed: domain not found');
});

test('failure message: error block, else last plain lines, else last ERROR, else stdout, else fallback', () => {
  assert.equal(failureMessage(parseStderr(`${ERROR_OPEN}\nboom\n${ERROR_CLOSE}\nnoise`), 'out', 'fb'), 'boom');
  assert.equal(failureMessage(parseStderr('1\n2\n3\n4\nINFO: x'), 'out', 'fb'), '2 3 4');
  assert.equal(failureMessage(parseStderr('ERROR: first\nINFO: x\nERROR: second'), 'out', 'fb'), 'second');
  assert.equal(failureMessage(parseStderr('INFO: x'), 'quota exceeded\n', 'fb'), 'quota exceeded');
  assert.equal(failureMessage(parseStderr(''), '  \n', 'deploy failed (exit code: 1)'), 'deploy failed (exit code: 1)');
  assert.equal(failureMessage(parseStderr(`${ERROR_OPEN}\nunterminated`), '', 'fb'), 'unterminated');
});
