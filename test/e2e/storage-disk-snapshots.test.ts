/**
 * Disk snapshots through oned with the REAL transfer and datastore drivers on local files (fs
 * datastores, the front-end is the host, dummy VMM): qcow2 internal snapshots of a cloned disk
 * and of a persistent image, the disk content checked with qemu-io after revert; the persistent
 * image keeps its snapshots after terminate and oneimage's snapshot-revert / snapshot-flatten work
 * on the file; a raw disk on the shared driver is refused by the driver and the VM is back in
 * POWEROFF with nothing recorded.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { childInt, childText, type XmlNode } from '../../src/common/xml-tree.js';
import type { Oned } from './harness.js';
import { all, must, okId, okXml, onFeatureBackends } from './api-helpers.js';

const HAS_QEMU = spawnSync('qemu-img', ['--version']).status === 0 && spawnSync('qemu-io', ['--version']).status === 0;
const RUNNING = [3, 3];
const POWEROFF = [8, 0];
const DONE = [6, 0];

async function until(oned: Oned, method: string, id: number, ok: (x: XmlNode) => boolean): Promise<XmlNode> {
  for (let i = 0; i < 300; i++) {
    const x = await okXml(oned, method, [id]);
    if (ok(x)) return x;
    await new Promise((r) => setTimeout(r, 100));
  }
  const x = await okXml(oned, method, [id]);
  assert.fail(`${method} ${id}: not there yet (state ${childInt(x, 'STATE')}/${childInt(x, 'LCM_STATE')}, ${childText(must(x, x.name === 'VM' ? 'USER_TEMPLATE' : 'TEMPLATE'), 'ERROR')})`);
}

const inState = (s: number[]) => (v: XmlNode) => childInt(v, 'STATE') === s[0] && (s[0] !== 3 || childInt(v, 'LCM_STATE') === s[1]);
const ready = (i: XmlNode) => childInt(i, 'STATE') === 1;

/** Whether qemu-io reads/writes as asked (`read -P 0x11 0 64k` fails on other bytes). */
function io(file: string, command: string, format = 'qcow2'): boolean {
  const r = spawnSync('qemu-io', ['-f', format, '-c', command, file], { encoding: 'utf8' });
  return r.status === 0 && !/failed/i.test(r.stdout + r.stderr);
}

function tags(file: string): string[] {
  return execFileSync('qemu-img', ['snapshot', '-l', file], { encoding: 'utf8' }).split('\n').map((l) => l.trim().split(/\s+/)[1] ?? '').filter((t) => t.startsWith('snap-'));
}

let dir = '';
before(() => {
  dir = mkdtempSync(join('/var/tmp', 'nebula-disk-snap-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

onFeatureBackends('disk snapshots with the real qcow2 driver', (get) => {
  let host = -1;
  let ds = -1;
  let sys = -1;
  before(async () => {
    if (!HAS_QEMU) return;
    const o = get();
    host = await okId(o, 'one.host.allocate', [hostname(), 'dummy', 'dummy', -1]);
    ds = await okId(o, 'one.datastore.allocate', ['NAME = "img-qcow2"\nDS_MAD = "fs"\nTM_MAD = "qcow2"', -1]);
    sys = await okId(o, 'one.datastore.allocate', ['NAME = "sys-qcow2"\nTYPE = "SYSTEM_DS"\nTM_MAD = "qcow2"', -1]);
  });

  const image = async (o: Oned, name: string, persistent: boolean): Promise<{ id: number; source: string }> => {
    const file = join(dir, `${name}.qcow2`);
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', file, '4M']);
    assert.ok(io(file, 'write -P 0x11 0 64k'));
    const id = await okId(o, 'one.image.allocate', [`NAME = "${name}"\nPATH = "${file}"\nTYPE = DATABLOCK${persistent ? '\nPERSISTENT = "YES"' : ''}`, ds]);
    return { id, source: childText(await until(o, 'one.image.info', id, ready), 'SOURCE') };
  };

  test('a cloned disk and a persistent one: snapshot, change, revert brings the content back; delete', { skip: HAS_QEMU ? false : 'needs qemu-img and qemu-io' }, async () => {
    const o = get();
    const os = await image(o, 'snap-os', false);
    const pers = await image(o, 'snap-pers', true);
    const vm = await okId(o, 'one.vm.allocate', [`CPU = 1\nMEMORY = 64\nDISK = [ IMAGE_ID = ${os.id} ]\nDISK = [ IMAGE_ID = ${pers.id} ]`]);
    await okId(o, 'one.vm.deploy', [vm, host, false, sys]);
    await until(o, 'one.vm.info', vm, inState(RUNNING));
    await okId(o, 'one.vm.action', ['poweroff', vm]);
    await until(o, 'one.vm.info', vm, inState(POWEROFF));
    const vmDir = join(childText(await okXml(o, 'one.datastore.info', [sys]), 'BASE_PATH'), String(vm));
    const [d0, d1] = [join(vmDir, 'disk.0'), join(vmDir, 'disk.1')];

    for (const [diskId, file] of [[0, d0], [1, d1]] as const) {
      assert.equal(await okId(o, 'one.vm.disksnapshotcreate', [vm, diskId, 'clean']), 0);
      await until(o, 'one.vm.info', vm, inState(POWEROFF));
      assert.deepEqual(tags(file), ['snap-0'], `disk ${diskId} has the internal snapshot`);
      assert.ok(io(file, 'write -P 0x22 0 64k'), 'the guest changes the disk');
      assert.equal(await okId(o, 'one.vm.disksnapshotrevert', [vm, diskId, 0]), vm);
      await until(o, 'one.vm.info', vm, inState(POWEROFF));
      assert.ok(io(file, 'read -P 0x11 0 64k'), `disk ${diskId}: the content of the snapshot is back`);
    }
    const line = readFileSync(join(o.location, 'var', 'vms', String(vm), 'transfer.0.disk_snapshot'), 'utf8');
    assert.equal(line, `SNAP_REVERT qcow2 ${hostname()}:${d1} 0 ${vm} ${ds}\n`);
    assert.deepEqual(tags(pers.source), ['snap-0'], 'a persistent disk keeps its snapshots in the image file');

    // Second snapshot on the cloned disk, back to 0, delete 1.
    await okId(o, 'one.vm.disksnapshotcreate', [vm, 0, 'second']);
    await until(o, 'one.vm.info', vm, inState(POWEROFF));
    await okId(o, 'one.vm.disksnapshotrevert', [vm, 0, 0]);
    await until(o, 'one.vm.info', vm, inState(POWEROFF));
    await okId(o, 'one.vm.disksnapshotdelete', [vm, 0, 1]);
    await until(o, 'one.vm.info', vm, inState(POWEROFF));
    assert.deepEqual(tags(d0), ['snap-0']);

    // disk-saveas of snapshot 0 saves the disk as it was then, not as it is now.
    assert.ok(io(d0, 'write -P 0x44 0 64k'), 'the guest changes the disk again');
    const saved = await okId(o, 'one.vm.disksaveas', [vm, 0, 'from-snap-0', '', 0]);
    await until(o, 'one.vm.info', vm, inState(POWEROFF));
    const savedImg = await until(o, 'one.image.info', saved, ready);
    assert.ok(io(childText(savedImg, 'SOURCE'), 'read -P 0x11 0 64k'), 'the saved image holds the snapshot\'s content');
    assert.ok(io(d0, 'read -P 0x44 0 64k'), 'the disk itself is unchanged');

    // Terminate: the persistent image keeps snapshot 0; the image file is changed, then reverted and flattened.
    await okId(o, 'one.vm.action', ['terminate-hard', vm]);
    await until(o, 'one.vm.info', vm, inState(DONE));
    let img = await until(o, 'one.image.info', pers.id, ready);
    assert.deepEqual(all(must(img, 'SNAPSHOTS'), 'SNAPSHOT').map((s) => childText(s, 'NAME')), ['clean']);
    assert.ok(io(pers.source, 'write -P 0x33 0 64k'));
    await okId(o, 'one.image.snapshotrevert', [pers.id, 0]);
    img = await until(o, 'one.image.info', pers.id, ready);
    assert.ok(io(pers.source, 'read -P 0x11 0 64k'), 'oneimage snapshot-revert brought the content back');
    await okId(o, 'one.image.snapshotflatten', [pers.id, 0]);
    img = await until(o, 'one.image.info', pers.id, ready);
    assert.equal(all(must(img, 'SNAPSHOTS'), 'SNAPSHOT').length, 0);
    assert.deepEqual(tags(pers.source), []);
    assert.ok(io(pers.source, 'read -P 0x11 0 64k'));
  });

  test('a raw disk on the shared driver: the driver refuses, the VM is back in POWEROFF with no snapshot', { skip: HAS_QEMU ? false : 'needs qemu-img' }, async () => {
    const o = get();
    const rawDs = await okId(o, 'one.datastore.allocate', ['NAME = "img-shared"\nDS_MAD = "fs"\nTM_MAD = "shared"', -1]);
    const rawSys = await okId(o, 'one.datastore.allocate', ['NAME = "sys-shared"\nTYPE = "SYSTEM_DS"\nTM_MAD = "shared"', -1]);
    const file = join(dir, 'raw.img');
    execFileSync('qemu-img', ['create', '-q', '-f', 'raw', file, '1M']);
    const id = await okId(o, 'one.image.allocate', [`NAME = "raw"\nPATH = "${file}"\nTYPE = DATABLOCK`, rawDs]);
    await until(o, 'one.image.info', id, ready);
    const vm = await okId(o, 'one.vm.allocate', [`CPU = 1\nMEMORY = 64\nDISK = [ IMAGE_ID = ${id} ]`]);
    await okId(o, 'one.vm.deploy', [vm, host, false, rawSys]);
    await until(o, 'one.vm.info', vm, inState(RUNNING));
    await okId(o, 'one.vm.action', ['poweroff', vm]);
    await until(o, 'one.vm.info', vm, inState(POWEROFF));
    await okId(o, 'one.vm.disksnapshotcreate', [vm, 0, 'nope']);
    const v = await until(o, 'one.vm.info', vm, (x) => inState(POWEROFF)(x) && childText(must(x, 'USER_TEMPLATE'), 'ERROR') !== '');
    assert.match(childText(must(v, 'USER_TEMPLATE'), 'ERROR'), /Disk snapshots are not supported for raw disks/);
    assert.equal(all(v, 'SNAPSHOTS').length, 0);
    const log = readFileSync(join(o.location, 'var', 'vms', String(vm), 'vm.log'), 'utf8');
    assert.match(log, /Error in DISK_SNAPSHOT_POWEROFF: .*not supported for raw disks/);
    await okId(o, 'one.vm.action', ['terminate-hard', vm]);
  });
});
