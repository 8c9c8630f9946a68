/** oned as a process: foreground and daemon modes, pid file, signals, files of a location. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XmlRpcClient } from '../../src/rpc/xmlrpc/index.js';
import { ONED, freePort } from './harness.js';

function location(conf: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'nebula-proc-'));
  mkdirSync(join(dir, 'etc'));
  writeFileSync(join(dir, 'etc', 'oned.conf'), `PASSWORD_SCRYPT_COST = 1024\n${conf}`);
  return dir;
}

function oned(loc: string, args: string[], env: Record<string, string> = {}) {
  const e: NodeJS.ProcessEnv = { ...process.env, ONE_LOCATION: loc, ...env };
  if (!('ONE_AUTH' in env)) delete e.ONE_AUTH;
  return spawnSync(process.execPath, [ONED, ...args], { env: e, encoding: 'utf8', timeout: 30_000 });
}

async function waitGone(pid: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`process ${pid} did not exit`);
}

test('daemon mode: starts, writes the pid file, generates oneadmin credentials, stops on SIGTERM', async () => {
  const port = await freePort();
  const loc = location(`PORT = ${port}\n`);
  const r = oned(loc, []);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`serving the XML-RPC API at http://127\\.0\\.0\\.1:${port}/RPC2`));
  const authFile = join(loc, '.one', 'one_auth');
  assert.match(r.stdout, new RegExp(`oneadmin's credentials: ${authFile}`));
  assert.equal(statSync(authFile).mode & 0o777, 0o600);
  const session = readFileSync(authFile, 'utf8').trim();
  assert.match(session, /^oneadmin:[0-9a-f]{32}$/);

  const pid = Number(readFileSync(join(loc, 'var', 'oned.pid'), 'utf8'));
  const client = new XmlRpcClient(`http://127.0.0.1:${port}/RPC2`);
  assert.deepEqual(await client.call('one.system.version', [session]), [true, '6.10.0', 0]);
  client.close();

  const again = oned(loc, []);
  assert.notEqual(again.status, 0);
  assert.match(again.stderr, new RegExp(`already running .*pid ${pid}`));

  process.kill(pid, 'SIGTERM');
  await waitGone(pid);
  assert.equal(existsSync(join(loc, 'var', 'oned.pid')), false, 'pid file removed on clean stop');
  assert.match(readFileSync(join(loc, 'var', 'oned.log'), 'utf8'), /oned stopped/);
  assert.ok(existsSync(join(loc, 'var', 'one.db')));
});

test('ONE_AUTH sets oneadmin\'s password on first start; later starts keep the database', async () => {
  const port = await freePort();
  const loc = location(`PORT = ${port}\n`);
  writeFileSync(join(loc, 'auth'), 'oneadmin:first-pw\n');
  const r = oned(loc, ['-i'], { ONE_AUTH: join(loc, 'auth') });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(existsSync(join(loc, '.one', 'one_auth')), false);
  const up = oned(loc, []);
  assert.equal(up.status, 0, up.stderr);
  const client = new XmlRpcClient(`http://127.0.0.1:${port}/RPC2`);
  const res = (await client.call('one.user.info', ['oneadmin:first-pw', 0])) as unknown[];
  assert.equal(res[0], true);
  assert.ok(!String(res[1]).includes('first-pw'), 'the password itself is never stored');
  client.close();
  const pid = Number(readFileSync(join(loc, 'var', 'oned.pid'), 'utf8'));
  process.kill(pid, 'SIGTERM');
  await waitGone(pid);
  assert.ok(!readFileSync(join(loc, 'var', 'oned.log'), 'utf8').includes('first-pw'), 'the password never reaches the log');
});

test('configuration errors stop oned with a message naming the problem', () => {
  const bad = oned(location('PORT = 2633\nDB = [ BACKEND = "oracle" ]\n'), ['-f']);
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /DB BACKEND "oracle" is not supported/);
  const syntax = oned(location('PORT = [ 1\n'), ['-f']);
  assert.notEqual(syntax.status, 0);
  assert.match(syntax.stderr, /oned\.conf: syntax error.*at line \d+, column \d+/);
  const opt = oned(location(''), ['-x']);
  assert.equal(opt.status, 2);
  assert.match(opt.stderr, /unknown option -x/);
});

test('the API listens on 127.0.0.1 unless LISTEN_ADDRESS says otherwise', async () => {
  const port = await freePort();
  const loc = location(`PORT = ${port}\n`);
  const up = oned(loc, []);
  assert.equal(up.status, 0, up.stderr);
  const ss = spawnSync('ss', ['-ltnH', `sport = :${port}`], { encoding: 'utf8' });
  assert.equal(ss.status, 0, `ss (iproute2) is needed to see the listening socket: ${ss.stderr}`);
  assert.match(ss.stdout, new RegExp(`127\\.0\\.0\\.1:${port}\\b`));
  assert.doesNotMatch(ss.stdout, /(0\.0\.0\.0|\*|\[::\]):\d/);
  const pid = Number(readFileSync(join(loc, 'var', 'oned.pid'), 'utf8'));
  process.kill(pid, 'SIGTERM');
  await waitGone(pid);
});

test('the lock, not the pid file, decides: a stale pid naming a live process or a zombie does not block a start; a running oned does', async () => {
  const port = await freePort();
  const loc = location(`PORT = ${port}\nSCHEDULER = ""\n`);
  mkdirSync(join(loc, 'var'), { recursive: true });
  const pidFile = join(loc, 'var', 'oned.pid');
  // A live unrelated process, and a zombie: `sleep 0`'s parent execs into `sleep 30`, which never reaps it.
  const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
  const zombieParent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const zombie = Number(await new Promise<string>((res) => zombieParent.stdout.once('data', (d: Buffer) => res(d.toString()))));
  try {
    for (let i = 0; i < 50 && !/^Z/m.test(readFileSync(`/proc/${zombie}/stat`, 'utf8').split(' ')[2] ?? ''); i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(readFileSync(`/proc/${zombie}/stat`, 'utf8').split(' ')[2], 'Z', 'the zombie is a zombie');
    for (const stale of [sleeper.pid!, zombie]) {
      process.kill(stale, 0); // alive as far as kill(pid, 0) can tell
      writeFileSync(pidFile, `${stale}\n`);
      const up = oned(loc, []);
      assert.equal(up.status, 0, `a stale pid file naming ${stale} blocked the start: ${up.stderr}`);
      const pid = Number(readFileSync(pidFile, 'utf8'));
      assert.notEqual(pid, stale);
      // A second oned, daemon or foreground, is refused with the running one's pid.
      const again = oned(loc, []);
      assert.equal(again.status, 1);
      assert.match(again.stderr, new RegExp(`oned is already running for ${loc} \\(pid ${pid}\\)`));
      if (stale === zombie) {
        const fg = oned(loc, ['-f']);
        assert.equal(fg.status, 1);
        assert.match(fg.stderr, new RegExp(`oned is already running for ${loc} \\(pid ${pid};`));
      }
      // Killed without cleanup: the pid file stays, the lock goes with the process.
      process.kill(pid, 'SIGKILL');
      await waitGone(pid);
    }
  } finally {
    sleeper.kill('SIGKILL');
    zombieParent.kill('SIGKILL');
    rmSync(loc, { recursive: true, force: true });
  }
});
