/**
 * Secrets never reach a log or a process's argv: a broad scenario with distinctive secrets (user
 * passwords, wrong guesses, a session without a colon, login tokens, server_cipher tokens, EC2
 * keys, hybrid hosts' cloud credentials, a VM's CONTEXT password, hooks, failing drivers) at
 * DEBUG_LEVEL 5, sampling `ps` meanwhile; then every file under ONE_LOCATION and oned's own output
 * are searched for each secret, in clear, hex, and inside every base64 run.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { childText } from '../../src/common/xml-tree.js';
import { sealServerToken } from '../../src/common/server-cipher.js';
import { Oned, freePort } from './harness.js';
import { cli } from './cli-helpers.js';
import { okId, okXml, must, sleep, vmUntil } from './api-helpers.js';

const run = promisify(execFile);
const S = {
  first: 'Sx7pw-first-Qz41',
  second: 'Sx7pw-second-Kv93',
  guess: 'Sx7pw-guess-Lm28',
  nocolon: 'Sx7nocolon-Tq55xx',
  ec2Access: 'Sx7ec2-access-Wd17',
  ec2Secret: 'Sx7ec2-secret-Hp62',
  onePassword: 'Sx7one-pw-Rb84',
  context: 'Sx7ctx-pw-Nc36',
};
/** Secrets learnt during the run (the login token, the server token, the user's EC2 key...). */
const found: Record<string, string> = {};

const dir = mkdtempSync(join(tmpdir(), 'nebula-secrets-'));
const hookScript = join(dir, 'hook');
// Lives a second, so that the ps samples see its argv.
writeFileSync(hookScript, `#!/bin/sh\necho "hook ran with $# arguments"\ncat > /dev/null\nsleep 1\n`);
chmodSync(hookScript, 0o755);

let oned: Oned;
before(async () => {
  oned = await Oned.start({
    backend: 'sqlite',
    conf: `LOG = [ SYSTEM = "file", DEBUG_LEVEL = 5 ]
HOST_MONITORING_INTERVAL = 1
IM_MAD = [ NAME = "dummy", EXECUTABLE = "one_im_dummy" ]
IM_MAD = [ NAME = "ec2", EXECUTABLE = "one_im_ec2" ]
IM_MAD = [ NAME = "one", EXECUTABLE = "one_im_one" ]
VM_MAD = [ NAME = "dummy", EXECUTABLE = "one_vmm_dummy" ]
VM_MAD = [ NAME = "ec2", EXECUTABLE = "one_vmm_ec2", TIMEOUT = 20 ]
VM_MAD = [ NAME = "one", EXECUTABLE = "one_vmm_one", TIMEOUT = 20 ]
VM_HOOK = [ NAME = "running", ON = "RUNNING", COMMAND = "${hookScript}", ARGUMENTS = "$ID $TEMPLATE" ]
`,
  });
});
after(async () => {
  await oned?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** `ps` argv lines seen while the scenario runs. */
async function sampleArgv(until: Promise<unknown>): Promise<Set<string>> {
  const seen = new Set<string>();
  let done = false;
  until.then(
    () => (done = true),
    () => (done = true),
  );
  while (!done) {
    const { stdout } = await run('ps', ['-eo', 'args=', '-ww']);
    for (const line of stdout.split('\n')) seen.add(line);
    await sleep(150);
  }
  return seen;
}

/** The places a secret was found in `text`: clear, hex, or inside a base64 run. */
function leaks(text: string, secret: string): string[] {
  const out: string[] = [];
  if (text.includes(secret)) out.push('clear');
  if (text.toLowerCase().includes(Buffer.from(secret).toString('hex'))) out.push('hex');
  for (const m of text.matchAll(/[A-Za-z0-9+/_-]{16,}={0,2}/g)) {
    const decoded = Buffer.from(m[0], m[0].includes('-') || m[0].includes('_') ? 'base64url' : 'base64').toString('latin1');
    if (decoded.includes(secret)) {
      out.push('base64');
      break;
    }
  }
  return out;
}

function filesUnder(root: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(root, { withFileTypes: true })) {
    const p = join(root, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/**
 * Files that hold secrets by design, and which: the credentials and key files of .one (mode 0600),
 * the database (password hashes, tokens and encrypted attributes, as OpenNebula's), and the VM's
 * context, which must give the guest its CONTEXT values in clear.
 */
function allowed(file: string, secret: string): boolean {
  if (file.startsWith('.one/') || /^var\/one\.db/.test(file) || file === 'one_auth') return true;
  return secret === S.context && /\/context\.sh$|\.iso$|\/disk\.\d+$/.test(file);
}

async function scenario(): Promise<void> {
  const admin = oned.oneadmin;
  // API hooks on the calls that carry secrets, one with its arguments on stdin.
  for (const call of ['one.user.allocate', 'one.user.passwd', 'one.user.login', 'one.host.update']) {
    await okId(oned, 'one.hook.allocate', [`NAME = "${call}"\nTYPE = "api"\nCALL = "${call}"\nCOMMAND = "${hookScript}"\nARGUMENTS = "$API"${call === 'one.user.login' ? '\nARGUMENTS_STDIN = "YES"' : ''}`]);
  }
  // Users: create, passwd, login; wrong guesses; a session without a colon; a token login.
  const uid = await okId(oned, 'one.user.allocate', ['sx7-user', S.first, '']);
  await okId(oned, 'one.user.passwd', [uid, S.second]);
  const cp = await cli(oned, 'oneuser', ['passwd', 'sx7-user', S.first]);
  assert.equal(cp.code, 0, cp.stderr);
  await okId(oned, 'one.user.passwd', [uid, S.second]);
  for (let i = 0; i < 3; i++) assert.equal((await oned.call('one.user.info', [-1], `sx7-user:${S.guess}`))[0], false);
  assert.equal((await oned.call('one.user.info', [-1], S.nocolon))[0], false);
  found.token = String(await oned.ok('one.user.login', ['sx7-user', '', 600, -1], `sx7-user:${S.second}`));
  await okXml(oned, 'one.user.info', [-1], `sx7-user:${found.token}`);
  const login = await cli(oned, 'oneuser', ['login', 'sx7-user', '--user', 'sx7-user', '--password', S.second, '--time', '600', '--stdout']);
  assert.equal(login.code, 0, login.stderr);
  found.cliToken = login.stdout.trim().split(':').pop()!;
  // The user's EC2 secret key, shown decrypted to the admin.
  const user = await okXml(oned, 'one.user.info', [uid, true]);
  found.userEc2 = childText(must(user, 'TEMPLATE'), 'EC2_SECRET_KEY');
  assert.ok(found.userEc2.length >= 16);
  // A server account acting for the user (server_cipher), and its own password.
  const serverLine = readFileSync(join(oned.location, '.one', 'sunstone_auth'), 'utf8').trim();
  const [serverName, serverPassword] = [serverLine.slice(0, serverLine.indexOf(':')), serverLine.slice(serverLine.indexOf(':') + 1)];
  found.serverPassword = serverPassword;
  const { serverPasswordDigest } = await import('../../src/common/server-cipher.js');
  found.serverToken = sealServerToken(serverPasswordDigest(serverPassword), serverName, 'sx7-user', Math.floor(Date.now() / 1000) + 600);
  await okXml(oned, 'one.user.info', [-1], `${serverName}:sx7-user:${found.serverToken}`);

  // Hybrid hosts with credentials: ec2 at a dead endpoint, one at this oned with a wrong account.
  const dead = await freePort();
  const ec2 = await okId(oned, 'one.host.allocate', ['sx7-ec2', 'ec2', 'ec2', -1]);
  await okId(oned, 'one.host.update', [ec2, `EC2_ACCESS = "${S.ec2Access}"\nEC2_SECRET = "${S.ec2Secret}"\nREGION_NAME = "one"\nEC2_ENDPOINT = "http://127.0.0.1:${dead}"\nCAPACITY = [ M1_SMALL = 1 ]`, 1]);
  const one = await okId(oned, 'one.host.allocate', ['sx7-one', 'one', 'one', -1]);
  await okId(oned, 'one.host.update', [one, `ONE_USER = "sx7-remote"\nONE_PASSWORD = "${S.onePassword}"\nONE_ENDPOINT = "${oned.endpoint}"\nONE_CAPACITY = [ CPU = 2, MEMORY = 2048 ]`, 1]);
  const dummy = await okId(oned, 'one.host.allocate', ['sx7-dummy', 'dummy', 'dummy', -1]);
  await okId(oned, 'one.datastore.update', [0, 'TM_MAD = "dummy"', 1]);
  await sleep(3000); // monitoring cycles of the three hosts, failing for the hybrid ones

  // A VM with a CONTEXT password: on the dummy host (RUNNING: the hook gets $TEMPLATE), and
  // forced onto the hybrid hosts, whose drivers fail.
  const tmpl = `CPU = 1\nMEMORY = 64\nCONTEXT = [ PASSWORD = "${S.context}", NETWORK = "NO" ]\nPUBLIC_CLOUD = [ TYPE = "ec2", INSTANCETYPE = "m1.small" ]`;
  const vms: number[] = [];
  for (const host of [dummy, ec2, one]) {
    const id = await okId(oned, 'one.vm.allocate', [tmpl, false], admin);
    await oned.call('one.vm.deploy', [id, host, false, -1]);
    vms.push(id);
  }
  await vmUntil(oned, vms[0]!, 'RUNNING', (v) => childText(v, 'LCM_STATE') === '3', 30);
  for (const id of vms.slice(1)) await vmUntil(oned, id, 'a failed deploy', (v) => childText(v, 'STATE') !== '3' || childText(v, 'LCM_STATE') !== '1', 45).catch(() => {});
  await sleep(1500); // the hook's run
}

test('no secret in any log, file of the location (but the credentials, the database and the guest context) or argv', async () => {
  const done = scenario();
  const argv = await sampleArgv(done);
  await done;
  await oned.signal('SIGTERM'); // flushes the logs

  const secrets: Record<string, string> = { ...S, ...found };
  /** Every secret of S starts so: any piece of one shows (a value cut to a few characters). */
  const PREFIX = 'Sx7';
  const problems: string[] = [];
  // The CLI's own argv (a password given on its command line) is the user's choice, not oned's.
  for (const line of [...argv].filter((l) => !l.includes('/cli/bin/'))) {
    for (const [name, value] of Object.entries(secrets)) {
      const where = leaks(line, value);
      if (where.length > 0) problems.push(`argv: ${name} (${where.join(', ')}) in "${line.slice(0, 200)}"`);
    }
  }
  const files = filesUnder(oned.location);
  const log = readFileSync(join(oned.location, 'var', 'oned.log'), 'utf8');
  // The scenario did what it is for: the failures and the hook happened (and were logged).
  for (const [what, re] of [['the one driver failed to log in', /sx7-remote/], ['the ec2 driver failed', new RegExp(`127\\.0\\.0\\.1:\\d+|ECONNREFUSED`)], ['the hook ran', /running|hook/i]] as const) assert.match(log, re, what);
  assert.ok(files.some((f) => f.endsWith('oned.log')) && files.some((f) => /vms\/\d+\/vm\.log$|\d+\.log$/.test(f)), `logs written: ${files.map((f) => relative(oned.location, f)).join(', ')}`);
  const texts: [string, string][] = files.filter((f) => statSync(f).size < 50_000_000).map((f) => [relative(oned.location, f), readFileSync(f, 'latin1')]);
  texts.push(['(oned stdout/stderr)', oned.output]);
  for (const [file, text] of texts) {
    if (!file.startsWith('.one/') && !/^var\/one\.db/.test(file) && !/context\.sh$/.test(file) && text.includes(PREFIX)) {
      const at = text.indexOf(PREFIX);
      problems.push(`${file}: a piece of a secret: "${text.slice(Math.max(0, at - 60), at + 20)}"`);
    }
    for (const [name, value] of Object.entries(secrets)) {
      if (allowed(file, value)) continue;
      const where = leaks(text, value);
      if (where.length > 0) problems.push(`${file}: ${name} (${where.join(', ')})`);
    }
  }
  assert.deepEqual(problems, []);
});
