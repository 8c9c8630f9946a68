/**
 * Issue 14's marketplace acceptance on real hosts (test/e2e/real-cloud.ts): the tiny guest's
 * image exported to an http marketplace (its folder published by busybox httpd) with
 * `onemarketapp create`, imported into another datastore with `onemarketapp export` (downloaded
 * over http, MD5 checked), and a VM booted from the imported image on a real host. Needs root;
 * `npm run test:real`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { child, childInt, childText, parseXmlTree } from '../../src/common/xml-tree.js';
import { cliOk } from './cli-helpers.js';
import { WebServer } from './market-fixtures.js';
import { RealCloud, S } from './real-cloud.js';
import { realSkip, type HostSpace } from './real-host-fixture.js';

const SPACE: HostSpace = { dir: '/tmp/onetest-market', net: '10.83.0', bridge: 'onetbr83' };
const skip = RealCloud.unavailable();
const LONG = { timeout: 1_200_000 };
const md5 = (file: string) => createHash('md5').update(readFileSync(file)).digest('hex');

describe('a marketplace app exported from an image and imported into another datastore boots a VM', { skip: realSkip(skip) }, () => {
  let cloud: RealCloud;
  let web: WebServer | undefined;
  let dir = '';

  before(async () => {
    cloud = await RealCloud.make(['mkta', 'mktb'], 0.5, SPACE);
    dir = mkdtempSync(join('/var/tmp', 'onetest-market-www-'));
    web = await WebServer.start(dir);
  }, LONG);
  after(async () => {
    web?.stop();
    await cloud?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('export to an http marketplace, import into a qcow2 datastore, boot a guest from it', LONG, async () => {
    const o = cloud.oned;
    const xml = async (method: string, id: number) => parseXmlTree(String(await o.ok(method, [id])));
    const tmpl = join(dir, 'market.tmpl');
    writeFileSync(tmpl, `NAME = "web"\nMARKET_MAD = "http"\nBASE_URL = "${web!.url}/apps"\nPUBLIC_DIR = "${join(dir, 'apps')}"\n`);
    const market = Number(/ID: (\d+)/.exec(await cliOk(o, 'onemarket', ['create', tmpl]))![1]);
    const app = Number(/ID: (\d+)/.exec(await cliOk(o, 'onemarketapp', ['create', '--market', 'web', '--image', 'tiny', '--name', 'tiny-app', '--version', '1.0']))![1]);
    await cloud.until('the app READY', 120_000, async () => childInt(await xml('one.marketapp.info', app), 'STATE') === 1);
    const original = childText(await xml('one.image.info', 0), 'SOURCE');
    const appXml = await xml('one.marketapp.info', app);
    assert.equal(childText(appXml, 'MD5'), md5(original));
    assert.equal(childInt(appXml, 'MARKETPLACE_ID'), market);

    const ds = Number(await o.ok('one.datastore.allocate', ['NAME = "market-images"\nDS_MAD = "fs"\nTM_MAD = "qcow2"', -1]));
    const out = await cliOk(o, 'onemarketapp', ['export', 'tiny-app', 'tiny-imported', '--datastore', 'market-images', '--notemplate', '--wait']);
    const image = Number(/IMAGE\s+ID: (\d+)/.exec(out)![1]);
    const img = await xml('one.image.info', image);
    assert.equal(childInt(img, 'STATE'), 1);
    assert.equal(childInt(img, 'DATASTORE_ID'), ds);
    assert.equal(md5(childText(img, 'SOURCE')), md5(original), 'the imported image has the bytes of the exported one');

    const template = Number(await o.ok('one.template.allocate', [cloud.templateWithDisk(`DISK = [ IMAGE_ID = ${image} ]`).replace('NAME = "tiny"', 'NAME = "from-market"')]));
    const vm = Number(await o.ok('one.template.instantiate', [template, 'from-market', false, '', false]));
    const running = await cloud.waitState(vm, S.ACTIVE);
    const ip = childText(child(child(running, 'TEMPLATE')!, 'NIC')!, 'IP');
    await cloud.consoleShows(vm, /TINYGUEST-BOOTED/);
    await cloud.until(`ping ${ip}`, 120_000, async () => RealCloud.pings(ip));
    await o.ok('one.vm.action', ['terminate-hard', vm]);
    await cloud.waitState(vm, S.DONE);
  });
});
