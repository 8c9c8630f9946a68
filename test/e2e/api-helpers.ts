/**
 * Shared pieces of the API end-to-end suites (`api-*.test.ts`): one oned per backend, OpenNebula's
 * response codes (written out from the spec, not imported from src/, so a wrong constant in oned
 * fails here), and readers for the XML oned answers with.
 */
import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { join } from 'node:path';
import type { Backend, DbConfig } from '../../src/db/database.js';
import { child, childInt, childText, parseXmlTree, type XmlNode } from '../../src/common/xml-tree.js';
import { XmlRpcClient, XmlRpcFault, type XmlRpcValue } from '../../src/rpc/xmlrpc/index.js';
import { AclRule } from '../../src/common/acl/acl-rule.js';
import { BACKENDS, FEATURE_BACKENDS, Oned } from './harness.js';

/** OpenNebula's API error codes (spec §1.3). */
export const Code = {
  AUTHENTICATION: 256,
  AUTHORIZATION: 512,
  NO_EXISTS: 1024,
  ACTION: 2048,
  XML_RPC_API: 4096,
  INTERNAL: 8192,
  ALLOCATE: 16384,
  LOCKED: 32768,
} as const;

/** xmlrpc-c's fault codes. */
export const Fault = { TYPE: -501, INDEX: -502, PARSE: -503, NO_SUCH_METHOD: -506, LIMIT_EXCEEDED: -509, INVALID_UTF8: -510 } as const;

export const AUTH_FAILED = /User couldn't be authenticated, aborting call\./;

/**
 * Declares `describe("<title> on <backend>")` for every backend under test, each with one oned
 * started before its tests and stopped (database dropped) after them. `body` gets the running oned.
 */
/**
 * Drivers under the names the API tests give hosts (all dummy), with host monitoring off so host
 * states change only through the API (test/e2e/monitoring.test.ts covers monitoring).
 */
export const TEST_DRIVERS = `HOST_MONITORING_INTERVAL = 0
${['dummy', 'kvm', 'im_kvm', 'xen'].map((n) => `IM_MAD = [ NAME = "${n}", EXECUTABLE = "one_im_dummy" ]`).join('\n')}
${['dummy', 'kvm', 'vmm_kvm', 'xen'].map((n) => `VM_MAD = [ NAME = "${n}", EXECUTABLE = "one_vmm_dummy" ]`).join('\n')}
`;

/** How to reach the database of a test oned (the settings harness.ts writes into its oned.conf). */
export function databaseOf(oned: Oned): DbConfig {
  switch (oned.backend) {
    case 'sqlite':
      return { backend: 'sqlite', file: join(oned.location, 'var', 'one.db') };
    case 'postgresql':
      return { backend: 'postgresql', server: '127.0.0.1', port: 5432, user: 'postgres', passwd: '', dbName: oned.dbName };
    case 'mysql':
      return { backend: 'mysql', server: '127.0.0.1', port: 3306, user: 'root', passwd: '', dbName: oned.dbName };
  }
}

/** One describe per backend of `backends`, each with its own oned (dummy drivers plus `conf`). */
function onBackends(backends: readonly Backend[], title: string, body: (oned: () => Oned) => void, conf?: string): void {
  for (const backend of backends) {
    describe(`${title} on ${backend}`, () => {
      let oned: Oned | undefined;
      before(async () => {
        oned = await Oned.start({ backend, conf: TEST_DRIVERS + (conf ?? '') });
      });
      after(() => oned?.stop());
      body(() => {
        if (!oned) throw new Error('oned did not start');
        return oned;
      });
    });
  }
}

/** A database suite: on every backend of the run (harness BACKENDS, all three by default). */
export function onEveryBackend(title: string, body: (oned: () => Oned) => void, conf?: string): void {
  onBackends(BACKENDS, title, body, conf);
}

/** A feature suite: on the feature backends of the run (harness FEATURE_BACKENDS, SQLite by default). */
export function onFeatureBackends(title: string, body: (oned: () => Oned) => void, conf?: string): void {
  onBackends(FEATURE_BACKENDS, title, body, conf);
}

/**
 * Calls `method` and asserts OpenNebula's failure envelope: `false`, `code`, and a message that
 * starts with `[method]` and matches `message`.
 */
export async function refused(oned: Oned, method: string, params: XmlRpcValue[], code: number, message: RegExp, session = oned.oneadmin): Promise<void> {
  const r = await oned.call(method, params, session);
  assert.equal(r[0], false, `${method}(${JSON.stringify(params)}) should fail, got ${JSON.stringify(r)}`);
  const text = String(r[1]);
  assert.equal(r[2], code, `${method} failed with ${String(r[2])}, wanted ${code}: ${text}`);
  assert.ok(text.startsWith(`[${method}] `), `message should start with [${method}]: ${text}`);
  assert.match(text, message);
}

/** Calls and expects success; returns the id (or other integer) the method answers. */
export async function okId(oned: Oned, method: string, params: XmlRpcValue[], session = oned.oneadmin): Promise<number> {
  const v = await oned.ok(method, params, session);
  assert.equal(typeof v, 'number', `${method} should answer an integer, got ${JSON.stringify(v)}`);
  return v as number;
}

/** Calls and expects success with an XML document; returns its root element. */
export async function okXml(oned: Oned, method: string, params: XmlRpcValue[], session = oned.oneadmin): Promise<XmlNode> {
  return parseXmlTree(String(await oned.ok(method, params, session)));
}

/** Resolves with the fault a call rejects with; fails the test if it does not. */
export async function faultOf(call: Promise<unknown>): Promise<XmlRpcFault> {
  try {
    const v = await call;
    assert.fail(`expected an XML-RPC fault, got ${JSON.stringify(v)}`);
  } catch (err) {
    if (err instanceof XmlRpcFault) return err;
    throw err;
  }
}

/** The child elements named `name`. */
export function all(node: XmlNode, name: string): XmlNode[] {
  return node.children.filter((c) => c.name === name);
}

/** The child element named `name`; fails the test when missing. */
export function must(node: XmlNode, name: string): XmlNode {
  const c = child(node, name);
  assert.ok(c, `<${node.name}> has no <${name}>`);
  return c;
}

/**
 * IDs of a pool's `element` entries, ascending: which objects a listing holds. Listings come
 * newest first (API_LIST_ORDER); {@link listedIds} gives the document order where that matters.
 */
export function idsIn(pool: XmlNode, element: string): number[] {
  return listedIds(pool, element).sort((a, b) => a - b);
}

/** IDs of a pool's `element` entries, in document order. */
export function listedIds(pool: XmlNode, element: string): number[] {
  return all(pool, element).map((e) => childInt(e, 'ID', Number.NaN));
}

/** `<ID>` children of a list element such as `<GROUPS>` or `<USERS>`. */
export function idList(node: XmlNode, name: string): number[] {
  return all(must(node, name), 'ID').map((e) => Number(e.text));
}

/** The TEMPLATE of an object as `NAME → text` (a vector as `NAME → {sub: text}` rendered as JSON). */
export function templateOf(obj: XmlNode): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of must(obj, 'TEMPLATE').children) {
    out[a.name] = a.children.length === 0 ? a.text : JSON.stringify(Object.fromEntries(a.children.map((s) => [s.name, s.text])));
  }
  return out;
}

const PERMISSION_BITS = ['OWNER_U', 'OWNER_M', 'OWNER_A', 'GROUP_U', 'GROUP_M', 'GROUP_A', 'OTHER_U', 'OTHER_M', 'OTHER_A'];

/** The PERMISSIONS element as nine digits in chmod order, e.g. `110000000` for 600. */
export function permissionsOf(obj: XmlNode): string {
  const p = must(obj, 'PERMISSIONS');
  return PERMISSION_BITS.map((n) => childText(p, n)).join('');
}

/** A user made by oneadmin, with its session string. */
export interface TestUser {
  readonly id: number;
  readonly name: string;
  readonly password: string;
  readonly session: string;
}

/** Creates a core user (in "users", or `groups` with the first as primary). */
export async function addUser(oned: Oned, name: string, groups: number[] = []): Promise<TestUser> {
  const password = `${name}-pw`;
  const id = await okId(oned, 'one.user.allocate', [name, password, '', groups]);
  return { id, name, password, session: `${name}:${password}` };
}

/** What OpenNebula's `onegroup create` lets the members of a new group create (oned's allocate does not). */
export const GROUP_CREATE_RULE = 'VM+IMAGE+TEMPLATE+DOCUMENT+SECGROUP+VMGROUP+BACKUPJOB/* CREATE *';

/**
 * Creates a group as OpenNebula's `onegroup create` does: one.group.allocate, then the ACL rule
 * `@gid VM+IMAGE+...+BACKUPJOB/* CREATE *` so that its members may create objects.
 */
export async function addGroup(oned: Oned, name: string): Promise<number> {
  const gid = await okId(oned, 'one.group.allocate', [name]);
  const rule = AclRule.parse(`@${gid} ${GROUP_CREATE_RULE}`);
  await okId(oned, 'one.acl.addrule', [rule.user, rule.resource, rule.rights].map((c) => c.toString(16)));
  return gid;
}

/**
 * A core user in a group of its own outside OpenNebula's default VDC: `one.group.allocate` gave
 * the group `@gid HOST/* MANAGE`, `NET/* USE` and `DATASTORE/* USE`; they are deleted, so the user
 * has nothing but what a test grants.
 */
export async function addUserOutsideVdc(oned: Oned, name: string): Promise<TestUser & { gid: number }> {
  const gid = await okId(oned, 'one.group.allocate', [`${name}-group`]);
  for (const r of all(await okXml(oned, 'one.acl.info', []), 'ACL')) {
    if (childText(r, 'STRING').startsWith(`@${gid} `)) await okId(oned, 'one.acl.delrule', [childInt(r, 'ID')]);
  }
  return { ...(await addUser(oned, name, [gid])), gid };
}

/** Ids of the documents `session` gets from `one.documentpool.info(filter, start, end, type)`. */
export async function documentIds(oned: Oned, session: string, filter: number, start = -1, end = -1, type = -1): Promise<number[]> {
  return idsIn(await okXml(oned, 'one.documentpool.info', [filter, start, end, type], session), 'DOCUMENT');
}

/** Names of every user in the pool (as oneadmin sees it). */
export async function userNames(oned: Oned): Promise<string[]> {
  return all(await okXml(oned, 'one.userpool.info', []), 'USER').map((u) => childText(u, 'NAME'));
}

/** Names of every group in the pool (as oneadmin sees it). */
export async function groupNames(oned: Oned): Promise<string[]> {
  return all(await okXml(oned, 'one.grouppool.info', []), 'GROUP').map((g) => childText(g, 'NAME'));
}

/** Asserts that oned answers a new client (its own connection) with the right version call. */
export async function assertServing(oned: Oned): Promise<void> {
  const c = new XmlRpcClient(oned.endpoint);
  try {
    const r = (await c.call('one.system.version', [oned.oneadmin])) as XmlRpcValue[];
    assert.equal(r[0], true, `oned should still serve, got ${JSON.stringify(r)}`);
    assert.match(String(r[1]), /^\d+\.\d+\.\d+$/);
  } finally {
    c.close();
  }
}

/** An HTTP response read in full. */
export interface RawResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/** Sends a raw HTTP request to oned's endpoint host (a new connection), for bodies no client would send. */
export function rawRequest(oned: Oned, body: string | Buffer, opts: { method?: string; path?: string } = {}): Promise<RawResponse> {
  const url = new URL(oned.endpoint);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: opts.path ?? url.pathname,
        method: opts.method ?? 'POST',
        agent: false,
        headers: { 'Content-Type': 'text/xml', 'Content-Length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Reads `faultCode` and `faultString` out of a `<methodResponse><fault>` document. */
export function faultIn(xml: string): { code: number; message: string } {
  const root = parseXmlTree(xml);
  assert.equal(root.name, 'methodResponse');
  const struct = must(must(must(root, 'fault'), 'value'), 'struct');
  const members = new Map(all(struct, 'member').map((m) => [childText(m, 'name'), must(m, 'value')]));
  const code = members.get('faultCode');
  const message = members.get('faultString');
  assert.ok(code && message, `fault without faultCode/faultString: ${xml}`);
  const int = child(code, 'int') ?? child(code, 'i4');
  assert.ok(int, `faultCode is not an int: ${xml}`);
  return { code: Number(int.text), message: child(message, 'string')?.text ?? message.text };
}

/** A `<methodCall>` document with string and int parameters, written by hand. */
export function methodCallXml(method: string, params: (string | number)[]): string {
  const value = (p: string | number) => (typeof p === 'number' ? `<int>${p}</int>` : `<string>${p.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</string>`);
  return `<?xml version="1.0"?><methodCall><methodName>${method}</methodName><params>${params.map((p) => `<param><value>${value(p)}</value></param>`).join('')}</params></methodCall>`;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** `one.vm.info` of the VM, parsed. */
export function vmInfo(oned: Oned, id: number): Promise<XmlNode> {
  return okXml(oned, 'one.vm.info', [id]);
}

/** Polls the VM until it is in STATE `state` and LCM_STATE `lcm` (0 outside ACTIVE); fails with where it is after `ms`. */
export async function waitFor(oned: Oned, id: number, state: number, lcm = 0, ms = 8000): Promise<XmlNode> {
  const until = Date.now() + ms;
  let last: XmlNode;
  do {
    last = await vmInfo(oned, id);
    if (childInt(last, 'STATE') === state && childInt(last, 'LCM_STATE') === lcm) return last;
    await sleep(25);
  } while (Date.now() < until);
  assert.fail(`VM ${id} should reach ${state}/${lcm}, is ${childInt(last, 'STATE')}/${childInt(last, 'LCM_STATE')}`);
}

/** A USER_TEMPLATE attribute of a VM document ('' when absent). */
export function userAttr(vm: XmlNode, name: string): string {
  return childText(must(vm, 'USER_TEMPLATE'), name);
}

/** The host of the VM's last history record, -1 when it was never deployed. */
export function hostOf(vm: XmlNode): number {
  const h = all(must(vm, 'HISTORY_RECORDS'), 'HISTORY');
  return h.length === 0 ? -1 : childInt(h[h.length - 1]!, 'HID');
}

/** Polls `one.vm.info` until `check` holds; fails saying what was awaited, the state and the SCHED_MESSAGE. */
export async function vmUntil(oned: Oned, id: number, what: string, check: (v: XmlNode) => boolean, seconds = 30): Promise<XmlNode> {
  const end = Date.now() + seconds * 1000;
  for (;;) {
    const v = await vmInfo(oned, id);
    if (check(v)) return v;
    if (Date.now() > end) throw new Error(`VM ${id}: ${what} not seen in ${seconds} s (STATE ${childText(v, 'STATE')}, SCHED_MESSAGE "${userAttr(v, 'SCHED_MESSAGE')}")`);
    await sleep(100);
  }
}

/** Waits for the scheduler to deploy the VM (ACTIVE on a host); the host's id. */
export async function placedOn(oned: Oned, id: number, seconds = 30): Promise<number> {
  return hostOf(await vmUntil(oned, id, 'placed', (v) => childInt(v, 'STATE') === 3 && hostOf(v) >= 0, seconds));
}

/** `one.acl.addrule`'s four hex arguments of a rule written as `oneacl create` takes it (`#5 HOST/* USE #0`). */
export function aclRuleHex(text: string): string[] {
  const r = AclRule.parse(text);
  return [r.user, r.resource, r.rights, r.zone].map((v) => v.toString(16));
}
