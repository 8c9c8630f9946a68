/** The tail of vm.log: last lines only, a missing file is null (the page says "no log yet"), a huge file is read from its end. */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { tailLines, vmsDir } from './vm-log.js';

const dir = mkdtempSync(join(tmpdir(), 'vm-log-'));

test('the last lines of the log, in order; all of a short log', async () => {
  const f = join(dir, 'short.log');
  writeFileSync(f, Array.from({ length: 10 }, (_, i) => `line ${i}`).join('\n') + '\n');
  assert.deepEqual(await tailLines(f, 3), { text: 'line 7\nline 8\nline 9', truncated: true });
  assert.deepEqual((await tailLines(f, 100))!.text.split('\n').length, 10);
  assert.equal((await tailLines(f, 100))!.truncated, false);
});

test('a missing log is null, not an error', async () => {
  assert.equal(await tailLines(join(dir, 'none.log'), 10), null);
});

test('a log larger than the read window: whole lines from its end', async () => {
  const f = join(dir, 'big.log');
  const line = 'x'.repeat(99);
  writeFileSync(f, Array.from({ length: 20_000 }, (_, i) => `${i} ${line}`).join('\n') + '\n');
  const t = (await tailLines(f, 2000))!;
  const lines = t.text.split('\n');
  assert.equal(lines.length, 2000);
  assert.equal(lines[1999], `19999 ${line}`);
  assert.ok(lines.every((l) => /^\d+ x{99}$/.test(l)));
});

test('VM directories are under $ONE_LOCATION/var/vms, where oned writes them', () => {
  assert.equal(vmsDir({ ONE_LOCATION: '/srv/one' }), '/srv/one/var/vms');
});
