/**
 * oned driven by a third-party client, the npm package `opennebula` (CommonJS, callbacks, xml2js
 * results), as users of OpenNebula drive it: system, users, groups, documents, tokens, errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import type { Oned } from './harness.js';
import { okXml, onFeatureBackends, permissionsOf } from './api-helpers.js';

/** What xml2js makes of an element (explicitArray off): text, an object, or a list for repeats. */
type Parsed = string | { [name: string]: Parsed } | Parsed[];
type Callback<T> = (err: (Error & { faultCode?: number }) | null, data: T) => void;

interface Handle {
  readonly id: number;
  info(cb: Callback<Parsed>): void;
  update(content: string, whole: number, cb: Callback<number>): void;
  delete(cb: Callback<number>): void;
}
interface UserHandle extends Handle {
  passwd(password: string, cb: Callback<number>): void;
  chgrp(gid: number, cb: Callback<number>): void;
  addgroup(gid: number, cb: Callback<number>): void;
  delgroup(gid: number, cb: Callback<number>): void;
}
interface DocumentHandle extends Handle {
  chmod(...args: [number, number, number, number, number, number, number, number, number, Callback<number>]): void;
  chown(uid: number, cb: Callback<number>): void;
  chgrp(gid: number, cb: Callback<number>): void;
  rename(name: string, cb: Callback<number>): void;
  clone(name: string, cb: Callback<number>): void;
}
interface OpenNebulaClient {
  /** The raw call; `ignore` passes a string result through instead of parsing it as XML. */
  readonly modem: { call(method: string, params: unknown[], cb: Callback<unknown>, ignore?: boolean): void };
  version(cb: Callback<string>): void;
  config(cb: Callback<Parsed>): void;
  createUser(name: string, password: string, driver: string, cb: Callback<Handle>): void;
  getUser(id: number): UserHandle;
  getUsers(cb: Callback<Parsed[]>): void;
  createGroup(name: string, cb: Callback<Handle>): void;
  getGroup(id: number): Handle;
  getGroups(cb: Callback<Parsed[]>): void;
  createDocument(template: string, type: number, cb: Callback<Handle>): void;
  getDocument(id: number): DocumentHandle;
  getDocuments(type: number, cb: Callback<Parsed[]>, userFilter?: number): void;
  createVM(template: string, hold: boolean, cb: Callback<Handle>): void;
  getVM(id: number): VmHandle;
  getVMs(cb: Callback<Parsed[]>, userFilter?: number, startId?: number, endId?: number, stateFilter?: number): void;
}
interface VmHandle extends Handle {
  action(action: string, cb: Callback<number>): void;
}

const require = createRequire(import.meta.url);
const OpenNebula = require('opennebula') as new (auth: string, endpoint: string) => OpenNebulaClient;

/** Runs a callback-style call; resolves with its data or rejects with its error. */
function p<T>(run: (cb: Callback<T>) => void): Promise<T> {
  return new Promise((resolve, reject) => run((err, data) => (err ? reject(err) : resolve(data))));
}

/** The error a callback-style call fails with; fails the test if it succeeds. */
async function errorOf(run: (cb: Callback<unknown>) => void): Promise<Error & { faultCode?: number }> {
  try {
    const data = await p(run);
    assert.fail(`expected an error, got ${JSON.stringify(data)}`);
  } catch (err) {
    if (err instanceof assert.AssertionError) throw err;
    return err as Error & { faultCode?: number };
  }
}

/** A child of a parsed element. */
function at(v: Parsed, ...path: string[]): Parsed {
  let cur = v;
  for (const name of path) {
    assert.ok(typeof cur === 'object' && !Array.isArray(cur) && name in cur, `no ${path.join('.')} in ${JSON.stringify(v)}`);
    cur = cur[name]!;
  }
  return cur;
}

/** A repeated (or single) text element as a list. */
function list(v: Parsed): string[] {
  return (Array.isArray(v) ? v : [v]).map(String);
}

function client(oned: Oned, session = oned.oneadmin): OpenNebulaClient {
  return new OpenNebula(session, oned.endpoint);
}

onFeatureBackends('the opennebula npm client', (get) => {
  test('version and config', async () => {
    const oned = get();
    const one = client(oned);
    const version = await p<string>((cb) => one.version(cb));
    assert.match(version, /^\d+\.\d+\.\d+$/);
    assert.equal(version, await oned.ok('one.system.version', []));

    const conf = at(await p<Parsed>((cb) => one.config(cb)), 'OPENNEBULA_CONFIGURATION');
    assert.equal(at(conf, 'PORT'), String(oned.port));
    assert.equal(at(conf, 'DB', 'BACKEND'), oned.backend);
    assert.ok(!('PASSWD' in (at(conf, 'DB') as object)), 'the DB password is never shown');

    await p((cb) => one.createUser('npm-conf', 'pw', 'core', cb));
    const userConf = at(await p<Parsed>((cb) => client(oned, 'npm-conf:pw').config(cb)), 'OPENNEBULA_CONFIGURATION');
    assert.equal(at(userConf, 'PORT'), String(oned.port));
    assert.ok(!('DB' in (userConf as object)), 'regular users do not see the DB settings');
  });

  test('users: create, list, info, passwd, update, addgroup, chgrp, delgroup, delete', async () => {
    const oned = get();
    const one = client(oned);
    const created = await p<Handle>((cb) => one.createUser('npm-user', 'pw-one', 'core', cb));
    assert.equal(typeof created.id, 'number');
    const user = one.getUser(created.id);

    const names = (await p<Parsed[]>((cb) => one.getUsers(cb))).map((u) => at(u, 'NAME'));
    assert.ok(names.includes('npm-user') && names.includes('oneadmin'));
    const info = at(await p<Parsed>((cb) => user.info(cb)), 'USER');
    assert.deepEqual([at(info, 'ID'), at(info, 'NAME'), at(info, 'GNAME'), at(info, 'AUTH_DRIVER')], [String(created.id), 'npm-user', 'users', 'core']);

    assert.equal(await p<number>((cb) => user.passwd('pw-two', cb)), created.id);
    const old = await errorOf((cb) => client(oned, 'npm-user:pw-one').getUser(-1).info(cb));
    assert.match(old.message, /^\[one\.user\.info\] User couldn't be authenticated/);
    const self = at(await p<Parsed>((cb) => client(oned, 'npm-user:pw-two').getUser(-1).info(cb)), 'USER');
    assert.equal(at(self, 'ID'), String(created.id));

    await p((cb) => user.update('A = "1"', 0, cb));
    await p((cb) => user.update('B = "2"', 1, cb));
    assert.deepEqual(at(await p<Parsed>((cb) => user.info(cb)), 'USER', 'TEMPLATE'), { A: '1', B: '2' });
    await p((cb) => user.update('C = "3"', 0, cb));
    assert.deepEqual(at(await p<Parsed>((cb) => user.info(cb)), 'USER', 'TEMPLATE'), { C: '3' });

    const gid = (await p<Handle>((cb) => one.createGroup('npm-user-group', cb))).id;
    await p((cb) => user.addgroup(gid, cb));
    assert.deepEqual(list(at(await p<Parsed>((cb) => user.info(cb)), 'USER', 'GROUPS', 'ID')), ['1', String(gid)]);
    await p((cb) => user.chgrp(gid, cb));
    const moved = at(await p<Parsed>((cb) => user.info(cb)), 'USER');
    assert.deepEqual([at(moved, 'GID'), at(moved, 'GNAME')], [String(gid), 'npm-user-group']);
    // The new primary group was a secondary one: the old primary stays a secondary one (7.4).
    assert.deepEqual(list(at(moved, 'GROUPS', 'ID')), ['1', String(gid)]);
    const again = await errorOf((cb) => user.addgroup(1, cb));
    assert.match(again.message, /^\[one\.user\.addgroup\] User is already in this group$/);
    await p((cb) => user.delgroup(1, cb));
    assert.deepEqual(list(at(await p<Parsed>((cb) => user.info(cb)), 'USER', 'GROUPS', 'ID')), [String(gid)]);
    const primary = await errorOf((cb) => user.delgroup(gid, cb));
    assert.match(primary.message, /^\[one\.user\.delgroup\] .*primary group/);

    await p((cb) => user.delete(cb));
    const gone = await errorOf((cb) => user.info(cb));
    assert.match(gone.message, new RegExp(`^\\[one\\.user\\.info\\] Error getting user \\[${created.id}\\]`));
  });

  test('groups: create, list, info, update, delete', async () => {
    const oned = get();
    const one = client(oned);
    const gid = (await p<Handle>((cb) => one.createGroup('npm-group', cb))).id;
    assert.ok(gid >= 100);
    const names = (await p<Parsed[]>((cb) => one.getGroups(cb))).map((g) => at(g, 'NAME'));
    assert.ok(names.includes('npm-group') && names.includes('users') && names.includes('oneadmin'));
    const group = one.getGroup(gid);
    assert.equal(at(await p<Parsed>((cb) => group.info(cb)), 'GROUP', 'NAME'), 'npm-group');
    await p((cb) => group.update('COLOR = "blue"', 1, cb));
    assert.deepEqual(at(await p<Parsed>((cb) => group.info(cb)), 'GROUP', 'TEMPLATE'), { COLOR: 'blue' });

    const dup = await errorOf((cb) => one.createGroup('npm-group', cb));
    assert.match(dup.message, /^\[one\.group\.allocate\] NAME is already taken by GROUP \d+\.$/);
    const system = await errorOf((cb) => one.getGroup(1).delete(cb));
    assert.match(system.message, /^\[one\.group\.delete\] System groups/);

    await p((cb) => group.delete(cb));
    const gone = await errorOf((cb) => group.info(cb));
    assert.match(gone.message, /Error getting group/);
    assert.ok(!(await p<Parsed[]>((cb) => one.getGroups(cb))).some((g) => at(g, 'NAME') === 'npm-group'));
  });

  test('documents: create, info, chmod, chown, chgrp, rename, clone, update, list, delete', async () => {
    const oned = get();
    const one = client(oned);
    const owner = await p<Handle>((cb) => one.createUser('npm-doc-owner', 'pw', 'core', cb));
    const gid = (await p<Handle>((cb) => one.createGroup('npm-doc-group', cb))).id;
    // The client turns a result of 0 into {}: make sure its document does not get id 0.
    await oned.ok('one.document.allocate', ['NAME = "npm-doc-zero"', 1]);
    const id = (await p<Handle>((cb) => one.createDocument('NAME = "npm-doc"\nK = "v"', 42, cb))).id;
    assert.equal(typeof id, 'number');
    const doc = one.getDocument(id);
    const info = async () => at(await p<Parsed>((cb) => doc.info(cb)), 'DOCUMENT');

    const first = await info();
    assert.deepEqual([at(first, 'NAME'), at(first, 'TYPE'), at(first, 'UNAME'), at(first, 'TEMPLATE')], ['npm-doc', '42', 'oneadmin', { K: 'v' }]);

    await p((cb) => doc.chmod(1, 1, 0, 1, 0, 0, 1, 0, 0, cb));
    assert.deepEqual(at(await info(), 'PERMISSIONS'), {
      OWNER_U: '1', OWNER_M: '1', OWNER_A: '0', GROUP_U: '1', GROUP_M: '0', GROUP_A: '0', OTHER_U: '1', OTHER_M: '0', OTHER_A: '0',
    });
    // The raw XML agrees with what the client parsed.
    assert.equal(permissionsOf(await okXml(oned, 'one.document.info', [id])), '110100100');

    await p((cb) => doc.chown(owner.id, cb));
    await p((cb) => doc.chgrp(gid, cb));
    const owned = await info();
    assert.deepEqual([at(owned, 'UID'), at(owned, 'UNAME'), at(owned, 'GID'), at(owned, 'GNAME')], [String(owner.id), 'npm-doc-owner', String(gid), 'npm-doc-group']);

    await p((cb) => doc.rename('npm-doc-renamed', cb));
    await p((cb) => doc.update('K = "w"', 1, cb));
    const renamed = await info();
    assert.deepEqual([at(renamed, 'NAME'), at(renamed, 'TEMPLATE')], ['npm-doc-renamed', { K: 'w' }]);

    const copy = await p<number>((cb) => doc.clone('npm-doc-copy', cb));
    assert.equal(typeof copy, 'number');
    const listed = (await p<Parsed[]>((cb) => one.getDocuments(42, cb, -2))).map((d) => at(d, 'NAME'));
    assert.deepEqual(listed.sort(), ['npm-doc-copy', 'npm-doc-renamed']);

    await p((cb) => one.getDocument(copy).delete(cb));
    const gone = await errorOf((cb) => one.getDocument(copy).info(cb));
    assert.match(gone.message, /Error getting document/);
    assert.deepEqual((await p<Parsed[]>((cb) => one.getDocuments(42, cb, -2))).map((d) => at(d, 'NAME')), ['npm-doc-renamed']);
  });

  test('a regular user gets errors for what it may not do; faults keep their code', async () => {
    const oned = get();
    const one = client(oned);
    const uid = (await p<Handle>((cb) => one.createUser('npm-plain', 'pw', 'core', cb))).id;
    const plain = client(oned, 'npm-plain:pw');
    const adminDoc = (await p<Handle>((cb) => one.createDocument('NAME = "npm-admin-doc"', 1, cb))).id;

    const create = await errorOf((cb) => plain.createUser('npm-by-plain', 'pw', 'core', cb));
    assert.match(create.message, /^\[one\.user\.allocate\] User \[\d+\] : Not authorized to perform CREATE USER/);
    const group = await errorOf((cb) => plain.createGroup('npm-by-plain', cb));
    assert.match(group.message, /Not authorized to perform CREATE GROUP/);
    const other = await errorOf((cb) => plain.getUser(0).info(cb));
    assert.match(other.message, /Not authorized to perform USE USER \[0\]/);
    const chown = await errorOf((cb) => plain.getDocument(adminDoc).chown(uid, cb));
    assert.match(chown.message, new RegExp(`Not authorized to perform MANAGE DOCUMENT \\[${adminDoc}\\]`));
    // An empty pool reaches the client's list as [undefined].
    assert.deepEqual((await p<Parsed[]>((cb) => plain.getDocuments(1, cb, -2))).filter((d) => d !== undefined), [], 'nothing visible');
    const names = (await p<Parsed[]>((cb) => one.getUsers(cb))).map((u) => at(u, 'NAME'));
    assert.ok(!names.includes('npm-by-plain'));
    assert.equal(at(await p<Parsed>((cb) => one.getDocument(adminDoc).info(cb)), 'DOCUMENT', 'UID'), '0');

    const wrong = await errorOf((cb) => client(oned, 'npm-plain:nope').getUsers(cb));
    assert.match(wrong.message, /couldn't be authenticated/);

    const fault = await errorOf((cb) => one.modem.call('user.frobnicate', [], cb));
    assert.equal(fault.faultCode, -506);
  });

  test('login: a token got through the client works as its session secret', async () => {
    const oned = get();
    const one = client(oned);
    await p((cb) => one.createUser('npm-token', 'pw', 'core', cb));
    // The client's login() parses the token as XML and fails on any token; its modem can pass it through.
    const token = String(await p((cb) => client(oned, 'npm-token:pw').modem.call('user.login', ['npm-token', '', 600, -1], cb, true)));
    assert.match(token, /^\S{16,}$/);
    const self = at(await p<Parsed>((cb) => client(oned, `npm-token:${token}`).getUser(-1).info(cb)), 'USER');
    assert.equal(at(self, 'NAME'), 'npm-token');
    assert.equal(at(self, 'LOGIN_TOKEN', 'TOKEN'), token);
  });

  test('VMs: create, list by state, info, hold, release and terminate', async () => {
    const oned = get();
    const one = client(oned);
    // The client turns a result of 0 into {}: VM 0 is made over raw XML-RPC so the client's VM has a non-zero id.
    await oned.ok('one.vm.allocate', ['CPU = 1\nMEMORY = 64']);
    const created = await p<Handle>((cb) => one.createVM('NAME = "npm-vm"\nCPU = 1\nMEMORY = 64', false, cb));
    const vm = one.getVM(created.id);
    const info = at(await p<Parsed>((cb) => vm.info(cb)), 'VM');
    assert.deepEqual([at(info, 'NAME'), at(info, 'STATE'), at(info, 'TEMPLATE', 'MEMORY')], ['npm-vm', '1', '64']);
    assert.equal(await p<number>((cb) => vm.action('hold', cb)), created.id);
    const held = (await p<Parsed[]>((cb) => one.getVMs(cb, -2, -1, -1, 2))).filter((v) => v !== undefined);
    assert.deepEqual(held.map((v) => at(v, 'ID')), [String(created.id)]);
    await p((cb) => vm.action('release', cb));
    const wrong = await errorOf((cb) => vm.action('suspend', cb));
    assert.match(wrong.message, /Error performing action "suspend": This action is not available for state PENDING/);
    await p((cb) => vm.action('terminate', cb));
    assert.equal(at(await p<Parsed>((cb) => vm.info(cb)), 'VM', 'STATE'), '6');
  });
});
