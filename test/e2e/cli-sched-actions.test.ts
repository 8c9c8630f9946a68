/**
 * `onevm ... --schedule` and `onevm sched-update` / `sched-delete` against a real oned (dummy
 * drivers): a scheduled poweroff runs, a weekly resume is stored as asked, shown, changed and
 * deleted; bad input gives one line and exit 255.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childInt, childText, type XmlNode } from '../../src/common/xml-tree.js';
import { cli, cliOk } from './cli-helpers.js';
import type { Oned } from './harness.js';
import { all, must, okId, okXml, onFeatureBackends, sleep } from './api-helpers.js';

const nowSec = () => Math.floor(Date.now() / 1000);

function actions(v: XmlNode): Record<string, string>[] {
  return all(must(v, 'TEMPLATE'), 'SCHED_ACTION').map((sa) => Object.fromEntries(sa.children.map((c) => [c.name, c.text])));
}

async function waitState(oned: Oned, id: number, state: number, lcm: number): Promise<void> {
  const until = Date.now() + 12000;
  for (;;) {
    const v = await okXml(oned, 'one.vm.info', [id]);
    if (childInt(v, 'STATE') === state && childInt(v, 'LCM_STATE') === lcm) return;
    if (Date.now() > until) assert.fail(`VM ${id} is ${childInt(v, 'STATE')}/${childInt(v, 'LCM_STATE')}, not ${state}/${lcm}`);
    await sleep(100);
  }
}

function oneLineError(r: { code: number; stderr: string }, message: RegExp): void {
  assert.equal(r.code, 255, r.stderr);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, message);
}

onFeatureBackends('onevm scheduled actions', (oned) => {
  test('--schedule, show, sched-update and sched-delete', async () => {
    const o = oned();
    await okId(o, 'one.datastore.update', [0, 'TM_MAD = "dummy"', 1]);
    const host = await okId(o, 'one.host.allocate', ['cli-sa-host', 'dummy', 'dummy', -1]);
    const id = await okId(o, 'one.vm.allocate', ['NAME = "sa-vm"\nCPU = 0.1\nMEMORY = 16']);
    await okId(o, 'one.vm.deploy', [id, host]);
    await waitState(o, id, 3, 3);

    const t0 = nowSec();
    await cliOk(o, 'onevm', ['poweroff', 'sa-vm', '--schedule', '+2']);
    const [off] = actions(await okXml(o, 'one.vm.info', [id]));
    assert.equal(off!['ACTION'], 'poweroff');
    assert.ok(Math.abs(Number(off!['TIME']) - (t0 + 2)) <= 1, `TIME ${off!['TIME']} is 2 s from now`);
    assert.equal(childInt(await okXml(o, 'one.vm.info', [id]), 'STATE'), 3, 'not powered off yet');
    await waitState(o, id, 8, 0);

    await cliOk(o, 'onevm', ['resume', String(id), '--schedule', '12/24/2099 18:00', '--weekly', '1,3', '--end', '5']);
    const resume = actions(await okXml(o, 'one.vm.info', [id]))[1]!;
    assert.equal(Number(resume['ID']), Number(off!['ID']) + 1);
    assert.deepEqual([resume['ID'], resume['ACTION'], resume['REPEAT'], resume['DAYS'], resume['END_TYPE'], resume['END_VALUE']], [resume['ID'], 'resume', '0', '1,3', '1', '5']);
    assert.equal(Number(resume['TIME']), Math.floor(new Date(2099, 11, 24, 18, 0).getTime() / 1000));
    const shown = await cliOk(o, 'onevm', ['show', String(id)]);
    assert.match(shown, /SCHEDULED ACTIONS/);
    assert.match(shown, /\n\s*\d+ resume\s+12\/24 18:00:00\s+Weekly 1,3\s+5 more/);

    const dir = mkdtempSync(join(tmpdir(), 'cli-sa-'));
    const file = join(dir, 'sa.tmpl');
    writeFileSync(file, 'SCHED_ACTION = [ ACTION = "terminate" ]\n');
    await cliOk(o, 'onevm', ['sched-update', String(id), resume['ID']!, file]);
    assert.equal(actions(await okXml(o, 'one.vm.info', [id]))[1]!['ACTION'], 'terminate');

    oneLineError(await cli(o, 'onevm', ['sched-delete', String(id), '9']), /Error getting scheduled action \[9\]/);
    oneLineError(await cli(o, 'onevm', ['poweroff', String(id), '--schedule', 'someday']), /Cannot read the time "someday"/);
    oneLineError(await cli(o, 'onevm', ['poweroff', String(id), '--weekly', '1']), /need --schedule/);
    assert.equal(actions(await okXml(o, 'one.vm.info', [id])).length, 2, 'refused input added nothing');

    await cliOk(o, 'onevm', ['sched-delete', String(id), resume['ID']!]);
    const left = await okXml(o, 'one.vm.info', [id]);
    assert.deepEqual(actions(left).map((a) => a['ID']), [off!['ID']]);
    assert.equal(childText(must(left, 'SCHED_ACTIONS'), 'ID'), off!['ID']);
  });
});
