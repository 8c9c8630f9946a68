/**
 * `onevm`, `onetemplate`, `oneimage` and `onevnet` as an admin uses them against a real oned
 * (dummy drivers): an image, a network and a template made with the CLI, VMs instantiated,
 * listed, shown, deployed, migrated, powered off, resumed and terminated, by id, name and range;
 * bad input gives one line and exit 255. SQLite for the long run, one flow on every backend.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { childText, parseXmlTree } from '../../src/common/xml-tree.js';
import { cli, cliOk, rows as tableRows } from './cli-helpers.js';
import { Oned } from './harness.js';
import { addUser, okId, onFeatureBackends, sleep, TEST_DRIVERS } from './api-helpers.js';

/** Polls `onevm list --csv` until the VM's STAT is `stat`. */
async function untilStat(oned: Oned, vm: string, stat: string, seconds = 30): Promise<void> {
  const end = Date.now() + seconds * 1000;
  let last = '';
  for (;;) {
    const csv = await cliOk(oned, 'onevm', ['list', '--csv', '--list', 'ID,NAME,STAT']);
    const row = csv.split('\n').slice(1).map((l) => l.split(',')).find((r) => r[0] === vm || r[1] === vm);
    last = row?.[2] ?? '(not listed)';
    if (last === stat) return;
    if (Date.now() > end) throw new Error(`VM ${vm}: ${stat} not reached in ${seconds} s (STAT ${last})`);
    await sleep(100);
  }
}

/** Datastores whose drivers do nothing, and two hosts: the infrastructure (onehost is another command's). */
async function infrastructure(oned: Oned): Promise<void> {
  await okId(oned, 'one.host.allocate', ['node01', 'dummy', 'dummy', -1]);
  await okId(oned, 'one.host.allocate', ['node02', 'dummy', 'dummy', -1]);
  await okId(oned, 'one.datastore.allocate', ['NAME = "dummy-system"\nTYPE = "SYSTEM_DS"\nTM_MAD = "dummy"', -1]);
  await okId(oned, 'one.datastore.allocate', ['NAME = "dummy-images"\nDS_MAD = "dummy"\nTM_MAD = "dummy"', -1]);
}

/** The `ID: n` a create command printed. */
function printedId(stdout: string, label = 'ID'): number {
  const m = new RegExp(`^${label}: (\\d+)$`, 'm').exec(stdout);
  if (!m) throw new Error(`no "${label}: n" in ${JSON.stringify(stdout)}`);
  return Number(m[1]);
}

function assertOneLineError(r: { code: number; stdout: string; stderr: string }, message: RegExp, code = 255): void {
  assert.equal(r.code, code, `exit code of a failure (stderr: ${r.stderr})`);
  assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${JSON.stringify(r.stderr)}`);
  assert.match(r.stderr, message);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
}

describe('onevm, onetemplate, oneimage, onevnet on sqlite', () => {
  let oned: Oned;
  let image: number;
  let vnet: number;
  let template: number;
  let vms: number[] = [];

  before(async () => {
    oned = await Oned.start({ backend: 'sqlite', conf: TEST_DRIVERS });
    await infrastructure(oned);
  });
  after(() => oned?.stop());

  test('oneimage create from options (-d by name), list with its columns, show by name', async () => {
    image = printedId(await cliOk(oned, 'oneimage', ['create', '-d', 'dummy-images', '--name', 'base', '--path', '/var/tmp/base.img', '--type', 'os']));
    const end = Date.now() + 15_000;
    while (!/rdy/.test(await cliOk(oned, 'oneimage', ['list', '--list', 'NAME,STAT', '--no-header']))) {
      if (Date.now() > end) throw new Error('image not READY');
      await sleep(100);
    }
    const rows = tableRows(await cliOk(oned, 'oneimage', ['list']));
    assert.deepEqual(rows[0], ['ID', 'USER', 'GROUP', 'NAME', 'DATASTORE', 'SIZE', 'TYPE', 'PER', 'STAT', 'RVMS']);
    assert.deepEqual(rows[1], [String(image), 'oneadmin', 'oneadmin', 'base', 'dummy-imag', rows[1]![5], 'OS', 'No', 'rdy', '0']);
    const show = await cliOk(oned, 'oneimage', ['show', 'base']);
    assert.match(show, new RegExp(`^IMAGE ${image} INFORMATION$`, 'm'));
    assert.match(show, /^TYPE\s+: OS$/m);
    assert.match(show, /^PATH\s+: \/var\/tmp\/base\.img$/m);
    assert.match(show, /^OWNER\s+: um-$/m);
    // persistent / nonpersistent / disable / enable change what list shows.
    await cliOk(oned, 'oneimage', ['persistent', 'base']);
    assert.match(await cliOk(oned, 'oneimage', ['list', '--csv', '--list', 'NAME,PER']), /^base,Yes$/m);
    await cliOk(oned, 'oneimage', ['nonpersistent', String(image)]);
    await cliOk(oned, 'oneimage', ['disable', 'base']);
    assert.match(await cliOk(oned, 'oneimage', ['list', '--csv', '--list', 'NAME,PER,STAT']), /^base,No,disa$/m);
    await cliOk(oned, 'oneimage', ['enable', 'base']);
    assert.match(await cliOk(oned, 'oneimage', ['list', '--csv', '--list', 'NAME,STAT']), /^base,rdy$/m);
    await cliOk(oned, 'oneimage', ['chtype', 'base', 'CDROM']);
    assert.match(await cliOk(oned, 'oneimage', ['list', '--csv', '--list', 'NAME,TYPE']), /^base,CD$/m);
    await cliOk(oned, 'oneimage', ['chtype', 'base', 'os']);
    const copy = printedId(await cliOk(oned, 'oneimage', ['clone', 'base', 'base-copy']));
    assert.match(await cliOk(oned, 'oneimage', ['list', '--csv', '--list', 'ID,NAME,TYPE']), new RegExp(`^${copy},base-copy,OS$`, 'm'));
    const end2 = Date.now() + 15_000;
    while (!/^base-copy,rdy$/m.test(await cliOk(oned, 'oneimage', ['list', '--csv', '--list', 'NAME,STAT']))) {
      if (Date.now() > end2) throw new Error('clone not READY');
      await sleep(100);
    }
    await cliOk(oned, 'oneimage', ['delete', 'base-copy']);
  });

  test('oneimage bad input: no datastore, unknown type, unknown name', async () => {
    assertOneLineError(await cli(oned, 'oneimage', ['create', '--name', 'x', '--path', '/tmp/x']), /Say which datastore/);
    assertOneLineError(await cli(oned, 'oneimage', ['create', '-d', 'dummy-images', '--name', 'x', '--type', 'FLOPPY']), /Image type must be one of OS, CDROM, DATABLOCK/);
    assertOneLineError(await cli(oned, 'oneimage', ['show', 'no-such-image']), /no-such-image/);
  });

  test('onevnet create FILE, addar from options, hold and release a lease, list and show', async () => {
    const file = join(oned.location, 'private.net');
    writeFileSync(file, 'NAME = "private"\nVN_MAD = "dummy"\nBRIDGE = "br0"\nAR = [ TYPE = "IP4", IP = "10.0.0.1", SIZE = "10" ]\n');
    vnet = printedId(await cliOk(oned, 'onevnet', ['create', file]));
    await cliOk(oned, 'onevnet', ['addar', 'private', '--ip', '10.0.1.1', '--size', '5']);
    let show = await cliOk(oned, 'onevnet', ['show', 'private']);
    assert.match(show, new RegExp(`^VIRTUAL NETWORK ${vnet} INFORMATION$`, 'm'));
    assert.match(show, /^BRIDGE\s+: br0$/m);
    assert.match(show, /^\s+1 IP4\s+5\s+0 \S+\s+10\.0\.1\.1$/m, 'the new AR 1 in ADDRESS RANGE POOL');
    await cliOk(oned, 'onevnet', ['hold', 'private', '10.0.0.5']);
    show = await cliOk(oned, 'onevnet', ['show', String(vnet)]);
    assert.match(show, /^\s+0 H\s+\S+\s+10\.0\.0\.5$/m, 'the lease on hold in LEASES');
    const rows = tableRows(await cliOk(oned, 'onevnet', ['list']));
    assert.deepEqual(rows[0], ['ID', 'USER', 'GROUP', 'NAME', 'CLUSTERS', 'BRIDGE', 'LEASES']);
    assert.deepEqual(rows[1], [String(vnet), 'oneadmin', 'oneadmin', 'private', '0', 'br0', '1']);
    await cliOk(oned, 'onevnet', ['release', 'private', '10.0.0.5']);
    assert.match(await cliOk(oned, 'onevnet', ['list', '--csv', '--list', 'NAME,LEASES']), /^private,0$/m);
    await cliOk(oned, 'onevnet', ['rmar', 'private', '1']);
    assert.doesNotMatch(await cliOk(oned, 'onevnet', ['show', 'private']), /10\.0\.1\.1/);
    const r = await cli(oned, 'onevnet', ['rmar', 'private', '7']);
    assertOneLineError(r, /Address Range does not exist: no address range 7 in virtual network/);
  });

  test('onevnet reserve makes a new network of the reserved leases', async () => {
    const id = printedId(await cliOk(oned, 'onevnet', ['reserve', 'private', 'mine', '--size', '2']), 'Reservation VNET ID');
    assert.match(await cliOk(oned, 'onevnet', ['list', '--csv', '--list', 'ID,NAME,LEASES']), new RegExp(`^${id},mine,\\d+$`, 'm'));
    const show = await cliOk(oned, 'onevnet', ['show', 'private']);
    assert.match(await cliOk(oned, 'onevnet', ['list', '--csv', '--list', 'NAME,LEASES']), /^private,2$/m, `the parent counts the reserved leases: ${show}`);
    await cliOk(oned, 'onevnet', ['delete', 'mine']);
    assertOneLineError(await cli(oned, 'onevnet', ['reserve', 'private', 'x']), /needs --size/);
  });

  test('onetemplate create from options, list, show; instantiate -m 2 by name', async () => {
    template = printedId(await cliOk(oned, 'onetemplate', ['create', '--name', 'small', '--cpu', '1', '--memory', '64', '--disk', 'base', '--nic', 'private']));
    const rows = tableRows(await cliOk(oned, 'onetemplate', ['list']));
    assert.deepEqual(rows[0], ['ID', 'USER', 'GROUP', 'NAME', 'REGTIME']);
    assert.deepEqual(rows[1]!.slice(0, 4), [String(template), 'oneadmin', 'oneadmin', 'small']);
    const show = await cliOk(oned, 'onetemplate', ['show', 'small']);
    assert.match(show, new RegExp(`^TEMPLATE ${template} INFORMATION$`, 'm'));
    assert.match(show, /^MEMORY="64"$/m);
    assert.match(show, new RegExp(`^  IMAGE_ID="${image}"`, 'm'));
    const out = await cliOk(oned, 'onetemplate', ['instantiate', 'small', '--name', 'web', '-m', '2']);
    vms = [...out.matchAll(/^VM ID: (\d+)$/gm)].map((m) => Number(m[1]));
    assert.equal(vms.length, 2);
  });

  test('onevm list: OpenNebula columns in 80 columns, pend, names', async () => {
    const out = await cliOk(oned, 'onevm', ['list']);
    for (const line of out.split('\n')) assert.ok(line.length <= 80, `fits 80 columns: ${JSON.stringify(line)}`);
    const rows = tableRows(out);
    assert.deepEqual(rows[0], ['ID', 'USER', 'GROUP', 'NAME', 'STAT', 'UCPU', 'UMEM', 'HOST', 'TIME']);
    assert.deepEqual(rows.slice(1).map((r) => r.slice(0, 5)), vms.map((id, i) => [String(id), 'oneadmin', 'oneadmin', `web-${i}`, 'pend']).reverse(), 'newest first, as OpenNebula 7.4 lists');
    assert.match(await cliOk(oned, 'onevm', ['list', '--filter', 'STAT=pend', '--list', 'NAME', '--no-header']), /^web-1\nweb-0\n$/);
  });

  test('onevm deploy by names, migrate --live, poweroff, resume; show follows', async () => {
    await cliOk(oned, 'onevm', ['deploy', 'web-0', 'node01', 'dummy-system']);
    await cliOk(oned, 'onevm', ['deploy', String(vms[1]), 'node01', 'dummy-system']);
    await untilStat(oned, 'web-0', 'runn');
    await untilStat(oned, 'web-1', 'runn');
    assert.match(await cliOk(oned, 'onevm', ['list', '--csv', '--list', 'NAME,STAT,HOST']), /^web-0,runn,node01$/m);
    let show = await cliOk(oned, 'onevm', ['show', 'web-0']);
    assert.match(show, new RegExp(`^VIRTUAL MACHINE ${vms[0]} INFORMATION$`, 'm'));
    assert.match(show, /^STATE\s+: ACTIVE$/m);
    assert.match(show, /^LCM_STATE\s+: RUNNING$/m);
    assert.match(show, /^HOST\s+: node01$/m);
    assert.match(show, /^\s+0\s+\S+ node01\s+\S+\s+(\d+) /m, 'the history names the host');
    assert.match(show, /^VM DISKS$/m);
    assert.match(show, /^VM NICS$/m);
    assert.match(show, /^\s+0 private\s+br0\s+10\.0\.0\.\d+/m);

    await cliOk(oned, 'onevm', ['migrate', 'web-0', 'node02', '--live']);
    await untilStat(oned, 'web-0', 'runn');
    const end = Date.now() + 15_000;
    while (!/^web-0,node02$/m.test(await cliOk(oned, 'onevm', ['list', '--csv', '--list', 'NAME,HOST']))) {
      if (Date.now() > end) throw new Error('web-0 not on node02');
      await sleep(100);
    }
    show = await cliOk(oned, 'onevm', ['show', 'web-0']);
    assert.match(show, /^VIRTUAL MACHINE HISTORY$/m);
    assert.match(show, /^\s+0\s+\S+ node01\s+live-migrate /m, 'the first record ended by the live migration');
    assert.match(show, /^\s+1\s+\S+ node02\s/m);

    await cliOk(oned, 'onevm', ['poweroff', 'web-0']);
    await untilStat(oned, 'web-0', 'poff');
    await cliOk(oned, 'onevm', ['resume', 'web-0']);
    await untilStat(oned, 'web-0', 'runn');
  });

  test('onevm nic-attach / nic-detach and disk-attach / disk-detach on a running VM, by names', async () => {
    await cliOk(oned, 'onevm', ['nic-attach', 'web-0', '--network', 'private', '--ip', '10.0.0.9']);
    await untilStat(oned, 'web-0', 'runn');
    let show = await cliOk(oned, 'onevm', ['show', 'web-0']);
    assert.match(show, /^\s+1 private\s+br0\s+10\.0\.0\.9\s/m, 'the new NIC 1 with its IP');
    await cliOk(oned, 'onevm', ['nic-detach', 'web-0', '1']);
    await untilStat(oned, 'web-0', 'runn');
    assert.doesNotMatch(await cliOk(oned, 'onevm', ['show', 'web-0']), /10\.0\.0\.9/);

    const data = printedId(await cliOk(oned, 'oneimage', ['create', '-d', 'dummy-images', '--name', 'data', '--type', 'DATABLOCK', '--size', '10']));
    const end = Date.now() + 15_000;
    while (!/^data,rdy$/m.test(await cliOk(oned, 'oneimage', ['list', '--csv', '--list', 'NAME,STAT']))) {
      if (Date.now() > end) throw new Error('image data not READY');
      await sleep(100);
    }
    await cliOk(oned, 'onevm', ['disk-attach', 'web-0', '--image', 'data']);
    await untilStat(oned, 'web-0', 'runn');
    show = await cliOk(oned, 'onevm', ['show', 'web-0']);
    assert.match(show, /^\s+1 \S+\s+\S+\s+data\s/m, 'disk 1 is the image data');
    assert.match(await cliOk(oned, 'oneimage', ['list', '--csv', '--list', 'ID,RVMS']), new RegExp(`^${data},1$`, 'm'));
    await cliOk(oned, 'onevm', ['disk-detach', 'web-0', '1']);
    await untilStat(oned, 'web-0', 'runn');
    assert.doesNotMatch(await cliOk(oned, 'onevm', ['show', 'web-0']), /^\s+1 \S+\s+\S+\s+data\s/m);
    assertOneLineError(await cli(oned, 'onevm', ['disk-attach', 'web-0']), /--image IMAGE or --file FILE/);
  });

  test('onevm show --json parses and matches --xml', async () => {
    const xml = parseXmlTree(await cliOk(oned, 'onevm', ['show', 'web-0', '--xml']));
    const json = JSON.parse(await cliOk(oned, 'onevm', ['show', 'web-0', '--json'])) as { VM: Record<string, unknown> };
    assert.equal(json.VM['ID'], childText(xml, 'ID'));
    assert.equal(json.VM['NAME'], 'web-0');
    assert.equal(json.VM['LCM_STATE'], childText(xml, 'LCM_STATE'));
    const list = JSON.parse(await cliOk(oned, 'onevm', ['list', '--json'])) as { VM_POOL: { VM: Array<{ NAME: string }> } };
    assert.deepEqual(list.VM_POOL.VM.map((v) => v.NAME).sort(), ['web-0', 'web-1']);
  });

  test('onevm create from options with --hold and -m; release, rename, chmod, lock', async () => {
    const out = await cliOk(oned, 'onevm', ['create', '--name', 'batch', '--cpu', '0.5', '--memory', '32', '-m', '2', '--hold']);
    const ids = [...out.matchAll(/^ID: (\d+)$/gm)].map((m) => Number(m[1]));
    assert.equal(ids.length, 2);
    for (const id of ids) await untilStat(oned, String(id), 'hold');
    await cliOk(oned, 'onevm', ['release', `${ids[0]}-${ids[1]}`]);
    for (const id of ids) await untilStat(oned, String(id), 'pend');
    await cliOk(oned, 'onevm', ['rename', String(ids[0]), 'batch-renamed']);
    await cliOk(oned, 'onevm', ['chmod', 'batch-renamed', '640']);
    let show = await cliOk(oned, 'onevm', ['show', 'batch-renamed']);
    assert.match(show, /^NAME\s+: batch-renamed$/m);
    assert.match(show, /^GROUP\s+: u--$/m);
    await cliOk(oned, 'onevm', ['lock', 'batch-renamed']);
    show = await cliOk(oned, 'onevm', ['show', 'batch-renamed']);
    assert.match(show, /^LOCK\s+: Use$/m);
    assertOneLineError(await cli(oned, 'onevm', ['terminate', 'batch-renamed']), /locked/i);
    await cliOk(oned, 'onevm', ['unlock', 'batch-renamed']);
    const extra = join(oned.location, 'extra.tmpl');
    writeFileSync(extra, 'OWNER_NOTE = "batch job"\n');
    await cliOk(oned, 'onevm', ['update', 'batch-renamed', extra, '--append']);
    assert.match(await cliOk(oned, 'onevm', ['show', 'batch-renamed']), /^USER TEMPLATE\n(.*\n)*OWNER_NOTE="batch job"$/m);
    await cliOk(oned, 'onevm', ['terminate', ids.join(',')]);
    const names = await cliOk(oned, 'onevm', ['list', '--list', 'NAME', '--no-header']);
    assert.doesNotMatch(names, /batch/);
  });

  test('onevm chown to a user and group by name', async () => {
    const bob = await addUser(oned, 'bob');
    await cliOk(oned, 'onevm', ['chown', 'web-1', 'bob', 'users']);
    assert.match(await cliOk(oned, 'onevm', ['list', '--csv', '--list', 'NAME,USER,GROUP']), /^web-1,bob,users$/m);
    assert.ok(bob.id > 0);
  });

  test('onevm bad input: unknown VM, missing recover operation, bad octet, unreachable oned', async () => {
    assertOneLineError(await cli(oned, 'onevm', ['show', 'nosuchvm']), /nosuchvm/);
    assertOneLineError(await cli(oned, 'onevm', ['show', '999']), /999/);
    assertOneLineError(await cli(oned, 'onevm', ['recover', 'web-0']), /exactly one of --success, --failure/);
    assertOneLineError(await cli(oned, 'onevm', ['chmod', 'web-0', '999']), /three octal digits/, 1);
    assertOneLineError(await cli(oned, 'onevm', ['disk-detach', 'web-0', 'x']), /DISKID must be a whole number/);
    assertOneLineError(await cli(oned, 'onevm', ['create']), /A template FILE or options/);
    assertOneLineError(await cli(oned, 'onevm', ['create', '/no/such/file.tmpl']), /Cannot read the template file \/no\/such\/file\.tmpl: ENOENT/);
    assertOneLineError(await cli(oned, 'onevm', ['deploy', 'web-1', 'no-such-host']), /no-such-host/);
    const authFile = join(oned.location, 'wrong_auth');
    writeFileSync(authFile, 'oneadmin:wrong-password\n');
    const wrong = await cli(oned, 'onevm', ['list'], { ONE_AUTH: authFile });
    assert.notEqual(wrong.code, 0);
    assert.equal(wrong.stderr.trim().split('\n').length, 1);
  });

  test('onevm undeploy --hard, resume (back to pend), stop and recover --delete', async () => {
    await cliOk(oned, 'onevm', ['undeploy', '--hard', 'web-1']);
    await untilStat(oned, 'web-1', 'unde');
    await cliOk(oned, 'onevm', ['resume', 'web-1']);
    await untilStat(oned, 'web-1', 'pend');
    const id = printedId(await cliOk(oned, 'onevm', ['create', '--name', 'doomed', '--cpu', '1', '--memory', '16']));
    await cliOk(oned, 'onevm', ['recover', 'doomed', '--delete']);
    const end = Date.now() + 15_000;
    while (new RegExp(`^${id}$`, 'm').test(await cliOk(oned, 'onevm', ['list', '--list', 'ID', '--no-header']))) {
      if (Date.now() > end) throw new Error('recover --delete left the VM');
      await sleep(100);
    }
    assertOneLineError(await cli(oned, 'onevm', ['stop', 'web-1']), /stop/);
  });

  test('onevm terminate a range: the VMs are gone from the list', async () => {
    await cliOk(oned, 'onevm', ['terminate', '--hard', `${vms[0]}-${vms[1]}`]);
    const end = Date.now() + 20_000;
    let left = '';
    while ((left = (await cliOk(oned, 'onevm', ['list', '--csv', '--list', 'NAME,STAT', '--no-header'])).trim()) !== '') {
      if (Date.now() > end) throw new Error(`VMs not terminated: ${left}`);
      await sleep(100);
    }
  });

  test('onetemplate clone, rename, delete; help and completion of onevm', async () => {
    const copy = printedId(await cliOk(oned, 'onetemplate', ['clone', 'small', 'small-copy']));
    await cliOk(oned, 'onetemplate', ['rename', 'small-copy', 'small-2']);
    assert.match(await cliOk(oned, 'onetemplate', ['list', '--csv', '--list', 'ID,NAME']), new RegExp(`^${copy},small-2$`, 'm'));
    await cliOk(oned, 'onetemplate', ['delete', 'small-2']);
    assert.doesNotMatch(await cliOk(oned, 'onetemplate', ['list']), /small-2/);
    const help = await cliOk(oned, 'onevm', ['migrate', '--help']);
    assert.match(help, /--live/);
    assert.match(help, /onevm migrate myvm node02 --live/);
    const completion = await cliOk(oned, 'onevm', ['completion', 'bash']);
    for (const sub of ['deploy', 'migrate', 'recover', 'disk-attach', 'nic-detach', 'top']) assert.match(completion, new RegExp(`\\b${sub}\\b`));
  });
});

onFeatureBackends('onevm create, list, show and terminate', (oned) => {
  test('a VM from options, listed with its state, shown as JSON matching the XML, terminated', async () => {
    const id = printedId(await cliOk(oned(), 'onevm', ['create', '--name', 'tiny', '--cpu', '1', '--memory', '16']));
    const csv = await cliOk(oned(), 'onevm', ['list', '--csv', '--list', 'ID,NAME,STAT']);
    assert.match(csv, new RegExp(`^${id},tiny,pend$`, 'm'));
    const json = JSON.parse(await cliOk(oned(), 'onevm', ['show', 'tiny', '--json'])) as { VM: { ID: string; TEMPLATE: { MEMORY: string } } };
    const xml = parseXmlTree(await cliOk(oned(), 'onevm', ['show', String(id), '--xml']));
    assert.equal(json.VM.ID, childText(xml, 'ID'));
    assert.equal(json.VM.TEMPLATE.MEMORY, '16');
    await cliOk(oned(), 'onevm', ['terminate', 'tiny']);
    assert.doesNotMatch(await cliOk(oned(), 'onevm', ['list', '--list', 'NAME']), /tiny/);
  });
});
