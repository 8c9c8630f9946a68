import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { defaultRemotesDir, resolveExecutable, splitArguments } from './executable.js';
import { tempDir, writeScript } from './testing.js';

test('executables: packaged JS first, then $ONE_LOCATION/lib/mads, absolute paths as they are', () => {
  const pkg = tempDir('pkg');
  const one = tempDir('one');
  writeScript(join(pkg, 'dist/src/mad/bin/one_vmm_dummy.js'), '');
  writeScript(join(one, 'lib/mads/one_vmm_ec2'), '#!/bin/sh\n');
  assert.deepEqual(resolveExecutable('one_vmm_dummy', { packageRoot: pkg, oneLocation: one }), {
    command: process.execPath,
    args: [join(pkg, 'dist/src/mad/bin/one_vmm_dummy.js')],
    builtin: 'one_vmm_dummy',
  });
  assert.deepEqual(resolveExecutable('one_vmm_ec2', { packageRoot: pkg, oneLocation: one }), {
    command: join(one, 'lib/mads/one_vmm_ec2'),
    args: [],
  });
  assert.deepEqual(resolveExecutable('/opt/drivers/mine', { packageRoot: pkg }), { command: '/opt/drivers/mine', args: [] });
  assert.throws(() => resolveExecutable('one_vmm_nope', { packageRoot: pkg, oneLocation: one }), /Driver executable 'one_vmm_nope' not found \(looked for .*one_vmm_nope\.js, .*lib\/mads\/one_vmm_nope/);
  assert.throws(() => resolveExecutable('../bin/sh', { packageRoot: pkg }), /must be a file name or an absolute path/);
});

test('the shipped drivers and remotes are found from the package', () => {
  const r = resolveExecutable('one_vmm_exec');
  assert.equal(r.command, process.execPath);
  assert.match(r.args[0]!, /dist\/src\/mad\/bin\/one_vmm_exec\.js$/);
  assert.equal(r.builtin, 'one_vmm_exec', 'a shipped driver can run in a driver host');
  assert.equal(resolveExecutable('one_vmm_ec2').builtin, undefined, 'the hybrid drivers run alone');
  assert.match(defaultRemotesDir(), /\/remotes$/);
});

test('ARGUMENTS split into argv, quotes group words', () => {
  assert.deepEqual(splitArguments('-t 15 -r 0 kvm'), ['-t', '15', '-r', '0', 'kvm']);
  assert.deepEqual(splitArguments(`  -l "deploy, poll=poll_ganglia" 'a b'c x\\ y ""`), ['-l', 'deploy, poll=poll_ganglia', 'a bc', 'x y', '']);
  assert.deepEqual(splitArguments(''), []);
  assert.throws(() => splitArguments('-l "deploy'), /Unterminated " quote/);
});
