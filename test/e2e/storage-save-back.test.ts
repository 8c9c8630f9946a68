/**
 * Persistent images through oned with the real transfer drivers (run on the front-end, which is
 * the host here): the VM's disk is the image linked (shared, qcow2) or a copy of it (ssh), and
 * terminate saves what the VM wrote back into the image (MVDS) before the VM directory goes.
 */
import { existsSync, lstatSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { childInt, childText, type XmlNode } from '../../src/common/xml-tree.js';
import type { Oned } from './harness.js';
import { must, okId, okXml, onFeatureBackends } from './api-helpers.js';

const RUNNING = [3, 3];
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

let dir = '';
before(() => {
  dir = mkdtempSync(join('/var/tmp', 'nebula-save-back-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

onFeatureBackends('persistent images saved back', (get) => {
  let host = -1;
  before(async () => {
    host = await okId(get(), 'one.host.allocate', [hostname(), 'dummy', 'dummy', -1]);
  });

  for (const tm of ['shared', 'ssh', 'qcow2']) {
    test(`${tm}: terminate saves what the VM wrote into its persistent image, then removes the VM directory`, async () => {
      const o = get();
      const ds = await okId(o, 'one.datastore.allocate', [`NAME = "img-${tm}"\nDS_MAD = "fs"\nTM_MAD = "${tm}"`, -1]);
      const sys = await okId(o, 'one.datastore.allocate', [`NAME = "sys-${tm}"\nTYPE = "SYSTEM_DS"\nTM_MAD = "${tm}"`, -1]);
      const file = join(dir, `${tm}.img`);
      writeFileSync(file, 'as registered');
      const img = await okId(o, 'one.image.allocate', [`NAME = "pers-${tm}"\nPATH = "${file}"\nPERSISTENT = "YES"`, ds]);
      const source = childText(await until(o, 'one.image.info', img, (i) => childInt(i, 'STATE') === 1), 'SOURCE');
      const vm = await okId(o, 'one.vm.allocate', [`CPU = 1\nMEMORY = 64\nDISK = [ IMAGE_ID = ${img} ]`]);
      await okId(o, 'one.vm.deploy', [vm, host, false, sys]);
      await until(o, 'one.vm.info', vm, inState(RUNNING));
      const vmDir = join(childText(await okXml(o, 'one.datastore.info', [sys]), 'BASE_PATH'), String(vm));
      const disk = join(vmDir, 'disk.0');
      assert.equal(lstatSync(disk).isSymbolicLink(), tm !== 'ssh', tm === 'ssh' ? 'ssh copies the image' : 'the image is linked');
      writeFileSync(disk, 'written by the VM');
      if (tm === 'ssh') assert.equal(readFileSync(source, 'utf8'), 'as registered', 'the image waits for the save-back');

      await okId(o, 'one.vm.action', ['terminate', vm]);
      await until(o, 'one.vm.info', vm, inState(DONE));
      const epilog = readFileSync(join(o.location, 'var', 'vms', String(vm), 'transfer.0.epilog'), 'utf8');
      assert.equal(epilog, `MVDS ${tm} ${hostname()}:${disk} ${source} ${vm} ${ds}\nDELETE ${tm} ${hostname()}:${vmDir} ${vm} ${sys}\n`);
      assert.equal(readFileSync(source, 'utf8'), 'written by the VM');
      assert.equal(existsSync(vmDir), false);
      await until(o, 'one.image.info', img, (i) => childInt(i, 'STATE') === 1);
    });
  }
});
