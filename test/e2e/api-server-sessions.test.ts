/**
 * What the cloud servers stand on: every user's EC2 secret key (made with the user, stored
 * encrypted, shown in clear to its owner and to admins only, rotated with `oneuser ec2-key
 * --rotate`), and server sessions: serveradmin (`server_cipher`, credentials in
 * `$ONE_LOCATION/.one/ec2_auth`) acting for a user with a sealed token.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ServerCipher } from '../../src/common/server-cipher.js';
import { childText } from '../../src/common/xml-tree.js';
import { addUser, AUTH_FAILED, Code, must, okXml, onFeatureBackends, refused } from './api-helpers.js';
import { cli } from './cli-helpers.js';

const SECRET = /^[A-Za-z0-9+/]{40}$/;

onFeatureBackends('EC2 secret keys and server sessions', (oned) => {
  test('a new user has an EC2 secret: encrypted at rest, in clear for its owner and admins only', async () => {
    const ann = await addUser(oned(), 'ec2ann');
    const bob = await addUser(oned(), 'ec2bob');
    const stored = childText(must(await okXml(oned(), 'one.user.info', [ann.id]), 'TEMPLATE'), 'EC2_SECRET_KEY');
    assert.ok(stored.length > 40 && !SECRET.test(stored), `stored encrypted, got ${stored}`);
    const own = childText(must(await okXml(oned(), 'one.user.info', [-1, true], ann.session), 'TEMPLATE'), 'EC2_SECRET_KEY');
    assert.match(own, SECRET, 'its owner decrypts it');
    const byAdmin = childText(must(await okXml(oned(), 'one.user.info', [ann.id, true]), 'TEMPLATE'), 'EC2_SECRET_KEY');
    assert.equal(byAdmin, own);
    const bobs = childText(must(await okXml(oned(), 'one.user.info', [bob.id, true], bob.session), 'TEMPLATE'), 'EC2_SECRET_KEY');
    assert.notEqual(bobs, own, 'each user has their own');
    // The bootstrapped accounts got one too, at start.
    assert.match(childText(must(await okXml(oned(), 'one.user.info', [0, true]), 'TEMPLATE'), 'EC2_SECRET_KEY'), SECRET);
  });

  test('oneuser ec2-key shows the key pair, --rotate replaces the secret; oneuser show --decrypt --json shows it to its owner', async () => {
    const cara = await addUser(oned(), 'ec2cara');
    const auth = join(oned().location, 'ec2cara_auth');
    writeFileSync(auth, `${cara.session}\n`);
    const shown = await cli(oned(), 'oneuser', ['ec2-key'], { ONE_AUTH: auth });
    assert.equal(shown.code, 0, shown.stderr);
    const m = /^AWS_ACCESS_KEY_ID=ec2cara\nAWS_SECRET_ACCESS_KEY=(\S+)$/m.exec(shown.stdout);
    assert.ok(m, shown.stdout);
    assert.match(m[1]!, SECRET);
    const json = await cli(oned(), 'oneuser', ['show', '--decrypt', '--json'], { ONE_AUTH: auth });
    assert.equal(json.code, 0, json.stderr);
    assert.equal((JSON.parse(json.stdout) as { USER: { TEMPLATE: { EC2_SECRET_KEY: string } } }).USER.TEMPLATE.EC2_SECRET_KEY, m[1]);
    const rotated = await cli(oned(), 'oneuser', ['ec2-key', '--rotate'], { ONE_AUTH: auth });
    assert.equal(rotated.code, 0, rotated.stderr);
    const next = /AWS_SECRET_ACCESS_KEY=(\S+)/.exec(rotated.stdout)![1]!;
    assert.match(next, SECRET);
    assert.notEqual(next, m[1]);
    const stored = childText(must(await okXml(oned(), 'one.user.info', [cara.id]), 'TEMPLATE'), 'EC2_SECRET_KEY');
    assert.ok(!stored.includes(next), 'the rotated secret is stored encrypted too');
  });

  test('serveradmin acts for a user with a sealed token; forged or foreign tokens are refused', async () => {
    const dan = await addUser(oned(), 'ec2dan');
    const serverSession = readFileSync(join(oned().location, '.one', 'ec2_auth'), 'utf8').trim();
    assert.match(serverSession, /^serveradmin:/);
    const cipher = new ServerCipher(serverSession);
    const me = await okXml(oned(), 'one.user.info', [-1], cipher.sessionFor('ec2dan'));
    assert.equal(childText(me, 'ID'), String(dan.id), 'the call runs as ec2dan');
    // As dan: dan may not read oneadmin.
    await refused(oned(), 'one.user.info', [0], Code.AUTHORIZATION, /Not authorized/, cipher.sessionFor('ec2dan'));
    const forged = new ServerCipher('serveradmin:guessed').sessionFor('oneadmin');
    await refused(oned(), 'one.user.info', [-1], Code.AUTHENTICATION, AUTH_FAILED, forged);
    // A user cannot use a token: only server_cipher accounts can.
    const token = cipher.sessionFor('oneadmin').split(':')[2]!;
    await refused(oned(), 'one.user.info', [-1], Code.AUTHENTICATION, AUTH_FAILED, `ec2dan:oneadmin:${token}`);
    // A token for one user does not pass for another.
    await refused(oned(), 'one.user.info', [-1], Code.AUTHENTICATION, AUTH_FAILED, `serveradmin:oneadmin:${cipher.sessionFor('ec2dan').split(':')[2]!}`);
    // serveradmin's own password logs in as serveradmin.
    assert.equal(childText(await okXml(oned(), 'one.user.info', [-1], serverSession), 'NAME'), 'serveradmin');
  });
});
