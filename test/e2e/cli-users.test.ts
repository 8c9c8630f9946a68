/**
 * oneuser, onegroup, oneacl and oneacct run as an admin would, against a real oned: tables
 * (columns and values), show views, --json matching --xml, names wherever ids, login tokens,
 * quotas, accounting per user, group and date, and one-line errors with their exit codes.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { childText, parseXmlTree } from '../../src/common/xml-tree.js';
import { Oca } from '../../src/oca/index.js';
import { onFeatureBackends, TEST_DRIVERS } from './api-helpers.js';
import { cli as run1, type CliResult } from './cli-helpers.js';
import { Oned } from './harness.js';

/** A result with its stdout lines. */
type Result = CliResult & { lines: string[] };

/**
 * Runs a command with ONE_AUTH at `authFile`, or at a file holding `session` (oneadmin's by default).
 */
async function cli(oned: Oned, cmd: string, args: readonly string[], opts: { session?: string; authFile?: string } = {}): Promise<Result> {
  let auth = opts.authFile;
  if (!auth) {
    auth = join(oned.location, `auth_${Buffer.from(opts.session ?? 'oneadmin').toString('hex').slice(0, 32)}`);
    writeFileSync(auth, `${opts.session ?? oned.oneadmin}\n`);
  }
  const r = await run1(oned, cmd, args, { ONE_AUTH: auth });
  return { ...r, lines: r.stdout.split('\n').filter((l, i, all) => i < all.length - 1 || l !== '') };
}

/** The id a `create` printed (`ID: 3`). */
function createdId(r: CliResult): number {
  const m = /^ID: (\d+)$/m.exec(r.stdout);
  if (!m || r.code !== 0) throw new Error(`create failed (${r.code}): ${r.stdout}${r.stderr}`);
  return Number(m[1]);
}

onFeatureBackends('oneuser on the command line', (oned) => {
  test('create, list and --json matching --xml', async () => {
    const id = createdId(await cli(oned(), 'oneuser', ['create', 'everywhere', 'pw1']));
    const list = await cli(oned(), 'oneuser', ['list']);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.lines[0]!, /^\s+ID NAME\s+GROUP\s+AUTH\s+VMS\s+MEMORY\s+CPU$/);
    assert.ok(list.lines.every((l) => l.length <= 80), list.stdout);
    assert.match(list.stdout, new RegExp(`^ +${id} everywhere +users +core +0 / +- +0M / +- +0 / +-$`, 'm'));
    const xml = parseXmlTree((await cli(oned(), 'oneuser', ['list', '--xml'])).stdout);
    const json = JSON.parse((await cli(oned(), 'oneuser', ['list', '--json'])).stdout) as { USER_POOL: { USER: { ID: string; NAME: string }[] } };
    assert.deepEqual(
      json.USER_POOL.USER.map((u) => [u.ID, u.NAME]),
      xml.children.filter((c) => c.name === 'USER').map((u) => [childText(u, 'ID'), childText(u, 'NAME')]),
    );
  });
});

describe('users, groups, ACLs and accounting from the CLI', () => {
  let oned: Oned;
  let one: Oca;
  before(async () => {
    oned = await Oned.start({ backend: 'sqlite', conf: TEST_DRIVERS });
    one = new Oca({ endpoint: oned.endpoint, session: oned.oneadmin });
  });
  after(async () => {
    one?.close();
    await oned?.stop();
  });
  const run = (cmd: string, ...args: string[]) => cli(oned, cmd, args);

  let ann = -1;
  let devs = -1;

  test('groups and users by name: chgrp, addgroup, addadmin, show', async () => {
    devs = createdId(await run('onegroup', 'create', 'devs'));
    // As OpenNebula's CLI: the group's members may create the usual objects (oned's allocate gave
    // the default VDC's rules only).
    const rules = async () => (await one.acls.list()).map((r) => r.get('STRING'));
    assert.ok((await rules()).includes(`@${devs} VM+IMAGE+TEMPLATE+DOCUMENT+SECGROUP+VMGROUP+BACKUPJOB/* CREATE *`));
    assert.ok((await rules()).includes(`@${devs} HOST/* MANAGE #0`));
    const testers = createdId(await run('onegroup', 'create', 'testers', '--resources', 'VM+TEMPLATE'));
    assert.ok((await rules()).includes(`@${testers} VM+TEMPLATE/* CREATE *`));
    ann = createdId(await run('oneuser', 'create', 'ann', 'annpw'));
    assert.equal((await run('oneuser', 'chgrp', 'ann', 'devs')).code, 0);
    assert.equal((await run('oneuser', 'addgroup', 'ann', 'users')).code, 0);
    assert.equal((await run('onegroup', 'addadmin', 'devs', 'ann')).code, 0);

    const show = await run('oneuser', 'show', 'ann');
    assert.equal(show.code, 0, show.stderr);
    assert.equal(show.lines[0], `USER ${ann} INFORMATION`);
    assert.ok(show.lines.includes(`ID              : ${ann}`));
    assert.ok(show.lines.includes('GROUP           : devs'), show.stdout);
    assert.ok(show.lines.includes('SECONDARY GROUPS: 1'), show.stdout);
    assert.ok(show.lines.includes('ENABLED         : Yes'));

    const g = await run('onegroup', 'show', 'devs');
    assert.equal(g.lines[0], `GROUP ${devs} INFORMATION`);
    const users = g.lines.slice(g.lines.indexOf('USERS') + 2, g.lines.indexOf('ADMINS') - 1).map((l) => l.trim());
    const admins = g.lines.slice(g.lines.indexOf('ADMINS') + 2).filter((l) => /^\s*\d+$/.test(l)).map((l) => l.trim());
    assert.deepEqual(users, [String(ann)]);
    assert.deepEqual(admins, [String(ann)]);

    const list = await run('onegroup', 'list');
    assert.match(list.lines[0]!, /^\s+ID NAME\s+USERS\s+VMS\s+MEMORY\s+CPU$/);
    assert.match(list.stdout, new RegExp(`^ +${devs} devs +1 +0 / +- +0M / +- +0 / +-$`, 'm'));
    const json = JSON.parse((await run('onegroup', 'show', 'devs', '--json')).stdout) as { GROUP: { NAME: string; ADMINS: { ID: string } } };
    const xml = parseXmlTree((await run('onegroup', 'show', String(devs), '--xml')).stdout);
    assert.equal(json.GROUP.NAME, childText(xml, 'NAME'));
    assert.equal(json.GROUP.ADMINS.ID, String(ann));
  });

  test('quotas from a file show as used / limit in list and show', async () => {
    const file = join(oned.location, 'quota.txt');
    writeFileSync(file, 'VM = [ VMS = 2, MEMORY = 1024, CPU = 2 ]\n');
    assert.equal((await run('oneuser', 'quota', 'ann', file)).code, 0);
    const list = await run('oneuser', 'list', '--filter', 'NAME=ann');
    assert.match(list.stdout, new RegExp(`^ +${ann} ann +devs +core +0 / +2 +0M / +1G +0 / +2$`, 'm'));
    const show = await run('oneuser', 'show', 'ann');
    assert.match(show.stdout, /VMS USAGE & QUOTAS\n\s*VMS\s+MEMORY\s+CPU\s+SYSTEM_DISK_SIZE\n\s*0 \/ 2\s+0M \/ 1G\s+0 \/ 2\s+0M \/ -/);
    writeFileSync(file, 'VM = [ VMS = 10 ]\n');
    assert.equal((await run('onegroup', 'quota', 'devs', file)).code, 0);
    assert.match((await run('onegroup', 'list')).stdout, new RegExp(`^ +${devs} devs +1 +0 / +10 `, 'm'));
    const bad = join(oned.location, 'bad-quota.txt');
    writeFileSync(bad, 'VM = [ VMS = lots ]\n');
    const r = await run('oneuser', 'quota', 'ann', bad);
    assert.equal(r.code, 255);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /VMS/);
    assert.match((await run('oneuser', 'list', '--filter', 'NAME=ann')).stdout, / 0 \/ +2 /, 'a refused quota leaves the old one');
  });

  test('update, disable and enable, passwd and login tokens', async () => {
    const file = join(oned.location, 'info.txt');
    writeFileSync(file, 'EMAIL = "ann@example.com"\n');
    assert.equal((await run('oneuser', 'update', 'ann', file, '--append')).code, 0);
    assert.ok((await run('oneuser', 'show', 'ann')).lines.includes('EMAIL="ann@example.com"'));

    assert.equal((await run('oneuser', 'disable', 'ann')).code, 0);
    assert.match((await run('oneuser', 'list', '-l', 'NAME,ENABLED', '--filter', 'NAME=ann', '--no-header')).stdout, /^ann +no$/m);
    const denied = await cli(oned, 'oneuser', ['show'], { session: 'ann:annpw' });
    assert.equal(denied.code, 255);
    assert.match(denied.stderr, /authenticated/);
    assert.equal((await run('oneuser', 'enable', 'ann')).code, 0);

    assert.equal((await run('oneuser', 'passwd', 'ann', 'newpw')).code, 0);
    const asAnn = await cli(oned, 'oneuser', ['show'], { session: 'ann:newpw' });
    assert.equal(asAnn.code, 0, asAnn.stderr);
    assert.equal(asAnn.lines[0], `USER ${ann} INFORMATION`);

    const printed = await run('oneuser', 'login', 'ann', '--user', 'ann', '--password', 'newpw', '--stdout', '--time', '600');
    assert.equal(printed.code, 0, printed.stderr);
    const token = printed.stdout.trim();
    assert.match(token, /^\S{16,}$/);
    assert.equal((await cli(oned, 'oneuser', ['show', 'ann'], { session: `ann:${token}` })).code, 0);

    const authFile = join(oned.location, 'ann_auth');
    writeFileSync(authFile, 'ann:newpw\n');
    const written = await cli(oned, 'oneuser', ['login', 'ann'], { authFile });
    assert.equal(written.code, 0, written.stderr);
    const [user, saved] = readFileSync(authFile, 'utf8').trim().split(':');
    assert.equal(user, 'ann');
    assert.notEqual(saved, 'newpw');
    const withSaved = await cli(oned, 'oneuser', ['show'], { authFile });
    assert.equal(withSaved.code, 0, withSaved.stderr);
    assert.ok(withSaved.lines.includes('NAME            : ann'));
  });

  test('ACL rules: create with ids or names, list columns, delete, bad rules', async () => {
    const id = createdId(await run('oneacl', 'create', `@${devs} VM+NET/* CREATE`));
    const byName = createdId(await run('oneacl', 'create', '#ann IMAGE+TEMPLATE/* USE+MANAGE #0'));
    const list = await run('oneacl', 'list');
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.lines[0]!, /^\s+ID USER\s+RES_VHNIUTGDCOZSvRMAPt\s+RID OPE_UMAC\s+ZONE$/);
    assert.match(list.stdout, new RegExp(`^ +${id} @${devs} +V-N--------------- +\\* ---c +#0$`, 'm'));
    assert.match(list.stdout, new RegExp(`^ +${byName} #${ann} +---I-T------------ +\\* um-- +#0$`, 'm'));
    const json = JSON.parse((await run('oneacl', 'list', '--json')).stdout) as { ACL_POOL: { ACL: { ID: string; STRING: string }[] } };
    const xml = parseXmlTree((await run('oneacl', 'list', '--xml')).stdout);
    assert.deepEqual(json.ACL_POOL.ACL.map((a) => a.STRING), xml.children.map((a) => childText(a, 'STRING')));

    assert.equal((await run('oneacl', 'delete', String(byName))).code, 0);
    assert.doesNotMatch((await run('oneacl', 'list')).stdout, new RegExp(`^ +${byName} `, 'm'));

    for (const [rule, why] of [['@1 VM+BOGUS/* USE', /Resource 'BOGUS' does not exist/], ['@1 VM/*', /three components/], ['@1 HOST/@1 USE', /GROUP\(@\) selector/]] as const) {
      const r = await run('oneacl', 'create', rule);
      assert.equal(r.code, 255, rule);
      assert.equal(r.stderr.trim().split('\n').length, 1);
      assert.match(r.stderr, why);
    }
    const r = await run('oneacl', 'delete', 'ann');
    assert.equal(r.code, 255);
    assert.match(r.stderr, /not a rule id/);
  });

  test('oneacct per user, group and date range', async () => {
    // The dummy transfer driver on the system datastore: prolog and epilog succeed at once.
    await one.datastores.update(0, 'TM_MAD = "dummy"', 1);
    const host = await one.hosts.allocate('acct-node', 'dummy', 'dummy');
    const vm = await one.vms.allocate('NAME = acct-vm\nCPU = 1\nMEMORY = 256');
    await one.vms.chown(vm, ann, devs);
    const other = await one.vms.allocate('NAME = admin-vm\nCPU = 2\nMEMORY = 128');
    for (const id of [vm, other]) await one.vms.deploy(id, host);
    /** Waits (up to 20 s) until the VM's STATE, or LCM_STATE with `lcm`, reads `value`. */
    const waitFor = async (id: number, value: number, lcm = false) => {
      const read = async () => (lcm ? (await one.vms.info(id)).lcmState : (await one.vms.info(id)).state);
      for (const end = Date.now() + 20_000; (await read()) !== value && Date.now() < end; ) await new Promise((r) => setTimeout(r, 50));
      const vmNow = await one.vms.info(id);
      assert.equal(await read(), value, `VM ${id} is in state ${vmNow.state}/${vmNow.lcmState}`);
    };
    for (const id of [vm, other]) await waitFor(id, 3, true);
    await one.vms.action('terminate', vm);
    await waitFor(vm, 6);

    const all = await cli(oned, 'oneacct', []);
    assert.equal(all.code, 0, all.stderr);
    assert.ok(all.lines.includes(`# User ${ann} ann`), all.stdout);
    assert.ok(all.lines.includes('# User 0 oneadmin'), all.stdout);
    assert.match(all.stdout, /^\s+VID HOSTNAME\s+ACTION\s+START_TIME\s+END_TIME MEMORY CPU$/m);
    assert.match(all.stdout, new RegExp(`^ +${vm} acct-node +terminate +\\d\\d/\\d\\d \\d\\d:\\d\\d:\\d\\d +\\d\\d/\\d\\d \\d\\d:\\d\\d:\\d\\d +256M +1$`, 'm'));
    assert.match(all.stdout, new RegExp(`^ +${other} acct-node +deploy +\\d\\d/\\d\\d [\\d:]{8} +- +128M +2$`, 'm'));

    const byUser = await cli(oned, 'oneacct', ['-u', 'ann']);
    assert.ok(byUser.lines.includes(`# User ${ann} ann`));
    assert.ok(!byUser.lines.includes('# User 0 oneadmin'));
    const byGroup = await cli(oned, 'oneacct', ['-g', 'devs', '--json']);
    const records = (JSON.parse(byGroup.stdout) as { HISTORY_RECORDS: { HISTORY: { OID: string } } }).HISTORY_RECORDS.HISTORY;
    assert.equal(records.OID, String(vm));
    const xml = parseXmlTree((await cli(oned, 'oneacct', ['-g', 'devs', '--xml'])).stdout);
    assert.deepEqual(xml.children.map((h) => childText(h, 'OID')), [String(vm)]);

    const next = new Date(Date.now() + 2 * 86400_000);
    const future = `${next.getFullYear()}-${String(next.getMonth() + 1).padStart(2, '0')}-${String(next.getDate()).padStart(2, '0')}`;
    // A closed record ends before a future start; a running VM's open record overlaps any range after it began.
    const later = await cli(oned, 'oneacct', ['-s', future]);
    assert.ok(!later.lines.includes(`# User ${ann} ann`), later.stdout);
    assert.match(later.stdout, new RegExp(`^ +${other} acct-node +deploy `, 'm'));
    assert.equal((await cli(oned, 'oneacct', ['-e', '2000-01-01'])).stdout.trim(), '');
    const today = new Date();
    const us = `${String(today.getMonth() + 1).padStart(2, '0')}/${String(today.getDate()).padStart(2, '0')}/${today.getFullYear()}`;
    assert.ok((await cli(oned, 'oneacct', ['-s', us, '-u', String(ann)])).lines.includes(`# User ${ann} ann`));
    const bad = await cli(oned, 'oneacct', ['-s', 'last tuesday']);
    assert.equal(bad.code, 255);
    assert.match(bad.stderr, /^--start "last tuesday" is not a date/);
  });

  test('bad input: one line, non-zero exit, state untouched', async () => {
    const missing = await run('oneuser', 'show', 'nobody');
    assert.equal(missing.code, 255);
    assert.match(missing.stderr, /^user named "nobody" not found/);
    assert.equal(missing.stderr.trim().split('\n').length, 1);
    const noId = await run('oneuser', 'delete', '999');
    assert.equal(noId.code, 255);
    assert.match(noId.stderr, /999/);
    assert.equal((await run('oneuser', 'create', 'ann', 'x')).code, 255);
    assert.equal((await run('oneuser', 'frobnicate')).code, 1);
    assert.equal((await run('oneuser', 'passwd', 'ann')).code, 1);
    assert.equal((await run('onegroup', 'delete', 'devs')).code, 255, 'a group with users is not deleted');
    assert.match((await run('onegroup', 'list')).stdout, / devs /);
    const file = await run('oneuser', 'quota', 'ann', '/nonexistent/q.txt');
    assert.equal(file.code, 255);
    assert.match(file.stderr, /^Cannot read the template file \/nonexistent\/q.txt: ENOENT/);
    const help = await run('oneuser', 'login', '--help');
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--time/);
  });
});
