/**
 * The issue's acceptance: an admin builds a small cloud with the CLI only, against a real oned
 * with dummy drivers — hosts, a cluster, datastores, an image, a network, a template; VMs
 * instantiated, listed, shown, deployed, migrated, powered off, resumed and terminated; a user
 * and a group, ACL rules, quotas and accounting. Each step's output is checked (table columns and
 * values), `--json` parses and matches `--xml`, and names are used wherever ids are.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { childText, parseXmlTree } from '../../src/common/xml-tree.js';
import { onFeatureBackends, TEST_DRIVERS } from './api-helpers.js';
import { cli, cliOk, rows } from './cli-helpers.js';
import { Oned } from './harness.js';

/** The id a `create` printed (`ID: 3`, `VM ID: 7`). */
function id(out: string): number {
  const m = /^(?:VM )?ID: (\d+)$/m.exec(out);
  assert.ok(m, `no id in ${JSON.stringify(out)}`);
  return Number(m[1]);
}

/** Polls `onevm list` until `vm`'s STAT (and HOST, when given) read as expected. */
async function until(oned: Oned, vm: string, stat: string, host?: string, seconds = 30): Promise<void> {
  const end = Date.now() + seconds * 1000;
  for (;;) {
    const csv = await cliOk(oned, 'onevm', ['list', '--csv', '--list', 'NAME,STAT,HOST', '--no-header']);
    const row = csv.split('\n').map((l) => l.split(',')).find((r) => r[0] === vm);
    if (row && row[1] === stat && (host === undefined || row[2] === host)) return;
    if (Date.now() > end) throw new Error(`VM ${vm}: not ${stat}${host ? ` on ${host}` : ''} in ${seconds} s (${row?.join(',') ?? 'not listed'})`);
    await sleep(100);
  }
}

/** --json of a command parses, and the values at `pick` match those of its --xml. */
async function jsonMatchesXml(oned: Oned, cmd: string, args: string[], pick: (json: any) => string[], xmlPick: (xml: ReturnType<typeof parseXmlTree>) => string[]): Promise<void> {
  const json = JSON.parse(await cliOk(oned, cmd, [...args, '--json'])) as unknown;
  const xml = parseXmlTree(await cliOk(oned, cmd, [...args, '--xml']));
  assert.deepEqual(pick(json), xmlPick(xml));
}

/** A JSON member that is an object when alone and an array when repeated, as a list. */
const list = (v: unknown): any[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

const members = (xml: ReturnType<typeof parseXmlTree>, name: string, field: string) => xml.children.filter((c) => c.name === name).map((c) => childText(c, field));

onFeatureBackends('the admin CLI, a short round', (get) => {
  test('host, VM deployed, lists as JSON matching XML', async () => {
    const oned = get();
    assert.equal((await cliOk(oned, 'onehost', ['create', 'node01', '--im', 'dummy', '--vm', 'dummy'])).trim(), 'ID: 0');
    writeFileSync(join(oned.location, 'tm.txt'), 'TM_MAD = "dummy"\n');
    await cliOk(oned, 'onedatastore', ['update', '0', join(oned.location, 'tm.txt'), '--append']);
    const vm = id(await cliOk(oned, 'onevm', ['create', '--name', 'round', '--cpu', '1', '--memory', '64']));
    await cliOk(oned, 'onevm', ['deploy', 'round', 'node01']);
    await until(oned, 'round', 'runn', 'node01');
    await jsonMatchesXml(oned, 'onevm', ['list'], (j) => list(j.VM_POOL.VM).map((v: any) => v.NAME), (x) => members(x, 'VM', 'NAME'));
    await jsonMatchesXml(oned, 'onehost', ['list'], (j) => list(j.HOST_POOL.HOST).map((h: any) => `${h.ID}:${h.NAME}`), (x) => x.children.map((h) => `${childText(h, 'ID')}:${childText(h, 'NAME')}`));
    assert.match(await cliOk(oned, 'oneacct', ['-u', 'oneadmin']), new RegExp(`^ +${vm} node01 +deploy `, 'm'));
    await cliOk(oned, 'onevm', ['terminate', 'round']);
  });
});

describe('an admin builds a small cloud with the CLI only', () => {
  let oned: Oned;
  const file = (name: string, text: string) => {
    const path = join(oned.location, name);
    writeFileSync(path, text);
    return path;
  };
  before(async () => {
    oned = await Oned.start({ backend: 'sqlite', conf: TEST_DRIVERS });
  });
  after(() => oned?.stop());

  test('hosts and a cluster', async () => {
    assert.equal(id(await cliOk(oned, 'onecluster', ['create', 'prod'])), 100);
    for (const n of ['node01', 'node02']) await cliOk(oned, 'onehost', ['create', n, '--im', 'dummy', '--vm', 'dummy', '--cluster', 'prod']);
    const hosts = rows(await cliOk(oned, 'onehost', ['list']));
    assert.deepEqual(hosts[0], ['ID', 'NAME', 'CLUSTER', 'TVM', 'ALLOCATED_CPU', 'ALLOCATED_MEM', 'STAT']);
    assert.deepEqual(hosts.slice(1).map((r) => [r[1], r[2]]), [['node02', 'prod'], ['node01', 'prod']], 'newest first, as OpenNebula 7.4 lists');
    const clusters = rows(await cliOk(oned, 'onecluster', ['list']));
    assert.deepEqual(clusters.find((r) => r[1] === 'prod')!.slice(0, 3), ['100', 'prod', '2']);
  });

  test('datastores, an image, a network and a template', async () => {
    await cliOk(oned, 'onedatastore', ['create', file('sys.ds', 'NAME = "sys"\nTYPE = "SYSTEM_DS"\nTM_MAD = "dummy"\n')]);
    await cliOk(oned, 'onedatastore', ['create', file('img.ds', 'NAME = "imgs"\nDS_MAD = "dummy"\nTM_MAD = "dummy"\n')]);
    for (const ds of ['sys', 'imgs']) await cliOk(oned, 'onecluster', ['adddatastore', 'prod', ds]);
    id(await cliOk(oned, 'oneimage', ['create', '-d', 'imgs', '--name', 'base', '--path', '/var/tmp/base.img', '--type', 'os']));
    for (const end = Date.now() + 20_000; !/^base,rdy$/m.test(await cliOk(oned, 'oneimage', ['list', '--csv', '--list', 'NAME,STAT'])); ) {
      assert.ok(Date.now() < end, 'image base not ready');
      await sleep(100);
    }
    id(await cliOk(oned, 'onevnet', ['create', file('net.txt', 'NAME = "private"\nVN_MAD = "dummy"\nBRIDGE = "br0"\nAR = [ TYPE = "IP4", IP = "10.0.0.1", SIZE = "10" ]\n')]));
    await cliOk(oned, 'onecluster', ['addvnet', 'prod', 'private']);
    id(await cliOk(oned, 'onetemplate', ['create', '--name', 'small', '--cpu', '1', '--memory', '64', '--disk', 'base', '--nic', 'private']));
    const templates = rows(await cliOk(oned, 'onetemplate', ['list']));
    assert.ok(templates.some((r) => r.includes('small')), templates.join('\n'));
    const show = await cliOk(oned, 'onetemplate', ['show', 'small']);
    assert.match(show, /^MEMORY="64"$/m);
    await jsonMatchesXml(oned, 'oneimage', ['show', 'base'], (j) => [j.IMAGE.NAME, j.IMAGE.DATASTORE], (x) => [childText(x, 'NAME'), childText(x, 'DATASTORE')]);
  });

  test('VMs: instantiate, list, show, deploy, migrate, poweroff, resume, terminate', async () => {
    const vm = id(await cliOk(oned, 'onetemplate', ['instantiate', 'small', '--name', 'web']));
    const list = await cliOk(oned, 'onevm', ['list']);
    assert.ok(list.split('\n').every((l) => l.length <= 80), list);
    const table = rows(list);
    assert.deepEqual(table[0], ['ID', 'USER', 'GROUP', 'NAME', 'STAT', 'UCPU', 'UMEM', 'HOST', 'TIME']);
    assert.deepEqual(table.find((r) => r[3] === 'web')!.slice(0, 5), [String(vm), 'oneadmin', 'oneadmin', 'web', 'pend']);

    await cliOk(oned, 'onevm', ['deploy', 'web', 'node01', 'sys']);
    await until(oned, 'web', 'runn', 'node01');
    let show = await cliOk(oned, 'onevm', ['show', 'web']);
    assert.match(show, new RegExp(`^VIRTUAL MACHINE ${vm} INFORMATION$`, 'm'));
    assert.match(show, /^LCM_STATE\s+: RUNNING$/m);
    assert.match(show, /^HOST\s+: node01$/m);
    assert.match(show, /^\s+0 private\s+br0\s+10\.0\.0\.\d+/m);

    await cliOk(oned, 'onevm', ['migrate', 'web', 'node02', '--live']);
    await until(oned, 'web', 'runn', 'node02');
    await cliOk(oned, 'onevm', ['poweroff', 'web']);
    await until(oned, 'web', 'poff');
    await cliOk(oned, 'onevm', ['resume', String(vm)]);
    await until(oned, 'web', 'runn', 'node02');
    show = await cliOk(oned, 'onevm', ['show', 'web']);
    assert.match(show, /^\s+0\s+\S+ node01\s+live-migrate /m);
    await jsonMatchesXml(oned, 'onevm', ['show', 'web'], (j) => [j.VM.ID, j.VM.NAME, j.VM.STATE, j.VM.LCM_STATE], (x) => ['ID', 'NAME', 'STATE', 'LCM_STATE'].map((f) => childText(x, f)));
    assert.match(rows(await cliOk(oned, 'onehost', ['list'])).find((r) => r[1] === 'node02')!.join(' '), / 1 /, 'node02 counts the VM');

    await cliOk(oned, 'onevm', ['terminate', 'web']);
    for (const end = Date.now() + 20_000; / web /.test(await cliOk(oned, 'onevm', ['list'])); ) {
      assert.ok(Date.now() < end, 'web not gone');
      await sleep(100);
    }
    const acct = await cliOk(oned, 'oneacct', ['-u', 'oneadmin']);
    assert.match(acct, new RegExp(`^ +${vm} node01 +live-migrate `, 'm'));
    assert.match(acct, new RegExp(`^ +${vm} node02 +terminate +\\S+ \\S+ +\\S+ \\S+ +64M +1$`, 'm'));
  });

  test('a user and a group with ACL rules and quotas; accounting per user and group', async () => {
    id(await cliOk(oned, 'onegroup', ['create', 'devs']));
    id(await cliOk(oned, 'oneuser', ['create', 'ann', 'annpw']));
    await cliOk(oned, 'oneuser', ['chgrp', 'ann', 'devs']);
    await cliOk(oned, 'oneacl', ['create', '@devs VM/* CREATE']);
    await cliOk(oned, 'oneacl', ['create', '@devs TEMPLATE+IMAGE+NET/* USE']);
    const acl = await cliOk(oned, 'oneacl', ['list']);
    assert.match(acl, /^ +\d+ @100 +V----------------- +\* ---c +#0$/m);
    assert.match(acl, /^ +\d+ @100 +--NI-T------------ +\* u--- +#0$/m);
    await cliOk(oned, 'oneuser', ['quota', 'ann', file('quota.txt', 'VM = [ VMS = 1, MEMORY = 128, CPU = 1 ]\n')]);

    const asAnn = { ONE_AUTH: file('ann_auth', 'ann:annpw\n') };
    const first = await cli(oned, 'onetemplate', ['instantiate', 'small', '--name', 'annvm'], asAnn);
    assert.equal(first.code, 0, first.stderr);
    const second = await cli(oned, 'onetemplate', ['instantiate', 'small', '--name', 'annvm2'], asAnn);
    assert.equal(second.code, 255);
    assert.equal(second.stderr.trim().split('\n').length, 1, second.stderr);
    assert.match(second.stderr, /quota/i);

    const users = rows(await cliOk(oned, 'oneuser', ['list']));
    assert.deepEqual(users[0], ['ID', 'NAME', 'GROUP', 'AUTH', 'VMS', 'MEMORY', 'CPU']);
    assert.match((await cliOk(oned, 'oneuser', ['list', '--filter', 'NAME=ann', '--no-header'])), /ann +devs +core +1 \/ +1 +64M \/ +128M +1 \/ +1$/m);
    assert.match(await cliOk(oned, 'onegroup', ['list', '--filter', 'NAME=devs', '--no-header']), /devs +1 +1 \/ +- +64M \/ +- +1 \/ +-$/m);
    await jsonMatchesXml(oned, 'oneuser', ['show', 'ann'], (j) => [j.USER.NAME, j.USER.GNAME, j.USER.VM_QUOTA.VM.VMS_USED], (x) => [childText(x, 'NAME'), childText(x, 'GNAME'), '1']);

    await cliOk(oned, 'onevm', ['deploy', 'annvm', 'node01', 'sys']);
    await until(oned, 'annvm', 'runn', 'node01');
    const byGroup = await cliOk(oned, 'oneacct', ['-g', 'devs']);
    assert.match(byGroup, /^# User \d+ ann$/m);
    assert.doesNotMatch(byGroup, /oneadmin/);
    assert.match(byGroup, /^ +\d+ node01 +deploy /m);
    const json = JSON.parse(await cliOk(oned, 'oneacct', ['-u', 'ann', '--json'])) as { HISTORY_RECORDS: { HISTORY: { HOSTNAME: string } } };
    assert.equal(json.HISTORY_RECORDS.HISTORY.HOSTNAME, 'node01');
  });
});
