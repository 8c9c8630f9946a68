/**
 * oneshowback against a real oned: `calculate` (oneadmin; refused to a plain user), `list` as a
 * table per user, by user, group and month range, --json matching --xml, and bad months.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { childText, parseXmlTree } from '../../src/common/xml-tree.js';
import { Oca } from '../../src/oca/index.js';
import { TEST_DRIVERS } from './api-helpers.js';
import { cli as run1, type CliResult } from './cli-helpers.js';
import { Oned } from './harness.js';

type Result = CliResult & { lines: string[] };

describe('oneshowback on the command line', () => {
  let oned: Oned;
  let one: Oca;
  let ann = -1;
  let annVm = -1;
  let adminVm = -1;
  const now = new Date();
  const thisMonth = `${String(now.getMonth() + 1).padStart(2, '0')}/${now.getFullYear()}`;
  const next = new Date(now.getFullYear(), now.getMonth() + 1, 1);
  const nextMonth = `${next.getFullYear()}-${String(next.getMonth() + 1).padStart(2, '0')}`;

  /** Runs oneshowback as `session` (oneadmin by default). */
  async function cli(args: readonly string[], session?: string): Promise<Result> {
    const auth = join(oned.location, `auth_${session ? 'user' : 'admin'}`);
    writeFileSync(auth, `${session ?? oned.oneadmin}\n`);
    const r = await run1(oned, 'oneshowback', args, { ONE_AUTH: auth });
    return { ...r, lines: r.stdout.split('\n').filter((l, i, all) => i < all.length - 1 || l !== '') };
  }

  before(async () => {
    oned = await Oned.start({ backend: 'sqlite', conf: TEST_DRIVERS });
    one = new Oca({ endpoint: oned.endpoint, session: oned.oneadmin });
  });
  after(async () => {
    one?.close();
    await oned?.stop();
  });

  test('setup: a VM of ann (users) and one of oneadmin, with costs, run on a dummy host', async () => {
    await one.datastores.update(0, 'TM_MAD = "dummy"', 1);
    const host = await one.hosts.allocate('sb-node', 'dummy', 'dummy');
    ann = await one.users.allocate('ann', 'ann-pw');
    annVm = await one.vms.allocate('NAME = ann-vm\nCPU = 1\nMEMORY = 256\nCPU_COST = 3600\nMEMORY_COST = 1');
    await one.vms.chown(annVm, ann, 1);
    adminVm = await one.vms.allocate('NAME = admin-vm\nCPU = 2\nMEMORY = 128\nCPU_COST = 3600');
    for (const id of [annVm, adminVm]) await one.vms.deploy(id, host);
    for (const id of [annVm, adminVm]) {
      for (const end = Date.now() + 20_000; (await one.vms.info(id)).lcmState !== 3 && Date.now() < end; ) await new Promise((r) => setTimeout(r, 50));
      assert.equal((await one.vms.info(id)).lcmState, 3);
    }
    await new Promise((r) => setTimeout(r, 1100));
    await one.vms.action('terminate', annVm);
  });

  test('nothing listed before calculate; calculate is silent; a plain user may not calculate', async () => {
    const empty = await cli(['list']);
    assert.equal(empty.code, 0, empty.stderr);
    assert.equal(empty.stdout.trim(), '');
    const refused = await cli(['calculate'], 'ann:ann-pw');
    assert.equal(refused.code, 255);
    assert.match(refused.stderr, /reserved for group 0/);
    const calc = await cli(['calculate', '-s', thisMonth]);
    assert.equal(calc.code, 0, calc.stderr);
    assert.equal(calc.stdout, '');
  });

  test('list: a table per user with month, VM, group, hours and cost', async () => {
    const all = await cli(['list']);
    assert.equal(all.code, 0, all.stderr);
    assert.ok(all.lines.includes(`# User ${ann} ann`), all.stdout);
    assert.ok(all.lines.includes('# User 0 oneadmin'), all.stdout);
    assert.match(all.stdout, /^ +MONTH +VM_ID VM_NAME +GROUP_NAME +HOURS RUNNING_HOURS +COST$/m);
    assert.match(all.stdout, new RegExp(`^ *${thisMonth.replace('/', '\\/')} +${annVm} ann-vm +users +[\\d.]+ +[\\d.]+ +[\\d.]+$`, 'm'));
    assert.match(all.stdout, new RegExp(`^ *${thisMonth.replace('/', '\\/')} +${adminVm} admin-vm +oneadmin +`, 'm'));
    // --list adds the cost columns.
    const costs = await cli(['list', '-u', 'oneadmin', '--list', 'VM_ID,CPU_COST,MEMORY_COST']);
    assert.match(costs.stdout, new RegExp(`^ +${adminVm} +[1-9][\\d.]* +0$`, 'm'), costs.stdout);
  });

  test('list by user, group and months; --json matches --xml; bad months refused', async () => {
    const byUser = await cli(['list', '-u', 'ann']);
    assert.ok(byUser.lines.includes(`# User ${ann} ann`));
    assert.ok(!byUser.lines.includes('# User 0 oneadmin'));
    const byGroup = await cli(['list', '-g', 'users', '--json']);
    const rec = (JSON.parse(byGroup.stdout) as { SHOWBACK_RECORDS: { SHOWBACK: { VMID: string; TOTAL_COST: string } } }).SHOWBACK_RECORDS.SHOWBACK;
    assert.equal(rec.VMID, String(annVm));
    const xml = parseXmlTree((await cli(['list', '-g', 'users', '--xml'])).stdout);
    assert.deepEqual(xml.children.map((r) => [childText(r, 'VMID'), childText(r, 'TOTAL_COST')]), [[String(annVm), rec.TOTAL_COST]]);
    assert.equal((await cli(['list', '-s', nextMonth])).stdout.trim(), '');
    assert.ok((await cli(['list', '-s', thisMonth, '-e', thisMonth])).lines.includes('# User 0 oneadmin'));
    // A plain user lists her own records only.
    const mine = await cli(['list'], 'ann:ann-pw');
    assert.ok(mine.lines.includes(`# User ${ann} ann`) && !mine.lines.includes('# User 0 oneadmin'), mine.stdout);
    const bad = await cli(['list', '-s', 'someday']);
    assert.equal(bad.code, 255);
    assert.match(bad.stderr, /^--start "someday" is not a month/);
    const backwards = await cli(['list', '-s', nextMonth, '-e', thisMonth]);
    assert.equal(backwards.code, 255);
    assert.match(backwards.stderr, /--end is before --start/);
  });
});
