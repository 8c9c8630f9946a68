import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { defaultRemotesDir } from '../executable.js';
import { actionData, binDriver, FAKE_SSH, tempDir, writeScript } from '../testing.js';
import { runCommand } from './command.js';
import { checkHost, MISSING_SCRIPT_RC, remoteScriptCommand, shellQuote, sshArgs, unpackCommand } from './ssh.js';
import { remotesVersion } from './remotes-version.js';

const NASTY = ["it's", 'a b', '$(touch pwned)', '`id`', '"q"', '', '\\', 'semi;colon', '*'];

test('ssh command construction: BatchMode, host checked, every argument single-quoted', () => {
  assert.equal(shellQuote("it's"), `'it'\\''s'`);
  assert.deepEqual(sshArgs('node1', 'true'), ['-o', 'BatchMode=yes', 'node1', 'true']);
  for (const bad of ['-oProxyCommand=touch x', 'a b', '', 'x\ny']) assert.throws(() => checkHost(bad), /Invalid host name/);
  assert.equal(
    remoteScriptCommand('/var/tmp/one/vmm/kvm/deploy', ['/d/0', 'node1']),
    `if [ -x '/var/tmp/one/vmm/kvm/deploy' ]; then exec '/var/tmp/one/vmm/kvm/deploy' '/d/0' 'node1'; else exit ${MISSING_SCRIPT_RC}; fi`,
  );
  assert.equal(unpackCommand('/var/tmp/one', 'abc'), "mkdir -p '/var/tmp/one' && tar -C '/var/tmp/one' -xf - && printf '%s\\n' 'abc' > '/var/tmp/one/VERSION'");
});

test('the remote command gives the script exactly its arguments, whatever they contain', async () => {
  const dir = tempDir('quote');
  const script = writeScript(join(dir, 'args'), '#!/bin/sh\nfor a in "$@"; do printf "[%s]" "$a"; done\n');
  const r = await runCommand('/bin/sh', ['-c', remoteScriptCommand(script, NASTY)], { cwd: dir });
  assert.equal(r.stdout, NASTY.map((a) => `[${a}]`).join(''));
  assert.equal(existsSync(join(dir, 'pwned')), false);
  const missing = await runCommand('/bin/sh', ['-c', remoteScriptCommand(join(dir, 'none'), [])]);
  assert.equal(missing.code, MISSING_SCRIPT_RC);
});


test('over ssh: remotes copied on demand, monitoring probes and VMM scripts run on the host', async () => {
  const bin = tempDir('fake-ssh');
  writeScript(join(bin, 'ssh'), FAKE_SSH);
  const remotes = tempDir('ssh-remotes');
  const host = join(tempDir('ssh-host'), 'one');
  const state = tempDir('ssh-state');
  const sshLog = join(state, 'ssh.log');
  writeScript(join(remotes, 'im/run_probes'), readFileSync(join(defaultRemotesDir(), 'im/run_probes'), 'utf8'));
  writeScript(join(remotes, 'im/t.d/cpu'), '#!/bin/sh\necho "TOTALCPU=400"\necho "ARGS=\\"$*\\""\n');
  writeScript(join(remotes, 'vmm/t/deploy'), '#!/bin/sh\nfor a in "$@"; do printf "[%s]" "$a"; done > "$STATE/args"\ncat > "$STATE/stdin"\necho t-9\n');
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, SSH_LOG: sshLog, STATE: state, ONE_REMOTES_DIR: remotes, SCRIPTS_REMOTE_DIR: host };
  const im = binDriver('one_im_exec', ['t'], { env });
  const vmm = binDriver('one_vmm_exec', ['t'], { env });
  await Promise.all([im.start(), vmm.start()]);
  try {
    const first = await im.request('MONITOR', 3, ['node1', '/var/lib/one/datastores', '0']);
    assert.equal(first.ok, true, first.info);
    assert.equal(Buffer.from(first.info, 'base64').toString(), 'TOTALCPU=400\nARGS="/var/lib/one/datastores 3 node1"');
    assert.ok(existsSync(join(host, 'im/run_probes')));
    assert.ok(first.logs.some((l) => l.text === 'Remote worker node files not found on node1: updating remotes'));
    const calls = readFileSync(sshLog, 'utf8').trim().split('\n');
    assert.equal(calls.length, 3); // probe (missing), copy, probe
    assert.ok(calls.every((c) => c.startsWith('-o BatchMode=yes node1 ')));
    assert.match(calls[1]!, /tar -C .* -xf -/);

    // update_remotes=1 copies again before probing.
    assert.equal((await im.request('MONITOR', 3, ['node1', '/var/lib/one/datastores', '1'])).ok, true);
    assert.equal(readFileSync(sshLog, 'utf8').trim().split('\n').length, 5);

    const bad = await im.request('MONITOR', 4, ['-oProxyCommand=x', '-', '0']);
    assert.deepEqual([bad.ok, bad.info], [false, "Invalid host name '-oProxyCommand=x'"]);

    const dfile = join(state, 'deployment.0');
    const remoteFile = NASTY.join(' ');
    const xml = `<VMM_DRIVER_ACTION_DATA><HOST>node1</HOST><LOCAL_DEPLOYMENT_FILE>${dfile}</LOCAL_DEPLOYMENT_FILE><REMOTE_DEPLOYMENT_FILE>${remoteFile.replace(/"/g, '&quot;')}</REMOTE_DEPLOYMENT_FILE><VM><ID>9</ID></VM></VMM_DRIVER_ACTION_DATA>`;
    copyFileSync(join(defaultRemotesDir(), 'im/run_probes'), dfile); // any non-empty domain file
    const deployed = await vmm.request('DEPLOY', 9, [actionData(xml)]);
    assert.deepEqual([deployed.ok, deployed.info], [true, 't-9']);
    assert.equal(readFileSync(join(state, 'args'), 'utf8'), `[${remoteFile}][node1][9][node1]`);
    assert.equal(readFileSync(join(state, 'stdin'), 'utf8'), readFileSync(dfile, 'utf8'));
    assert.equal(existsSync('pwned') || existsSync(join(state, 'pwned')), false);
  } finally {
    await Promise.all([im.stop(), vmm.stop()]);
  }
});

test('a driver with version.sh copies the remotes again when the host reports another VERSION', async () => {
  const bin = tempDir('fake-ssh');
  writeScript(join(bin, 'ssh'), FAKE_SSH);
  const remotes = tempDir('ssh-remotes');
  const host = join(tempDir('ssh-host'), 'one');
  const sshLog = join(tempDir('ssh-state'), 'ssh.log');
  writeScript(join(remotes, 'im/run_probes'), readFileSync(join(defaultRemotesDir(), 'im/run_probes'), 'utf8'));
  writeScript(join(remotes, 'im/v.d/version.sh'), readFileSync(join(defaultRemotesDir(), 'im/kvm-probes.d/version.sh'), 'utf8'));
  writeScript(join(remotes, 'im/v.d/cpu'), '#!/bin/sh\necho TOTALCPU=100\n');
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, SSH_LOG: sshLog, ONE_REMOTES_DIR: remotes, SCRIPTS_REMOTE_DIR: host };
  const im = binDriver('one_im_exec', ['v'], { env });
  await im.start();
  const calls = () => readFileSync(sshLog, 'utf8').trim().split('\n').length;
  try {
    const first = await im.request('MONITOR', 1, ['node1', '-', '0']);
    assert.equal(first.ok, true, first.info);
    const v1 = remotesVersion(remotes);
    assert.equal(readFileSync(join(host, 'VERSION'), 'utf8'), `${v1}\n`);
    assert.equal(Buffer.from(first.info, 'base64').toString(), `TOTALCPU=100\nVERSION="${v1}"`);
    assert.equal(calls(), 3, 'probe (missing), copy, probe');
    await im.request('MONITOR', 1, ['node1', '-', '0']);
    assert.equal(calls(), 4, 'current: no copy');

    writeScript(join(remotes, 'im/v.d/cpu'), '#!/bin/sh\necho TOTALCPU=800\n');
    await sleep(2100); // the driver reads its tree again after 2 s
    const changed = await im.request('MONITOR', 1, ['node1', '-', '0']);
    const v2 = remotesVersion(remotes);
    assert.notEqual(v2, v1);
    assert.equal(Buffer.from(changed.info, 'base64').toString(), `TOTALCPU=800\nVERSION="${v2}"`);
    assert.equal(calls(), 7, 'probe (old version), copy, probe');
    assert.ok(changed.logs.some((l) => l.text === `Remotes on node1 are version ${v1}, the front-end has ${v2}: updating remotes`));
  } finally {
    await im.stop();
  }
});

test('a host ssh cannot reach fails with a message naming ssh and the host', async () => {
  const bin = tempDir('down-ssh');
  writeScript(join(bin, 'ssh'), '#!/bin/sh\necho "ssh: connect to host 10.0.0.9 port 22: Connection refused" >&2\nexit 255\n');
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
  const im = binDriver('one_im_exec', ['kvm-probes'], { env });
  await im.start();
  try {
    const r = await im.request('MONITOR', 9, ['node9', '-', '0']);
    assert.deepEqual([r.ok, r.info], [false, 'Cannot reach node9 with ssh: ssh: connect to host 10.0.0.9 port 22: Connection refused']);
  } finally {
    await im.stop();
  }
});
