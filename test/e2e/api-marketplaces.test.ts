/**
 * Marketplaces through oned: an http marketplace (its folder published by busybox httpd on
 * 127.0.0.1) that an image is exported to (the app READY with MD5 and SIZE, the file really
 * there), the app imported into another fs datastore (an image with the same bytes) and a VM
 * on dummy hosts running from it; a catalogue marketplace monitored from a catalogue served
 * locally (apps created, updated, removed); a download that breaks half-way; bad input.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { child, childInt, childText, type XmlNode } from '../../src/common/xml-tree.js';
import { Oca } from '../../src/oca/index.js';
import type { Oned } from './harness.js';
import { Code, addUser, idList, must, okId, okXml, onFeatureBackends, refused, sleep, templateOf, waitFor } from './api-helpers.js';
import { WebServer, flakyCatalogue, writeCatalogue } from './market-fixtures.js';

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
const APP_READY = 1;
const APP_DISABLED = 4;

/** Polls `method(id)` until `ok`; fails naming the last state. */
async function until(o: Oned, method: string, id: number, ok: (x: XmlNode) => boolean, ms = 20000): Promise<XmlNode> {
  const end = Date.now() + ms;
  let x: XmlNode;
  do {
    x = await okXml(o, method, [id]);
    if (ok(x)) return x;
    await sleep(50);
  } while (Date.now() < end);
  assert.fail(`${method} ${id}: state ${childInt(x, 'STATE')}, ERROR ${childText(must(x, 'TEMPLATE'), 'ERROR')}`);
}

const stateIs = (s: number) => (x: XmlNode) => childInt(x, 'STATE') === s;

let dir = '';
let www = '';
let web: WebServer | undefined;
let flaky: { url: string; server: Server } | undefined;
const diskBytes = randomBytes(3 * 1048576 + 1234);
const catBytes = randomBytes(300_000);

before(async () => {
  dir = mkdtempSync(join('/var/tmp', 'nebula-market-'));
  www = join(dir, 'www');
  web = await WebServer.start(www);
  flaky = await flakyCatalogue(4 * 1048576);
  writeFileSync(join(dir, 'disk.img'), diskBytes);
});
after(() => {
  web?.stop();
  flaky?.server.close();
  rmSync(dir, { recursive: true, force: true });
});

onFeatureBackends('marketplaces', (get) => {
  let srcDs = -1;
  let dstDs = -1;
  let sysDs = -1;
  let host = -1;
  let market = -1;
  let image = -1;
  let app = -1;
  let oca: Oca;

  before(async () => {
    const o = get();
    oca = new Oca({ endpoint: o.endpoint, session: o.oneadmin });
    srcDs = await okId(o, 'one.datastore.allocate', ['NAME = "src"\nDS_MAD = "fs"\nTM_MAD = "dummy"', -1]);
    dstDs = await okId(o, 'one.datastore.allocate', ['NAME = "dst"\nDS_MAD = "fs"\nTM_MAD = "dummy"', -1]);
    sysDs = await okId(o, 'one.datastore.allocate', ['NAME = "sys"\nTYPE = "SYSTEM_DS"\nTM_MAD = "dummy"', -1]);
    host = await okId(o, 'one.host.allocate', ['node1', 'dummy', 'dummy', -1]);
    image = await okId(o, 'one.image.allocate', [`NAME = "base"\nPATH = "${join(dir, 'disk.img')}"\nDEV_PREFIX = "vd"`, srcDs]);
    await until(o, 'one.image.info', image, stateIs(1));
  });
  after(() => oca?.close());

  test('a fresh oned has the "OpenNebula Public" catalogue, disabled (this front-end may have no internet)', async () => {
    const pool = await okXml(get(), 'one.marketpool.info', []);
    const m = pool.children.find((c) => childInt(c, 'ID') === 0)!;
    assert.equal(childText(m, 'NAME'), 'OpenNebula Public');
    assert.equal(childText(m, 'MARKET_MAD'), 'one');
    assert.equal(childInt(m, 'STATE'), 1);
    assert.deepEqual(idList(m, 'MARKETPLACEAPPS'), []);
    assert.deepEqual(
      m.children.map((c) => c.name),
      ['ID', 'UID', 'GID', 'UNAME', 'GNAME', 'NAME', 'STATE', 'MARKET_MAD', 'ZONE_ID', 'TOTAL_MB', 'FREE_MB', 'USED_MB', 'MARKETPLACEAPPS', 'PERMISSIONS', 'TEMPLATE'],
    );
  });

  test('an http marketplace is monitored: its capacity is that of PUBLIC_DIR', async () => {
    const o = get();
    market = await okId(o, 'one.market.allocate', [`NAME = "web"\nMARKET_MAD = "http"\nBASE_URL = "${web!.url}/apps"\nPUBLIC_DIR = "${join(www, 'apps')}"`]);
    const m = await until(o, 'one.market.info', market, (x) => childInt(x, 'TOTAL_MB') > 0);
    assert.equal(childInt(m, 'STATE'), 0);
    assert.ok(childInt(m, 'FREE_MB') > 0 && childInt(m, 'USED_MB') > 0);
    assert.equal(templateOf(m)['MARKET_MAD'], 'http');
  });

  test('exporting an image copies it into the marketplace: the app is READY with SOURCE, MD5 and SIZE, served over http', async () => {
    const o = get();
    const vmTemplate = Buffer.from('CPU = "1"\nMEMORY = "64"').toString('base64');
    app = await okId(o, 'one.marketapp.allocate', [`NAME = "base-app"\nORIGIN_ID = ${image}\nVERSION = "2.0"\nDESCRIPTION = "A test disk"\nVMTEMPLATE64 = "${vmTemplate}"`, market]);
    const a = await until(o, 'one.marketapp.info', app, stateIs(APP_READY));
    assert.deepEqual(
      a.children.map((c) => c.name),
      ['ID', 'UID', 'GID', 'UNAME', 'GNAME', 'REGTIME', 'NAME', 'ZONE_ID', 'ORIGIN_ID', 'SOURCE', 'MD5', 'SIZE', 'DESCRIPTION', 'VERSION', 'FORMAT', 'APPTEMPLATE64', 'MARKETPLACE_ID', 'MARKETPLACE', 'STATE', 'TYPE', 'PERMISSIONS', 'TEMPLATE'],
    );
    assert.equal(childText(a, 'MD5'), md5(diskBytes));
    assert.equal(childInt(a, 'SIZE'), 4);
    assert.equal(childText(a, 'ORIGIN_ID'), String(image));
    assert.equal(childText(a, 'VERSION'), '2.0');
    assert.equal(childText(a, 'DESCRIPTION'), 'A test disk');
    assert.equal(childText(a, 'FORMAT'), 'raw');
    assert.equal(childInt(a, 'TYPE'), 1);
    assert.equal(childText(a, 'MARKETPLACE'), 'web');
    assert.match(Buffer.from(childText(a, 'APPTEMPLATE64'), 'base64').toString(), /DEV_PREFIX.*vd/);
    const source = childText(a, 'SOURCE');
    assert.ok(source.startsWith(`${web!.url}/apps/`), source);
    const name = source.slice(source.lastIndexOf('/') + 1);
    assert.deepEqual(readFileSync(join(www, 'apps', name)), diskBytes);
    const served = Buffer.from(await (await fetch(source)).arrayBuffer());
    assert.equal(md5(served), md5(diskBytes));
    assert.deepEqual(idList(await okXml(o, 'one.market.info', [market]), 'MARKETPLACEAPPS'), [app]);
  });

  test('importing the app into another datastore downloads it (same bytes); a VM from it runs on a dummy host', async () => {
    const o = get();
    const r = await oca.marketApps.export(app, { datastore: dstDs, name: 'imported', wait: true });
    const img = await okXml(o, 'one.image.info', [r.image]);
    assert.equal(childInt(img, 'STATE'), 1);
    assert.equal(childInt(img, 'DATASTORE_ID'), dstDs);
    assert.deepEqual(readFileSync(childText(img, 'SOURCE')), diskBytes);
    const t = templateOf(img);
    assert.equal(t['MD5'], md5(diskBytes));
    assert.equal(t['FROM_APP'], String(app));
    assert.equal(t['DEV_PREFIX'], 'vd');
    assert.ok(r.template !== undefined, `a VM template from VMTEMPLATE64: ${r.templateError}`);
    const vm = await okId(o, 'one.template.instantiate', [r.template!, 'from-market', false, '', false]);
    await okId(o, 'one.vm.deploy', [vm, host, false, sysDs]);
    const v = await waitFor(o, vm, 3, 3, 15000);
    assert.equal(childText(must(must(v, 'TEMPLATE'), 'DISK'), 'IMAGE_ID'), String(r.image));
  });

  test('a catalogue marketplace lists the apps of its catalogue, follows its changes, and they import', async () => {
    const o = get();
    writeCatalogue(www, 'cat', [
      { id: 'a1', name: 'tiny', md5: md5(catBytes), size: catBytes.length, data: catBytes, opennebula_template: JSON.stringify({ CPU: '1', MEMORY: '64', CONTEXT: { NETWORK: 'YES' } }) },
      { id: 'b2', name: 'other', version: '3.1' },
    ]);
    const cat = await okId(o, 'one.market.allocate', [`NAME = "catalogue"\nMARKET_MAD = "one"\nENDPOINT = "${web!.url}/cat"`]);
    const m = await until(o, 'one.market.info', cat, (x) => idList(x, 'MARKETPLACEAPPS').length === 2);
    const apps = await Promise.all(idList(m, 'MARKETPLACEAPPS').map((id) => okXml(o, 'one.marketapp.info', [id])));
    const tiny = apps.find((a) => childText(a, 'NAME') === 'tiny')!;
    assert.equal(childInt(tiny, 'STATE'), APP_READY);
    assert.equal(childText(tiny, 'SOURCE'), `${web!.url}/cat/appliance/a1/download/0`);
    assert.equal(childText(tiny, 'MD5'), md5(catBytes));
    assert.equal(childInt(tiny, 'SIZE'), 1);
    assert.equal(childText(tiny, 'DESCRIPTION'), 'tiny for tests');
    assert.equal(childInt(tiny, 'REGTIME'), 1700000000);
    assert.equal(childText(tiny, 'ORIGIN_ID'), '-1');
    assert.equal(templateOf(tiny)['PUBLISHER'], 'Test Systems');
    assert.equal(templateOf(tiny)['IMPORT_ID'], 'a1');
    assert.match(Buffer.from(childText(tiny, 'APPTEMPLATE64'), 'base64').toString(), /TYPE="OS"/);
    assert.match(Buffer.from(templateOf(tiny)['VMTEMPLATE64']!, 'base64').toString(), /MEMORY="64"/);

    const r = await oca.marketApps.export(childInt(tiny, 'ID'), { datastore: dstDs, name: 'tiny-img', wait: true });
    assert.deepEqual(readFileSync(childText(await okXml(o, 'one.image.info', [r.image]), 'SOURCE')), catBytes);
    const vmt = await okXml(o, 'one.template.info', [r.template!]);
    assert.equal(childText(must(must(vmt, 'TEMPLATE'), 'CONTEXT'), 'NETWORK'), 'YES');

    // A catalogue is read-only.
    await refused(o, 'one.marketapp.allocate', [`NAME = "mine"\nORIGIN_ID = ${image}`, cat], Code.ALLOCATE, /read-only catalogue/);

    writeCatalogue(www, 'cat', [{ id: 'a1', name: 'tiny', version: '1.1', md5: md5(catBytes), size: catBytes.length }]);
    const m2 = await until(o, 'one.market.info', cat, (x) => idList(x, 'MARKETPLACEAPPS').length === 1);
    assert.deepEqual(idList(m2, 'MARKETPLACEAPPS'), [childInt(tiny, 'ID')]);
    await until(o, 'one.marketapp.info', childInt(tiny, 'ID'), (x) => childText(x, 'VERSION') === '1.1');
    const other = apps.find((a) => childText(a, 'NAME') === 'other')!;
    await refused(o, 'one.marketapp.info', [childInt(other, 'ID')], Code.NO_EXISTS, /Error getting marketplace app/);
    await okId(o, 'one.market.enable', [cat, false]); // no more monitoring

    // Deleting a catalogue drops its apps.
    await okId(o, 'one.market.delete', [cat]);
    await refused(o, 'one.marketapp.info', [childInt(tiny, 'ID')], Code.NO_EXISTS, /Error getting marketplace app/);
  });

  test('a download that breaks half-way leaves no image and no partial file, with a clear error', async () => {
    const o = get();
    const cat = await okId(o, 'one.market.allocate', [`NAME = "flaky"\nMARKET_MAD = "one"\nENDPOINT = "${flaky!.url}"`]);
    const m = await until(o, 'one.market.info', cat, (x) => idList(x, 'MARKETPLACEAPPS').length === 1);
    const flakyApp = idList(m, 'MARKETPLACEAPPS')[0]!;
    await okId(o, 'one.market.enable', [cat, false]); // the app stays; no more monitoring
    const base = childText(await okXml(o, 'one.datastore.info', [dstDs]), 'BASE_PATH');
    const before = readdirSync(base).sort();
    const images = async () => (await okXml(o, 'one.imagepool.info', [-2, -1, -1])).children.map((c) => childInt(c, 'ID'));
    const known = await images();
    await assert.rejects(oca.marketApps.export(flakyApp, { datastore: dstDs, name: 'broken', wait: true }), /Cannot import app \d+: Cannot download .*flaky.*The image \(\d+\) was deleted/s);
    // The image goes once its RM has run.
    const end = Date.now() + 10000;
    while ((await images()).length > known.length && Date.now() < end) await sleep(50);
    assert.deepEqual(await images(), known);
    assert.deepEqual(readdirSync(base).sort(), before);

    // Without waiting, the image is in ERROR with the reason, and no partial file either.
    const r = await oca.marketApps.export(flakyApp, { datastore: dstDs, name: 'broken2' });
    const img = await until(o, 'one.image.info', r.image, stateIs(5));
    assert.match(templateOf(img)['ERROR'] ?? '', /Cannot download/);
    assert.deepEqual(readdirSync(base).sort(), before);
    await okId(o, 'one.image.delete', [r.image]);
  });

  test('enable/disable, rename, lock and delete: the app file leaves the marketplace', async () => {
    const o = get();
    await okId(o, 'one.marketapp.enable', [app, false]);
    assert.equal(childInt(await okXml(o, 'one.marketapp.info', [app]), 'STATE'), APP_DISABLED);
    await okId(o, 'one.marketapp.enable', [app, true]);
    assert.equal(childInt(await okXml(o, 'one.marketapp.info', [app]), 'STATE'), APP_READY);

    await okId(o, 'one.market.rename', [market, 'web2']);
    assert.equal(childText(await okXml(o, 'one.marketapp.info', [app]), 'MARKETPLACE'), 'web2');

    await okId(o, 'one.market.enable', [market, false]);
    assert.equal(childInt(await okXml(o, 'one.market.info', [market]), 'STATE'), 1);
    await refused(o, 'one.marketapp.allocate', [`NAME = "x"\nORIGIN_ID = ${image}`, market], Code.ALLOCATE, /disabled/);
    await okId(o, 'one.market.enable', [market, true]);

    await okId(o, 'one.marketapp.lock', [app, 2]);
    await refused(o, 'one.marketapp.delete', [app], Code.AUTHORIZATION, /locked/i);
    await okId(o, 'one.marketapp.unlock', [app]);

    await refused(o, 'one.market.delete', [market], Code.ACTION, /still has apps/);
    const source = childText(await okXml(o, 'one.marketapp.info', [app]), 'SOURCE');
    const file = join(www, 'apps', source.slice(source.lastIndexOf('/') + 1));
    await okId(o, 'one.marketapp.delete', [app]);
    const end = Date.now() + 10000;
    while (existsSync(file) && Date.now() < end) await sleep(50);
    assert.equal(existsSync(file), false);
    assert.deepEqual(idList(await okXml(o, 'one.market.info', [market]), 'MARKETPLACEAPPS'), []);
    await okId(o, 'one.market.delete', [market]);
  });

  test('bad input is refused with OpenNebula error codes, nothing half-created', async () => {
    const o = get();
    const count = async (m: string) => (await okXml(o, m, [-2, -1, -1])).children.length;
    const markets = await count('one.marketpool.info');
    await refused(o, 'one.market.allocate', ['NAME = "m"'], Code.ALLOCATE, /No MARKET_MAD/);
    await refused(o, 'one.market.allocate', ['NAME = "m"\nMARKET_MAD = "s3"'], Code.ALLOCATE, /MARKET_MAD "s3" is not configured/);
    await refused(o, 'one.market.allocate', ['NAME = "m"\nMARKET_MAD = "http"\nBASE_URL = "http://x/"'], Code.ALLOCATE, /missing PUBLIC_DIR/);
    await refused(o, 'one.market.allocate', ['MARKET_MAD = "one"'], Code.ALLOCATE, /No NAME/);
    await refused(o, 'one.market.allocate', ['NAME = "OpenNebula Public"\nMARKET_MAD = "one"'], Code.ALLOCATE, /NAME is already taken/);
    assert.equal(await count('one.marketpool.info'), markets);

    const m = await okId(o, 'one.market.allocate', [`NAME = "web3"\nMARKET_MAD = "http"\nBASE_URL = "${web!.url}/apps3"\nPUBLIC_DIR = "${join(www, 'apps3')}"`]);
    await refused(o, 'one.market.update', [m, 'MARKET_MAD = "http"', 0], Code.ACTION, /missing BASE_URL, PUBLIC_DIR/);
    const apps = await count('one.marketapppool.info');
    await refused(o, 'one.marketapp.allocate', ['NAME = "a"', m], Code.ALLOCATE, /ORIGIN_ID/);
    await refused(o, 'one.marketapp.allocate', ['NAME = "a"\nORIGIN_ID = 999', m], Code.NO_EXISTS, /image \[999\]/);
    await refused(o, 'one.marketapp.allocate', [`NAME = "a"\nORIGIN_ID = ${image}`, 999], Code.NO_EXISTS, /marketplace \[999\]/);
    await refused(o, 'one.marketapp.allocate', [`NAME = "a"\nORIGIN_ID = ${image}\nTYPE = "VMTEMPLATE"`, m], Code.ALLOCATE, /Only IMAGE apps/);
    const dummyDs = await okId(o, 'one.datastore.allocate', ['NAME = "dummy-ds"\nDS_MAD = "dummy"\nTM_MAD = "dummy"', -1]);
    const dummyImg = await okId(o, 'one.image.allocate', ['NAME = "d"\nPATH = "/dev/null"\nSIZE = 1', dummyDs]);
    await until(o, 'one.image.info', dummyImg, stateIs(1));
    await refused(o, 'one.marketapp.allocate', [`NAME = "a"\nORIGIN_ID = ${dummyImg}`, m], Code.ALLOCATE, /cannot export images/);
    const user = await addUser(o, 'marketeer');
    await refused(o, 'one.marketapp.allocate', [`NAME = "a"\nORIGIN_ID = ${image}`, m], Code.AUTHORIZATION, /Not authorized/, user.session);
    await refused(o, 'one.market.allocate', [`NAME = "mine"\nMARKET_MAD = "one"`], Code.AUTHORIZATION, /Not authorized/, user.session);
    assert.equal(await count('one.marketapppool.info'), apps);
    await refused(o, 'one.marketapp.enable', [999, true], Code.NO_EXISTS, /marketplace app \[999\]/);
    assert.equal(child(await okXml(o, 'one.market.info', [m]), 'MARKET_MAD')?.text, 'http');
  });
}, 'MONITORING_INTERVAL_MARKET = 1\n');
