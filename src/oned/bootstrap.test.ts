import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../db/index.js';
import { Template } from '../common/template/index.js';
import { Group, GroupPool } from '../group/index.js';
import { CORE_AUTH, User, UserPool } from '../user/index.js';
import { Transaction } from '../pool/index.js';
import { locate } from './location.js';
import { ensureDefaultVdc, ensureServerAdmin, SERVER_AUTH_FILES, usersGroupTemplate } from './bootstrap.js';
import { AclManager, AclRule, vdcRules } from '../acl/index.js';
import { VdcPool } from '../vdc/index.js';

/** A database as an earlier version bootstrapped it: oneadmin (0) and the two groups, plus `extra` users. */
async function olderDatabase(extra: string[] = []) {
  const root = mkdtempSync(join(tmpdir(), 'bootstrap-'));
  const db = await openDatabase({ backend: 'sqlite', file: join(root, 'one.db') });
  await db.migrate();
  const users = new UserPool();
  const groups = new GroupPool();
  const tx = new Transaction(db);
  const oneadmin = tx.create(groups, new Group(0, 'oneadmin', new Template(), [0]));
  groups.reserve(1);
  const usersGroup = tx.create(groups, new Group(1, 'users', new Template()));
  users.reserve(0);
  tx.create(users, new User(0, 'oneadmin', 0, 'oneadmin', 'x', CORE_AUTH, true, [0], new Template()));
  await tx.commit();
  for (const name of extra) {
    const t = new Transaction(db);
    const u = t.create(users, new User(users.nextOid(), name, 1, 'users', 'x', CORE_AUTH, true, [1], new Template()));
    t.touch(groups, usersGroup).users.add(u.oid);
    await t.commit();
  }
  return { db, users, groups, oneadmin, loc: locate({ ONE_LOCATION: root }) };
}

function fileSecret(loc: ReturnType<typeof locate>, file: string): string {
  const m = /^serveradmin:([0-9a-f]{64})\n$/.exec(readFileSync(join(loc.root, '.one', file), 'utf8'));
  assert.ok(m, `${file} holds serveradmin:<64 hex digits>`);
  return m[1]!;
}

test('a database without serveradmin gets it as user 1 when no user had that id', async () => {
  const { db, users, groups, loc } = await olderDatabase();
  assert.equal(await ensureServerAdmin(db, { users, groups }, loc), 1);
  const server = users.get(1)!;
  assert.deepEqual([server.name, server.gid, server.authDriver, server.enabled, [...server.groups]], ['serveradmin', 0, 'server_cipher', true, [0]]);
  assert.match(server.template.get('TOKEN_PASSWORD') ?? '', /^[0-9a-f]{64}$/);
  assert.deepEqual([...groups.get(0)!.users].sort(), [0, 1]);
  const password = fileSecret(loc, SERVER_AUTH_FILES[0]!);
  for (const f of SERVER_AUTH_FILES) {
    assert.equal(fileSecret(loc, f), password);
    assert.equal(statSync(join(loc.root, '.one', f)).mode & 0o777, 0o600);
  }
  assert.equal(server.password, createHash('sha256').update(password).digest('hex'), 'only the digest is kept');

  // Stored: a new pool loaded from the database has it; a second start adds nothing.
  const reloaded = new UserPool();
  await reloaded.load(db);
  assert.equal(reloaded.getByName('serveradmin')?.oid, 1);
  assert.equal(await ensureServerAdmin(db, { users, groups }, loc), null);
  assert.equal(fileSecret(loc, 'ec2_auth'), password, 'the files are left alone');
  await db.close();
});

test('when id 1 was given before, serveradmin takes the next id', async () => {
  const { db, users, groups, loc } = await olderDatabase(['alice', 'bob']);
  assert.equal(users.lastId, 2);
  assert.equal(await ensureServerAdmin(db, { users, groups }, loc), 3);
  assert.equal(users.get(3)?.name, 'serveradmin');
  assert.equal(users.get(1)?.name, 'alice', 'the user with id 1 is untouched');
  await db.close();
});

test('a user already called serveradmin is left as it is, and no file is written', async () => {
  const { db, users, groups, loc } = await olderDatabase(['serveradmin']);
  assert.equal(await ensureServerAdmin(db, { users, groups }, loc), null);
  assert.equal(users.get(1)?.authDriver, CORE_AUTH);
  assert.equal(users.size, 2);
  for (const f of SERVER_AUTH_FILES) assert.ok(!existsSync(join(loc.root, '.one', f)), f);
  await db.close();
});

test('the users group template carries the Sunstone views of 7.4', () => {
  const sunstone = usersGroupTemplate().getVector('SUNSTONE');
  assert.deepEqual(Object.fromEntries(sunstone ?? []), {
    DEFAULT_VIEW: 'cloud',
    GROUP_ADMIN_DEFAULT_VIEW: 'groupadmin',
    GROUP_ADMIN_VIEWS: 'groupadmin,cloud',
    VIEWS: 'cloud',
  });
});

test('a database made before VDCs gets VDC 0 with users and the groups that kept their default rules', async () => {
  const { db, groups } = await olderDatabase();
  const tx = new Transaction(db);
  const kept = tx.create(groups, new Group(100, 'kept', new Template()));
  const confined = tx.create(groups, new Group(101, 'confined', new Template()));
  await tx.commit();
  const acl = await AclManager.load(db);
  await acl.bootstrap();
  for (const rule of vdcRules(kept.oid, 0)) await acl.addRule(rule);
  // "confined" lost HOST/* (its admin confined it by hand): it is not put in the default VDC.
  for (const rule of vdcRules(confined.oid, 0).slice(1)) await acl.addRule(rule);
  const rules = acl.size;
  const vdcs = new VdcPool();
  assert.equal(await ensureDefaultVdc(db, vdcs, groups, acl), true);
  const vdc = vdcs.get(0)!;
  assert.equal(vdc.name, 'default');
  assert.deepEqual([...vdc.groups], [1, 100]);
  assert.deepEqual(vdc.resources.CLUSTER.items, [{ zone: 0, id: -10 }]);
  assert.equal(acl.size, rules, 'no rule added: they were all there');
  assert.ok(!acl.find(AclRule.parse('@101 HOST/* MANAGE #0')));
  // Stored, and not made again at the next start.
  const again = new VdcPool();
  await again.load(db);
  assert.deepEqual([...again.get(0)!.groups], [1, 100]);
  assert.equal(again.lastId, 99, 'user VDCs start at 100');
  assert.equal(await ensureDefaultVdc(db, again, groups, acl), false);
});
