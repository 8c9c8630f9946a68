/**
 * onemarket and onemarketapp as an admin runs them: an http marketplace (busybox httpd), an
 * image exported with `onemarketapp create --image`, the list and show views, `export` into a
 * datastore (--wait), `download` to a local file, enable/disable, rename, lock, delete.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { childInt, childText } from '../../src/common/xml-tree.js';
import { okId, okXml, onFeatureBackends, sleep } from './api-helpers.js';
import { cli, cliOk, rows } from './cli-helpers.js';
import { WebServer } from './market-fixtures.js';

let dir = '';
let web: WebServer | undefined;
const bytes = randomBytes(2 * 1048576 + 77);
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

before(async () => {
  dir = mkdtempSync(join('/var/tmp', 'nebula-cli-market-'));
  web = await WebServer.start(join(dir, 'www'));
  writeFileSync(join(dir, 'disk.img'), bytes);
  writeFileSync(join(dir, 'market.tmpl'), `NAME = "web"\nMARKET_MAD = "http"\nBASE_URL = "${web.url}/apps"\nPUBLIC_DIR = "${join(dir, 'www', 'apps')}"\n`);
});
after(() => {
  web?.stop();
  rmSync(dir, { recursive: true, force: true });
});

onFeatureBackends('CLI onemarket and onemarketapp', (get) => {
  let dst = -1;

  before(async () => {
    const o = get();
    const src = await okId(o, 'one.datastore.allocate', ['NAME = "src"\nDS_MAD = "fs"\nTM_MAD = "dummy"', -1]);
    dst = await okId(o, 'one.datastore.allocate', ['NAME = "dst"\nDS_MAD = "fs"\nTM_MAD = "dummy"', -1]);
    const img = await okId(o, 'one.image.allocate', [`NAME = "base"\nPATH = "${join(dir, 'disk.img')}"`, src]);
    for (let i = 0; i < 200 && childInt(await okXml(o, 'one.image.info', [img]), 'STATE') !== 1; i++) await sleep(50);
  });

  test('create, list and show a marketplace; export an image to it; list and show the app', async () => {
    const o = get();
    assert.equal(await cliOk(o, 'onemarket', ['create', join(dir, 'market.tmpl')]), 'ID: 100\n', 'user marketplaces get ids from 100 up');
    const markets = rows(await cliOk(o, 'onemarket', ['list']));
    assert.deepEqual(markets[0], ['ID', 'NAME', 'SIZE', 'AVAIL', 'APPS', 'MAD', 'ZONE', 'STAT']);
    assert.deepEqual(markets.slice(1).map((r) => [r[0], r.at(-3), r.at(-1)]), [['100', 'http', 'on'], ['0', 'one', 'off']]);
    assert.match(await cliOk(o, 'onemarket', ['show', 'web']), /^MARKETPLACE 100 INFORMATION\nID +: 100\nNAME +: web\nUSER +: oneadmin\nGROUP +: oneadmin\nSTATE +: ENABLED\nMARKET_MAD +: http\n/);

    assert.equal(await cliOk(o, 'onemarketapp', ['create', '--market', 'web', '--image', 'base', '--name', 'base-app', '--version', '1.2', '--description', 'A disk']), 'ID: 0\n');
    for (let i = 0; i < 200 && childInt(await okXml(o, 'one.marketapp.info', [0]), 'STATE') !== 1; i++) await sleep(50);
    const apps = rows(await cliOk(o, 'onemarketapp', ['list']));
    assert.deepEqual(apps[0], ['ID', 'NAME', 'VERSION', 'SIZE', 'STAT', 'TYPE', 'REGTIME', 'MARKET', 'ZONE']);
    assert.deepEqual([apps[1]![0], apps[1]![1], apps[1]![2], apps[1]![3], apps[1]![4], apps[1]![5], apps[1]!.at(-2)], ['0', 'base-app', '1.2', '3M', 'rdy', 'img', 'web']);
    const show = await cliOk(o, 'onemarketapp', ['show', 'base-app']);
    assert.match(show, /^MARKETPLACE APP 0 INFORMATION\nID +: 0\nNAME +: base-app\nTYPE +: IMAGE\n/);
    assert.match(show, new RegExp(`\\nMD5 +: ${md5(bytes)}\\n`));
    assert.match(show, /\nDESCRIPTION +: A disk\n/);
    assert.match(show, /\nIMPORT TEMPLATE\nTYPE="OS"/);
  });

  test('export into a datastore (--wait) and download: the same bytes', async () => {
    const o = get();
    const out = await cliOk(o, 'onemarketapp', ['export', 'base-app', 'copied', '--datastore', 'dst', '--wait']);
    const id = Number(/IMAGE\n\s+ID: (\d+)\nVMTEMPLATE\n\s+ID: -1/.exec(out)?.[1]);
    const img = await okXml(o, 'one.image.info', [id]);
    assert.equal(childInt(img, 'STATE'), 1);
    assert.equal(childInt(img, 'DATASTORE_ID'), dst);
    assert.deepEqual(readFileSync(childText(img, 'SOURCE')), bytes);
    const file = join(dir, 'downloaded.img');
    await cliOk(o, 'onemarketapp', ['download', 'base-app', file]);
    assert.deepEqual(readFileSync(file), bytes);
    const again = await cli(o, 'onemarketapp', ['download', 'base-app', file]);
    assert.notEqual(again.code, 0, 'an existing file is not overwritten');
    const noDs = await cli(o, 'onemarketapp', ['export', 'base-app', 'x']);
    assert.notEqual(noDs.code, 0);
    assert.match(noDs.stderr, /--datastore is required/);
  });

  test('disable/enable, rename, chmod, lock, delete', async () => {
    const o = get();
    await cliOk(o, 'onemarketapp', ['disable', 'base-app']);
    assert.equal(rows(await cliOk(o, 'onemarketapp', ['list']))[1]![4], 'dis');
    await cliOk(o, 'onemarketapp', ['enable', 'base-app']);
    await cliOk(o, 'onemarketapp', ['rename', '0', 'renamed']);
    await cliOk(o, 'onemarketapp', ['chmod', 'renamed', '640']);
    assert.match(await cliOk(o, 'onemarketapp', ['show', 'renamed']), /\nPERMISSIONS\nOWNER +: um-\nGROUP +: u--\nOTHER +: ---\n/);
    await cliOk(o, 'onemarketapp', ['lock', 'renamed']);
    const locked = await cli(o, 'onemarketapp', ['delete', 'renamed']);
    assert.notEqual(locked.code, 0);
    await cliOk(o, 'onemarketapp', ['unlock', 'renamed']);
    const source = childText(await okXml(o, 'one.marketapp.info', [0]), 'SOURCE');
    await cliOk(o, 'onemarketapp', ['delete', 'renamed']);
    const file = join(dir, 'www', 'apps', source.slice(source.lastIndexOf('/') + 1));
    for (let i = 0; i < 200 && existsSync(file); i++) await sleep(50);
    assert.equal(existsSync(file), false);

    await cliOk(o, 'onemarket', ['disable', 'web']);
    assert.equal(rows(await cliOk(o, 'onemarket', ['list']))[1]!.at(-1), 'off');
    await cliOk(o, 'onemarket', ['enable', 'web']);
    await cliOk(o, 'onemarket', ['rename', 'web', 'web2']);
    await cliOk(o, 'onemarket', ['delete', 'web2']);
    assert.deepEqual(rows(await cliOk(o, 'onemarket', ['list'])).slice(1).map((r) => r[0]), ['0']);
  });
});
