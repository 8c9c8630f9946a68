/**
 * onevntemplate run as an admin would, against a real oned: create, list, show, update, clone,
 * rename, chmod, chgrp, lock / unlock, instantiate (with an extra template file and --name),
 * delete and one-line errors; and onevnet's recover, rename, lock and unlock.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { childInt, childText } from '../../src/common/xml-tree.js';
import { okXml, onFeatureBackends, templateOf } from './api-helpers.js';
import { cli, cliOk, rows } from './cli-helpers.js';
import type { Oned } from './harness.js';

function file(o: Oned, name: string, text: string): string {
  const path = join(o.location, name);
  writeFileSync(path, text);
  return path;
}

const createdId = (out: string, label = 'ID') => Number(new RegExp(`^${label}: (\\d+)$`, 'm').exec(out)?.[1] ?? NaN);

onFeatureBackends('onevntemplate and onevnet on the command line', (oned) => {
  test('onevntemplate: create, list, show, update, clone, rename, chmod, chgrp, lock, instantiate, delete', async () => {
    const o = oned();
    const tmpl = file(o, 'lab.tmpl', 'NAME = "lab"\nVN_MAD = "bridge"\nBRIDGE = "br0"\nAR = [ TYPE = "IP4", IP = "10.4.0.1", SIZE = "8" ]\n');
    const id = createdId(await cliOk(o, 'onevntemplate', ['create', tmpl]));
    assert.ok(id >= 0);
    const list = rows(await cliOk(o, 'onevntemplate', ['list']));
    assert.deepEqual(list[0], ['ID', 'USER', 'GROUP', 'NAME', 'REGTIME']);
    assert.ok(list.some((r) => r[0] === String(id) && r[3] === 'lab'));
    const shown = await cliOk(o, 'onevntemplate', ['show', 'lab']);
    assert.match(shown, /VN_MAD\s*=\s*"bridge"/);
    await cliOk(o, 'onevntemplate', ['update', 'lab', file(o, 'dns.tmpl', 'DNS = "10.4.0.254"\n'), '--append']);
    assert.equal(templateOf(await okXml(o, 'one.vntemplate.info', [id]))['DNS'], '10.4.0.254');
    const copy = createdId(await cliOk(o, 'onevntemplate', ['clone', 'lab', 'lab-copy']));
    await cliOk(o, 'onevntemplate', ['rename', String(copy), 'lab-spare']);
    await cliOk(o, 'onevntemplate', ['chmod', 'lab-spare', '640']);
    await cliOk(o, 'onevntemplate', ['chgrp', 'lab-spare', 'users']);
    const c = await okXml(o, 'one.vntemplate.info', [copy]);
    assert.equal(childText(c, 'NAME'), 'lab-spare');
    assert.equal(childInt(c, 'GID'), 1);
    await cliOk(o, 'onevntemplate', ['lock', 'lab-spare']);
    const locked = await cli(o, 'onevntemplate', ['delete', 'lab-spare']);
    assert.notEqual(locked.code, 0);
    assert.match(locked.stderr, /locked/);
    await cliOk(o, 'onevntemplate', ['unlock', 'lab-spare']);
    await cliOk(o, 'onevntemplate', ['delete', 'lab-spare']);
    const ar = file(o, 'ar.tmpl', 'AR = [ TYPE = "IP4", IP = "10.5.0.1", SIZE = "4" ]\n');
    const vn = createdId(await cliOk(o, 'onevntemplate', ['instantiate', 'lab', ar, '--name', 'lab-net']), 'VN ID');
    const v = await okXml(o, 'one.vn.info', [vn]);
    assert.equal(childText(v, 'NAME'), 'lab-net');
    assert.equal(childText(v, 'TEMPLATE_ID'), String(id));
    const bad = await cli(o, 'onevntemplate', ['instantiate', 'lab', file(o, 'bad.tmpl', 'AR = [ TYPE = "IP4", IP = "10.6.0.1", SIZE = "none" ]\n')]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /SIZE/);
    assert.equal(bad.stderr.trim().split('\n').length, 1, 'a one-line error');
  });

  test('onevnet: recover, rename, lock and unlock', async () => {
    const o = oned();
    const broken = file(o, 'broken.tmpl', 'NAME = "broken"\nVN_MAD = "bridge"\nBRIDGE = "br0"\nAR = [ TYPE = "IP4", IP = "10.7.0.1", SIZE = "x" ]\n');
    const id = createdId(await cliOk(o, 'onevnet', ['create', broken]));
    assert.equal(childInt(await okXml(o, 'one.vn.info', [id]), 'STATE'), 5);
    await cliOk(o, 'onevnet', ['recover', 'broken', '--success']);
    assert.equal(childInt(await okXml(o, 'one.vn.info', [id]), 'STATE'), 1);
    await cliOk(o, 'onevnet', ['rename', 'broken', 'mended']);
    await cliOk(o, 'onevnet', ['lock', 'mended']);
    const r = await cli(o, 'onevnet', ['rename', 'mended', 'again']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /locked/);
    await cliOk(o, 'onevnet', ['unlock', 'mended']);
    // A READY network is deleted with `delete`, not recovered (as 7.4).
    const refusedRecover = await cli(o, 'onevnet', ['recover', 'mended', '--delete']);
    assert.notEqual(refusedRecover.code, 0);
    assert.match(refusedRecover.stderr, /wrong state READY/);
    assert.equal(childText(await okXml(o, 'one.vn.info', [id]), 'NAME'), 'mended');
  });
});
