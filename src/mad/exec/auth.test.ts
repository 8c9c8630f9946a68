import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { binDriver, tempDir, writeScript } from '../testing.js';

test('AUTHENTICATE runs remotes/auth/<driver>/authenticate with the credentials on stdin', async () => {
  const remotes = tempDir('auth-remotes');
  const state = tempDir('auth-state');
  writeScript(join(remotes, 'auth/site/authenticate'), `#!/bin/sh\ncat > ${join(state, 'stdin')}\necho "site $(id -u) secret-x 100 *101"\n`);
  const driver = binDriver('one_auth_mad', ['--authn', 'site,plain'], { env: { ...process.env, ONE_REMOTES_DIR: remotes } });
  await driver.start();
  try {
    const secret = Buffer.from('p&ss <w>').toString('base64');
    const r = await driver.request('AUTHENTICATE', 1, ['5', 'site', 'bob', 'cn=bob,', 'ou=people', secret]);
    assert.equal(r.ok, true, r.info);
    assert.match(r.info, /^site \d+ secret-x 100 \*101$/);
    assert.equal(readFileSync(join(state, 'stdin'), 'utf8'), '<AUTHN><USERNAME>bob</USERNAME><PASSWORD>cn=bob, ou=people</PASSWORD><SECRET>p&amp;ss &lt;w&gt;</SECRET></AUTHN>');
    const other = await driver.request('AUTHENTICATE', 2, ['5', 'ldap', 'bob', '-', secret]);
    assert.deepEqual([other.ok, other.info], [false, "Authentication driver 'ldap' not available"]);
    const missing = await driver.request('AUTHENTICATE', 3, ['5', 'plain', 'bob', '-', secret]);
    assert.equal(missing.ok, false);
    assert.match(missing.info, /auth\/plain\/authenticate does not exist/);
    assert.equal((await driver.request('AUTHORIZE', 4, ['5', 'VM:3:MANAGE:5:1', '1'])).ok, true);
    assert.equal((await driver.request('AUTHORIZE', 5, ['5', 'VM:3:MANAGE:5:0', '0'])).ok, false);
  } finally {
    await driver.stop();
  }
});

test('the shipped plain driver compares the stored and the given password', async () => {
  const driver = binDriver('one_auth_mad', []);
  await driver.start();
  try {
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const good = await driver.request('AUTHENTICATE', 1, ['5', 'plain', 'bob', 'pw', b64('pw')]);
    assert.deepEqual([good.ok, good.info], [true, 'plain bob pw']);
    const bad = await driver.request('AUTHENTICATE', 2, ['5', 'plain', 'bob', 'pw', b64('nope')]);
    assert.deepEqual([bad.ok, bad.info], [false, 'Invalid credentials for bob']);
  } finally {
    await driver.stop();
  }
});
