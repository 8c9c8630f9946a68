/**
 * onehost and onecluster as an admin runs them against a real oned: tables, show views, names
 * wherever ids, --json matching --xml, top, bash completion, help, and one-line errors.
 */
import { describe, before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { xmlToJson } from '../../src/cli/output.js';
import { Oned } from './harness.js';
import { TEST_DRIVERS, onFeatureBackends } from './api-helpers.js';
import { CLI_BIN, cli, cliOk, rows } from './cli-helpers.js';

/** A one-line error on stderr, nothing on stdout, and the exit code. */
function assertOneLineError(r: { code: number; stdout: string; stderr: string }, code: number, message: RegExp): void {
  assert.equal(r.code, code, r.stderr);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, message);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
}

onFeatureBackends('CLI onehost and onecluster', (get) => {
  test('an admin builds a cluster of hosts and reads it back by name', async () => {
    const oned = get();
    assert.equal(await cliOk(oned, 'onehost', ['create', 'node01', '--im', 'kvm', '--vm', 'kvm']), 'ID: 0\n');
    assert.equal(await cliOk(oned, 'onecluster', ['create', 'production']), 'ID: 100\n');
    assert.equal(await cliOk(oned, 'onehost', ['create', 'node02', '-i', 'kvm', '-v', 'kvm', '--cluster', 'production']), 'ID: 1\n');
    await cliOk(oned, 'onehost', ['disable', 'node01']);

    const table = rows(await cliOk(oned, 'onehost', ['list']));
    assert.deepEqual(table[0], ['ID', 'NAME', 'CLUSTER', 'TVM', 'ALLOCATED_CPU', 'ALLOCATED_MEM', 'STAT']);
    // Newest first, as OpenNebula 7.4 lists.
    assert.deepEqual(table.slice(1), [
      // cut to the column's 9 characters, as OpenNebula's onehost does
      ['1', 'node02', 'productio', '0', '-', '-', 'init'],
      ['0', 'node01', 'default', '0', '-', '-', 'dsbl'],
    ]);
    const clusters = rows(await cliOk(oned, 'onecluster', ['list']));
    assert.deepEqual(clusters[0], ['ID', 'NAME', 'HOSTS', 'VNETS', 'DATASTORES']);
    assert.deepEqual(clusters.slice(1), [
      ['100', 'production', '1', '0', '0'],
      ['0', 'default', '1', '0', '3'],
    ]);
    const show = await cliOk(oned, 'onecluster', ['show', 'production']);
    assert.match(show, /^CLUSTER 100 INFORMATION\nID +: 100\nNAME +: production\n/);
    assert.match(show, /\nHOSTS\n1\n/);

    const xml = await cliOk(oned, 'onehost', ['show', 'node02', '--xml']);
    const json = JSON.parse(await cliOk(oned, 'onehost', ['show', 'node02', '--json'])) as { HOST: Record<string, unknown> };
    assert.deepEqual(json, xmlToJson(xml.trimEnd()));
    assert.equal(json.HOST.NAME, 'node02');
    assert.equal(json.HOST.CLUSTER, 'production');
  });
});

describe('CLI onehost and onecluster on sqlite', () => {
  let oned: Oned;
  before(async () => {
    oned = await Oned.start({ backend: 'sqlite', conf: TEST_DRIVERS });
    for (const n of ['web01', 'web02', 'web03']) await cliOk(oned, 'onehost', ['create', n, '--im', 'kvm', '--vm', 'kvm']);
  });
  after(() => oned.stop());

  test('list options: --list, --no-header, --delimiter, --csv, --filter, --search, --json, --yaml', async () => {
    assert.equal(await cliOk(oned, 'onehost', ['list', '--list', 'ID,NAME,IM_MAD', '--no-header']), '   2 web03           kvm\n   1 web02           kvm\n   0 web01           kvm\n');
    assert.equal(await cliOk(oned, 'onehost', ['list', '-l', 'NAME,STAT', '--delimiter', ';', '--no-header']), 'web03;init\nweb02;init\nweb01;init\n');
    assert.equal((await cliOk(oned, 'onehost', ['list', '--csv', '-l', 'ID,NAME'])).split('\n')[0], 'ID,NAME');
    await cliOk(oned, 'onehost', ['offline', 'web03']);
    assert.equal(await cliOk(oned, 'onehost', ['list', '--filter', 'STAT=off', '-l', 'NAME', '--no-header']), 'web03\n');
    assert.equal(await cliOk(oned, 'onehost', ['list', '--filter', 'STAT!=off,ID>0', '-l', 'NAME', '--no-header']), 'web02\n');
    assert.equal(await cliOk(oned, 'onehost', ['list', '--search', 'B02', '-l', 'NAME', '--no-header']), 'web02\n');
    await cliOk(oned, 'onehost', ['enable', 'web03']);
    const pool = JSON.parse(await cliOk(oned, 'onehost', ['list', '--json']));
    assert.deepEqual(pool.HOST_POOL.HOST.map((h: { NAME: string }) => h.NAME), ['web03', 'web02', 'web01']);
    assert.deepEqual(pool, xmlToJson((await cliOk(oned, 'onehost', ['list', '--xml'])).trimEnd(), ['HOST']));
    assert.match(await cliOk(oned, 'onehost', ['list', '--yaml']), /^---\nHOST_POOL:\n {2}HOST:\n {2}- ID: "2"\n {4}NAME: web03\n/);
    for (const line of (await cliOk(oned, 'onehost', ['list'])).split('\n')) assert.ok(line.length <= 80, line);
  });

  test('show, update, rename, ranges and names', async () => {
    const show = await cliOk(oned, 'onehost', ['show', 'web01']);
    assert.match(show, /^HOST 0 INFORMATION\nID +: 0\nNAME +: web01\nCLUSTER +: default\nSTATE +: INIT\nIM_MAD +: kvm\nVM_MAD +: kvm\n/);
    assert.match(show, /\nHOST SHARES\nRUNNING VMS +: 0\n/);
    const dir = mkdtempSync(join(tmpdir(), 'cli-'));
    try {
      writeFileSync(join(dir, 'extra'), 'RACK = "r7"\n');
      await cliOk(oned, 'onehost', ['update', 'web01', '--append', join(dir, 'extra')]);
      assert.match(await cliOk(oned, 'onehost', ['show', 'web01']), /\nRACK="r7"\n/);
      assert.match(await cliOk(oned, 'onehost', ['show', 'web01']), /\nIM_MAD="kvm"\n/, 'append keeps the rest');
    } finally {
      rmSync(dir, { recursive: true });
    }
    await cliOk(oned, 'onehost', ['rename', 'web02', 'db02']);
    await cliOk(oned, 'onehost', ['disable', '0-1', 'web03', '--verbose']).then((out) => assert.equal(out, 'HOST 0: disabled\nHOST 1: disabled\nHOST 2: disabled\n'));
    assert.equal(await cliOk(oned, 'onehost', ['list', '-l', 'NAME,STAT', '--no-header', '--delimiter', ' ']), 'web03 dsbl\ndb02 dsbl\nweb01 dsbl\n');
    await cliOk(oned, 'onehost', ['enable', '0,1,2']);

    await cliOk(oned, 'onecluster', ['create', 'edge']);
    await cliOk(oned, 'onecluster', ['addhost', 'edge', 'db02']);
    await cliOk(oned, 'onecluster', ['adddatastore', 'edge', 'default']);
    await oned.ok('one.vn.allocate', ['NAME = "private"\nVN_MAD = "dummy"\nBRIDGE = "br0"', -1]);
    await cliOk(oned, 'onecluster', ['addvnet', 'edge', 'private']);
    assert.deepEqual(rows(await cliOk(oned, 'onecluster', ['list', '--filter', 'NAME=edge', '--no-header'])), [['100', 'edge', '1', '1', '1']]);
    assert.match(await cliOk(oned, 'onecluster', ['show', 'edge']), /\nHOSTS\n1\n\nVNETS\n0\n\nDATASTORES\n1$/m);
    await cliOk(oned, 'onecluster', ['delvnet', 'edge', 'private']);
    await cliOk(oned, 'onecluster', ['delhost', 'edge', 'db02']);
    await cliOk(oned, 'onecluster', ['deldatastore', 'edge', '1']);
    await cliOk(oned, 'onecluster', ['rename', 'edge', 'edge2']);
    const r = await cli(oned, 'onecluster', ['delete', 'edge2']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(rows(await cliOk(oned, 'onecluster', ['list', '-l', 'NAME', '--no-header'])), [['default']]);
  });

  test('bad input: one line, non-zero exit, what to do', async () => {
    assertOneLineError(await cli(oned, 'onehost', ['frobnicate']), 1, /^Unknown command "frobnicate" for onehost; the commands are create, delete/);
    assertOneLineError(await cli(oned, 'onehost', ['list', '--colour']), 1, /^Unknown option --colour for onehost list; see `onehost list --help`/);
    assertOneLineError(await cli(oned, 'onehost', ['show']), 1, /^Missing argument HOSTID/);
    assertOneLineError(await cli(oned, 'onehost', ['create', 'x']), 1, /needs --im MAD and --vm MAD/);
    assertOneLineError(await cli(oned, 'onehost', ['show', 'nowhere']), 255, /^host named "nowhere" not found/);
    assertOneLineError(await cli(oned, 'onehost', ['show', '4242']), 255, /^\[one\.host\.info\] .*4242/);
    assertOneLineError(await cli(oned, 'onehost', ['list', '-l', 'ID,COLOR']), 255, /^Unknown column "COLOR" in --list; the columns are ID, NAME/);
    assertOneLineError(await cli(oned, 'onehost', ['create', 'web01', '--im', 'kvm', '--vm', 'kvm']), 255, /^\[one\.host\.allocate\] .*NAME is already taken by HOST 0/);
    assertOneLineError(await cli(oned, 'onehost', ['update', 'web01', '/nonexistent/file']), 255, /Cannot read the template file \/nonexistent\/file: ENOENT/);
    assertOneLineError(await cli(oned, 'onehost', ['list'], { ONE_XMLRPC: 'http://127.0.0.1:1/RPC2' }), 255, /^Cannot reach oned at http:\/\/127\.0\.0\.1:1\/RPC2: connection refused/);
    const dir = mkdtempSync(join(tmpdir(), 'cli-'));
    try {
      writeFileSync(join(dir, 'auth'), 'oneadmin:wrong\n');
      assertOneLineError(await cli(oned, 'onehost', ['list'], { ONE_AUTH: join(dir, 'auth') }), 255, /User couldn't be authenticated/);
      assertOneLineError(await cli(oned, 'onehost', ['list'], { ONE_AUTH: join(dir, 'none') }), 255, /^No credentials: .*none does not exist/);
      // onehost sync copies with the system ssh: one that cannot resolve the host names it.
      writeFileSync(join(dir, 'ssh'), '#!/bin/sh\necho "ssh: Could not resolve hostname $3: Name or service not known" >&2\nexit 255\n', { mode: 0o755 });
      assertOneLineError(
        await cli(oned, 'onehost', ['sync', 'web01'], { PATH: `${dir}:${process.env.PATH}` }),
        255,
        /^Failed to update the following hosts: web01 \(ssh: Could not resolve hostname web01: Name or service not known\)\n$/,
      );
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  test('--help on the command and every subcommand, with examples, in 80 columns', async () => {
    for (const command of ['onehost', 'onecluster', 'onedatastore']) {
      const help = await cliOk(oned, command, ['--help']);
      assert.match(help, new RegExp(`^Usage: ${command} COMMAND`));
      const subs = [...help.matchAll(/^ {2}([a-z]+) {2,}/gm)].map((m) => m[1]!).filter((s) => s !== 'completion');
      assert.ok(subs.includes('list') && subs.includes('create'), help);
      for (const sub of subs) {
        const text = await cliOk(oned, command, [sub, '--help']);
        assert.match(text, new RegExp(`^Usage: ${command} ${sub}`));
        assert.match(text, /\nExamples:\n {2}one/, `${command} ${sub} has examples`);
        for (const line of text.split('\n')) assert.ok(line.length <= 80, `${command} ${sub}: ${line}`);
      }
    }
    assert.match(await cliOk(oned, 'onehost', ['create', '--help']), /-i, --im MAD +Information Manager driver/);
  });

  test('bash completion completes subcommands and host names', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-'));
    try {
      writeFileSync(join(dir, 'onehost'), `#!/bin/sh\nexec "${process.execPath}" "${join(CLI_BIN, 'onehost.js')}" "$@"\n`, { mode: 0o755 });
      writeFileSync(join(dir, 'completion'), await cliOk(oned, 'onehost', ['completion', 'bash']));
      const complete = async (...words: string[]) => {
        const script = `source ${join(dir, 'completion')}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _onehost; echo "\${COMPREPLY[*]}"`;
        const r = await new Promise<string>((res, rej) => {
          const p = spawn('bash', ['-c', script], { env: { ...process.env, PATH: `${dir}:${process.env.PATH}`, ONE_XMLRPC: oned.endpoint, ONE_AUTH: join(oned.location, 'one_auth') } });
          let out = '';
          p.stdout.on('data', (d) => (out += d));
          p.on('error', rej);
          p.on('close', () => res(out.trim()));
        });
        return r.split(' ');
      };
      assert.deepEqual(await complete('onehost', 'di'), ['disable']);
      assert.deepEqual((await complete('onehost', 'disable', 'web')).sort(), ['web01', 'web03']);
      assert.deepEqual(await complete('onehost', 'create', 'x', '--i'), ['--im']);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  test('top lists again every -d seconds and ends cleanly on Ctrl-C', async () => {
    const p = spawn(process.execPath, [join(CLI_BIN, 'onehost.js'), 'top', '-d', '0.2', '-l', 'NAME'], {
      env: { ...process.env, ONE_XMLRPC: oned.endpoint, ONE_AUTH: join(oned.location, 'one_auth') },
    });
    let out = '';
    await new Promise<void>((res) =>
      p.stdout.on('data', (d) => {
        out += d;
        if (out.split('NAME\n').length > 3) res();
      }),
    );
    const code = await new Promise<number | null>((res) => {
      p.on('close', res);
      p.kill('SIGINT');
    });
    assert.equal(code, 0);
    assert.match(out, /^NAME\nweb03\ndb02\nweb01\n\nNAME\nweb03\n/);
  });

  test('flush disables the host and flags its VMs for rescheduling', async () => {
    await oned.ok('one.datastore.update', [0, 'TM_MAD = "dummy"', 1]);
    const hid = Number(/ID: (\d+)/.exec(await cliOk(oned, 'onehost', ['create', 'flushme', '--im', 'dummy', '--vm', 'dummy']))![1]);
    const vm = Number(await oned.ok('one.vm.allocate', ['NAME = "moving"\nCPU = 1\nMEMORY = 32', false]));
    await oned.ok('one.vm.deploy', [vm, hid, false, -1]);
    for (let i = 0; !/<LCM_STATE>3<\/LCM_STATE>/.test(String(await oned.ok('one.vm.info', [vm]))); i++) {
      assert.ok(i < 200, 'the VM runs');
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(await cliOk(oned, 'onehost', ['flush', 'flushme', '--verbose']), `HOST ${hid}: flushed\n`);
    assert.match(String(await oned.ok('one.host.info', [hid])), /<STATE>4<\/STATE>/, 'disabled');
    assert.match(String(await oned.ok('one.vm.info', [vm])), /<RESCHED>1<\/RESCHED>/, 'flagged for the scheduler');
    const missing = await cli(oned, 'onehost', ['flush', 'no-such-host']);
    assert.notEqual(missing.code, 0);
  });
});

describe('CLI onehost with monitoring on sqlite', () => {
  let oned: Oned;
  before(async () => {
    oned = await Oned.start({
      backend: 'sqlite',
      conf: 'HOST_MONITORING_INTERVAL = 1\nIM_MAD = [ NAME = "dummy", EXECUTABLE = "one_im_dummy", ARGUMENTS = "-c 400 -m 2048" ]\nVM_MAD = [ NAME = "dummy", EXECUTABLE = "one_vmm_dummy" ]\n',
    });
  });
  after(() => oned.stop());

  test('a monitored host: state on, allocation against its capacity, measured usage in show', async () => {
    await cliOk(oned, 'onehost', ['create', 'mon01', '--im', 'dummy', '--vm', 'dummy']);
    const end = Date.now() + 15_000;
    let line = '';
    while (Date.now() < end) {
      line = await cliOk(oned, 'onehost', ['list', '--no-header']);
      if (line.trimEnd().endsWith(' on')) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.deepEqual(rows(line), [['0', 'mon01', 'default', '0', '0', '/', '400', '(0%)', '0K', '/', '2G', '(0%)', 'on']]);
    const show = await cliOk(oned, 'onehost', ['show', 'mon01']);
    assert.match(show, /\nSTATE +: MONITORED\n/);
    assert.match(show, /\nLAST MONITORING TIME +: \d\d\/\d\d \d\d:\d\d:\d\d\n/);
    assert.match(show, /\nCPU\n +TOTAL +: 400\n +TOTAL \+\/- RESERVED +: 400\n +USED \(REAL\) +: \d+\n/);
  });
});
