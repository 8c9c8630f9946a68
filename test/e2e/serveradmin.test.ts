/** serveradmin (OpenNebula 7.4's server account) across restarts: made again when a database has none. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { childInt, childText } from '../../src/common/xml-tree.js';
import { all, idList, okId, okXml, onFeatureBackends } from './api-helpers.js';

onFeatureBackends('serveradmin across restarts', (get) => {
  test('serveradmin is made again at start when the database has none, with its id logged when it is not 1', async () => {
    const oned = get();
    const file = join(oned.location, '.one', 'oneflow_auth');
    const oldPassword = readFileSync(file, 'utf8');
    const server = all(await okXml(oned, 'one.userpool.info', []), 'USER').find((u) => childText(u, 'NAME') === 'serveradmin')!;
    await okId(oned, 'one.user.delete', [childInt(server, 'ID')]);
    const last = Math.max(...all(await okXml(oned, 'one.userpool.info', []), 'USER').map((u) => childInt(u, 'ID')), childInt(server, 'ID'));
    const next = await okId(oned, 'one.user.allocate', ['p-last', 'pw', '']);
    assert.ok(next > last);

    assert.equal(await oned.signal('SIGTERM'), 0);
    await oned.launch();
    const again = all(await okXml(oned, 'one.userpool.info', []), 'USER').filter((u) => childText(u, 'NAME') === 'serveradmin');
    assert.equal(again.length, 1);
    assert.equal(childInt(again[0]!, 'ID'), next + 1, 'id 1 was given before: the next id');
    assert.deepEqual([childText(again[0]!, 'AUTH_DRIVER'), childInt(again[0]!, 'GID')], ['server_cipher', 0]);
    assert.ok(idList(await okXml(oned, 'one.group.info', [0]), 'USERS').includes(next + 1));
    const newPassword = readFileSync(file, 'utf8');
    assert.notEqual(newPassword, oldPassword, 'the auth files hold the new account\'s password');
    assert.equal(childText(again[0]!, 'PASSWORD'), createHash('sha256').update(newPassword.trim().split(':')[1]!).digest('hex'));
    const log = readFileSync(join(oned.location, 'var', 'oned.log'), 'utf8');
    assert.match(log, new RegExp(`Created user serveradmin.*with id ${next + 1}: id 1 was given to another user before`));

    // A start with serveradmin there changes nothing: src/oned/bootstrap.test.ts.
  });
});
