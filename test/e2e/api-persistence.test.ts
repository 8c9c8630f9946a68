/** Restart persistence: what the API changed is all there after oned stops (SIGTERM) and starts again. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { childInt, childText } from '../../src/common/xml-tree.js';
import type { XmlRpcValue } from '../../src/rpc/xmlrpc/index.js';
import type { Oned } from './harness.js';
import { AUTH_FAILED, Code, addUser, documentIds, must, okId, okXml, onEveryBackend, refused, templateOf } from './api-helpers.js';

/** The listings and infos compared before and after the restart, as oned's raw XML. */
const SNAPSHOT: [string, XmlRpcValue[]][] = [
  ['one.userpool.info', []],
  ['one.grouppool.info', []],
  ['one.acl.info', []],
  ['one.documentpool.info', [-2, -1, -1, -1]],
];

async function snapshot(oned: Oned, extra: [string, XmlRpcValue[]][]): Promise<string[]> {
  const out: string[] = [];
  for (const [method, params] of [...SNAPSHOT, ...extra]) out.push(String(await oned.ok(method, params)));
  return out;
}

onEveryBackend('restart persistence', (get) => {
  test('users, groups, passwords, tokens, templates, documents, locks and ACL rules survive a restart', async () => {
    const oned = get();
    const g = await okId(oned, 'one.group.allocate', ['p-team']);
    await okId(oned, 'one.group.update', [g, 'COLOR = "green"', 0]);
    const alice = await addUser(oned, 'p-alice', [1, g]);
    await okId(oned, 'one.user.passwd', [alice.id, 'p-alice-new']);
    await okId(oned, 'one.user.update', [alice.id, 'LANG = "es"\nV = [ A = "1" ]', 0]);
    await okId(oned, 'one.group.addadmin', [g, alice.id]);
    const token = String(await oned.ok('one.user.login', [alice.name, '', 3600, g], 'p-alice:p-alice-new'));
    const bob = await addUser(oned, 'p-bob');
    await okId(oned, 'one.user.enable', [bob.id, false]);
    // Text that must survive every layer: XML escaping, UTF-8 beyond the BMP, a large body.
    const intl = await addUser(oned, 'p-josé-😀');
    const odd = `a<b&c>"q" 'ü' 😀`;
    const big = 'x'.repeat(100_000);
    await okId(oned, 'one.user.update', [intl.id, `ODD = "${odd.replace(/"/g, '\\"')}"\nBIG = "${big}"`, 0]);
    assert.deepEqual(templateOf(await okXml(oned, 'one.user.info', [intl.id])), { ODD: odd, BIG: big });
    const dan = await addUser(oned, 'p-dan');
    const carol = await addUser(oned, 'p-carol'); // the last user made, deleted below

    const doc = await okId(oned, 'one.document.allocate', ['NAME = "p-doc"\nK = "v"', 3], 'p-alice:p-alice-new');
    await okId(oned, 'one.document.chmod', [doc, -1, -1, -1, 1, -1, -1, -1, -1, -1]);
    await okId(oned, 'one.document.chown', [doc, -1, g]);
    await okId(oned, 'one.document.rename', [doc, 'p-doc-renamed']);
    await okId(oned, 'one.document.lock', [doc, 2]);
    const dropped = await okId(oned, 'one.document.allocate', ['NAME = "p-dropped"', 3]);
    await okId(oned, 'one.document.delete', [dropped]);

    const rule = await okId(oned, 'one.acl.addrule', [(0x100000000 + dan.id).toString(16), (0x400100000000 + doc).toString(16), '1']);
    const droppedRule = await okId(oned, 'one.acl.addrule', [(0x100000000 + dan.id).toString(16), '400400000000', '2']);
    await okId(oned, 'one.acl.delrule', [droppedRule]);
    await okId(oned, 'one.acl.delrule', [2]); // a default rule stays deleted: no re-bootstrap
    await okId(oned, 'one.user.delete', [carol.id]);

    const extra: [string, XmlRpcValue[]][] = [
      ['one.user.info', [alice.id]],
      ['one.user.info', [bob.id]],
      ['one.group.info', [g]],
      ['one.document.info', [doc]],
    ];
    const before = await snapshot(oned, extra);

    assert.equal(await oned.signal('SIGTERM'), 0, 'a clean stop');
    await oned.launch();

    const after = await snapshot(oned, extra);
    for (let i = 0; i < before.length; i++) assert.equal(after[i], before[i], `${[...SNAPSHOT, ...extra][i]![0]} is unchanged`);

    // And they behave as before.
    const intlAfter = await okXml(oned, 'one.user.info', [-1], intl.session);
    assert.equal(childText(intlAfter, 'NAME'), 'p-josé-😀');
    assert.deepEqual(templateOf(intlAfter), { ODD: odd, BIG: big });
    await refused(oned, 'one.user.info', [-1], Code.AUTHENTICATION, AUTH_FAILED, alice.session);
    await oned.ok('one.user.info', [-1], 'p-alice:p-alice-new');
    assert.equal(childInt(await okXml(oned, 'one.group.info', [-1], `${alice.name}:${token}`), 'ID'), g, 'the scoped token still works');
    await refused(oned, 'one.user.info', [-1], Code.AUTHENTICATION, AUTH_FAILED, bob.session);
    await refused(oned, 'one.user.info', [-1], Code.AUTHENTICATION, AUTH_FAILED, carol.session);
    assert.ok((await documentIds(oned, dan.session, -2)).includes(doc), 'the ACL rule still grants');
    await refused(oned, 'one.document.update', [doc, 'K = "w"', 1], Code.AUTHORIZATION, new RegExp(`DOCUMENT is locked\\. \\[${doc}\\]`), 'p-alice:p-alice-new');
    assert.equal(childInt(must(await okXml(oned, 'one.document.info', [doc]), 'LOCK'), 'LOCKED'), 2);
    await refused(oned, 'one.document.info', [dropped], Code.NO_EXISTS, /Error getting document/);

    // Ids go on from where they were; those of deleted objects are not given again.
    assert.equal(await okId(oned, 'one.user.allocate', ['p-erin', 'pw', '']), carol.id + 1);
    assert.ok((await okId(oned, 'one.document.allocate', ['NAME = "p-next"', 3])) > dropped);
    assert.ok((await okId(oned, 'one.group.allocate', ['p-next'])) > g);
    assert.ok((await okId(oned, 'one.acl.addrule', [(0x100000000 + dan.id).toString(16), '400400000000', '1'])) > Math.max(rule, droppedRule));
  });
});
