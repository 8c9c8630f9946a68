/**
 * `onevm snapshot-create`, `snapshot-revert`, `snapshot-delete` and the SNAPSHOTS section of
 * `onevm show` against a real oned (dummy drivers); bad input gives one line and exit 255.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { childInt, childText } from '../../src/common/xml-tree.js';
import { cli, cliOk } from './cli-helpers.js';
import type { Oned } from './harness.js';
import { all, must, okId, okXml, onFeatureBackends, sleep } from './api-helpers.js';

async function untilRunning(oned: Oned, id: number): Promise<void> {
  const until = Date.now() + 12000;
  for (;;) {
    const v = await okXml(oned, 'one.vm.info', [id]);
    if (childInt(v, 'STATE') === 3 && childInt(v, 'LCM_STATE') === 3) return;
    if (Date.now() > until) assert.fail(`VM ${id} is ${childInt(v, 'STATE')}/${childInt(v, 'LCM_STATE')}, not RUNNING`);
    await sleep(50);
  }
}

async function snaps(oned: Oned, id: number): Promise<string[][]> {
  const v = await okXml(oned, 'one.vm.info', [id]);
  return all(must(v, 'TEMPLATE'), 'SNAPSHOT').map((s) => [childText(s, 'SNAPSHOT_ID'), childText(s, 'NAME'), childText(s, 'ACTIVE')]);
}

function oneLineError(r: { code: number; stderr: string }, message: RegExp): void {
  assert.equal(r.code, 255, r.stderr);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, message);
}

onFeatureBackends('onevm snapshots', (oned) => {
  test('snapshot-create, show, snapshot-revert, snapshot-delete; errors', async () => {
    const o = oned();
    await okId(o, 'one.datastore.update', [0, 'TM_MAD = "dummy"', 1]);
    const host = await okId(o, 'one.host.allocate', ['cli-snap-host', 'dummy', 'dummy', -1]);
    const id = await okId(o, 'one.vm.allocate', ['NAME = "snap-vm"\nCPU = 0.1\nMEMORY = 16']);
    await okId(o, 'one.vm.deploy', [id, host]);
    await untilRunning(o, id);

    await cliOk(o, 'onevm', ['snapshot-create', 'snap-vm', 'first']);
    await untilRunning(o, id);
    await cliOk(o, 'onevm', ['snapshot-create', String(id)]);
    await untilRunning(o, id);
    assert.deepEqual(await snaps(o, id), [['0', 'first', ''], ['1', 'snapshot-1', 'YES']]);

    const shown = await cliOk(o, 'onevm', ['show', String(id)]);
    const lines = shown.slice(shown.indexOf('SNAPSHOTS')).split('\n');
    assert.match(lines[1]!, /AC\s+ID\s+TIME\s+NAME\s+HYPERVISOR_ID/);
    assert.match(lines[2]!, /^\s*0\s+\d\d\/\d\d \d\d:\d\d:\d\d\s+first\s+dummy-snap-0\s*$/);
    assert.match(lines[3]!, /^=>\s+1\s+.*snapshot-1\s+dummy-snap-1\s*$/);

    await cliOk(o, 'onevm', ['snapshot-revert', 'snap-vm', '0']);
    await untilRunning(o, id);
    assert.deepEqual(await snaps(o, id), [['0', 'first', 'YES'], ['1', 'snapshot-1', '']]);
    await cliOk(o, 'onevm', ['snapshot-delete', 'snap-vm', '1']);
    await untilRunning(o, id);
    assert.deepEqual(await snaps(o, id), [['0', 'first', 'YES']]);

    oneLineError(await cli(o, 'onevm', ['snapshot-revert', 'snap-vm', '5']), /has no snapshot with SNAPSHOT_ID 5/);
    oneLineError(await cli(o, 'onevm', ['snapshot-delete', 'snap-vm', 'x']), /SNAPSHOT_ID/);
    oneLineError(await cli(o, 'onevm', ['snapshot-create', 'no-such-vm']), /no-such-vm/);
    await cliOk(o, 'onevm', ['poweroff', '--hard', String(id)]);
    for (let i = 0; i < 200 && childInt(await okXml(o, 'one.vm.info', [id]), 'STATE') !== 8; i++) await sleep(50);
    oneLineError(await cli(o, 'onevm', ['snapshot-create', String(id), 'late']), /not available for state POWEROFF/);
    assert.deepEqual(await snaps(o, id), [['0', 'first', 'YES']]);
  });
});
