import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger, LogLevel } from './log.js';

test('lines in OpenNebula format, filtered by level, all written by close', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'log-')), 'oned.log');
  const log = Logger.toFile(file, LogLevel.INFO);
  log.info('ONE', 'first');
  log.debug('ReM', 'hidden');
  log.error('DBM', 'second');
  assert.equal(log.enabled(LogLevel.DEBUG), false);
  await log.close();
  const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
  assert.equal(lines.length, 2);
  assert.match(lines[0]!, /^\w{3} \w{3} \d\d \d\d:\d\d:\d\d \d{4} \[Z0\]\[ONE\]\[I\]: first$/);
  assert.match(lines[1]!, /\[DBM\]\[E\]: second$/);
});

test('lines logged in one turn are written together, in order', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'log-')), 'oned.log');
  const log = Logger.toFile(file, LogLevel.DEBUG);
  for (let i = 0; i < 1000; i++) log.debug('ReM', `line ${i}`);
  await new Promise(setImmediate);
  log.info('ONE', 'after');
  await log.close();
  const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
  assert.equal(lines.length, 1001);
  assert.match(lines[999]!, /line 999$/);
  assert.match(lines[1000]!, /after$/);
});
