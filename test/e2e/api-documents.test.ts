/**
 * Documents, the generic owned object, over raw XML-RPC: allocate, chmod, chown, rename, locks,
 * clone, delete, and the pool's filter flags, id ranges and pages.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { child, childInt, childText, type XmlNode } from '../../src/common/xml-tree.js';
import type { Oned } from './harness.js';
import { Code, addGroup, addUser, documentIds, listedIds, must, okId, okXml, onFeatureBackends, permissionsOf, refused, templateOf } from './api-helpers.js';

/** chmod arguments that change nothing. */
const KEEP = [-1, -1, -1, -1, -1, -1, -1, -1, -1];

/** chmod arguments setting one bit (index in chmod order) to `value`. */
function bit(index: number, value: 0 | 1): number[] {
  return KEEP.map((v, i) => (i === index ? value : v));
}

const GROUP_U = 3;

/** The LOCKED failure message for a document. */
function isLocked(id: number): RegExp {
  return new RegExp(`^\\[one\\.document\\.\\w+\\] User \\[\\d+\\] : DOCUMENT is locked\\. \\[${id}\\]\\.$`);
}

async function doc(oned: Oned, id: number): Promise<XmlNode> {
  return okXml(oned, 'one.document.info', [id]);
}

async function owner(oned: Oned, id: number): Promise<[number, string, number, string]> {
  const d = await doc(oned, id);
  return [childInt(d, 'UID'), childText(d, 'UNAME'), childInt(d, 'GID'), childText(d, 'GNAME')];
}

onFeatureBackends('documents', (get) => {
  test('allocate: owner, group, type, umask permissions and template in the info', async () => {
    const oned = get();
    const id = await okId(oned, 'one.document.allocate', ['NAME = "d-admin"\nFOO = "bar"\nV = [ A = "1" ]', 7]);
    const d = await doc(oned, id);
    assert.equal(d.name, 'DOCUMENT');
    assert.equal(childInt(d, 'ID'), id);
    assert.equal(childText(d, 'NAME'), 'd-admin');
    assert.equal(childInt(d, 'TYPE'), 7);
    assert.deepEqual(await owner(oned, id), [0, 'oneadmin', 0, 'oneadmin']);
    assert.equal(permissionsOf(d), '110000000', '777 masked by the default umask 177');
    assert.deepEqual(templateOf(d), { FOO: 'bar', V: JSON.stringify({ A: '1' }) }, 'NAME is not kept in the template');
    assert.equal(child(d, 'LOCK'), undefined);

    const alice = await addUser(oned, 'd-alice');
    const mine = await okId(oned, 'one.document.allocate', ['NAME = "d-alice-1"', 7], alice.session);
    assert.deepEqual(await owner(oned, mine), [alice.id, 'd-alice', 1, 'users']);
    assert.equal(permissionsOf(await doc(oned, mine)), '110000000', '660 masked by 177');

    // The creator's UMASK (user template) replaces the default.
    await okId(oned, 'one.user.update', [alice.id, 'UMASK = "007"', 1]);
    const shared = await okId(oned, 'one.document.allocate', ['NAME = "d-alice-2"', 7], alice.session);
    assert.equal(permissionsOf(await doc(oned, shared)), '110110000');

    await refused(oned, 'one.document.allocate', ['FOO = "no name"', 7], Code.ALLOCATE, /Error allocating a new document\. No NAME/);
    await refused(oned, 'one.document.allocate', ['NAME = "d-alice-1"', 7], Code.ALLOCATE, /NAME is already taken/, alice.session);
    // Names are unique per owner: oneadmin may use the same one.
    const same = await okId(oned, 'one.document.allocate', ['NAME = "d-alice-1"', 7]);
    assert.equal(childInt(await doc(oned, same), 'UID'), 0);
    assert.deepEqual((await documentIds(oned, alice.session, -3)).sort((a, b) => a - b), [mine, shared]);
  });

  test('chmod sets the bits seen in PERMISSIONS; owners may grant OTHER (ENABLE_OTHER_PERMISSIONS, on by default) but not ADMIN', async () => {
    const oned = get();
    const id = await okId(oned, 'one.document.allocate', ['NAME = "d-chmod"', 1]);
    assert.equal(await okId(oned, 'one.document.chmod', [id, 1, 1, 1, 1, 0, 0, 1, 0, 0]), id);
    assert.equal(permissionsOf(await doc(oned, id)), '111100100');
    await okId(oned, 'one.document.chmod', [id, -1, -1, 0, -1, 1, -1, 0, -1, -1]);
    assert.equal(permissionsOf(await doc(oned, id)), '110110000', '-1 leaves a bit as it was');
    await refused(oned, 'one.document.chmod', [id, 2, -1, -1, -1, -1, -1, -1, -1, -1], Code.XML_RPC_API, /-1, 0 or 1/);
    assert.equal(permissionsOf(await doc(oned, id)), '110110000');

    const bob = await addUser(oned, 'd-bob');
    const eve = await addUser(oned, 'd-eve');
    const own = await okId(oned, 'one.document.allocate', ['NAME = "d-bob-1"', 1], bob.session);
    await okId(oned, 'one.document.chmod', [own, ...bit(GROUP_U, 1)], bob.session);
    assert.equal(permissionsOf(await doc(oned, own)), '110100000');
    await okId(oned, 'one.document.chmod', [own, ...bit(6, 1)], bob.session);
    assert.equal(permissionsOf(await doc(oned, own)), '110100100');
    await okId(oned, 'one.document.chmod', [own, ...bit(6, 0)], bob.session);
    await refused(oned, 'one.document.chmod', [own, ...bit(2, 1)], Code.AUTHORIZATION, /Not authorized to perform ADMIN DOCUMENT/, bob.session);
    // eve is in bob's group, which may now USE the document, but not MANAGE it.
    await refused(oned, 'one.document.chmod', [own, ...bit(GROUP_U, 0)], Code.AUTHORIZATION, /Not authorized to perform MANAGE DOCUMENT/, eve.session);
    assert.equal(permissionsOf(await doc(oned, own)), '110100000');
  });

  test('chown changes UID/UNAME and GID/GNAME; a regular user may not give away or take documents', async () => {
    const oned = get();
    const g = await okId(oned, 'one.group.allocate', ['d-owners']);
    const carol = await addUser(oned, 'd-carol', [1, g]);
    const dan = await addUser(oned, 'd-dan');
    const id = await okId(oned, 'one.document.allocate', ['NAME = "d-chown"', 1]);

    assert.equal(await okId(oned, 'one.document.chown', [id, carol.id, -1]), id);
    assert.deepEqual(await owner(oned, id), [carol.id, 'd-carol', 0, 'oneadmin']);
    await okId(oned, 'one.document.chown', [id, -1, g]);
    assert.deepEqual(await owner(oned, id), [carol.id, 'd-carol', g, 'd-owners']);
    await okId(oned, 'one.document.chown', [id, -1, -1]);
    assert.deepEqual(await owner(oned, id), [carol.id, 'd-carol', g, 'd-owners']);
    await refused(oned, 'one.document.chown', [id, 9999, -1], Code.NO_EXISTS, /Error getting user \[9999\]/);
    await refused(oned, 'one.document.chown', [id, -1, 9999], Code.NO_EXISTS, /Error getting group \[9999\]/);
    assert.deepEqual(await owner(oned, id), [carol.id, 'd-carol', g, 'd-owners']);

    // The owner may move it between its own groups, but not to another user or a foreign group.
    await okId(oned, 'one.document.chown', [id, -1, 1], carol.session);
    assert.deepEqual(await owner(oned, id), [carol.id, 'd-carol', 1, 'users']);
    await refused(oned, 'one.document.chown', [id, dan.id, -1], Code.AUTHORIZATION, new RegExp(`Not authorized to perform MANAGE USER \\[${dan.id}\\]`), carol.session);
    await refused(oned, 'one.document.chown', [id, -1, 0], Code.AUTHORIZATION, /Not authorized to perform USE GROUP \[0\]/, carol.session);
    await refused(oned, 'one.document.chown', [id, dan.id, 1], Code.AUTHORIZATION, new RegExp(`Not authorized to perform MANAGE DOCUMENT \\[${id}\\]`), dan.session);
    assert.deepEqual(await owner(oned, id), [carol.id, 'd-carol', 1, 'users']);

    // The new owner may not end up with two documents of the same name.
    const dans = await okId(oned, 'one.document.allocate', ['NAME = "d-chown"', 1], dan.session);
    // OpenNebula 7.4's code and words.
    await refused(oned, 'one.document.chown', [id, dan.id, -1], Code.INTERNAL, new RegExp(`^\\[one\\.document\\.chown\\] user \\[${dan.id}\\] already owns document \\[${dans}\\] with NAME d-chown$`));
    assert.deepEqual(await owner(oned, id), [carol.id, 'd-carol', 1, 'users']);
  });

  test('rename shows the new NAME; a taken or invalid name is refused and the name stays', async () => {
    const oned = get();
    const a = await okId(oned, 'one.document.allocate', ['NAME = "d-ren-a"', 1]);
    await okId(oned, 'one.document.allocate', ['NAME = "d-ren-b"', 1]);
    assert.equal(await okId(oned, 'one.document.rename', [a, 'd-ren-c']), a);
    assert.equal(childText(await doc(oned, a), 'NAME'), 'd-ren-c');
    await refused(oned, 'one.document.rename', [a, 'd-ren-b'], Code.ACTION, /NAME is already taken/);
    await refused(oned, 'one.document.rename', [a, 'bad/name'], Code.ACTION, /char '\/' is not allowed/);
    await refused(oned, 'one.document.rename', [a, ''], Code.ACTION, /cannot be empty/);
    assert.equal(childText(await doc(oned, a), 'NAME'), 'd-ren-c');
    // The old name is free again.
    await okId(oned, 'one.document.allocate', ['NAME = "d-ren-a"', 1]);

    const frank = await addUser(oned, 'd-frank');
    await refused(oned, 'one.document.rename', [a, 'd-frank-now'], Code.AUTHORIZATION, /Not authorized to perform MANAGE DOCUMENT/, frank.session);
    assert.equal(childText(await doc(oned, a), 'NAME'), 'd-ren-c');
  });

  test('a MANAGE lock refuses manage operations with 32768, for oneadmin too, until unlocked', async () => {
    const oned = get();
    const gina = await addUser(oned, 'd-gina');
    const id = await okId(oned, 'one.document.allocate', ['NAME = "d-locked"\nK = "v"', 1], gina.session);
    assert.equal(await okId(oned, 'one.document.lock', [id, 2], gina.session), id);
    const lock = must(await doc(oned, id), 'LOCK');
    assert.equal(childInt(lock, 'LOCKED'), 2);
    assert.equal(childInt(lock, 'OWNER'), gina.id);

    for (const session of [gina.session, oned.oneadmin]) {
      const locked = (method: string, params: (string | number)[]) =>
        refused(oned, method, params, Code.AUTHORIZATION, isLocked(id), session);
      await locked('one.document.update', [id, 'K = "changed"', 0]);
      await locked('one.document.rename', [id, 'd-locked-renamed']);
      await locked('one.document.chmod', [id, ...bit(GROUP_U, 1)]);
      await locked('one.document.delete', [id]);
    }
    const d = await okXml(oned, 'one.document.info', [id], gina.session);
    assert.equal(childText(d, 'NAME'), 'd-locked');
    assert.deepEqual(templateOf(d), { K: 'v' });
    assert.equal(permissionsOf(d), '110000000');
    assert.ok((await documentIds(oned, gina.session, -3)).includes(id), 'still listed');

    await refused(oned, 'one.document.lock', [id, 2, true], Code.ACTION, /already locked/, gina.session);
    await refused(oned, 'one.document.lock', [id, 5], Code.ACTION, /Wrong lock level specified/, gina.session);
    assert.equal(await okId(oned, 'one.document.unlock', [id], gina.session), id);
    assert.equal(child(await doc(oned, id), 'LOCK'), undefined);
    await okId(oned, 'one.document.update', [id, 'K = "changed"', 0], gina.session);
    assert.deepEqual(templateOf(await doc(oned, id)), { K: 'changed' });
  });

  test('an ADMIN lock refuses only admin operations', async () => {
    const oned = get();
    const id = await okId(oned, 'one.document.allocate', ['NAME = "d-admin-lock"', 1]);
    await okId(oned, 'one.document.lock', [id, 3]);
    await okId(oned, 'one.document.update', [id, 'K = "1"', 1]);
    await okId(oned, 'one.document.chmod', [id, ...bit(GROUP_U, 1)]);
    await refused(oned, 'one.document.chmod', [id, ...bit(2, 1)], Code.AUTHORIZATION, isLocked(id));
    assert.equal(permissionsOf(await doc(oned, id)), '110100000');
    await okId(oned, 'one.document.unlock', [id]);
    await okId(oned, 'one.document.chmod', [id, ...bit(2, 1)]);
    assert.equal(permissionsOf(await doc(oned, id)), '111100000');
  });

  test('a USE lock (level 1, or 4 = ALL) refuses use and manage operations, but info still answers', async () => {
    const oned = get();
    for (const level of [1, 4]) {
      const id = await okId(oned, 'one.document.allocate', [`NAME = "d-use-lock-${level}"`, 1]);
      await okId(oned, 'one.document.lock', [id, level]);
      await refused(oned, 'one.document.update', [id, 'K = "1"', 1], Code.AUTHORIZATION, isLocked(id));
      await refused(oned, 'one.document.clone', [id, `d-use-lock-${level}-copy`], Code.AUTHORIZATION, isLocked(id));
      assert.ok((await documentIds(oned, oned.oneadmin, -3)).includes(id));
      // OpenNebula reads objects with USE_NO_LCK: a lock never hides an object's info.
      const d = await doc(oned, id);
      assert.equal(childInt(must(d, 'LOCK'), 'LOCKED'), 1, 'OpenNebula 7.4 stores level 4 (all) as 1 (use)');
      await okId(oned, 'one.document.unlock', [id]);
    }
  });

  test('clone copies type and template under a new name; delete removes the document', async () => {
    const oned = get();
    const src = await okId(oned, 'one.document.allocate', ['NAME = "d-orig"\nFOO = "bar"\nV = [ A = "1", B = "2" ]', 9]);
    const copy = await okId(oned, 'one.document.clone', [src, 'd-copy']);
    assert.notEqual(copy, src);
    const c = await doc(oned, copy);
    assert.equal(childText(c, 'NAME'), 'd-copy');
    assert.equal(childInt(c, 'TYPE'), 9);
    assert.deepEqual(templateOf(c), templateOf(await doc(oned, src)));
    await refused(oned, 'one.document.clone', [src, 'd-orig'], Code.ALLOCATE, /NAME is already taken/);
    await refused(oned, 'one.document.clone', [9999, 'd-none'], Code.NO_EXISTS, /Error getting document \[9999\]/);

    const hank = await addUser(oned, 'd-hank');
    await refused(oned, 'one.document.clone', [src, 'd-hank-copy'], Code.AUTHORIZATION, /Not authorized to perform USE DOCUMENT/, hank.session);
    await refused(oned, 'one.document.delete', [src], Code.AUTHORIZATION, /Not authorized to perform MANAGE DOCUMENT/, hank.session);
    await okId(oned, 'one.document.chmod', [src, -1, -1, -1, -1, -1, -1, 1, -1, -1]);
    const hanks = await okId(oned, 'one.document.clone', [src, 'd-hank-copy'], hank.session);
    assert.deepEqual([childInt(await doc(oned, hanks), 'UID'), permissionsOf(await doc(oned, hanks))], [hank.id, '110000000'], 'the clone is the cloner\'s');

    assert.equal(await okId(oned, 'one.document.delete', [copy]), copy);
    await refused(oned, 'one.document.info', [copy], Code.NO_EXISTS, new RegExp(`Error getting document \\[${copy}\\]`));
    assert.ok(!(await documentIds(oned, oned.oneadmin, -2)).includes(copy));
    await refused(oned, 'one.document.delete', [copy], Code.NO_EXISTS, /Error getting document/);
    assert.equal(childText(await doc(oned, src), 'NAME'), 'd-orig', 'the source is untouched');
  });

  test('documentpool.info filter flags -4..-1 and a user id, as a regular user sees them', async () => {
    const oned = get();
    const g = await addGroup(oned, 'd-filter');
    const ann = await addUser(oned, 'f-ann', [1, g]);
    const ben = await addUser(oned, 'f-ben');
    const cat = await addUser(oned, 'f-cat', [g]);
    const make = (name: string, session: string) => okId(oned, 'one.document.allocate', [`NAME = "${name}"`, 5], session);
    const share = (id: number, session: string) => okId(oned, 'one.document.chmod', [id, ...bit(GROUP_U, 1)], session);

    const a1 = await make('a1', ann.session); // ann's, group users, private
    const a2 = await make('a2', ann.session); // ann's, group users, shared with the group
    await share(a2, ann.session);
    const a3 = await make('a3', ann.session); // ann's, moved to g
    await okId(oned, 'one.document.chown', [a3, -1, g], ann.session);
    const b1 = await make('b1', ben.session); // ben's, private
    const b2 = await make('b2', ben.session); // ben's, shared with users
    await share(b2, ben.session);
    const c1 = await make('c1', cat.session); // cat's, shared with g
    await share(c1, cat.session);
    const c2 = await make('c2', cat.session); // cat's, private
    const pub = await okId(oned, 'one.document.allocate', ['NAME = "f-public"', 5]); // oneadmin's, OTHER_U
    await okId(oned, 'one.document.chmod', [pub, -1, -1, -1, -1, -1, -1, 1, -1, -1]);

    // Other tests' documents share this oned: look at the ones made here.
    const made = new Set([a1, a2, a3, b1, b2, c1, c2, pub]);
    const sorted = async (filter: number, session = ann.session) =>
      (await documentIds(oned, session, filter)).filter((d) => made.has(d)).sort((x, y) => x - y);
    assert.deepEqual(await sorted(-3), [a1, a2, a3], '-3: mine');
    assert.deepEqual(await sorted(-2), [a1, a2, a3, b2, c1, pub], '-2: all I may see');
    assert.deepEqual(await sorted(-1), [a1, a2, a3, b2, c1], '-1: mine and my groups\'');
    assert.deepEqual(await sorted(-4), [a1, a2, b2], '-4: my primary group\'s');
    assert.deepEqual(await sorted(ben.id), [b2], 'a uid: that user\'s that I may see');
    assert.deepEqual(await sorted(cat.id), [c1]);
    assert.deepEqual(await sorted(-2, ben.session), [a2, b1, b2, pub]);
    assert.deepEqual(await sorted(-4, cat.session), [c1, c2], 'a3 is in g but private to ann');
    assert.ok(!(await sorted(-2, cat.session)).includes(b2), 'group sharing stops at the group');
    await refused(oned, 'one.document.info', [b1], Code.AUTHORIZATION, /Not authorized to perform USE DOCUMENT/, ann.session);
    await refused(oned, 'one.documentpool.info', [-5, -1, -1, -1], Code.XML_RPC_API, /filter/, ann.session);

    // oneadmin sees everything with -2, and a user's documents with its id.
    const everything = await documentIds(oned, oned.oneadmin, -2);
    for (const d of [a1, a2, a3, b1, b2, c1, c2, pub]) assert.ok(everything.includes(d));
    assert.deepEqual((await documentIds(oned, oned.oneadmin, cat.id)).sort((x, y) => x - y), [c1, c2]);
  });

  test('documentpool.info id ranges, pages (end < -1) and the type filter', async () => {
    const oned = get();
    const ivy = await addUser(oned, 'd-ivy');
    const ids: number[] = [];
    for (let i = 0; i < 6; i++) ids.push(await okId(oned, 'one.document.allocate', [`NAME = "page-${i}"`, i < 4 ? 20 : 21], ivy.session));
    const list = (start: number, end: number, type = -1) => documentIds(oned, ivy.session, -3, start, end, type);

    const raw = listedIds(await okXml(oned, 'one.documentpool.info', [-3, -1, -1, -1], ivy.session), 'DOCUMENT');
    assert.deepEqual(raw, [...ids].reverse(), 'newest first (API_LIST_ORDER DESC, the default)');
    assert.deepEqual(await list(-1, -1), ids);
    assert.deepEqual(await list(ids[1]!, ids[3]!), ids.slice(1, 4), 'start and end are inclusive');
    assert.deepEqual(await list(ids[4]!, -1), ids.slice(4), 'end -1: no upper bound');
    assert.deepEqual(await list(ids[2]!, ids[2]!), [ids[2]]);
    assert.deepEqual(await list(0, -2), ids.slice(4, 6), 'page of 2 at offset 0: the newest two');
    assert.deepEqual(await list(2, -2), ids.slice(2, 4), 'page of 2 at offset 2');
    assert.deepEqual(await list(5, -4), ids.slice(0, 1), 'a short last page: the oldest');
    assert.deepEqual(await list(6, -2), [], 'past the end');
    assert.deepEqual(await list(-1, -1, 21), ids.slice(4), 'only type 21');
    assert.deepEqual(await list(1, -2, 20), ids.slice(1, 3), 'a page of type 20');
  });
});
