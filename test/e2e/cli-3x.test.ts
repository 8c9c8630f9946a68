/** The 3.x CLI commands served on today's oned: publish / unpublish and onevnet addleases / rmleases. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { childText } from '../../src/common/xml-tree.js';
import { all, must, okId, okXml, onFeatureBackends, permissionsOf } from './api-helpers.js';
import { cli, cliOk } from './cli-helpers.js';

onFeatureBackends('3.x commands on the command line', (oned) => {
  test('onetemplate / oneimage / onevnet publish and unpublish', async () => {
    const o = oned();
    const tid = await okId(o, 'one.template.allocate', ['NAME = "cli-pub"\nCPU = 1\nMEMORY = 64']);
    await cliOk(o, 'onetemplate', ['publish', String(tid)]);
    assert.equal(permissionsOf(await okXml(o, 'one.template.info', [tid])), '110100100');
    await cliOk(o, 'onetemplate', ['unpublish', 'cli-pub']);
    assert.equal(permissionsOf(await okXml(o, 'one.template.info', [tid])), '110000000');
    const vn = await okId(o, 'one.vn.allocate', ['NAME = "cli-fixed"\nTYPE = FIXED\nBRIDGE = br0\nLEASES = [ IP = 10.6.0.1 ]', -1]);
    await cliOk(o, 'onevnet', ['publish', 'cli-fixed']);
    assert.equal(permissionsOf(await okXml(o, 'one.vn.info', [vn])), '110100100');
    const ds = await okId(o, 'one.datastore.allocate', ['NAME = "cli-img"\nDS_MAD = "dummy"\nTM_MAD = "dummy"', -1]);
    const img = await okId(o, 'one.image.allocate', ['NAME = "cli-i"\nTYPE = DATABLOCK\nSIZE = 1', ds]);
    await cliOk(o, 'oneimage', ['publish', String(img)]);
    assert.equal(permissionsOf(await okXml(o, 'one.image.info', [img])), '110100100');
  });

  test('onevnet addleases / rmleases on a FIXED network; a RANGED one refuses with the reason', async () => {
    const o = oned();
    const vn = await okId(o, 'one.vn.allocate', ['NAME = "cli-fx"\nTYPE = FIXED\nBRIDGE = br0\nLEASES = [ IP = 10.7.0.1 ]', -1]);
    await cliOk(o, 'onevnet', ['addleases', 'cli-fx', '10.7.0.5', '02:00:0a:07:00:55']);
    const ars = () => okXml(o, 'one.vn.info', [vn]).then((v) => all(must(v, 'AR_POOL'), 'AR').map((a) => `${childText(a, 'IP')}/${childText(a, 'MAC')}`));
    assert.deepEqual(await ars(), ['10.7.0.1/02:00:0a:07:00:01', '10.7.0.5/02:00:0a:07:00:55']);
    await cliOk(o, 'onevnet', ['rmleases', String(vn), '10.7.0.1']);
    assert.deepEqual(await ars(), ['10.7.0.5/02:00:0a:07:00:55']);
    await okId(o, 'one.vn.allocate', ['NAME = "cli-rg"\nTYPE = RANGED\nBRIDGE = br0\nNETWORK_ADDRESS = 10.8.0.0\nNETWORK_SIZE = C', -1]);
    const r = await cli(o, 'onevnet', ['addleases', 'cli-rg', '10.8.1.1']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /FIXED networks/);
  });

  test('onevm saveas VM DISK NAME prints the new image id; the image is READY once the VM is done', async () => {
    const o = oned();
    await okId(o, 'one.datastore.update', [0, 'TM_MAD = "dummy"', 1]);
    const host = await okId(o, 'one.host.allocate', ['cli-h', 'dummy', 'dummy', -1]);
    const ds = await okId(o, 'one.datastore.allocate', ['NAME = "cli-save"\nDS_MAD = "dummy"\nTM_MAD = "dummy"', -1]);
    const base = await okId(o, 'one.image.allocate', ['NAME = "cli-base"\nPATH = "/x.img"', ds]);
    const state = async (id: number, want: string) => {
      const until = Date.now() + 5000;
      while (childText(await okXml(o, 'one.image.info', [id]), 'STATE') !== want && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
      return childText(await okXml(o, 'one.image.info', [id]), 'STATE');
    };
    assert.equal(await state(base, '1'), '1');
    const vm = await okId(o, 'one.vm.allocate', [`CPU = 1\nMEMORY = 64\nDISK = [ IMAGE_ID = ${base} ]`]);
    await okId(o, 'one.vm.deploy', [vm, host]);
    const out = await cliOk(o, 'onevm', ['saveas', String(vm), '0', 'cli-golden', '-t', 'DATABLOCK']);
    const m = /^Image ID: (\d+)$/m.exec(out);
    assert.ok(m, out);
    const img = Number(m[1]);
    assert.equal(childText(await okXml(o, 'one.image.info', [img]), 'TYPE'), '2');
    assert.equal(childText(await okXml(o, 'one.image.info', [img]), 'STATE'), '4');
    const bad = await cli(o, 'onevm', ['saveas', String(vm), '0', 'cli-golden']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /already to be saved/);
    const until = Date.now() + 5000;
    while (childText(await okXml(o, 'one.vm.info', [vm]), 'LCM_STATE') !== '3' && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
    await okId(o, 'one.vm.action', ['terminate', vm]);
    assert.equal(await state(img, '1'), '1');
  });
});
