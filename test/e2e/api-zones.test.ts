/**
 * Zones over raw XML-RPC: zone 0 on a fresh cloud at this oned's endpoint, allocate (ids from
 * 100, ENDPOINT required, names unique), update, rename, enable, the server pool, delete (system
 * zones refused, the zone's `#zid` ACL rules dropped), raftstatus, the pool listing, `#zone` ACL
 * rules matching this oned's zone only, and non-admin refusals.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { childInt, childText, type XmlNode } from '../../src/common/xml-tree.js';
import { aclRuleHex as ruleHex, Code, addUser, all, idsIn, okId, okXml, onFeatureBackends, refused, templateOf } from './api-helpers.js';
import type { Oned } from './harness.js';

const zone = (oned: Oned, id: number): Promise<XmlNode> => okXml(oned, 'one.zone.info', [id]);

onFeatureBackends('zones', (get) => {
  test('zone 0 "OpenNebula" exists from the first start, at this oned\'s endpoint, in OpenNebula\'s ZONE shape', async () => {
    const oned = get();
    const z = await zone(oned, 0);
    assert.equal(z.name, 'ZONE');
    assert.deepEqual(z.children.map((n) => n.name), ['ID', 'NAME', 'STATE', 'TEMPLATE', 'SERVER_POOL']);
    assert.equal(childText(z, 'NAME'), 'OpenNebula');
    assert.equal(childInt(z, 'STATE'), 0);
    assert.equal(templateOf(z).ENDPOINT, `http://127.0.0.1:${oned.port}/RPC2`);
    const pool = await okXml(oned, 'one.zonepool.info', []);
    assert.equal(pool.name, 'ZONE_POOL');
    assert.ok(idsIn(pool, 'ZONE').includes(0));
    const config = await okXml(oned, 'one.system.config', []);
    const fed = config.children.find((c) => c.name === 'FEDERATION')!;
    assert.equal(childText(fed, 'MODE'), 'STANDALONE');
    assert.equal(childText(fed, 'ZONE_ID'), '0');
  });

  test('allocate: ids from 100, ENDPOINT required, names unique, a default name', async () => {
    const oned = get();
    const a = await okId(oned, 'one.zone.allocate', ['NAME = "z-east"\nENDPOINT = "http://east:2633/RPC2"']);
    assert.ok(a >= 100, `user zones start at 100, got ${a}`);
    const z = await zone(oned, a);
    assert.equal(childText(z, 'NAME'), 'z-east');
    assert.deepEqual(templateOf(z), { ENDPOINT: 'http://east:2633/RPC2' }, 'NAME is not kept in the template');
    await refused(oned, 'one.zone.allocate', ['NAME = "z-east"\nENDPOINT = "http://x/RPC2"'], Code.ALLOCATE, new RegExp(`Error allocating a new zone\\. NAME is already taken by ZONE ${a}\\.`));
    await refused(oned, 'one.zone.allocate', ['NAME = "z-none"'], Code.ALLOCATE, /Error allocating a new zone\. ENDPOINT not present in template\./);
    await refused(oned, 'one.zone.allocate', ['NAME = "a|b"\nENDPOINT = "http://x/RPC2"'], Code.ALLOCATE, /char '\|' is not allowed/);
    await refused(oned, 'one.zone.allocate', ['NAME = [ broken'], Code.ALLOCATE, /Parse error/);
    const b = await okId(oned, 'one.zone.allocate', ['ENDPOINT = "http://west:2633/RPC2"']);
    assert.equal(b, a + 1, 'zone ids never clash: each allocate takes the next');
    assert.equal(childText(await zone(oned, b), 'NAME'), `zone-${b}`);
  });

  test('update (replace keeps an ENDPOINT), rename, enable/disable, servers', async () => {
    const oned = get();
    const id = await okId(oned, 'one.zone.allocate', ['NAME = "z-upd"\nENDPOINT = "http://upd:2633/RPC2"']);
    await okId(oned, 'one.zone.update', [id, 'NOTE = "dc2"', 1]);
    assert.deepEqual(templateOf(await zone(oned, id)), { ENDPOINT: 'http://upd:2633/RPC2', NOTE: 'dc2' });
    await okId(oned, 'one.zone.update', [id, 'NOTE = "only"', 0]);
    assert.deepEqual(templateOf(await zone(oned, id)), { NOTE: 'only', ENDPOINT: '-' });
    await refused(oned, 'one.zone.update', [id, 'X = 1', 7], Code.XML_RPC_API, /Wrong update type/);
    await okId(oned, 'one.zone.rename', [id, 'z-renamed']);
    assert.equal(childText(await zone(oned, id), 'NAME'), 'z-renamed');
    await refused(oned, 'one.zone.rename', [id, 'OpenNebula'], Code.ACTION, /NAME is already taken by ZONE 0/);
    await okId(oned, 'one.zone.enable', [id, false]);
    assert.equal(childInt(await zone(oned, id), 'STATE'), 1);
    await okId(oned, 'one.zone.enable', [id, true]);
    assert.equal(childInt(await zone(oned, id), 'STATE'), 0);
    await okId(oned, 'one.zone.addserver', [id, 'SERVER = [ NAME = "s0", ENDPOINT = "http://s0:2633/RPC2" ]']);
    await okId(oned, 'one.zone.addserver', [id, 'SERVER = [ NAME = "s1", ENDPOINT = "http://s1:2633/RPC2" ]']);
    const servers = all((await zone(oned, id)).children.find((c) => c.name === 'SERVER_POOL')!, 'SERVER');
    assert.deepEqual(servers.map((s) => [childInt(s, 'ID'), childText(s, 'NAME'), childText(s, 'ENDPOINT')]), [[0, 's0', 'http://s0:2633/RPC2'], [1, 's1', 'http://s1:2633/RPC2']]);
    await refused(oned, 'one.zone.addserver', [id, 'SERVER = [ NAME = "s0", ENDPOINT = "http://x/RPC2" ]'], Code.ACTION, /already has a server named s0/);
    await refused(oned, 'one.zone.addserver', [id, 'SERVER = [ NAME = "s9" ]'], Code.ACTION, /SERVER = \[ NAME, ENDPOINT \]/);
    await okId(oned, 'one.zone.resetserver', [id, 1]);
    await okId(oned, 'one.zone.delserver', [id, 0]);
    await refused(oned, 'one.zone.delserver', [id, 0], Code.ACTION, new RegExp(`Zone ${id} has no server 0`));
    const raft = await okXml(oned, 'one.zone.raftstatus', []);
    assert.equal(raft.name, 'RAFT');
    assert.equal(childInt(raft, 'SERVER_ID'), -1);
    assert.equal(childInt(raft, 'STATE'), 0, 'a lone server: SOLO');
  });

  test('delete: system zones stay; a zone\'s #zid ACL rules go with it; missing zones are NO_EXISTS', async () => {
    const oned = get();
    await refused(oned, 'one.zone.delete', [0], Code.ACTION, /System Zones \(ID < 100\) cannot be deleted/);
    const id = await okId(oned, 'one.zone.allocate', ['NAME = "z-del"\nENDPOINT = "http://del:2633/RPC2"']);
    const rule = await okId(oned, 'one.acl.addrule', ruleHex(`@1 HOST/* USE #${id}`));
    await okId(oned, 'one.zone.delete', [id]);
    await refused(oned, 'one.zone.info', [id], Code.NO_EXISTS, new RegExp(`Error getting zone \\[${id}\\]`));
    const acl = await okXml(oned, 'one.acl.info', []);
    assert.ok(!all(acl, 'ACL').some((a) => childInt(a, 'ID') === rule), 'the rule of the deleted zone is gone');
    await refused(oned, 'one.zone.delete', [id], Code.NO_EXISTS, /Error getting zone/);
  });

  test('ACL rules apply in their zone: #0 rules grant here, rules of another zone do not, * everywhere', async () => {
    const oned = get();
    const other = await okId(oned, 'one.zone.allocate', ['NAME = "z-acl"\nENDPOINT = "http://acl:2633/RPC2"']);
    const u = await addUser(oned, 'zone-acl-user');
    // HOST/* MANAGE for this user in the other zone only: no hosts to list here.
    await okId(oned, 'one.acl.addrule', ruleHex(`#${u.id} HOST/* MANAGE #${other}`));
    const h = await okId(oned, 'one.host.allocate', ['zone-acl-host', 'dummy', 'dummy', -1]);
    await refused(oned, 'one.host.info', [h], Code.AUTHORIZATION, /Not authorized/, u.session);
    const here = await okId(oned, 'one.acl.addrule', ruleHex(`#${u.id} HOST/* USE #0`));
    assert.equal(childInt(await okXml(oned, 'one.host.info', [h], u.session), 'ID'), h);
    await okId(oned, 'one.acl.delrule', [here]);
    await refused(oned, 'one.host.info', [h], Code.AUTHORIZATION, /Not authorized/, u.session);
    await okId(oned, 'one.acl.addrule', ruleHex(`#${u.id} HOST/* USE *`));
    assert.equal(childInt(await okXml(oned, 'one.host.info', [h], u.session), 'ID'), h);
  });

  test('a disabled zone serves only read-only calls until it is enabled again', async () => {
    const oned = get();
    await okId(oned, 'one.zone.enable', [0, false]);
    try {
      await refused(oned, 'one.vm.allocate', ['CPU = 1\nMEMORY = 64'], Code.INTERNAL, /Cannot process the request: zone 0 is disabled, only read-only calls are served \(onezone enable 0\)\./);
      await refused(oned, 'one.user.allocate', ['disabled-zone-user', 'pw', '', []], Code.INTERNAL, /zone 0 is disabled/);
      assert.equal((await okXml(oned, 'one.vmpool.info', [-2, -1, -1, -1])).name, 'VM_POOL');
      assert.equal(childInt(await okXml(oned, 'one.user.info', [0]), 'ID'), 0);
    } finally {
      await okId(oned, 'one.zone.enable', [0, true]);
    }
    assert.ok(await okId(oned, 'one.user.allocate', ['enabled-zone-user', 'pw', '', []]) > 0);
  });

  test('users see the zones (ZONE/* USE *) but cannot create, change or delete them', async () => {
    const oned = get();
    const u = await addUser(oned, 'zone-plain-user');
    assert.ok(idsIn(await okXml(oned, 'one.zonepool.info', [], u.session), 'ZONE').includes(0));
    assert.equal(childText(await okXml(oned, 'one.zone.info', [0], u.session), 'NAME'), 'OpenNebula');
    await refused(oned, 'one.zone.allocate', ['NAME = "z-user"\nENDPOINT = "http://u/RPC2"'], Code.AUTHORIZATION, /Not authorized to perform CREATE ZONE/, u.session);
    await refused(oned, 'one.zone.update', [0, 'X = 1', 1], Code.AUTHORIZATION, /Not authorized/, u.session);
    await refused(oned, 'one.zone.rename', [0, 'mine'], Code.AUTHORIZATION, /Not authorized/, u.session);
    await refused(oned, 'one.zone.enable', [0, false], Code.AUTHORIZATION, /Not authorized/, u.session);
    await refused(oned, 'one.zone.raftstatus', [], Code.AUTHORIZATION, /Not authorized/, u.session);
  });
});
