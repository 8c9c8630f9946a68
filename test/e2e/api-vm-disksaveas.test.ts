/**
 * `one.vm.disksaveas` end to end on dummy drivers: a new image at once in the disk's image
 * datastore, filled by the TM CPDS while the VM is HOTPLUG_SAVEAS (RUNNING), _POWEROFF or
 * _SUSPENDED, READY after with the VM back where it was, and usable by a new VM at once; bad
 * input (volatile disk, name taken, unknown disk, unknown type, a snapshot the disk lacks,
 * wrong state) makes no image and leaves the VM as it was.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { childInt, childText, type XmlNode } from '../../src/common/xml-tree.js';
import type { Oned } from './harness.js';
import { all, Code, idsIn, must, okId, okXml, onFeatureBackends, refused, templateOf, waitFor } from './api-helpers.js';

const S = { ACTIVE: 3, SUSPENDED: 5, POWEROFF: 8, DONE: 6 };
const RUNNING = 3;
const IMG = { READY: 1, LOCKED: 4 };

async function imageState(o: Oned, id: number, want: number, ms = 8000): Promise<XmlNode> {
  const until = Date.now() + ms;
  let img: XmlNode;
  do {
    img = await okXml(o, 'one.image.info', [id]);
    if (childInt(img, 'STATE') === want) return img;
    await new Promise((r) => setTimeout(r, 25));
  } while (Date.now() < until);
  assert.fail(`image ${id} should be in state ${want}, is ${childInt(img, 'STATE')}`);
}

onFeatureBackends('one.vm.disksaveas', (oned) => {
  let host = -1;
  let ds = -1;
  let os = -1;

  test('setup: dummy datastores, an OS image, a host', async () => {
    const o = oned();
    await okId(o, 'one.datastore.update', [0, 'TM_MAD = "dummy"', 1]);
    ds = await okId(o, 'one.datastore.allocate', ['NAME = "saveas-img"\nDS_MAD = "dummy"\nTM_MAD = "dummy"', -1]);
    os = await okId(o, 'one.image.allocate', ['NAME = "saveas-os"\nPATH = "/nowhere/os.img"\nTYPE = "OS"\nDEV_PREFIX = "vd"', ds]);
    await imageState(o, os, IMG.READY);
    host = await okId(o, 'one.host.allocate', ['saveas-host', 'dummy', 'dummy', -1]);
  });

  test('RUNNING: HOTPLUG_SAVEAS, the CPDS line, the image READY in the disk\'s datastore; a new VM boots from it at once', async () => {
    const o = oned();
    const id = await okId(o, 'one.vm.allocate', [`CPU = 1\nMEMORY = 64\nDISK = [ IMAGE_ID = ${os} ]`]);
    await okId(o, 'one.vm.deploy', [id, host]);
    await waitFor(o, id, S.ACTIVE, RUNNING);
    const saved = await okId(o, 'one.vm.disksaveas', [id, 0, 'golden', '', -1]);
    const img = await okXml(o, 'one.image.info', [saved]);
    assert.ok([IMG.LOCKED, IMG.READY].includes(childInt(img, 'STATE')), 'made at once, LOCKED until the copy is done');
    assert.equal(childText(img, 'DATASTORE_ID'), String(ds));
    assert.equal(childText(img, 'TYPE'), '0', 'the type of the disk\'s image');
    assert.deepEqual([templateOf(img).SAVED_VM_ID, templateOf(img).SAVED_DISK_ID, templateOf(img).SAVED_IMAGE_ID, templateOf(img).DEV_PREFIX], [String(id), '0', String(os), 'vd']);
    const source = childText(img, 'SOURCE');
    assert.notEqual(source, '');
    await imageState(o, saved, IMG.READY);
    const v = await waitFor(o, id, S.ACTIVE, RUNNING);
    const d0 = all(must(v, 'TEMPLATE'), 'DISK')[0]!;
    assert.equal(childText(d0, 'HOTPLUG_SAVE_AS'), '', 'the marks are gone');
    assert.equal(childText(all(must(v, 'HISTORY_RECORDS'), 'HISTORY').at(-1)!, 'ACTION'), '40', 'history ACTION disk-saveas');
    const dir = join(o.location, 'var', 'vms', String(id));
    const lines = readdirSync(dir).filter((f) => f.endsWith('.disk_saveas')).map((f) => readFileSync(join(dir, f), 'utf8')).join('');
    assert.match(lines, new RegExp(`^CPDS dummy saveas-host:\\S+/${id}/disk\\.0 ${source.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} -1 ${id} ${ds}\\n$`));
    assert.match(readFileSync(join(dir, 'vm.log'), 'utf8'), /New LCM state is HOTPLUG_SAVEAS\b/);

    const copy = await okId(o, 'one.vm.allocate', [`CPU = 1\nMEMORY = 64\nDISK = [ IMAGE_ID = ${saved} ]`]);
    await okId(o, 'one.vm.deploy', [copy, host]);
    const c = await waitFor(o, copy, S.ACTIVE, RUNNING);
    assert.equal(childText(all(must(c, 'TEMPLATE'), 'DISK')[0]!, 'SOURCE'), source);
    for (const vm of [id, copy]) await okId(o, 'one.vm.action', ['terminate-hard', vm]);
  });

  test('POWEROFF and SUSPENDED: HOTPLUG_SAVEAS_POWEROFF / _SUSPENDED, back to where the VM was', async () => {
    const o = oned();
    const id = await okId(o, 'one.vm.allocate', [`CPU = 1\nMEMORY = 64\nDISK = [ IMAGE_ID = ${os} ]`]);
    await okId(o, 'one.vm.deploy', [id, host]);
    await waitFor(o, id, S.ACTIVE, RUNNING);
    await okId(o, 'one.vm.action', ['poweroff-hard', id]);
    await waitFor(o, id, S.POWEROFF);
    const a = await okId(o, 'one.vm.disksaveas', [id, 0, 'from-poweroff', 'DATABLOCK', -1]);
    assert.equal(childText(await imageState(o, a, IMG.READY), 'TYPE'), '2', 'the type asked');
    await waitFor(o, id, S.POWEROFF);
    assert.match(readFileSync(join(o.location, 'var', 'vms', String(id), 'vm.log'), 'utf8'), /New LCM state is HOTPLUG_SAVEAS_POWEROFF/);

    await okId(o, 'one.vm.action', ['resume', id]);
    await waitFor(o, id, S.ACTIVE, RUNNING);
    await okId(o, 'one.vm.action', ['suspend', id]);
    await waitFor(o, id, S.SUSPENDED);
    const b = await okId(o, 'one.vm.disksaveas', [id, 0, 'from-suspended', '']);
    await imageState(o, b, IMG.READY);
    await waitFor(o, id, S.SUSPENDED);
    assert.match(readFileSync(join(o.location, 'var', 'vms', String(id), 'vm.log'), 'utf8'), /New LCM state is HOTPLUG_SAVEAS_SUSPENDED/);
    await okId(o, 'one.vm.action', ['terminate-hard', id]);
  });

  test('bad input: volatile disk, name taken, unknown disk, unknown type, a snapshot the disk lacks, wrong state; no image, VM unchanged', async () => {
    const o = oned();
    const id = await okId(o, 'one.vm.allocate', [`CPU = 1\nMEMORY = 64\nDISK = [ IMAGE_ID = ${os} ]\nDISK = [ TYPE = fs, SIZE = 8 ]`]);
    await refused(o, 'one.vm.disksaveas', [id, 0, 'early', '', -1], Code.ACTION, /"disk-saveas": This action is not available for state PENDING/);
    await okId(o, 'one.vm.deploy', [id, host]);
    const before = await waitFor(o, id, S.ACTIVE, RUNNING);
    const images = idsIn(await okXml(o, 'one.imagepool.info', [-2, -1, -1]), 'IMAGE');
    await refused(o, 'one.vm.disksaveas', [id, 1, 'vol', '', -1], Code.ACTION, /Cannot save DISK 1 of VM \d+: it is volatile \(no image\)/);
    await refused(o, 'one.vm.disksaveas', [id, 7, 'none', '', -1], Code.ACTION, /VM disk does not exist: VM \d+ has no DISK with DISK_ID 7/);
    await refused(o, 'one.vm.disksaveas', [id, 0, 'saveas-os', '', -1], Code.ALLOCATE, /NAME is already taken/);
    await refused(o, 'one.vm.disksaveas', [id, 0, 'bad-type', 'FLOPPY', -1], Code.XML_RPC_API, /Unknown image type "FLOPPY"/);
    await refused(o, 'one.vm.disksaveas', [id, 0, 'snap', '', 3], Code.ACTION, /Cannot save DISK 0 of VM \d+: it has no snapshot 3/);
    await refused(o, 'one.vm.disksaveas', [4242, 0, 'x', '', -1], Code.NO_EXISTS, /4242/);
    assert.deepEqual(idsIn(await okXml(o, 'one.imagepool.info', [-2, -1, -1]), 'IMAGE'), images, 'no image made');
    const after = await okXml(o, 'one.vm.info', [id]);
    assert.equal(childInt(after, 'LCM_STATE'), RUNNING);
    assert.deepEqual(templateOf(after), templateOf(before));
    await okId(o, 'one.vm.action', ['terminate-hard', id]);
  });
});
