/** Groups over raw XML-RPC: allocation, info, templates, delete refusals, what members see and may do. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { childInt, childText } from '../../src/common/xml-tree.js';
import type { Oned } from './harness.js';
import { AclRule } from '../../src/common/acl/acl-rule.js';
import { Code, GROUP_CREATE_RULE, addUser, all, groupNames, idList, idsIn, must, okId, okXml, onFeatureBackends, refused, templateOf } from './api-helpers.js';

/** The STRING of every ACL rule. */
async function aclStrings(oned: Oned): Promise<string[]> {
  return all(await okXml(oned, 'one.acl.info', []), 'ACL').map((r) => childText(r, 'STRING'));
}

onFeatureBackends('groups', (get) => {
  test('allocate makes a group from id 100 up with the default VDC\'s rules, as OpenNebula 7.4', async () => {
    const oned = get();
    const gid = await okId(oned, 'one.group.allocate', ['g-new']);
    assert.ok(gid >= 100, `user groups start at 100, got ${gid}`);
    const group = await okXml(oned, 'one.group.info', [gid]);
    assert.equal(group.name, 'GROUP');
    // 7.4's element order (010-group.info): quotas, then VLAN_RULES, then the default quotas.
    assert.deepEqual(group.children.map((c) => c.name), [
      'ID', 'NAME', 'TEMPLATE', 'USERS', 'ADMINS', 'DATASTORE_QUOTA', 'NETWORK_QUOTA', 'VM_QUOTA', 'IMAGE_QUOTA', 'VLAN_RULES', 'DEFAULT_GROUP_QUOTAS',
    ]);
    assert.equal(childInt(group, 'ID'), gid);
    assert.equal(childText(group, 'NAME'), 'g-new');
    assert.deepEqual(idList(group, 'USERS'), []);
    assert.deepEqual(idList(group, 'ADMINS'), []);
    assert.deepEqual(idList(group, 'VLAN_RULES'), [gid]);
    assert.deepEqual(templateOf(group), {});

    // 011-grouppool.info: each GROUP followed by its QUOTAS and VLAN_RULES, then the default quotas.
    const pool = await okXml(oned, 'one.grouppool.info', []);
    assert.equal(pool.name, 'GROUP_POOL');
    assert.deepEqual(idsIn(pool, 'GROUP').slice(0, 2), [0, 1], 'the system groups oneadmin and users come first');
    assert.ok(idsIn(pool, 'GROUP').includes(gid));
    const names = pool.children.map((c) => c.name);
    assert.deepEqual(names.slice(0, 6), ['GROUP', 'QUOTAS', 'VLAN_RULES', 'GROUP', 'QUOTAS', 'VLAN_RULES']);
    assert.equal(names.at(-1), 'DEFAULT_GROUP_QUOTAS');
    const at = pool.children.findIndex((c) => c.name === 'GROUP' && childInt(c, 'ID') === gid);
    assert.equal(childInt(pool.children[at + 1]!, 'ID'), gid, 'the QUOTAS after a group are its own');

    // OpenNebula puts the group in the default VDC: its hosts, networks and datastores. The right
    // to create objects is the client's to give (onegroup create adds it).
    const rules = await aclStrings(oned);
    for (const r of ['HOST/* MANAGE #0', 'NET/* USE #0', 'DATASTORE/* USE #0']) assert.ok(rules.includes(`@${gid} ${r}`), r);
    assert.ok(!rules.some((r) => r.startsWith(`@${gid} `) && r.includes('CREATE')));
    const member = await addUser(oned, 'g-new-member', [gid]);
    await refused(oned, 'one.document.allocate', ['NAME = "made-in-g-new"', 3], Code.AUTHORIZATION, /Not authorized to perform CREATE DOCUMENT/, member.session);
    const rule = AclRule.parse(`@${gid} ${GROUP_CREATE_RULE}`);
    await okId(oned, 'one.acl.addrule', [rule.user, rule.resource, rule.rights].map((c) => c.toString(16)));
    const doc = await okId(oned, 'one.document.allocate', ['NAME = "made-in-g-new"', 3], member.session);
    assert.equal(childInt(await okXml(oned, 'one.document.info', [doc]), 'GID'), gid);

    // A taken name: INTERNAL with 7.4's bare message (076-err.8192.dup-user for users).
    await refused(oned, 'one.group.allocate', ['g-new'], Code.INTERNAL, new RegExp(`^\\[one\\.group\\.allocate\\] NAME is already taken by GROUP ${gid}\\.$`));
    assert.equal((await groupNames(oned)).filter((n) => n === 'g-new').length, 1);
  });

  test('the users group and the ACL rules are those of a fresh OpenNebula 7.4', async () => {
    const oned = get();
    const users = await okXml(oned, 'one.group.info', [1]);
    assert.equal(childText(users, 'NAME'), 'users');
    const sunstone = must(must(users, 'TEMPLATE'), 'SUNSTONE');
    assert.deepEqual(Object.fromEntries(sunstone.children.map((c) => [c.name, c.text])), {
      DEFAULT_VIEW: 'cloud', GROUP_ADMIN_DEFAULT_VIEW: 'groupadmin', GROUP_ADMIN_VIEWS: 'groupadmin,cloud', VIEWS: 'cloud',
    });
    const oneadmin = await okXml(oned, 'one.group.info', [0]);
    assert.deepEqual(templateOf(oneadmin), {});
    assert.deepEqual(idList(oneadmin, 'USERS').slice(0, 2), [0, 1], 'oneadmin and serveradmin');
    // 016-acl.info: rules 0-5 of a fresh install, listed by user component then id.
    const acl = all(await okXml(oned, 'one.acl.info', []), 'ACL').filter((r) => childInt(r, 'ID') <= 5);
    assert.deepEqual(acl.map((r) => [childInt(r, 'ID'), childText(r, 'STRING')]), [
      [0, '@1 VM+IMAGE+TEMPLATE+DOCUMENT+SECGROUP+VMGROUP+BACKUPJOB/* CREATE *'],
      [3, '@1 HOST/* MANAGE #0'],
      [4, '@1 NET/* USE #0'],
      [5, '@1 DATASTORE/* USE #0'],
      [1, '* ZONE/* USE *'],
      [2, '* MARKETPLACE+MARKETPLACEAPP/* USE *'],
    ]);
    assert.deepEqual(acl[1]!.children.map((c) => c.name), ['ID', 'USER', 'RESOURCE', 'RIGHTS', 'ZONE', 'STRING']);
    assert.deepEqual(['USER', 'RESOURCE', 'RIGHTS', 'ZONE'].map((n) => childText(acl[1]!, n)), ['200000001', '2400000000', '2', '100000000']);
  });

  test('the system groups cannot be deleted', async () => {
    const oned = get();
    for (const gid of [0, 1]) {
      await refused(oned, 'one.group.delete', [gid], Code.ACTION, /System groups \(ID < 100\) cannot be deleted/);
    }
    const names = await groupNames(oned);
    assert.ok(names.includes('oneadmin') && names.includes('users'));
  });

  test('a group with users cannot be deleted; once empty it goes, with its ACL rules', async () => {
    const oned = get();
    const gid = await okId(oned, 'one.group.allocate', ['g-full']);
    const u = await addUser(oned, 'g-full-user', [1, gid]);
    await refused(oned, 'one.group.delete', [gid], Code.ACTION, /not empty/);
    assert.deepEqual(idList(await okXml(oned, 'one.group.info', [gid]), 'USERS'), [u.id]);
    assert.deepEqual(idList(await okXml(oned, 'one.user.info', [u.id]), 'GROUPS'), [1, gid]);

    await okId(oned, 'one.user.delgroup', [u.id, gid]);
    assert.equal(await okId(oned, 'one.group.delete', [gid]), gid);
    await refused(oned, 'one.group.info', [gid], Code.NO_EXISTS, new RegExp(`Error getting group \\[${gid}\\]`));
    assert.ok(!(await groupNames(oned)).includes('g-full'));
    assert.ok(!(await aclStrings(oned)).some((s) => s.startsWith(`@${gid} `)), 'the group\'s rules are gone');
    await refused(oned, 'one.group.delete', [gid], Code.NO_EXISTS, /Error getting group/);
  });

  test('info -1 is the caller\'s group; update replaces (0) or merges (1) the template', async () => {
    const oned = get();
    const admins = await okXml(oned, 'one.group.info', [-1]);
    assert.deepEqual([childInt(admins, 'ID'), childText(admins, 'NAME')], [0, 'oneadmin']);

    const gid = await okId(oned, 'one.group.allocate', ['g-tmpl']);
    const u = await addUser(oned, 'g-tmpl-user', [gid]);
    assert.equal(childInt(await okXml(oned, 'one.group.info', [-1], u.session), 'ID'), gid);

    const tmpl = async () => templateOf(await okXml(oned, 'one.group.info', [gid]));
    assert.equal(await okId(oned, 'one.group.update', [gid, 'A = "1"\nB = "2"', 0]), gid);
    assert.deepEqual(await tmpl(), { A: '1', B: '2' });
    await okId(oned, 'one.group.update', [gid, 'B = "3"\nC = "4"', 1]);
    assert.deepEqual(await tmpl(), { A: '1', B: '3', C: '4' });
    await okId(oned, 'one.group.update', [gid, 'D = "5"', 0]);
    assert.deepEqual(await tmpl(), { D: '5' });
    await refused(oned, 'one.group.update', [gid, 'E = "6"', 7], Code.XML_RPC_API, /update type/);
    assert.deepEqual(await tmpl(), { D: '5' });
  });

  test('a regular user sees only its own groups and may change none', async () => {
    const oned = get();
    const mine = await okId(oned, 'one.group.allocate', ['g-mine']);
    const other = await okId(oned, 'one.group.allocate', ['g-other']);
    const u = await addUser(oned, 'g-regular', [1, mine]);
    const groupsBefore = await groupNames(oned);
    const denied = (method: string, params: (string | number)[], what: RegExp) => refused(oned, method, params, Code.AUTHORIZATION, what, u.session);

    assert.deepEqual(idsIn(await okXml(oned, 'one.grouppool.info', [], u.session), 'GROUP'), [1, mine]);
    assert.equal(childText(await okXml(oned, 'one.group.info', [mine], u.session), 'NAME'), 'g-mine');
    await denied('one.group.info', [other], new RegExp(`Not authorized to perform USE GROUP \\[${other}\\]`));
    await denied('one.group.info', [0], /Not authorized to perform USE GROUP \[0\]/);
    await denied('one.group.allocate', ['g-by-regular'], /Not authorized to perform CREATE GROUP/);
    await denied('one.group.delete', [mine], new RegExp(`Not authorized to perform ADMIN GROUP \\[${mine}\\]`));
    await denied('one.group.update', [mine, 'X = "1"', 1], /Not authorized to perform MANAGE GROUP/);
    await denied('one.group.addadmin', [mine, u.id], /Not authorized to perform MANAGE GROUP/);
    await denied('one.group.quota', [mine, 'VM = [ VMS = 1 ]'], /Not authorized to perform ADMIN GROUP/);
    await denied('one.user.addgroup', [u.id, other], new RegExp(`Not authorized to perform MANAGE GROUP \\[${other}\\]`));
    await denied('one.groupquota.update', ['VM = [ VMS = 1 ]'], /Not authorized/);

    assert.deepEqual(await groupNames(oned), groupsBefore);
    const g = await okXml(oned, 'one.group.info', [mine]);
    assert.deepEqual(templateOf(g), {});
    assert.deepEqual(idList(g, 'ADMINS'), []);
    assert.deepEqual(idList(await okXml(oned, 'one.user.info', [u.id]), 'GROUPS'), [1, mine]);
  });
});
