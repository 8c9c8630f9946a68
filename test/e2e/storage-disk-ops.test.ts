/**
 * disk-resize and disk-saveas through oned with the real qcow2 transfer driver on local files
 * (the front-end is the host; the VMM is the dummy one): the VM's overlay really grows (qemu-img
 * reads the new virtual size), the saved image is a real qcow2 file with what the VM wrote, and
 * a new VM made from it reads it; a CPDS that fails leaves the image in ERROR and the VM as it was.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { childInt, childText, type XmlNode } from '../../src/common/xml-tree.js';
import type { Oned } from './harness.js';
import { all, must, okId, okXml, onFeatureBackends } from './api-helpers.js';

const HAS_QEMU = spawnSync('qemu-img', ['--version']).status === 0 && spawnSync('qemu-io', ['--version']).status === 0;

async function until(oned: Oned, method: string, id: number, ok: (x: XmlNode) => boolean): Promise<XmlNode> {
  for (let i = 0; i < 300; i++) {
    const x = await okXml(oned, method, [id]);
    if (ok(x)) return x;
    await new Promise((r) => setTimeout(r, 50));
  }
  const x = await okXml(oned, method, [id]);
  assert.fail(`${method} ${id}: not there yet (state ${childInt(x, 'STATE')}/${childInt(x, 'LCM_STATE')})`);
}

const vmIn = (state: number, lcm = 0) => (v: XmlNode) => childInt(v, 'STATE') === state && childInt(v, 'LCM_STATE') === lcm;
const imageIn = (state: number) => (i: XmlNode) => childInt(i, 'STATE') === state;
const virtualSize = (file: string) => (JSON.parse(execFileSync('qemu-img', ['info', '-U', '--output=json', file], { encoding: 'utf8' })) as Record<string, number>)['virtual-size'];
const io = (file: string, cmd: string) => spawnSync('qemu-io', ['-f', 'qcow2', '-c', cmd, file], { encoding: 'utf8' });
const reads = (file: string, cmd: string) => {
  const r = io(file, cmd);
  return r.status === 0 && !/fail/i.test(r.stdout + r.stderr);
};

let dir = '';
before(() => {
  dir = mkdtempSync(join('/var/tmp', 'nebula-disk-ops-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

onFeatureBackends('disk-resize and disk-saveas on real qcow2 files', (get) => {
  test('the overlay grows, the saved image holds what the VM wrote and boots a new VM; a failed copy leaves the image in ERROR', { skip: HAS_QEMU ? false : 'needs qemu-img and qemu-io' }, async () => {
    const o = get();
    const host = await okId(o, 'one.host.allocate', [hostname(), 'dummy', 'dummy', -1]);
    const ds = await okId(o, 'one.datastore.allocate', ['NAME = "img-q"\nDS_MAD = "fs"\nTM_MAD = "qcow2"', -1]);
    const sys = await okId(o, 'one.datastore.allocate', ['NAME = "sys-q"\nTYPE = "SYSTEM_DS"\nTM_MAD = "qcow2"', -1]);
    const file = join(dir, 'base.qcow2');
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', file, '8M']);
    assert.ok(reads(file, 'write -P 0x11 0 64k'));
    const img = await okId(o, 'one.image.allocate', [`NAME = "base-q"\nPATH = "${file}"\nTYPE = "OS"`, ds]);
    const ready = await until(o, 'one.image.info', img, imageIn(1));
    assert.equal(childInt(ready, 'SIZE'), 8, 'a qcow2 image\'s SIZE is the size of its disk (virtual), not of its file');
    const vm = await okId(o, 'one.vm.allocate', [`CPU = 1\nMEMORY = 64\nDISK = [ IMAGE_ID = ${img} ]\nDISK = [ TYPE = fs, SIZE = 2, FORMAT = qcow2 ]`]);
    await okId(o, 'one.vm.deploy', [vm, host, false, sys]);
    await until(o, 'one.vm.info', vm, vmIn(3, 3));
    const vmDir = join(childText(await okXml(o, 'one.datastore.info', [sys]), 'BASE_PATH'), String(vm));
    const disk0 = join(vmDir, 'disk.0');
    assert.ok(reads(disk0, 'write -P 0x22 64k 64k'), 'the VM writes into its overlay');
    await okId(o, 'one.vm.action', ['poweroff-hard', vm]);
    await until(o, 'one.vm.info', vm, vmIn(8));

    // disk-resize of a powered-off VM: the TM RESIZE grows the qcow2 overlay.
    const size = Number(childText(all(must(await okXml(o, 'one.vm.info', [vm]), 'TEMPLATE'), 'DISK')[0]!, 'SIZE'));
    await okId(o, 'one.vm.diskresize', [vm, 0, String(size + 24)]);
    await until(o, 'one.vm.info', vm, vmIn(8));
    assert.equal(virtualSize(disk0), (size + 24) * 1024 * 1024, 'qemu-img reads the new size');
    assert.ok(reads(disk0, 'read -P 0x22 64k 64k'), 'what the VM wrote stays');

    // disk-saveas: a real qcow2 file with the image and what the VM wrote, flattened.
    const saved = await okId(o, 'one.vm.disksaveas', [vm, 0, 'saved-q', '', -1]);
    const si = await until(o, 'one.image.info', saved, imageIn(1));
    const source = childText(si, 'SOURCE');
    await until(o, 'one.vm.info', vm, vmIn(8));
    assert.ok(reads(source, 'read -P 0x11 0 64k') && reads(source, 'read -P 0x22 64k 64k'), 'the saved image holds the base and what the VM wrote');
    assert.equal(virtualSize(source), (size + 24) * 1024 * 1024, 'at the disk\'s new size');

    const copy = await okId(o, 'one.vm.allocate', [`CPU = 1\nMEMORY = 64\nDISK = [ IMAGE_ID = ${saved} ]`]);
    await okId(o, 'one.vm.deploy', [copy, host, false, sys]);
    await until(o, 'one.vm.info', copy, vmIn(3, 3));
    const copyDisk = join(childText(await okXml(o, 'one.datastore.info', [sys]), 'BASE_PATH'), String(copy), 'disk.0');
    assert.ok(reads(copyDisk, 'read -P 0x22 64k 64k'), 'the new VM reads the saved content');

    // A copy that fails (the disk file is gone): the image ERROR with the reason, the VM back in POWEROFF.
    unlinkSync(disk0);
    const broken = await okId(o, 'one.vm.disksaveas', [vm, 0, 'broken-q', '', -1]);
    const bi = await until(o, 'one.image.info', broken, imageIn(5));
    assert.match(childText(must(bi, 'TEMPLATE'), 'ERROR'), /Cannot save the disk of VM \d+/);
    const v = await until(o, 'one.vm.info', vm, vmIn(8));
    assert.match(childText(must(v, 'USER_TEMPLATE'), 'ERROR'), /Error in HOTPLUG_SAVEAS_POWEROFF/);
    for (const id of [vm, copy]) await okId(o, 'one.vm.action', ['terminate-hard', id]);
  });
});
