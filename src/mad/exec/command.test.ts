import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir, writeScript } from '../testing.js';
import { runCommand } from './command.js';

/** Whether a process is still running (a zombie counts as gone). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

const dir = tempDir('command');

test('argv is passed as is, stdin is fed, stdout and stderr are collected', async () => {
  const script = writeScript(join(dir, 'echo'), '#!/bin/sh\nprintf "%s|" "$@"\ncat\necho oops >&2\nexit 3\n');
  const r = await runCommand(script, ['a b', '$(id)', "it's"], { stdin: 'from stdin' });
  assert.equal(r.stdout, "a b|$(id)|it's|from stdin");
  assert.equal(r.stderr, 'oops\n');
  assert.equal(r.code, 3);
  assert.equal(r.timedOut, false);
});

test('a timeout kills the whole process group, children included', async () => {
  const pidFile = join(dir, 'child.pid');
  const script = writeScript(join(dir, 'hang'), `#!/bin/sh\nsleep 60 &\necho $! > ${pidFile}\nwait\n`);
  const r = await runCommand(script, [], { timeoutMs: 300 });
  assert.equal(r.timedOut, true);
  assert.equal(r.code, null);
  const child = Number(readFileSync(pidFile, 'utf8'));
  // Killed at once; gone as soon as its new parent (init) has reaped it, which a loaded machine delays.
  for (let i = 0; i < 100 && alive(child); i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(alive(child), false);
});

test('an abort signal cancels the run; an aborted signal runs nothing', async () => {
  const controller = new AbortController();
  const running = runCommand('/bin/sleep', ['60'], { signal: controller.signal });
  setImmediate(() => controller.abort());
  const r = await running;
  assert.equal(r.cancelled, true);
  assert.equal(r.signal, 'SIGTERM');
  const never = await runCommand(join(dir, 'does-not-matter'), [], { signal: AbortSignal.abort() });
  assert.equal(never.cancelled, true);
});

test('a missing program is reported, not thrown', async () => {
  const r = await runCommand(join(dir, 'missing'), []);
  assert.equal(r.code, null);
  assert.match(r.spawnError ?? '', /ENOENT/);
});
