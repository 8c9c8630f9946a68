/**
 * one.group.vlan (our design, docs/networks.md "Per-group VLAN networks"): GROUP and USER rules
 * over a network template with AUTOMATIC_VLAN_ID make networks with their own VLAN ids and the
 * right owners; a user joining later gets its network; setting the rules again makes none; bad
 * input and non-admins are refused with nothing stored; the rules survive a restart; and
 * `onegroup vlan` / `onegroup show` on the command line.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { child, childInt, childText, type XmlNode } from '../../src/common/xml-tree.js';
import { addGroup, addUser, all, Code, okId, okXml, onFeatureBackends, permissionsOf, refused, templateOf } from './api-helpers.js';
import { cli, cliOk } from './cli-helpers.js';
import { AclRule } from '../../src/common/acl/acl-rule.js';
import type { Oned } from './harness.js';

/** The networks some rule made, by their VLAN_RULE tag and owner. */
async function ruleNetworks(oned: Oned): Promise<XmlNode[]> {
  const pool = await okXml(oned, 'one.vnpool.info', [-2, -1, -1]);
  return all(pool, 'VNET').filter((v) => templateOf(v)['VLAN_RULE'] !== undefined);
}

const rulesOf = (group: XmlNode) =>
  all(child(group, 'VLAN_RULES')!, 'RULE').map((r) => [childInt(r, 'ID'), childText(r, 'SCOPE'), childInt(r, 'VNTEMPLATE')]);

onFeatureBackends('group VLAN rules', (get) => {
  let gid = -1;
  let vnt = -1;
  let ann: { id: number; session: string } = { id: -1, session: '' };
  let bob: { id: number; session: string } = { id: -1, session: '' };

  test('GROUP and USER rules make networks with automatic VLAN ids for the group and each member', async () => {
    const oned = get();
    gid = await addGroup(oned, 'lab');
    ann = await addUser(oned, 'ann', [gid]);
    bob = await addUser(oned, 'bob', [gid]);
    const other = await addUser(oned, 'carl', [1, gid]); // member, but not as primary group
    await okId(oned, 'one.group.addadmin', [gid, ann.id]);
    vnt = await okId(oned, 'one.vntemplate.allocate', ['NAME = "vlan-net"\nVN_MAD = "802.1Q"\nPHYDEV = "eth0"\nAUTOMATIC_VLAN_ID = "YES"\nAR = [ TYPE = "ETHER", SIZE = "4" ]']);
    assert.equal(await okId(oned, 'one.group.vlan', [gid, `RULE = [ SCOPE = "GROUP", VNTEMPLATE = ${vnt} ]\nRULE = [ SCOPE = "USER", VNTEMPLATE = "${vnt}" ]`]), gid);

    const group = await okXml(oned, 'one.group.info', [gid]);
    assert.equal(childInt(child(group, 'VLAN_RULES')!, 'ID'), gid);
    assert.deepEqual(rulesOf(group), [[0, 'GROUP', vnt], [1, 'USER', vnt]]);

    const nets = await ruleNetworks(oned);
    const summary = nets.map((v) => [childText(v, 'NAME'), childText(v, 'UNAME'), childInt(v, 'GID'), templateOf(v)['VLAN_RULE']]).sort();
    assert.deepEqual(summary, [
      ['ann-vlan-1', 'ann', gid, `${gid}:1`],
      ['bob-vlan-1', 'bob', gid, `${gid}:1`],
      ['lab-vlan-0', 'ann', gid, `${gid}:0`],
    ]);
    const vlans = nets.map((v) => childText(v, 'VLAN_ID'));
    assert.equal(new Set(vlans).size, 3, `distinct VLAN ids: ${vlans.join(' ')}`);
    for (const v of nets) {
      assert.equal(childText(v, 'VLAN_ID_AUTOMATIC'), '1');
      assert.equal(childInt(v, 'TEMPLATE_ID'), vnt);
    }
    const groupNet = nets.find((v) => childText(v, 'NAME') === 'lab-vlan-0')!;
    assert.equal(permissionsOf(groupNet), '110100000', 'owner use+manage, group use');
    assert.ok(!nets.some((v) => childInt(v, 'UID') === other.id), 'a secondary member gets no USER network');
  });

  test('a user joining the group gets its network; setting the rules again makes none', async () => {
    const oned = get();
    const dan = await addUser(oned, 'dan', [gid]);
    const eve = await addUser(oned, 'eve');
    await okId(oned, 'one.user.chgrp', [eve.id, gid]);
    const owners = (await ruleNetworks(oned)).map((v) => childText(v, 'NAME')).sort();
    assert.deepEqual(owners, ['ann-vlan-1', 'bob-vlan-1', 'dan-vlan-1', 'eve-vlan-1', 'lab-vlan-0']);
    const before = (await ruleNetworks(oned)).length;
    await okId(oned, 'one.group.vlan', [gid, `RULE = [ SCOPE = "GROUP", VNTEMPLATE = ${vnt} ]\nRULE = [ SCOPE = "USER", VNTEMPLATE = ${vnt} ]`]);
    assert.equal((await ruleNetworks(oned)).length, before);
    // ann, the group's administrator, needs ADMIN on the group (an ACL rule) and USE on the template.
    const both = `RULE = [ SCOPE = "GROUP", VNTEMPLATE = ${vnt} ]\nRULE = [ SCOPE = "USER", VNTEMPLATE = ${vnt} ]`;
    await refused(oned, 'one.group.vlan', [gid, both], Code.AUTHORIZATION, /ADMIN GROUP/, ann.session);
    const rule = AclRule.parse(`#${ann.id} GROUP/#${gid} ADMIN`);
    await okId(oned, 'one.acl.addrule', [rule.user, rule.resource, rule.rights].map((c) => c.toString(16)));
    await refused(oned, 'one.group.vlan', [gid, both], Code.AUTHORIZATION, /USE VNTEMPLATE/, ann.session);
    await okId(oned, 'one.vntemplate.chmod', [vnt, -1, -1, -1, -1, -1, -1, 1, -1, -1]);
    await okId(oned, 'one.group.vlan', [gid, both], ann.session);
    assert.equal((await ruleNetworks(oned)).length, before);
    // dan's network belongs to dan, who may see it; bob does not see it.
    const danNets = await okXml(oned, 'one.vnpool.info', [-3, -1, -1], dan.session);
    assert.deepEqual(all(danNets, 'VNET').map((v) => childText(v, 'NAME')), ['dan-vlan-1']);
  });

  test('bad rules and non-admins are refused with nothing stored', async () => {
    const oned = get();
    const rules = async () => rulesOf(await okXml(oned, 'one.group.info', [gid]));
    const stored = await rules();
    const count = (await ruleNetworks(oned)).length;
    const bad: [string, RegExp][] = [
      [`RULE = [ SCOPE = "WORLD", VNTEMPLATE = ${vnt} ]`, /Wrong SCOPE "WORLD"/],
      ['RULE = [ SCOPE = "USER" ]', /RULE 0 has no VNTEMPLATE/],
      ['RULE = [ SCOPE = "USER", VNTEMPLATE = "abc" ]', /VNTEMPLATE "abc" in RULE 0 is not a network template id/],
      ['RULE = [ SCOPE = "USER", VNTEMPLATE = 999 ]', /Network template 999 of RULE 0 does not exist/],
      [`COLOR = "red"\nRULE = [ SCOPE = "USER", VNTEMPLATE = ${vnt} ]`, /Unknown attribute COLOR/],
      [`RULE = [ SCOPE = "USER", VNTEMPLATE = ${vnt}, SIZE = 3 ]`, /Unknown attribute SIZE in RULE 0/],
      ['RULE = [ SCOPE = ', /Parse error/],
    ];
    for (const [text, message] of bad) await refused(oned, 'one.group.vlan', [gid, text], Code.ACTION, message);
    await refused(oned, 'one.group.vlan', [4242, ''], Code.NO_EXISTS, /4242/);
    await refused(oned, 'one.group.vlan', [gid, ''], Code.AUTHORIZATION, /.*/, bob.session);
    await refused(oned, 'one.group.vlan', [1, ''], Code.AUTHORIZATION, /.*/, ann.session);
    assert.deepEqual(await rules(), stored);
    assert.equal((await ruleNetworks(oned)).length, count);
  });

  test('the rules survive a restart; an empty template clears them and leaves the networks', async () => {
    const oned = get();
    const before = await okXml(oned, 'one.group.info', [gid]);
    assert.equal(await oned.signal('SIGTERM'), 0, 'a clean stop');
    await oned.launch();
    const after = await okXml(oned, 'one.group.info', [gid]);
    assert.deepEqual(rulesOf(after), rulesOf(before));
    const pool = await okXml(oned, 'one.grouppool.info', []);
    const inPool = pool.children.filter((c) => c.name === 'VLAN_RULES' && childInt(c, 'ID') === gid);
    assert.deepEqual(inPool.map((r) => all(r, 'RULE').length), [2]);
    // After the restart a new member still gets its network, once.
    await addUser(oned, 'fay', [gid]);
    assert.ok((await ruleNetworks(oned)).some((v) => childText(v, 'NAME') === 'fay-vlan-1'));
    const count = (await ruleNetworks(oned)).length;
    await okId(oned, 'one.group.vlan', [gid, '']);
    assert.deepEqual(rulesOf(await okXml(oned, 'one.group.info', [gid])), []);
    assert.equal((await ruleNetworks(oned)).length, count, 'removing rules leaves their networks');
  });

  test('onegroup vlan and onegroup show on the command line', async () => {
    const o = get();
    const path = join(o.location, 'rules.txt');
    writeFileSync(path, `RULE = [ SCOPE = "USER", VNTEMPLATE = ${vnt} ]\n`);
    await cliOk(o, 'onegroup', ['vlan', 'lab', path]);
    const shown = await cliOk(o, 'onegroup', ['show', 'lab']);
    assert.match(shown, /VLAN RULES/);
    assert.match(shown, new RegExp(`^\\s*0 USER\\s+${vnt}$`, 'm'));
    writeFileSync(path, 'RULE = [ SCOPE = "NOPE", VNTEMPLATE = 0 ]\n');
    const bad = await cli(o, 'onegroup', ['vlan', 'lab', path]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /Wrong SCOPE "NOPE"/);
    writeFileSync(path, '');
    await cliOk(o, 'onegroup', ['vlan', 'lab', path]);
    assert.doesNotMatch(await cliOk(o, 'onegroup', ['show', 'lab']), /VLAN RULES/);
  });
});
