import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../testing.js';
import { CachedRemotesVersion, remotesVersion } from './remotes-version.js';

test('the version of a remotes tree changes with any shipped file, its content or its mode, and with nothing else', () => {
  const dir = tempDir('remotes-version');
  mkdirSync(join(dir, 'im/kvm-probes.d'), { recursive: true });
  writeFileSync(join(dir, 'im/kvm-probes.d/cpu.sh'), 'echo A\n', { mode: 0o755 });
  const v = remotesVersion(dir);
  assert.match(v, /^[0-9a-f]{16}$/);
  assert.equal(remotesVersion(dir), v, 'stable');
  // Written on hosts, never shipped: the recorded version and probe state.
  writeFileSync(join(dir, 'VERSION'), 'whatever\n');
  mkdirSync(join(dir, '.state'));
  writeFileSync(join(dir, '.state/host-cpu'), '1 2\n');
  assert.equal(remotesVersion(dir), v);
  chmodSync(join(dir, 'im/kvm-probes.d/cpu.sh'), 0o644);
  const notExecutable = remotesVersion(dir);
  assert.notEqual(notExecutable, v);
  writeFileSync(join(dir, 'im/kvm-probes.d/cpu.sh'), 'echo B\n');
  assert.notEqual(remotesVersion(dir), notExecutable);
  const edited = remotesVersion(dir);
  writeFileSync(join(dir, 'im/kvm-probes.d/new.sh'), '');
  assert.notEqual(remotesVersion(dir), edited, 'an added (even empty) file');
});

test('the cached version is read again once it is 2 s old', () => {
  const dir = tempDir('remotes-cache');
  writeFileSync(join(dir, 'a'), '1');
  const cached = new CachedRemotesVersion(dir);
  const first = cached.current(10_000);
  writeFileSync(join(dir, 'a'), '2');
  assert.equal(cached.current(11_999), first);
  assert.equal(cached.current(12_000), remotesVersion(dir));
  assert.notEqual(cached.current(12_000), first);
});
