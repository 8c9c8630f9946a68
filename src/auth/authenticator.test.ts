import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Template } from '../common/template/index.js';
import { GroupPool, Group } from '../group/index.js';
import { User, UserPool } from '../user/index.js';
import { Authenticator } from './authenticator.js';
import { hashPassword, passwordError, verifyPassword } from './password.js';

test('passwords are stored as salted scrypt hashes and verified', async () => {
  const h1 = await hashPassword('s3cret', 1024);
  const h2 = await hashPassword('s3cret', 1024);
  assert.match(h1, /^scrypt\$1024\$/);
  assert.notEqual(h1, h2, 'salted');
  assert.ok(!h1.includes('s3cret'));
  assert.equal(await verifyPassword('s3cret', h1), true);
  assert.equal(await verifyPassword('s3cret!', h1), false);
  assert.equal(await verifyPassword('s3cret', 'garbage'), false);
  assert.match(passwordError('')!, /cannot be empty/);
  assert.match(passwordError('a b')!, /character " " is not allowed/);
  assert.equal(passwordError('ok'), null);
});

async function pools() {
  const users = new UserPool();
  const groups = new GroupPool();
  groups.add(new Group(1, 'users', new Template()));
  groups.add(new Group(100, 'devs', new Template()));
  const alice = new User(users.nextOid(), 'alice', 1, 'users', await hashPassword('pw', 1024), 'core', true, [1, 100], new Template());
  users.add(alice);
  return { users, groups, alice, authn: new Authenticator(users, groups) };
}

test('sessions authenticate with the password; wrong or malformed sessions do not', async () => {
  const { authn, alice } = await pools();
  const c = await authn.authenticate('alice:pw');
  assert.equal(c?.uid, alice.oid);
  assert.deepEqual([...c!.gids].sort(), [1, 100]);
  for (const s of ['alice:bad', 'alice:', 'alice', ':pw', 'nobody:pw']) assert.equal(await authn.authenticate(s), null, s);
});

test('a changed password or a disabled user stops the old session at once', async () => {
  const { authn, alice } = await pools();
  assert.ok(await authn.authenticate('alice:pw'));
  alice.password = await hashPassword('new', 1024);
  assert.equal(await authn.authenticate('alice:pw'), null);
  assert.ok(await authn.authenticate('alice:new'));
  alice.enabled = false;
  assert.equal(await authn.authenticate('alice:new'), null);
});

test('login tokens: valid until they expire, optionally scoped to one group', async () => {
  const { authn, alice } = await pools();
  const now = Math.floor(Date.now() / 1000);
  alice.tokens = [
    { token: 'tok-all', expiration: now + 100, egid: -1 },
    { token: 'tok-devs', expiration: -1, egid: 100 },
    { token: 'tok-old', expiration: now - 1, egid: -1 },
  ];
  assert.deepEqual([...(await authn.authenticate('alice:tok-all'))!.gids].sort(), [1, 100]);
  const scoped = (await authn.authenticate('alice:tok-devs'))!;
  assert.deepEqual([...scoped.gids], [100]);
  assert.equal(scoped.gid, 100);
  assert.equal(scoped.gname, 'devs');
  assert.equal(await authn.authenticate('alice:tok-old'), null);
});
