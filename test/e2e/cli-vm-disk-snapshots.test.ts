/**
 * `onevm disk-snapshot-create/revert/delete/rename`, the VM DISK SNAPSHOTS section of `onevm
 * show`, `oneimage snapshot-revert/delete/flatten` and the IMAGE SNAPSHOTS section of `oneimage
 * show` against a real oned (dummy drivers); bad input gives one line and exit 255.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { childInt, childText } from '../../src/common/xml-tree.js';
import { cli, cliOk } from './cli-helpers.js';
import type { Oned } from './harness.js';
import { all, okId, okXml, onFeatureBackends, sleep } from './api-helpers.js';

async function until(oned: Oned, method: string, id: number, ok: (x: ReturnType<typeof okXml> extends Promise<infer X> ? X : never) => boolean): Promise<void> {
  const end = Date.now() + 12000;
  for (;;) {
    const x = await okXml(oned, method, [id]);
    if (ok(x)) return;
    if (Date.now() > end) assert.fail(`${method} ${id}: state ${childInt(x, 'STATE')}/${childInt(x, 'LCM_STATE')}`);
    await sleep(50);
  }
}
const poweroff = (o: Oned, id: number) => until(o, 'one.vm.info', id, (v) => childInt(v, 'STATE') === 8);
const imageReady = (o: Oned, id: number) => until(o, 'one.image.info', id, (i) => childInt(i, 'STATE') === 1);

async function snaps(oned: Oned, id: number): Promise<string[]> {
  const v = await okXml(oned, 'one.vm.info', [id]);
  return all(v, 'SNAPSHOTS').flatMap((l) => all(l, 'SNAPSHOT').map((s) => `${childText(l, 'DISK_ID')}/${childText(s, 'ID')}:${childText(s, 'NAME')}${childText(s, 'ACTIVE') === 'YES' ? '*' : ''}`));
}

function oneLineError(r: { code: number; stderr: string }, message: RegExp): void {
  assert.equal(r.code, 255, r.stderr);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, message);
}

onFeatureBackends('onevm disk snapshots', (oned) => {
  test('disk-snapshot-create, show, revert, rename, delete; oneimage snapshot-*; errors', async () => {
    const o = oned();
    await okId(o, 'one.datastore.update', [0, 'TM_MAD = "dummy"', 1]);
    const ds = await okId(o, 'one.datastore.allocate', ['NAME = "cli-dsnap"\nDS_MAD = "dummy"\nTM_MAD = "dummy"', -1]);
    const host = await okId(o, 'one.host.allocate', ['cli-dsnap-host', 'dummy', 'dummy', -1]);
    const img = await okId(o, 'one.image.allocate', ['NAME = "cli-dsnap-img"\nTYPE = DATABLOCK\nSIZE = 2048\nPERSISTENT = YES', ds]);
    await imageReady(o, img);
    const id = await okId(o, 'one.vm.allocate', [`NAME = "dsnap-vm"\nCPU = 0.1\nMEMORY = 16\nDISK = [ IMAGE_ID = ${img} ]\nDISK = [ TYPE = fs, SIZE = 8 ]`]);
    await okId(o, 'one.vm.deploy', [id, host]);
    await until(o, 'one.vm.info', id, (v) => childInt(v, 'LCM_STATE') === 3);
    await cliOk(o, 'onevm', ['poweroff', String(id)]);
    await poweroff(o, id);

    assert.equal(await cliOk(o, 'onevm', ['disk-snapshot-create', 'dsnap-vm', '0', 'base']), '');
    await poweroff(o, id);
    await cliOk(o, 'onevm', ['disk-snapshot-create', 'dsnap-vm', '0', 'next']);
    await poweroff(o, id);
    assert.deepEqual(await snaps(o, id), ['0/0:base', '0/1:next*']);

    const shown = await cliOk(o, 'onevm', ['show', String(id)]);
    const lines = shown.slice(shown.indexOf('VM DISK SNAPSHOTS')).split('\n');
    assert.match(lines[1]!, /AC\s+ID\s+DISK\s+PARENT\s+DATE\s+SIZE\s+NAME/);
    assert.match(lines[2]!, /^\s+0\s+0\s+-1\s+\d\d\/\d\d \d\d:\d\d:\d\d\s+-\/2G\s+base\s*$/);
    assert.match(lines[3]!, /^=>\s+1\s+0\s+0\s+.*-\/2G\s+next\s*$/);

    await cliOk(o, 'onevm', ['disk-snapshot-revert', 'dsnap-vm', '0', '0']);
    await poweroff(o, id);
    await cliOk(o, 'onevm', ['disk-snapshot-rename', 'dsnap-vm', '0', '1', 'later']);
    assert.deepEqual(await snaps(o, id), ['0/0:base*', '0/1:later']);
    oneLineError(await cli(o, 'onevm', ['disk-snapshot-delete', 'dsnap-vm', '0', '0']), /snapshot 0 is the active one/);
    oneLineError(await cli(o, 'onevm', ['disk-snapshot-create', 'dsnap-vm', '1', 'x']), /disk 1 is volatile/);
    oneLineError(await cli(o, 'onevm', ['disk-snapshot-revert', 'dsnap-vm', '0', '9']), /snapshot 9 does not exist/);
    oneLineError(await cli(o, 'onevm', ['disk-snapshot-revert', 'dsnap-vm', 'x', '0']), /DISKID/);
    assert.deepEqual(await snaps(o, id), ['0/0:base*', '0/1:later']);

    // The persistent image gets them when the VM is gone; oneimage works on them.
    await cliOk(o, 'onevm', ['terminate', '--hard', String(id)]);
    await imageReady(o, img);
    const imgShown = await cliOk(o, 'oneimage', ['show', String(img)]);
    const imgLines = imgShown.slice(imgShown.indexOf('IMAGE SNAPSHOTS')).split('\n');
    assert.match(imgLines[1]!, /AC\s+ID\s+PARENT\s+DATE\s+SIZE\s+NAME/);
    assert.match(imgLines[2]!, /^=>\s+0\s+-1\s+.*base\s*$/);
    oneLineError(await cli(o, 'oneimage', ['snapshot-delete', String(img), '0']), /snapshot 0 is the active one/);
    await cliOk(o, 'oneimage', ['snapshot-delete', String(img), '1']);
    await imageReady(o, img);
    await cliOk(o, 'oneimage', ['snapshot-revert', String(img), '0']);
    await imageReady(o, img);
    await cliOk(o, 'oneimage', ['snapshot-flatten', String(img), '0']);
    await imageReady(o, img);
    assert.doesNotMatch(await cliOk(o, 'oneimage', ['show', String(img)]), /IMAGE SNAPSHOTS/);
  });
});
