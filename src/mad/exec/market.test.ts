import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Template } from '../../common/template/index.js';
import { actionData, binDriver, tempDir } from '../testing.js';

const market = (mad: string, tmpl: string) => `<MARKETPLACE><ID>100</ID><NAME>m</NAME><MARKET_MAD>${mad}</MARKET_MAD><TEMPLATE>${tmpl}</TEMPLATE></MARKETPLACE>`;
const decoded = (info: string) => Template.parse(Buffer.from(info, 'base64').toString());

test('one_market: the http scripts copy an image into PUBLIC_DIR, measure it and remove it; unknown drivers refused', async () => {
  const dir = tempDir('market-http');
  const pub = join(dir, 'public');
  const image = join(dir, 'disk.img');
  writeFileSync(image, Buffer.alloc(1048577, 3));
  const m = market('http', `<BASE_URL>http://127.0.0.1:9/apps/</BASE_URL><PUBLIC_DIR>${pub}</PUBLIC_DIR>`);
  const d = binDriver('one_market', ['-m', 'http,one']);
  await d.start();
  try {
    const imported = await d.request('IMPORT', 4, [actionData(`<MARKET_DRIVER_ACTION_DATA><IMPORT_SOURCE>${image}</IMPORT_SOURCE><FORMAT>raw</FORMAT><MARKETPLACEAPP><ID>4</ID><MARKETPLACE>m</MARKETPLACE></MARKETPLACEAPP>${m}</MARKET_DRIVER_ACTION_DATA>`)]);
    assert.equal(imported.ok, true, imported.info);
    const t = decoded(imported.info);
    const source = t.get('SOURCE')!;
    assert.match(source, /^http:\/\/127\.0\.0\.1:9\/apps\/[0-9a-f]{32}$/);
    const file = join(pub, source.slice(source.lastIndexOf('/') + 1));
    assert.deepEqual(readFileSync(file), readFileSync(image));
    assert.equal(t.get('MD5'), createHash('md5').update(readFileSync(image)).digest('hex'));
    assert.equal(t.get('SIZE'), '2');
    assert.equal(t.get('FORMAT'), 'raw');

    const monitor = decoded((await d.request('MONITOR', 100, [actionData(`<MARKET_DRIVER_ACTION_DATA>${m}</MARKET_DRIVER_ACTION_DATA>`)])).info);
    assert.ok(Number(monitor.get('TOTAL_MB')) > 0 && Number(monitor.get('FREE_MB')) >= 0);

    const bad = await d.request('DELETE', 4, [actionData(`<MARKET_DRIVER_ACTION_DATA><MARKETPLACEAPP><SOURCE>http://x/apps/..</SOURCE></MARKETPLACEAPP>${m}</MARKET_DRIVER_ACTION_DATA>`)]);
    assert.equal(bad.ok, false);
    const removed = await d.request('DELETE', 4, [actionData(`<MARKET_DRIVER_ACTION_DATA><MARKETPLACEAPP><SOURCE>${source}</SOURCE></MARKETPLACEAPP>${m}</MARKET_DRIVER_ACTION_DATA>`)]);
    assert.equal(removed.ok, true, removed.info);
    assert.equal(existsSync(file), false);

    const missing = await d.request('IMPORT', 5, [actionData(`<MARKET_DRIVER_ACTION_DATA><IMPORT_SOURCE>${dir}/nope</IMPORT_SOURCE>${m}</MARKET_DRIVER_ACTION_DATA>`)]);
    assert.deepEqual([missing.ok, missing.info], [false, `Cannot read the image file ${dir}/nope`]);
    const s3 = await d.request('MONITOR', 1, [actionData(`<MARKET_DRIVER_ACTION_DATA>${market('s3', '')}</MARKET_DRIVER_ACTION_DATA>`)]);
    assert.deepEqual([s3.ok, s3.info], [false, "Marketplace driver 's3' not available"]);
  } finally {
    await d.stop();
  }
});

test('one_market: the one monitor turns a catalogue into APP lines; an unreachable one fails with the reason', async () => {
  const body = JSON.stringify({
    appliances: [
      { _id: { $oid: 'x1' }, name: 'Alpine "edge"', type: 'IMAGE', version: '3', short_description: 'small', publisher: 'P', tags: ['a', 'b'], creation_time: 1600000000, format: 'qcow2', files: [{ size: 3 * 1048576 + 1, md5: 'ab', dev_prefix: 'vd', type: 'OS' }], opennebula_template: '{"CPU":"1","GRAPHICS":{"TYPE":"vnc"}}' },
      { _id: { $oid: 'x2' }, name: 'odd', type: 'NOT_A_TYPE' },
    ],
  });
  const server = createServer((req, res) => {
    if (req.url === '/cat/appliance') res.end(body);
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const d = binDriver('one_market', ['-m', 'one']);
  await d.start();
  try {
    const r = await d.request('MONITOR', 100, [actionData(`<MARKET_DRIVER_ACTION_DATA>${market('one', `<ENDPOINT><![CDATA[${url}/cat/]]></ENDPOINT>`)}</MARKET_DRIVER_ACTION_DATA>`)]);
    assert.equal(r.ok, true, r.info);
    const apps = decoded(r.info).getAll('APP').map((a) => Template.parse(Buffer.from(a.value as string, 'base64').toString()));
    assert.equal(apps.length, 1);
    const a = apps[0]!;
    assert.equal(a.get('NAME'), 'Alpine "edge"');
    assert.equal(a.get('SOURCE'), `${url}/cat/appliance/x1/download/0`);
    assert.equal(a.get('SIZE'), '4');
    assert.equal(a.get('TAGS'), 'a, b');
    assert.equal(a.get('REGTIME'), '1600000000');
    assert.equal(Buffer.from(a.get('APPTEMPLATE64')!, 'base64').toString(), 'DEV_PREFIX="vd"\nTYPE="OS"');
    assert.match(Buffer.from(a.get('VMTEMPLATE64')!, 'base64').toString(), /^CPU="1"\nGRAPHICS=\[ TYPE="vnc" \]$/);

    const gone = await d.request('MONITOR', 100, [actionData(`<MARKET_DRIVER_ACTION_DATA>${market('one', `<ENDPOINT>${url}/nothing</ENDPOINT>`)}</MARKET_DRIVER_ACTION_DATA>`)]);
    assert.deepEqual([gone.ok, gone.info], [false, `Cannot read the catalogue ${url}/nothing/appliance: HTTP 404 Not Found`]);
  } finally {
    await d.stop();
    server.close();
  }
});
