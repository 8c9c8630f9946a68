import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { LogFile } from './log-file.js';

test('a log file that cannot be written drops and counts lines, then reopens and says how many it lost', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'log-file-'));
  const missing = join(dir, 'gone');
  const file = new LogFile(join(missing, 'oned.log'), (text) => `LOST ${text}\n`, 50);
  const stderr = process.stderr.write;
  const said: string[] = [];
  process.stderr.write = ((s: string) => { said.push(s); return true; }) as typeof process.stderr.write;
  try {
    file.add('first\n');
    await sleep(20); // the open fails (ENOENT): no throw, no crash
    file.add('second\nthird\n');
    await sleep(10);
  } finally {
    process.stderr.write = stderr;
  }
  assert.equal(said.length, 1);
  assert.match(said[0]!, /cannot write .*oned\.log: ENOENT/);
  mkdirSync(missing);
  await sleep(60);
  file.add('fourth\n');
  await sleep(20);
  await file.close();
  assert.match(readFileSync(join(missing, 'oned.log'), 'utf8'), /^LOST 2 log lines or more could not be written: ENOENT.*\nfourth\n$/);
  rmSync(dir, { recursive: true, force: true });
});
