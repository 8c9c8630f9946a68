import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { binDriver, tempDir, writeScript } from '../testing.js';

test('TRANSFER runs each command of the file with its driver script, stops at the first failure', async () => {
  const remotes = tempDir('tm-remotes');
  const state = tempDir('tm-state');
  const record = (name: string) => `#!/bin/sh\necho "${name} $*" >> "$STATE/calls"\n`;
  writeScript(join(remotes, 'tm/t/clone'), record('clone'));
  writeScript(join(remotes, 'tm/t/mkimage'), record('mkimage'));
  writeScript(join(remotes, 'tm/t/ln.ssh'), record('ln.ssh'));
  writeScript(join(remotes, 'tm/t/delete'), '#!/bin/sh\necho "ERROR: rm failed" >&2\necho "cannot remove $1" >&2\nexit 1\n');
  const env = { ...process.env, ONE_REMOTES_DIR: remotes, STATE: state };
  const tm = binDriver('one_tm', ['-d', 'dummy,t'], { env });
  await tm.start();
  try {
    const ok = join(state, 'transfer.0.prolog');
    writeFileSync(ok, [
      '# prolog of VM 12',
      '',
      'CLONE t fe:/var/lib/one/datastores/1/abc node1:/ds/0/12/disk.0 12 1',
      'CONTEXT dummy /ctx/12 node1:/ds/0/12/disk.1 12 0',
      'MKIMAGE.ssh t 1024 raw node1:/ds/0/12/disk.2 12 0',
      'LN.ssh t fe:/img node1:/ds/0/12/disk.3 12 1',
    ].join('\n'));
    assert.deepEqual(await tm.request('TRANSFER', 12, [ok]), { ok: true, info: '', logs: [] });
    assert.deepEqual(readFileSync(join(state, 'calls'), 'utf8').trim().split('\n'), [
      'clone fe:/var/lib/one/datastores/1/abc node1:/ds/0/12/disk.0 12 1',
      'mkimage 1024 raw node1:/ds/0/12/disk.2 12 0',
      'ln.ssh fe:/img node1:/ds/0/12/disk.3 12 1',
    ]);

    const failing = join(state, 'transfer.0.epilog');
    writeFileSync(failing, 'DELETE t node1:/ds/0/12 12 0\nCLONE t never run 12 1\n');
    const r = await tm.request('TRANSFER', 12, [failing]);
    assert.deepEqual([r.ok, r.info], [false, 'cannot remove node1:/ds/0/12']);
    assert.ok(r.logs.some((l) => l.severity === 'E' && l.text === 'rm failed'));
    assert.equal(readFileSync(join(state, 'calls'), 'utf8').trim().split('\n').length, 3);

    const other = join(state, 'transfer.0.other');
    writeFileSync(other, 'CLONE shared a b 12 1\n');
    assert.equal((await tm.request('TRANSFER', 12, [other])).info, "Transfer Driver 'shared' not available");
    writeFileSync(other, 'RESIZE t a 10 12 1\n');
    assert.equal((await tm.request('TRANSFER', 12, [other])).info, "Transfer driver 't' has no script for RESIZE");
    writeFileSync(other, 'CLONE ../../bin a b\n');
    assert.equal((await tm.request('TRANSFER', 12, [other])).info, 'Malformed transfer command: CLONE ../../bin a b');
    assert.equal((await tm.request('TRANSFER', 12, ['/no/such/file'])).info, "Transfer file '/no/such/file' does not exist");
  } finally {
    await tm.stop();
  }
});
