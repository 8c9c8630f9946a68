import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from '../common/template/index.js';
import { openDatabase } from '../db/index.js';
import { AclManager, AclRule } from '../acl/index.js';
import { Document } from '../document/index.js';
import { Host } from '../host/index.js';
import { User } from '../user/index.js';
import { LockLevel, Permissions } from '../pool/index.js';
import { Authorizer } from './authorizer.js';
import { callerFor } from './caller.js';
import { AuthOp } from './operation.js';

async function setup() {
  const db = await openDatabase({ backend: 'sqlite', file: join(mkdtempSync(join(tmpdir(), 'authz-')), 'one.db') });
  await db.migrate();
  const acl = await AclManager.load(db);
  await acl.bootstrap();
  return { db, acl, authz: new Authorizer(acl) };
}

const user = (oid: number, gid: number, groups: number[] = []) => new User(oid, `u${oid}`, gid, `g${gid}`, 'x', 'core', true, groups, new Template());
const docOf = (oid: number, uid: number, gid: number, mode: number) =>
  new Document(oid, `d${oid}`, { uid, gid, uname: '', gname: '' }, Permissions.fromOctal(mode), 0, new Template());

test('owner, group and other bits decide for ordinary users', async () => {
  const { db, authz } = await setup();
  const alice = callerFor(user(2, 1));
  const bob = callerFor(user(3, 1));
  const carol = callerFor(user(4, 100));
  const d = docOf(0, 2, 1, 0o640);
  assert.equal(authz.check(alice, d, AuthOp.MANAGE), null);
  assert.equal(authz.check(bob, d, AuthOp.USE), null);
  assert.match(authz.check(bob, d, AuthOp.MANAGE)!.message, /Not authorized to perform MANAGE DOCUMENT \[0\]/);
  assert.equal(authz.check(carol, d, AuthOp.USE)!.kind, 'denied');
  assert.equal(authz.check(alice, d, AuthOp.ADMIN)!.kind, 'denied');
  await db.close();
});

test('oneadmin and the oneadmin group bypass bits, but not locks', async () => {
  const { db, authz } = await setup();
  const admin = callerFor(user(5, 0));
  const d = docOf(0, 2, 1, 0o600);
  assert.equal(authz.check(admin, d, AuthOp.ADMIN), null);
  d.lock = { level: LockLevel.MANAGE, owner: 2, time: 0, reqId: 0 };
  assert.equal(authz.check(admin, d, AuthOp.MANAGE)!.kind, 'locked');
  assert.equal(authz.check(admin, d, AuthOp.USE), null, 'a MANAGE lock leaves USE');
  assert.equal(authz.check(admin, d, AuthOp.MANAGE_NO_LCK), null, 'lock operations ignore the lock');
  await db.close();
});

test('ACL rules grant what bits do not, and the visibility filter follows them', async () => {
  const { db, acl, authz } = await setup();
  const carol = callerFor(user(4, 100));
  const d = docOf(7, 2, 1, 0o600);
  assert.equal(authz.check(carol, d, AuthOp.USE)!.kind, 'denied');
  assert.equal(authz.visibility(carol, 'DOCUMENT')!(d), false);
  await acl.addRule(AclRule.parse('#4 DOCUMENT/#7 USE'));
  assert.equal(authz.check(carol, d, AuthOp.USE), null);
  assert.equal(authz.visibility(carol, 'DOCUMENT')!(d), true);
  assert.equal(authz.check(carol, d, AuthOp.MANAGE)!.kind, 'denied');
  await db.close();
});

test('creation rights come from ACLs: the users group may create documents, not users', async () => {
  const { db, authz } = await setup();
  const alice = callerFor(user(2, 1));
  assert.equal(authz.checkType(alice, 'DOCUMENT', 8), null);
  assert.match(authz.checkType(alice, 'USER', 8)!.message, /Not authorized to perform CREATE USER/);
  assert.equal(authz.checkType(callerFor(user(3, 100)), 'DOCUMENT', 8)!.kind, 'denied');
  await db.close();
});

test('a token scoped to one group limits the caller to that group', async () => {
  const { db, authz } = await setup();
  const u = user(2, 1, [100]);
  const d = docOf(0, 9, 100, 0o640);
  assert.equal(authz.check(callerFor(u), d, AuthOp.USE), null);
  assert.equal(authz.check(callerFor(u, 1, 'users'), d, AuthOp.USE)!.kind, 'denied');
  await db.close();
});

test('cluster rules (HOST/%cid) reach the hosts of that cluster, in checks and in listings', async () => {
  const { db, acl, authz } = await setup();
  // Not in "users", whose default VDC rules reach every host.
  const carol = callerFor(user(4, 100));
  const inside = Host.create(1, 'in', 'dummy', 'dummy', 100, 'c100');
  const outside = Host.create(2, 'out', 'dummy', 'dummy', 0, 'default');
  await acl.addRule(AclRule.parse('#4 HOST/%100 USE+MANAGE'));
  assert.equal(authz.check(carol, inside, AuthOp.MANAGE, inside.clusterIds), null);
  assert.equal(authz.check(carol, inside, AuthOp.MANAGE)!.kind, 'denied', 'without its clusters the rule cannot apply');
  assert.equal(authz.check(carol, outside, AuthOp.USE, outside.clusterIds)!.kind, 'denied');
  assert.equal(authz.check(carol, inside, AuthOp.ADMIN, inside.clusterIds)!.kind, 'denied');
  const clustersOf = (o: { oid: number }) => (o.oid === 1 ? inside.clusterIds : outside.clusterIds);
  const visible = authz.visibility(carol, 'HOST', clustersOf)!;
  assert.deepEqual([visible(inside), visible(outside)], [true, false]);
  assert.equal(authz.visibility(carol, 'HOST')!(inside), false, 'no clusters given: only ids and groups count');
  await db.close();
});

test('viewKey: callers who see the same objects share a key, a rule changes it', async () => {
  const { db, acl, authz } = await setup();
  const admin = callerFor(user(5, 0));
  const dave = callerFor(user(6, 100));
  const erin = callerFor(user(7, 100));
  assert.equal(authz.viewKey(admin, 'VM'), 'all');
  const before = authz.viewKey(dave, 'VM');
  assert.notEqual(before, 'all');
  assert.notEqual(before, authz.viewKey(erin, 'VM'), 'owner bits differ by user');
  const one = await acl.addRule(AclRule.parse('#6 VM/#42 USE'));
  const granted = authz.viewKey(dave, 'VM');
  assert.notEqual(granted, before);
  assert.equal(authz.visibility(dave, 'VM')!({ oid: 42, owner: { uid: 0, gid: 0 }, perms: Permissions.fromOctal(0o600) } as never), true);
  await acl.delRule(one);
  assert.equal(authz.viewKey(dave, 'VM'), before, 'the rule deleted: the view it had');
  await acl.addRule(AclRule.parse('@100 VM/* USE'));
  assert.equal(authz.viewKey(dave, 'VM'), 'all', 'VM/*: every VM, as an admin sees them');
  assert.equal(authz.viewKey(erin, 'VM'), 'all');
  assert.notEqual(authz.viewKey(dave, 'DOCUMENT'), 'all', 'other types keep their own view');
  await db.close();
});
