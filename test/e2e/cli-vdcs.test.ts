/**
 * `onevdc` against a real oned: list and show the default VDC, create (from a name or a file),
 * addgroup, addcluster/addhost/adddatastore/addvnet with OpenNebula's `VDCID ZONEID RESOURCE`
 * order (names, ranges, ALL) and their del twins, the ACL rules that follow, update, rename,
 * delete; bad input gives one line and exit 255. Then, with the scheduler running, a group
 * confined through onevdc: its user's `onevm create` VMs run on the VDC's cluster only.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childText } from '../../src/common/xml-tree.js';
import { cli, cliOk, rows } from './cli-helpers.js';
import { all, okId, okXml, onFeatureBackends, placedOn, userAttr, vmUntil } from './api-helpers.js';
import { Oned } from './harness.js';

const DIR = mkdtempSync(join(tmpdir(), 'nebula-cli-vdcs-'));

onFeatureBackends('onevdc', (oned) => {
  test('the default VDC, a new one confining a group to a cluster, and back', async () => {
    const o = oned();
    const aclOf = async (gid: number) => all(await okXml(o, 'one.acl.info', []), 'ACL').map((r) => childText(r, 'STRING')).filter((s) => s.startsWith(`@${gid} `));

    const list = rows(await cliOk(o, 'onevdc', ['list']));
    assert.deepEqual(list[0], ['ID', 'NAME', 'GROUPS', 'CLUSTERS', 'HOSTS', 'VNETS', 'DATASTORES']);
    assert.deepEqual(list[1], ['0', 'default', '1', 'ALL', '0', '0', '0']);
    const shown = await cliOk(o, 'onevdc', ['show', 'default']);
    assert.match(shown, /VDC 0 INFORMATION/);
    assert.match(shown, /CLUSTERS\s*\n\s*ZONE\s+CLUSTER\s*\n\s*0\s+ALL/);

    const cid = await okId(o, 'one.cluster.allocate', ['cli-vdc-cl']);
    await okId(o, 'one.host.allocate', ['cli-vdc-h1', 'dummy', 'dummy', cid]);
    await okId(o, 'one.host.allocate', ['cli-vdc-h2', 'dummy', 'dummy', cid]);
    const gid = await okId(o, 'one.group.allocate', ['cli-vdc-team']);

    assert.match(await cliOk(o, 'onevdc', ['create', 'web']), /^ID: \d+$/m);
    const tmpl = join(DIR, 'vdc.tmpl');
    writeFileSync(tmpl, 'NAME = "from-file"\nDESCRIPTION = "made from a file"\n');
    const fromFile = Number(/ID: (\d+)/.exec(await cliOk(o, 'onevdc', ['create', tmpl]))![1]);
    assert.equal(childText(await okXml(o, 'one.vdc.info', [fromFile]), 'NAME'), 'from-file');

    await cliOk(o, 'onevdc', ['delgroup', 'default', 'cli-vdc-team']);
    await cliOk(o, 'onevdc', ['addgroup', 'web', 'cli-vdc-team']);
    await cliOk(o, 'onevdc', ['addcluster', 'web', '0', 'cli-vdc-cl']);
    assert.deepEqual((await aclOf(gid)).sort(), [`@${gid} DATASTORE/%${cid} USE #0`, `@${gid} HOST/%${cid} MANAGE #0`, `@${gid} NET/%${cid} USE #0`]);
    await cliOk(o, 'onevdc', ['addhost', 'web', '0', 'cli-vdc-h1,cli-vdc-h2']);
    await cliOk(o, 'onevdc', ['adddatastore', 'web', '0', 'ALL']);
    const row = rows(await cliOk(o, 'onevdc', ['list'])).find((r) => r[1] === 'web')!;
    assert.deepEqual(row.slice(2), ['1', '1', '2', '0', 'ALL']);
    const show = await cliOk(o, 'onevdc', ['show', 'web']);
    assert.match(show, /HOSTS\s*\n\s*ZONE\s+HOST\s*\n\s*0\s+\d+\s*\n\s*0\s+\d+/);
    assert.match(show, /GROUPS\s*\n\s*ID\s*\n\s*\d+/);
    assert.ok((await aclOf(gid)).includes(`@${gid} DATASTORE/* USE #0`));

    await cliOk(o, 'onevdc', ['delhost', 'web', '0', 'cli-vdc-h1']);
    await cliOk(o, 'onevdc', ['deldatastore', 'web', '0', 'ALL']);
    assert.ok(!(await aclOf(gid)).includes(`@${gid} DATASTORE/* USE #0`));
    await cliOk(o, 'onevdc', ['rename', 'web', 'web-team']);
    await cliOk(o, 'onevdc', ['update', 'web-team', tmpl, '--append']);
    assert.match(await cliOk(o, 'onevdc', ['show', 'web-team']), /DESCRIPTION="made from a file"/);

    // Bad input: one line, exit 255, nothing changed.
    for (const [args, message] of [
      [['addcluster', 'web-team', '7', 'cli-vdc-cl'], /Error getting zone \[7\]/],
      [['addhost', 'web-team', '0', 'no-such-host'], /host named "no-such-host" not found/],
      [['addhost', 'web-team', 'zero', 'cli-vdc-h1'], /ZONEID must be a whole number/],
      [['addcluster', 'web-team', '0', 'cli-vdc-cl'], /already assigned to the VDC/],
      [['delete', 'default'], /System VDCs \(ID < 100\) cannot be deleted/],
    ] as const) {
      const r = await cli(o, 'onevdc', args);
      assert.equal(r.code, 255, r.stderr);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, message);
    }

    await cliOk(o, 'onevdc', ['delete', 'web-team', String(fromFile)]);
    assert.deepEqual(await aclOf(gid), [], 'the group has no rule left: it is in no VDC');
    assert.deepEqual(rows(await cliOk(o, 'onevdc', ['list'])).slice(1).map((r) => r[1]), ['default']);
  });
});

describe('onevdc confines a group: its user\'s VMs (onevm create) run on the VDC\'s cluster only', () => {
  let o: Oned;
  before(async () => {
    o = await Oned.start({
      backend: 'sqlite',
      conf: 'HOST_MONITORING_INTERVAL = 1\nIM_MAD = [ NAME = "big", EXECUTABLE = "one_im_dummy", ARGUMENTS = "-c 800 -m 8192" ]\nVM_MAD = [ NAME = "dummy", EXECUTABLE = "one_vmm_dummy" ]\nSCHEDULER = [ EXECUTABLE = "mm_sched" ]\n',
      schedConf: 'SCHED_INTERVAL = 1\nMAX_DISPATCH = 100\nMAX_HOST = 100\n',
    });
  });
  after(() => o?.stop());

  test('created, filled and checked through the CLI', async () => {
    await okId(o, 'one.datastore.update', [0, 'TM_MAD = "dummy"', 1]);
    await cliOk(o, 'onecluster', ['create', 'confined']);
    await cliOk(o, 'onecluster', ['adddatastore', 'confined', '0']);
    const outside = Number(/ID: (\d+)/.exec(await cliOk(o, 'onehost', ['create', 'out', '--im', 'big', '--vm', 'dummy']))![1]);
    const inside = Number(/ID: (\d+)/.exec(await cliOk(o, 'onehost', ['create', 'in', '--im', 'big', '--vm', 'dummy', '--cluster', 'confined']))![1]);
    await cliOk(o, 'onegroup', ['create', 'team']);
    await cliOk(o, 'onevdc', ['delgroup', 'default', 'team']);
    await cliOk(o, 'onevdc', ['create', 'team-vdc']);
    await cliOk(o, 'onevdc', ['addgroup', 'team-vdc', 'team']);
    await cliOk(o, 'onevdc', ['addcluster', 'team-vdc', '0', 'confined']);
    await cliOk(o, 'oneuser', ['create', 'member', 'mpw']);
    await cliOk(o, 'oneuser', ['chgrp', 'member', 'team']);
    const auth = join(DIR, 'member_auth');
    writeFileSync(auth, 'member:mpw\n');
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await cli(o, 'onevm', ['create', '--cpu', '1', '--memory', '128'], { ONE_AUTH: auth });
      assert.equal(r.code, 0, r.stderr);
      ids.push(Number(/ID: (\d+)/.exec(r.stdout)![1]));
    }
    for (const id of ids) assert.equal(await placedOn(o, id), inside);
    const r = await cli(o, 'onevm', ['create', '--cpu', '1', '--memory', '128', '--raw', `SCHED_REQUIREMENTS = "ID = ${outside}"`], { ONE_AUTH: auth });
    assert.equal(r.code, 0, r.stderr);
    const pinned = Number(/ID: (\d+)/.exec(r.stdout)![1]);
    const v = await vmUntil(o, pinned, 'a SCHED_MESSAGE', (x) => userAttr(x, 'SCHED_MESSAGE') !== '');
    assert.match(userAttr(v, 'SCHED_MESSAGE'), /not authorized for the VM owner \(ACL\)/);
  });
});
