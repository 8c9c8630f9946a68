/**
 * `onezone` against a real oned: create from a file, list (C ID NAME ENDPOINT STAT, * on the
 * zone the shell talks to), show, update, rename, disable/enable, server-add/server-del, delete,
 * and `set`, which switches the endpoint every command of the user reads (~/.one/one_endpoint);
 * bad input gives one line and exit 255.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childInt, childText } from '../../src/common/xml-tree.js';
import { cli, cliOk, rows } from './cli-helpers.js';
import { okXml, onFeatureBackends, templateOf } from './api-helpers.js';

onFeatureBackends('onezone', (oned) => {
  test('create, list, show, update, rename, disable/enable, servers, delete; errors', async () => {
    const o = oned();
    const dir = mkdtempSync(join(tmpdir(), 'nebula-cli-zone-'));
    try {
      const file = join(dir, 'zone.tmpl');
      writeFileSync(file, 'NAME = "east"\nENDPOINT = "http://east.example:2633/RPC2"\n');
      const id = Number(/^ID: (\d+)$/m.exec(await cliOk(o, 'onezone', ['create', file]))?.[1]);
      assert.ok(id >= 100);

      const list = rows(await cliOk(o, 'onezone', ['list']));
      assert.deepEqual(list[0], ['C', 'ID', 'NAME', 'ENDPOINT', 'STAT']);
      assert.ok(list.some((r) => r.join(' ') === `* 0 OpenNebula ${o.endpoint} ON`), JSON.stringify(list));
      assert.ok(list.some((r) => r.join(' ') === `${id} east http://east.example:2633/RPC2 ON`), JSON.stringify(list));

      const shown = await cliOk(o, 'onezone', ['show', 'east']);
      assert.match(shown, new RegExp(`ZONE ${id} INFORMATION`));
      assert.match(shown, /STATE\s+: ENABLED/);
      assert.match(shown, /ZONE TEMPLATE\nENDPOINT="http:\/\/east\.example:2633\/RPC2"/);

      writeFileSync(join(dir, 'more.tmpl'), 'DC = "madrid"\n');
      await cliOk(o, 'onezone', ['update', 'east', join(dir, 'more.tmpl'), '--append']);
      assert.deepEqual(templateOf(await okXml(o, 'one.zone.info', [id])), { ENDPOINT: 'http://east.example:2633/RPC2', DC: 'madrid' });
      await cliOk(o, 'onezone', ['rename', 'east', 'east-1']);
      await cliOk(o, 'onezone', ['disable', 'east-1']);
      assert.equal(childInt(await okXml(o, 'one.zone.info', [id]), 'STATE'), 1);
      assert.match(await cliOk(o, 'onezone', ['list']), new RegExp(`${id}\\s+east-1\\s+\\S+\\s+OFF`));
      await cliOk(o, 'onezone', ['enable', String(id)]);
      await cliOk(o, 'onezone', ['server-add', 'east-1', '--server_name', 's0', '--server_rpc', 'http://s0:2633/RPC2']);
      assert.match(await cliOk(o, 'onezone', ['show', 'east-1']), /ZONE SERVERS\n\s*ID NAME\s+STATE\s+TERM\s+LEADER ENDPOINT\n\s*0 s0\s+error\s+-\s+-\s+http:\/\/s0:2633\/RPC2/);
      await cliOk(o, 'onezone', ['server-del', 'east-1', '0']);

      const noServer = await cli(o, 'onezone', ['server-del', 'east-1', '0']);
      assert.equal(noServer.code, 255);
      assert.match(noServer.stderr, new RegExp(`Zone ${id} has no server 0`));
      const noEndpoint = join(dir, 'bad.tmpl');
      writeFileSync(noEndpoint, 'NAME = "west"\n');
      const bad = await cli(o, 'onezone', ['create', noEndpoint]);
      assert.equal(bad.code, 255);
      assert.match(bad.stderr, /ENDPOINT not present in template/);
      assert.equal(bad.stderr.trim().split('\n').length, 1, 'one line');
      const system = await cli(o, 'onezone', ['delete', '0']);
      assert.notEqual(system.code, 0);
      assert.match(system.stderr, /System Zones \(ID < 100\) cannot be deleted/);

      await cliOk(o, 'onezone', ['delete', 'east-1']);
      assert.ok(!rows(await cliOk(o, 'onezone', ['list'])).some((r) => r.includes('east-1')));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('set writes the zone\'s endpoint where every command looks when ONE_XMLRPC is not set', async () => {
    const o = oned();
    const home = mkdtempSync(join(tmpdir(), 'nebula-cli-zone-home-'));
    try {
      const dir = mkdtempSync(join(home, 'tmpl-'));
      writeFileSync(join(dir, 'z.tmpl'), 'NAME = "away"\nENDPOINT = "http://127.0.0.1:1/RPC2"\n');
      await cliOk(o, 'onezone', ['create', join(dir, 'z.tmpl')]);
      const set = await cli(o, 'onezone', ['set', 'away'], { HOME: home });
      assert.equal(set.code, 0, set.stderr);
      assert.match(set.stdout, new RegExp(`Endpoint changed to "http://127\\.0\\.0\\.1:1/RPC2" in ${home}/\\.one/one_endpoint`));
      assert.equal(readFileSync(join(home, '.one', 'one_endpoint'), 'utf8'), 'http://127.0.0.1:1/RPC2\n');
      // The commands now talk to that zone's (absent) oned.
      const away = await cli(o, 'onezone', ['list'], { HOME: home, ONE_XMLRPC: '' });
      assert.equal(away.code, 255);
      assert.match(away.stderr, /Cannot reach oned at http:\/\/127\.0\.0\.1:1\/RPC2/);
      // Back to zone 0 (reached through ONE_XMLRPC this once, which the command points out).
      const back = await cli(o, 'onezone', ['set', '0'], { HOME: home });
      assert.equal(back.code, 0, back.stderr);
      assert.match(back.stdout, /ONE_XMLRPC is set .* wins over/);
      const list = await cli(o, 'onezone', ['list'], { HOME: home, ONE_XMLRPC: '' });
      assert.equal(list.code, 0, list.stderr);
      assert.match(list.stdout, /^\* +0 +OpenNebula/m);
      const missing = await cli(o, 'onezone', ['set', 'nowhere'], { HOME: home });
      assert.equal(missing.code, 255);
      assert.match(missing.stderr, /zone named "nowhere" not found/);
      const zone0 = await okXml(o, 'one.zone.info', [0]);
      assert.equal(childText(zone0, 'NAME'), 'OpenNebula');
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
