/** Users over raw XML-RPC: allocation, passwords, groups, templates, enable, delete, login tokens, denials. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { childInt, childText } from '../../src/common/xml-tree.js';
import { AUTH_FAILED, Code, addGroup, addUser, all, documentIds, idList, idsIn, must, okId, okXml, onFeatureBackends, refused, sleep, templateOf, userNames } from './api-helpers.js';

onFeatureBackends('users', (get) => {
  test('allocate creates a core user in "users" with a hashed password, seen by info and the pool', async () => {
    const oned = get();
    const id = await okId(oned, 'one.user.allocate', ['u-create', 'first-pw', '']);
    const user = await okXml(oned, 'one.user.info', [id]);
    assert.equal(user.name, 'USER');
    assert.equal(childInt(user, 'ID'), id);
    assert.equal(childText(user, 'NAME'), 'u-create');
    assert.equal(childInt(user, 'GID'), 1);
    assert.equal(childText(user, 'GNAME'), 'users');
    assert.deepEqual(idList(user, 'GROUPS'), [1]);
    assert.equal(childText(user, 'AUTH_DRIVER'), 'core');
    assert.equal(childText(user, 'ENABLED'), '1');
    const stored = childText(user, 'PASSWORD');
    assert.ok(stored.length > 0 && !stored.includes('first-pw'), `the password is stored hashed, got ${stored}`);
    // 005-user.info of the 7.4 reference: the elements, their order, TOKEN_PASSWORD in the template.
    assert.deepEqual(user.children.map((c) => c.name), [
      'ID', 'GID', 'GROUPS', 'GNAME', 'NAME', 'PASSWORD', 'AUTH_DRIVER', 'ENABLED', 'TEMPLATE',
      'DATASTORE_QUOTA', 'NETWORK_QUOTA', 'VM_QUOTA', 'IMAGE_QUOTA', 'DEFAULT_USER_QUOTAS',
    ]);
    assert.match(childText(must(user, 'TEMPLATE'), 'TOKEN_PASSWORD'), /^[0-9a-f]{64}$/);
    const other = await okXml(oned, 'one.user.info', [await okId(oned, 'one.user.allocate', ['u-create-2', 'pw', ''])]);
    assert.notEqual(childText(must(other, 'TEMPLATE'), 'TOKEN_PASSWORD'), childText(must(user, 'TEMPLATE'), 'TOKEN_PASSWORD'), 'a secret of its own');

    assert.ok(idList(await okXml(oned, 'one.group.info', [1]), 'USERS').includes(id));
    const pool = await okXml(oned, 'one.userpool.info', []);
    assert.equal(pool.name, 'USER_POOL');
    assert.ok(idsIn(pool, 'USER').includes(id));
    // 009-userpool.info: each USER followed by its own QUOTAS, the default quotas last.
    const names = pool.children.map((c) => c.name);
    assert.deepEqual(names.slice(0, -1), names.slice(0, -1).map((_, i) => (i % 2 === 0 ? 'USER' : 'QUOTAS')));
    assert.equal(names.at(-1), 'DEFAULT_USER_QUOTAS');
    for (let i = 0; i < pool.children.length - 1; i += 2) assert.equal(childInt(pool.children[i + 1]!, 'ID'), childInt(pool.children[i]!, 'ID'));

    const self = await okXml(oned, 'one.user.info', [-1], 'u-create:first-pw');
    assert.equal(childInt(self, 'ID'), id, 'info -1 is the caller');
    const token = String(await oned.ok('one.user.login', ['u-create', '', 3600, -1], 'u-create:first-pw'));
    assert.match(token, /^[0-9a-f]{64}$/, 'tokens have the form of 7.4\'s');
    const loggedIn = await okXml(oned, 'one.user.info', [id]);
    assert.deepEqual(loggedIn.children.map((c) => c.name).slice(7, 10), ['ENABLED', 'LOGIN_TOKEN', 'TEMPLATE']);
    assert.deepEqual(must(loggedIn, 'LOGIN_TOKEN').children.map((c) => c.name), ['TOKEN', 'EXPIRATION_TIME', 'EGID']);
  });

  test('a fresh oned has oneadmin (0) and serveradmin (1), whose credentials the cloud servers read', async () => {
    const oned = get();
    const admin = await okXml(oned, 'one.user.info', [0]);
    assert.deepEqual([childText(admin, 'NAME'), childText(admin, 'AUTH_DRIVER'), childInt(admin, 'GID')], ['oneadmin', 'core', 0]);
    const server = await okXml(oned, 'one.user.info', [1]);
    assert.deepEqual(
      [childText(server, 'NAME'), childInt(server, 'GID'), childText(server, 'GNAME'), childText(server, 'AUTH_DRIVER'), childText(server, 'ENABLED')],
      ['serveradmin', 0, 'oneadmin', 'server_cipher', '1'],
    );
    assert.deepEqual(idList(server, 'GROUPS'), [0]);
    assert.match(childText(must(server, 'TEMPLATE'), 'TOKEN_PASSWORD'), /^[0-9a-f]{64}$/);
    // Each auth file holds serveradmin:<password>; oned keeps only the password's SHA-256 digest.
    const secrets = new Set<string>();
    for (const f of ['sunstone_auth', 'occi_auth', 'ec2_auth', 'onegate_auth', 'oneflow_auth']) {
      const file = join(oned.location, '.one', f);
      assert.equal(statSync(file).mode & 0o777, 0o600, `${f} is private`);
      const m = /^serveradmin:([0-9a-f]{64})\n$/.exec(readFileSync(file, 'utf8'));
      assert.ok(m, `${f} holds serveradmin:<password>`);
      secrets.add(m[1]!);
    }
    assert.equal(secrets.size, 1, 'one password in every file');
    const [password] = [...secrets];
    assert.equal(childText(server, 'PASSWORD'), createHash('sha256').update(password!).digest('hex'));
    assert.ok(!oned.output.includes(password!), 'the password is not logged');
    assert.ok(!readFileSync(join(oned.location, 'var', 'oned.log'), 'utf8').includes(password!), 'nor written to oned.log');
  });

  test('allocate with group ids makes the first the primary group and joins all of them', async () => {
    const oned = get();
    const g1 = await okId(oned, 'one.group.allocate', ['u-multi-1']);
    const g2 = await okId(oned, 'one.group.allocate', ['u-multi-2']);
    const id = await okId(oned, 'one.user.allocate', ['u-multi', 'pw', '', [g2, g1]]);
    const user = await okXml(oned, 'one.user.info', [id]);
    assert.equal(childInt(user, 'GID'), g2);
    assert.equal(childText(user, 'GNAME'), 'u-multi-2');
    assert.deepEqual(idList(user, 'GROUPS'), [g1, g2]);
    for (const g of [g1, g2]) assert.deepEqual(idList(await okXml(oned, 'one.group.info', [g]), 'USERS'), [id]);

    await refused(oned, 'one.user.allocate', ['u-multi-bad', 'pw', '', [g1, 9999]], Code.NO_EXISTS, /Error getting group \[9999\]/);
    assert.ok(!(await userNames(oned)).includes('u-multi-bad'), 'no user half-made');
    assert.deepEqual(idList(await okXml(oned, 'one.group.info', [g1]), 'USERS'), [id], 'no stray membership');
  });

  test('a taken name is refused with INTERNAL (as 7.4) and the existing user is untouched', async () => {
    const oned = get();
    const u = await addUser(oned, 'u-dup');
    const before = (await userNames(oned)).length;
    // 076-err.8192.dup-user of the 7.4 reference, word for word.
    await refused(oned, 'one.user.allocate', ['u-dup', 'other-pw', ''], Code.INTERNAL, new RegExp(`^\\[one\\.user\\.allocate\\] NAME is already taken by USER ${u.id}\\.$`));
    await refused(oned, 'one.user.allocate', ['serveradmin', 'other-pw', ''], Code.INTERNAL, /^\[one\.user\.allocate\] NAME is already taken by USER 1\.$/);
    assert.equal((await userNames(oned)).length, before);
    await oned.ok('one.user.info', [-1], u.session);
    await refused(oned, 'one.user.info', [-1], Code.AUTHENTICATION, AUTH_FAILED, 'u-dup:other-pw');
  });

  test('passwd: the old password then fails with 256 and the new one works', async () => {
    const oned = get();
    const u = await addUser(oned, 'u-passwd');
    const hashBefore = childText(await okXml(oned, 'one.user.info', [u.id]), 'PASSWORD');
    assert.equal(await okId(oned, 'one.user.passwd', [u.id, 'second-pw']), u.id);
    await refused(oned, 'one.user.info', [-1], Code.AUTHENTICATION, AUTH_FAILED, u.session);
    await oned.ok('one.user.info', [-1], 'u-passwd:second-pw');
    assert.notEqual(childText(await okXml(oned, 'one.user.info', [u.id]), 'PASSWORD'), hashBefore);

    // A user may change its own password (it owns itself with USE and MANAGE).
    await okId(oned, 'one.user.passwd', [u.id, 'third-pw'], 'u-passwd:second-pw');
    await refused(oned, 'one.user.info', [-1], Code.AUTHENTICATION, AUTH_FAILED, 'u-passwd:second-pw');
    await oned.ok('one.user.info', [-1], 'u-passwd:third-pw');
  });

  test('chgrp, addgroup and delgroup keep the user and the groups in step, as OpenNebula 7.4', async () => {
    const oned = get();
    const g = await okId(oned, 'one.group.allocate', ['u-moves']);
    const g2 = await okId(oned, 'one.group.allocate', ['u-moves-2']);
    const u = await addUser(oned, 'u-mover');
    const groupsOf = async () => idList(await okXml(oned, 'one.user.info', [u.id]), 'GROUPS');
    const primaryOf = async () => childInt(await okXml(oned, 'one.user.info', [u.id]), 'GID');
    const usersOf = async (gid: number) => idList(await okXml(oned, 'one.group.info', [gid]), 'USERS');

    assert.equal(await okId(oned, 'one.user.addgroup', [u.id, g]), u.id);
    assert.deepEqual(await groupsOf(), [1, g]);
    assert.deepEqual(await usersOf(g), [u.id]);
    await refused(oned, 'one.user.addgroup', [u.id, g], Code.ACTION, /^\[one\.user\.addgroup\] User is already in this group$/);
    await refused(oned, 'one.user.addgroup', [u.id, 9999], Code.NO_EXISTS, /Error getting group \[9999\]/);

    // chgrp to a secondary group: the two swap roles, the user stays in both.
    assert.equal(await okId(oned, 'one.user.chgrp', [u.id, g]), u.id);
    const moved = await okXml(oned, 'one.user.info', [u.id]);
    assert.equal(childInt(moved, 'GID'), g);
    assert.equal(childText(moved, 'GNAME'), 'u-moves');
    assert.deepEqual(idList(moved, 'GROUPS'), [1, g], 'the old primary group stays a secondary one');
    assert.ok((await usersOf(1)).includes(u.id));
    assert.equal(await okId(oned, 'one.user.chgrp', [u.id, g]), u.id, 'to the same group: nothing to do');

    await refused(oned, 'one.user.delgroup', [u.id, g], Code.ACTION, /^\[one\.user\.delgroup\] Cannot remove user from the primary group$/);
    assert.equal(await okId(oned, 'one.user.delgroup', [u.id, 1]), u.id);
    assert.deepEqual(await groupsOf(), [g]);
    assert.ok(!(await usersOf(1)).includes(u.id));
    await refused(oned, 'one.user.delgroup', [u.id, 1], Code.ACTION, /^\[one\.user\.delgroup\] User is not part of this group$/);

    // chgrp to a group the user is not in: the old primary group is left.
    assert.equal(await okId(oned, 'one.user.chgrp', [u.id, g2]), u.id);
    assert.equal(await primaryOf(), g2);
    assert.deepEqual(await groupsOf(), [g2]);
    assert.deepEqual(await usersOf(g), []);
    assert.deepEqual(await usersOf(g2), [u.id]);

    await refused(oned, 'one.user.chgrp', [u.id, 9999], Code.NO_EXISTS, /Error getting group \[9999\]/);
    await refused(oned, 'one.user.chgrp', [u.id, -1], Code.XML_RPC_API, /Wrong group ID/);
    await refused(oned, 'one.user.chgrp', [0, 1], Code.INTERNAL, /^\[one\.user\.chgrp\] user \[0\] oneadmin cannot be moved outside of the group \[0\] oneadmin$/);
    assert.equal(childInt(await okXml(oned, 'one.user.info', [0]), 'GID'), 0);
  });

  test('the sequence of OpenNebula\'s Go client tests: addgroup, chgrp, delgroup of "users"; chown to serveradmin', async () => {
    const oned = get();
    const g = await okId(oned, 'one.group.allocate', ['u-goca']);
    const u = await addUser(oned, 'u-goca-user');
    assert.equal(childText(await okXml(oned, 'one.user.info', [u.id]), 'GNAME'), 'users');
    await okId(oned, 'one.user.addgroup', [u.id, g]);
    await okId(oned, 'one.user.chgrp', [u.id, g]);
    await okId(oned, 'one.user.delgroup', [u.id, 1]);
    const after = await okXml(oned, 'one.user.info', [u.id]);
    assert.equal(childInt(after, 'GID'), g);
    assert.deepEqual(idList(after, 'GROUPS'), [g]);
    // Login scoped to the primary group, chauth to another driver, as the Go tests do.
    await oned.ok('one.user.login', [u.name, '', 30, g]);
    await okId(oned, 'one.user.chauth', [u.id, 'dummy', 'dummy_passwd']);
    assert.equal(childText(await okXml(oned, 'one.user.info', [u.id]), 'AUTH_DRIVER'), 'dummy');
    // Objects chowned to user 1 (serveradmin) and group 1 (users).
    const doc = await okId(oned, 'one.document.allocate', ['NAME = "u-goca-doc"', 1]);
    await okId(oned, 'one.document.chown', [doc, 1, 1]);
    const chowned = await okXml(oned, 'one.document.info', [doc]);
    assert.deepEqual([childInt(chowned, 'UID'), childText(chowned, 'UNAME'), childInt(chowned, 'GID'), childText(chowned, 'GNAME')], [1, 'serveradmin', 1, 'users']);
    await okId(oned, 'one.user.delete', [u.id]);
    await okId(oned, 'one.group.delete', [g]);
  });

  test('update replaces the template with type 0 and merges into it with type 1', async () => {
    const oned = get();
    const u = await addUser(oned, 'u-tmpl');
    const tmpl = async () => templateOf(await okXml(oned, 'one.user.info', [u.id]));

    await okId(oned, 'one.user.update', [u.id, 'A = "1"\nB = [ X = "x1", Y = "y1" ]', 0]);
    assert.deepEqual(await tmpl(), { A: '1', B: JSON.stringify({ X: 'x1', Y: 'y1' }) });

    await okId(oned, 'one.user.update', [u.id, 'A = "2"\nC = "3"', 1]);
    assert.deepEqual(await tmpl(), { A: '2', B: JSON.stringify({ X: 'x1', Y: 'y1' }), C: '3' });

    await okId(oned, 'one.user.update', [u.id, 'D = "4"', 0]);
    assert.deepEqual(await tmpl(), { D: '4' });

    await refused(oned, 'one.user.update', [u.id, 'E = "5"', 2], Code.XML_RPC_API, /update type/);
    assert.deepEqual(await tmpl(), { D: '4' });

    // The user may edit its own template; the XML form is accepted too.
    await okId(oned, 'one.user.update', [u.id, '<TEMPLATE><OWN>yes</OWN></TEMPLATE>', 1], u.session);
    assert.deepEqual(await tmpl(), { D: '4', OWN: 'yes' });
  });

  test('a disabled user gets 256, with its password and its tokens, until enabled again', async () => {
    const oned = get();
    const u = await addUser(oned, 'u-disabled');
    const token = String(await oned.ok('one.user.login', [u.name, '', 600, -1], u.session));
    assert.equal(await okId(oned, 'one.user.enable', [u.id, false]), u.id);
    assert.equal(childText(await okXml(oned, 'one.user.info', [u.id]), 'ENABLED'), '0');
    await refused(oned, 'one.user.info', [-1], Code.AUTHENTICATION, AUTH_FAILED, u.session);
    await refused(oned, 'one.user.info', [-1], Code.AUTHENTICATION, AUTH_FAILED, `${u.name}:${token}`);

    await okId(oned, 'one.user.enable', [u.id, true]);
    assert.equal(childText(await okXml(oned, 'one.user.info', [u.id]), 'ENABLED'), '1');
    await oned.ok('one.user.info', [-1], u.session);
    await oned.ok('one.user.info', [-1], `${u.name}:${token}`);

    await refused(oned, 'one.user.enable', [0, false], Code.ACTION, /oneadmin cannot be disabled/);
    await oned.ok('one.user.info', [-1]);
  });

  test('delete removes the user from its groups and its ACL rules; oneadmin cannot be deleted', async () => {
    const oned = get();
    const g = await okId(oned, 'one.group.allocate', ['u-del-group']);
    const u = await addUser(oned, 'u-del', [1, g]);
    const rule = await okId(oned, 'one.acl.addrule', [(0x100000000 + u.id).toString(16), '400400000000', '1']);
    await okId(oned, 'one.group.addadmin', [g, u.id]);
    assert.deepEqual(idList(await okXml(oned, 'one.group.info', [g]), 'ADMINS'), [u.id]);

    assert.equal(await okId(oned, 'one.user.delete', [u.id]), u.id);
    await refused(oned, 'one.user.info', [u.id], Code.NO_EXISTS, new RegExp(`Error getting user \\[${u.id}\\]`));
    assert.ok(!(await userNames(oned)).includes(u.name));
    for (const gid of [1, g]) assert.ok(!idList(await okXml(oned, 'one.group.info', [gid]), 'USERS').includes(u.id));
    assert.deepEqual(idList(await okXml(oned, 'one.group.info', [g]), 'ADMINS'), [], 'no longer an administrator');
    const acl = all(await okXml(oned, 'one.acl.info', []), 'ACL');
    assert.ok(!acl.some((r) => childInt(r, 'ID') === rule), 'rules naming the user are gone');
    assert.ok(!acl.some((r) => childText(r, 'STRING').startsWith(`#${u.id} `)), 'the group admin rules too');
    await refused(oned, 'one.user.info', [-1], Code.AUTHENTICATION, AUTH_FAILED, u.session);
    await refused(oned, 'one.user.delete', [u.id], Code.NO_EXISTS, /Error getting user/);

    await refused(oned, 'one.user.delete', [0], Code.ACTION, /oneadmin cannot be deleted/);
    assert.equal(childText(await okXml(oned, 'one.user.info', [0]), 'NAME'), 'oneadmin');
  });

  test('a login token works as the session secret and expires', async () => {
    const oned = get();
    const u = await addUser(oned, 'u-token');
    // Valid 5 s: long enough for the next calls on a loaded machine, short enough to wait out.
    const before = Date.now() / 1000;
    const token = String(await oned.ok('one.user.login', [u.name, '', 5, -1], u.session));
    assert.match(token, /^\S{16,}$/);
    const self = await okXml(oned, 'one.user.info', [-1], `${u.name}:${token}`);
    assert.equal(childInt(self, 'ID'), u.id);
    const stored = all(self, 'LOGIN_TOKEN');
    assert.equal(stored.length, 1);
    assert.equal(childText(stored[0]!, 'TOKEN'), token);
    assert.equal(childInt(stored[0]!, 'EGID'), -1);
    const expiry = childInt(stored[0]!, 'EXPIRATION_TIME');
    const now = Date.now() / 1000;
    assert.ok(expiry >= Math.floor(before) + 5 && expiry <= now + 5, `expires five seconds after login, got ${expiry} (login at ${before})`);

    // A token the client chose is accepted as given.
    assert.equal(await oned.ok('one.user.login', [u.name, 'chosen-token-1234', 600, -1], u.session), 'chosen-token-1234');
    await oned.ok('one.user.info', [-1], `${u.name}:chosen-token-1234`);

    await sleep(Math.max(0, (expiry + 1) * 1000 - Date.now()));
    await refused(oned, 'one.user.info', [-1], Code.AUTHENTICATION, AUTH_FAILED, `${u.name}:${token}`);
    await oned.ok('one.user.info', [-1], `${u.name}:chosen-token-1234`);
    await oned.ok('one.user.info', [-1], u.session);
  });

  test('a group-scoped token sees and acts with that group only', async () => {
    const oned = get();
    const g = await addGroup(oned, 'u-scope');
    const u = await addUser(oned, 'u-scoped', [1, g]);
    // Two documents shared with their group (GROUP_U), one in "users", one in g.
    const inUsers = await okId(oned, 'one.document.allocate', ['NAME = "scope-users"', 1]);
    const inG = await okId(oned, 'one.document.allocate', ['NAME = "scope-g"', 1]);
    await okId(oned, 'one.document.chown', [inUsers, -1, 1]);
    await okId(oned, 'one.document.chown', [inG, -1, g]);
    for (const d of [inUsers, inG]) await okId(oned, 'one.document.chmod', [d, -1, -1, -1, 1, -1, -1, -1, -1, -1]);

    const withPassword = await documentIds(oned, u.session, -2);
    assert.ok(withPassword.includes(inUsers) && withPassword.includes(inG));
    assert.equal(childInt(await okXml(oned, 'one.group.info', [-1], u.session), 'ID'), 1);

    const token = String(await oned.ok('one.user.login', [u.name, '', 600, g], u.session));
    const scoped = `${u.name}:${token}`;
    const stored = all(await okXml(oned, 'one.user.info', [u.id]), 'LOGIN_TOKEN');
    assert.deepEqual(stored.map((t) => childInt(t, 'EGID')), [g]);

    const seen = await documentIds(oned, scoped, -2);
    assert.ok(seen.includes(inG), 'sees documents of the token group');
    assert.ok(!seen.includes(inUsers), 'does not see documents of its other group');
    await refused(oned, 'one.document.info', [inUsers], Code.AUTHORIZATION, /Not authorized to perform USE DOCUMENT/, scoped);
    assert.equal(childInt(await okXml(oned, 'one.group.info', [-1], scoped), 'ID'), g, 'the token group is the primary group');
    await refused(oned, 'one.group.info', [1], Code.AUTHORIZATION, /Not authorized to perform USE GROUP \[1\]/, scoped);
    assert.deepEqual(idsIn(await okXml(oned, 'one.grouppool.info', [], scoped), 'GROUP'), [g]);

    const made = await okId(oned, 'one.document.allocate', ['NAME = "scope-made"', 1], scoped);
    const doc = await okXml(oned, 'one.document.info', [made]);
    assert.equal(childInt(doc, 'GID'), g, 'objects are created in the token group');
    assert.equal(childInt(doc, 'UID'), u.id);

    await refused(oned, 'one.user.login', [u.name, '', 600, 0], Code.XML_RPC_API, /EGID is not in user group list/, u.session);
    assert.equal(all(await okXml(oned, 'one.user.info', [u.id]), 'LOGIN_TOKEN').length, 1, 'no token for a foreign group');
  });

  test('login with validity 0 resets one token, or all with an empty token; passwd ends them all', async () => {
    const oned = get();
    const u = await addUser(oned, 'u-reset');
    const login = async () => String(await oned.ok('one.user.login', [u.name, '', 600, -1], u.session));
    const t1 = await login();
    const t2 = await login();
    assert.notEqual(t1, t2);
    assert.equal(all(await okXml(oned, 'one.user.info', [u.id]), 'LOGIN_TOKEN').length, 2);

    await oned.ok('one.user.login', [u.name, t1, 0, -1], u.session);
    await refused(oned, 'one.user.info', [-1], Code.AUTHENTICATION, AUTH_FAILED, `${u.name}:${t1}`);
    // As 7.4: resetting a token the user does not have is XML_RPC_API (the token is not echoed).
    await refused(oned, 'one.user.login', [u.name, t1, 0, -1], Code.XML_RPC_API, /^\[one\.user\.login\] Could not find token$/, u.session);
    await oned.ok('one.user.info', [-1], `${u.name}:${t2}`);

    await oned.ok('one.user.login', [u.name, '', 0, -1], u.session);
    await refused(oned, 'one.user.info', [-1], Code.AUTHENTICATION, AUTH_FAILED, `${u.name}:${t2}`);
    assert.equal(all(await okXml(oned, 'one.user.info', [u.id]), 'LOGIN_TOKEN').length, 0);
    await oned.ok('one.user.info', [-1], u.session);

    const t3 = await login();
    await okId(oned, 'one.user.passwd', [u.id, 'changed-pw']);
    await refused(oned, 'one.user.info', [-1], Code.AUTHENTICATION, AUTH_FAILED, `${u.name}:${t3}`);

    // oneadmin may log a user in; the token is that user's.
    const t4 = String(await oned.ok('one.user.login', [u.name, '', 600, -1]));
    assert.equal(childInt(await okXml(oned, 'one.user.info', [-1], `${u.name}:${t4}`), 'ID'), u.id);
  });

  test('a regular user is denied, with 512, what OpenNebula denies it', async () => {
    const oned = get();
    const alice = await addUser(oned, 'u-alice');
    const bob = await addUser(oned, 'u-bob');
    const usersBefore = await userNames(oned);
    const bobTemplate = templateOf(await okXml(oned, 'one.user.info', [bob.id]));
    assert.deepEqual(Object.keys(bobTemplate), ['EC2_SECRET_KEY', 'TOKEN_PASSWORD']);
    const denied = (method: string, params: (string | number | boolean)[], what: RegExp) =>
      refused(oned, method, params, Code.AUTHORIZATION, what, alice.session);

    await denied('one.user.allocate', ['u-by-alice', 'pw', ''], /User \[\d+\] : Not authorized to perform CREATE USER/);
    await denied('one.group.allocate', ['g-by-alice'], /Not authorized to perform CREATE GROUP/);
    await denied('one.user.info', [bob.id], new RegExp(`Not authorized to perform USE USER \\[${bob.id}\\]`));
    await denied('one.user.delete', [bob.id], new RegExp(`Not authorized to perform ADMIN USER \\[${bob.id}\\]`));
    await denied('one.user.passwd', [bob.id, 'stolen-pw'], new RegExp(`Not authorized to perform MANAGE USER \\[${bob.id}\\]`));
    await denied('one.user.update', [bob.id, 'X = "1"', 1], /Not authorized to perform MANAGE USER/);
    await denied('one.user.chgrp', [bob.id, 0], /Not authorized to perform MANAGE USER/);
    await denied('one.user.addgroup', [alice.id, 0], /Not authorized to perform MANAGE GROUP \[0\]/);
    await denied('one.user.enable', [alice.id, false], /Not authorized to perform ADMIN USER/);
    await denied('one.user.delete', [alice.id], /Not authorized to perform ADMIN USER/);
    await denied('one.user.chauth', [alice.id, 'ldap', ''], /Not authorized to perform ADMIN USER/);
    await denied('one.user.login', [bob.name, '', 600, -1], /Not authorized to perform ADMIN USER/);
    await denied('one.userquota.update', ['VM = [ VMS = 1 ]'], /Not authorized/);

    assert.deepEqual(await userNames(oned), usersBefore, 'no user made or removed');
    await oned.ok('one.user.info', [-1], bob.session);
    assert.deepEqual(templateOf(await okXml(oned, 'one.user.info', [bob.id])), bobTemplate);
    assert.equal(childText(await okXml(oned, 'one.user.info', [alice.id]), 'ENABLED'), '1');
    assert.equal(childText(await okXml(oned, 'one.user.info', [alice.id]), 'AUTH_DRIVER'), 'core');
    assert.deepEqual(idList(await okXml(oned, 'one.user.info', [alice.id]), 'GROUPS'), [1]);

    // What a user may do with itself, and what it sees of the pool.
    assert.equal(childInt(await okXml(oned, 'one.user.info', [alice.id], alice.session), 'ID'), alice.id);
    assert.deepEqual(idsIn(await okXml(oned, 'one.userpool.info', [], alice.session), 'USER'), [alice.id]);
  });

  test('a member of the oneadmin group acts as oneadmin, but cannot delete it', async () => {
    const oned = get();
    const op = await addUser(oned, 'u-operator', [0]);
    const target = await addUser(oned, 'u-target');
    const made = await okId(oned, 'one.user.allocate', ['u-by-operator', 'pw', ''], op.session);
    assert.equal(childInt(await okXml(oned, 'one.user.info', [made]), 'GID'), 1, 'users made by the oneadmin group go to "users"');
    await okId(oned, 'one.user.passwd', [target.id, 'reset-by-operator'], op.session);
    await oned.ok('one.user.info', [-1], 'u-target:reset-by-operator');
    assert.ok(idsIn(await okXml(oned, 'one.userpool.info', [], op.session), 'USER').includes(0), 'sees every user');
    await oned.ok('one.acl.info', [], op.session);
    await okId(oned, 'one.user.delete', [made], op.session);
    await refused(oned, 'one.user.delete', [0], Code.ACTION, /oneadmin cannot be deleted/, op.session);
    await oned.ok('one.user.info', [-1]);
  });

  test('concurrent allocations of one name from several clients: exactly one wins', async () => {
    const oned = get();
    const clients = Array.from({ length: 6 }, () => oned.client());
    const race = async (method: string, params: (index: number) => (string | number)[]) => {
      const results = (await Promise.all(clients.map((c, i) => c.call(method, [oned.oneadmin, ...params(i)])))) as unknown[][];
      const winners = results.filter((r) => r[0] === true);
      assert.equal(winners.length, 1, `${method}: ${JSON.stringify(results)}`);
      for (const r of results.filter((x) => x[0] === false)) assert.match(String(r[1]), /NAME is already taken/);
      return winners[0]![1] as number;
    };
    await race('one.user.allocate', () => ['u-race', 'pw', '']);
    assert.equal((await userNames(oned)).filter((n) => n === 'u-race').length, 1);
    await oned.ok('one.user.info', [-1], 'u-race:pw');

    const gid = await race('one.group.allocate', () => ['u-race-group']);
    assert.equal(childText(await okXml(oned, 'one.group.info', [gid]), 'NAME'), 'u-race-group');

    await race('one.document.allocate', () => ['NAME = "u-race-doc"', 1]);
    const docs = await Promise.all(clients.map((_, i) => okId(oned, 'one.document.allocate', [`NAME = "u-race-${i}"`, 1])));
    const renamed = await race('one.document.rename', (i) => [docs[i]!, 'u-race-renamed']);
    const names = await Promise.all(docs.map(async (d) => childText(await okXml(oned, 'one.document.info', [d]), 'NAME')));
    assert.deepEqual(names, docs.map((d, i) => (d === renamed ? 'u-race-renamed' : `u-race-${i}`)));
  });
});
