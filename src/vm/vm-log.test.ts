import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { VmLogs } from './vm-log.js';

test("each VM's lines land in its own vm.log, in order, across several flushes", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vm-log-'));
  try {
    const logs = new VmLogs(dir);
    logs.write(1, 'LCM', 'I', 'New state is ACTIVE');
    logs.write(2, 'LCM', 'I', 'New state is PENDING');
    logs.write(1, 'LCM', 'I', 'New LCM state is PROLOG');
    await logs.drain();
    logs.write(1, 'LCM', 'I', 'New LCM state is BOOT');
    logs.write(1, 'LCM', 'E', 'Error in BOOT');
    await logs.drain();
    const lines = (vid: number) => readFileSync(join(dir, String(vid), 'vm.log'), 'utf8').trimEnd().split('\n');
    assert.deepEqual(
      lines(1).map((l) => l.replace(/^.*? \[Z0\]/, '[Z0]')),
      ['[Z0][LCM][I]: New state is ACTIVE', '[Z0][LCM][I]: New LCM state is PROLOG', '[Z0][LCM][I]: New LCM state is BOOT', '[Z0][LCM][E]: Error in BOOT'],
    );
    assert.match(lines(2)[0]!, /^\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4} \[Z0\]\[LCM\]\[I\]: New state is PENDING$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a line that cannot be written goes to oned.log, and the other VMs are still written', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vm-log-'));
  try {
    const errors: string[] = [];
    const log = { error: (_m: string, text: string) => errors.push(text) } as unknown as ConstructorParameters<typeof VmLogs>[1];
    const logs = new VmLogs(dir, log);
    // A file where VM 7's directory should be.
    await import('node:fs/promises').then((fs) => fs.writeFile(join(dir, '7'), 'not a directory'));
    logs.write(7, 'VM', 'I', 'lost');
    logs.write(8, 'VM', 'I', 'kept');
    await logs.drain();
    assert.equal(errors.length, 1);
    assert.match(errors[0]!, /Cannot write the log of VM 7/);
    assert.match(readFileSync(join(dir, '8', 'vm.log'), 'utf8'), /\[VM\]\[I\]: kept\n$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('writeFile writes a file of the VM directory, making it, and resolves with its path; a failure rejects', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vm-log-'));
  try {
    const logs = new VmLogs(dir);
    const [a, b] = await Promise.all([logs.writeFile(3, 'deployment.0', 'first'), logs.writeFile(4, 'transfer.0.prolog', 'CLONE a b\n')]);
    assert.equal(a, join(dir, '3', 'deployment.0'));
    assert.equal(readFileSync(a, 'utf8'), 'first');
    assert.equal(readFileSync(b, 'utf8'), 'CLONE a b\n');
    // Replaced, not appended; and the directory made again after it was removed.
    rmSync(join(dir, '3'), { recursive: true });
    assert.equal(readFileSync(await logs.writeFile(3, 'deployment.0', 'second'), 'utf8'), 'second');
    await import('node:fs/promises').then((fs) => fs.writeFile(join(dir, '9'), 'not a directory'));
    await assert.rejects(logs.writeFile(9, 'deployment.0', 'x'), /EEXIST|ENOTDIR/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('lines written while a batch is at the writer thread follow it, in order', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vm-log-'));
  try {
    const logs = new VmLogs(dir);
    for (let n = 0; n < 50; n++) {
      logs.write(1, 'LCM', 'I', `line ${n}`);
      // Let a batch go between some lines, so that later ones gather behind it.
      if (n % 7 === 0) await new Promise((r) => setImmediate(r));
    }
    await logs.drain();
    const lines = readFileSync(join(dir, '1', 'vm.log'), 'utf8').trimEnd().split('\n');
    assert.deepEqual(lines.map((l) => l.replace(/^.*\]: /, '')), Array.from({ length: 50 }, (_, n) => `line ${n}`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
