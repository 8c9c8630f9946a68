import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Template } from '../common/template/index.js';
import { GroupPool, Group } from '../group/index.js';
import { User, UserPool } from '../user/index.js';
import { Authenticator } from './authenticator.js';
import { hashPassword, passwordError, verifyPassword } from './password.js';
import { ServerCipher, serverPasswordDigest } from '../common/server-cipher.js';

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

test('server_cipher: a server account acts for a user with a sealed token, and logs in as itself with its password', async () => {
  const { users, authn, alice } = await pools();
  const server = new User(users.nextOid(), 'serveradmin', 0, 'oneadmin', serverPasswordDigest('srvpw'), 'server_cipher', true, [0], new Template());
  users.add(server);
  const cipher = new ServerCipher('serveradmin:srvpw');
  const asAlice = await authn.authenticate(cipher.sessionFor('alice'));
  assert.equal(asAlice?.uid, alice.oid, 'the call runs as alice');
  assert.equal((await authn.authenticate('serveradmin:srvpw'))?.uid, server.oid);
  assert.equal(await authn.authenticate('serveradmin:wrong'), null);
  // A token sealed with another password, for another user than the session names, or expired.
  const forged = new ServerCipher('serveradmin:guess').sessionFor('alice');
  assert.equal(await authn.authenticate(forged), null, 'wrong key');
  const bobToken = cipher.sessionFor('bob').split(':')[2];
  assert.equal(await authn.authenticate(`serveradmin:alice:${bobToken}`), null, 'a token names its user');
  const old = new ServerCipher('serveradmin:srvpw', 60, 0).sessionFor('alice', Math.floor(Date.now() / 1000) - 120);
  assert.equal(await authn.authenticate(old), null, 'expired');
  assert.equal(await authn.authenticate('serveradmin:alice:not-a-token'), null);
  // A core user cannot use tokens, and a disabled target cannot be acted for.
  assert.equal(await authn.authenticate(`alice:alice:${cipher.sessionFor('alice').split(':')[2]}`), null);
  alice.enabled = false;
  assert.equal(await authn.authenticate(cipher.sessionFor('alice')), null);
});
