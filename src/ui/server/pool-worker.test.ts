import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { xmlEscapeText } from '../../common/xml.js';
import { OneClient } from '../../oca/client.js';
import { OneConnectionError, OneError } from '../../oca/errors.js';
import { EscapedBytes, XmlRpcServer, type XmlRpcValue } from '../../rpc/xmlrpc/index.js';
import { POOL_KINDS } from './pool-kinds.js';
import { PoolThread } from './pool-thread.js';
import { PoolWatcher } from './pool-watcher.js';

const SESSION = 'oneadmin:secret-token';

/** A VM as oned lists it (about the size of a real one: ~750 bytes). */
const vm = (id: number, name: string, state: number, host = '') =>
  `<VM><ID>${id}</ID><UID>0</UID><GID>0</GID><UNAME>oneadmin</UNAME><GNAME>oneadmin</GNAME><NAME>${name}</NAME>` +
  `<LAST_POLL>0</LAST_POLL><STATE>${state}</STATE><LCM_STATE>${state === 3 ? 3 : 0}</LCM_STATE><PREV_STATE>${state}</PREV_STATE><PREV_LCM_STATE>0</PREV_LCM_STATE><RESCHED>0</RESCHED><STIME>1700000000</STIME><ETIME>0</ETIME><DEPLOY_ID></DEPLOY_ID>` +
  `<MONITORING/><SCHED_ACTIONS/><TEMPLATE><AUTOMATIC_REQUIREMENTS><![CDATA[!(PUBLIC_CLOUD = YES)]]></AUTOMATIC_REQUIREMENTS><CPU>1</CPU><MEMORY>64</MEMORY>` +
  `<NIC><IP>10.0.${id >> 8 & 255}.${id & 255}</IP><MAC>02:00:0a:00:00:01</MAC><NETWORK>private</NETWORK><NIC_ID>0</NIC_ID></NIC><VMID>${id}</VMID></TEMPLATE><USER_TEMPLATE/>` +
  `${host ? `<HISTORY_RECORDS><HISTORY><OID>${id}</OID><SEQ>0</SEQ><HOSTNAME>${host}</HOSTNAME><HID>0</HID><CID>0</CID><STIME>1700000001</STIME></HISTORY></HISTORY_RECORDS>` : '<HISTORY_RECORDS/>'}</VM>`;

const pool = (vms: string[]) => `<VM_POOL>${vms.join('')}</VM_POOL>`;

/** oned's answer to a listing, escaped once (serving 15 MB costs the test's event loop nothing). */
const answer = (xml: string): XmlRpcValue => [true, new EscapedBytes(Buffer.from(xmlEscapeText(xml), 'utf8')), 0];

/** A fake oned: one.vmpool.info answers `state.answer`; calls are counted, with their session. */
async function fakeOned(state: { answer: XmlRpcValue; calls: number; sessions: string[] }): Promise<{ endpoint: string; close(): Promise<void> }> {
  const server = new XmlRpcServer({
    host: '127.0.0.1',
    port: 0,
    maxBodyBytes: 1 << 20,
    handler: (call) => {
      state.calls++;
      state.sessions.push(String(call.params[0]));
      return state.answer;
    },
  });
  const { port } = await server.listen();
  return { endpoint: `http://127.0.0.1:${port}/RPC2`, close: () => server.close() };
}

const thread = new PoolThread({ timeoutMs: 10_000 });
const closers: (() => unknown)[] = [];
after(async () => {
  for (const c of closers.reverse()) await c();
  await thread.stop();
});

async function setUp(xml: string) {
  const state = { answer: answer(xml), calls: 0, sessions: [] as string[] };
  const oned = await fakeOned(state);
  const client = new OneClient({ endpoint: oned.endpoint, session: SESSION });
  closers.push(() => oned.close(), () => client.close());
  return { state, oned, client };
}

test('rows come back from the worker; an unchanged listing is no change, a changed one is', async () => {
  const { state, client } = await setUp(pool([vm(2, 'web-2', 3, 'host0'), vm(1, 'db-1', 1)]));
  let changes = 0;
  const w = new PoolWatcher(POOL_KINDS.vm!, client, () => changes++, { thread, key: '@oneadmin|vm' });
  const p = await w.page({}, 1000);
  assert.equal(p.total, 2);
  assert.deepEqual(
    p.rows.map((r) => [r.ID, r.NAME, r.STATE, r.HOST, r.IPS]),
    [
      [2, 'web-2', 3, 'host0', ['10.0.0.2']],
      [1, 'db-1', 1, '', ['10.0.0.1']],
    ],
  );
  assert.equal(w.select({ q: 'WEB host0' }).total, 1, 'the haystack came back too');
  assert.deepEqual(state.sessions, [SESSION], "the worker called oned with the watcher's session");
  assert.equal(changes, 1);
  const v = w.version;
  assert.equal(await w.refresh(), false, 'the same XML is no change');
  assert.equal(w.version, v);
  assert.equal(changes, 1);
  assert.equal(state.calls, 2);
  state.answer = answer(pool([vm(1, 'db-1', 3, 'host0')]));
  assert.equal(await w.refresh(), true);
  assert.equal(w.version, v + 1);
  assert.deepEqual(w.select({}).rows.map((r) => [r.ID, r.STATE, r.HOST]), [[1, 3, 'host0']]);

  // A new watcher under the same key (the old one was dropped) gets the rows, not "no change".
  const again = new PoolWatcher(POOL_KINDS.vm!, client, undefined, { thread, key: '@oneadmin|vm' });
  assert.equal((await again.page({}, 1000)).total, 1);
});

test("oned's refusal comes back as OneError, with its method, code and object", async () => {
  const { state, client } = await setUp(pool([]));
  state.answer = [false, '[one.vmpool.info] User couldn\'t be authenticated, aborting call.', 0x0100, 7];
  const w = new PoolWatcher(POOL_KINDS.vm!, client, undefined, { thread, key: 'alice|vm' });
  const err = await w.refresh().then(
    () => assert.fail('no error'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof OneError, String(err));
  assert.equal(err.method, 'one.vmpool.info');
  assert.equal(err.code, 0x0100);
  assert.equal(err.codeName, 'AUTHENTICATION');
  assert.equal(err.objectId, 7);
  assert.match(err.message, /couldn't be authenticated/);
});

test('a closed port comes back as OneConnectionError (the session is not in it)', async () => {
  const { oned, client } = await setUp(pool([]));
  await oned.close();
  const w = new PoolWatcher(POOL_KINDS.vm!, client, undefined, { thread, key: 'bob|vm' });
  const err = await w.refresh().then(
    () => assert.fail('no error'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof OneConnectionError, String(err));
  assert.match(err.message, /Cannot reach oned at http:\/\/127\.0\.0\.1:\d+\/RPC2: connection refused/);
  assert.ok(!err.message.includes('secret-token'));
});

test('a worker that dies fails its polls with an Error, and the next poll starts a new one', async () => {
  const state = { answer: answer(pool([vm(1, 'a', 3)])), calls: 0, sessions: [] as string[] };
  let release: () => void = () => undefined;
  const server = new XmlRpcServer({
    host: '127.0.0.1',
    port: 0,
    maxBodyBytes: 1 << 20,
    handler: async () => {
      if (++state.calls === 1) await new Promise<void>((r) => (release = r));
      return state.answer;
    },
  });
  const { port } = await server.listen();
  const client = new OneClient({ endpoint: `http://127.0.0.1:${port}/RPC2`, session: SESSION });
  closers.push(() => server.close(), () => client.close());
  const w = new PoolWatcher(POOL_KINDS.vm!, client, undefined, { thread, key: 'carol|vm' });
  const started = thread.started;
  const slow = w.refresh();
  while (state.calls === 0) await new Promise((r) => setTimeout(r, 5));
  await thread.worker!.terminate();
  const err = await slow.then(
    () => assert.fail('no error'),
    (e: unknown) => e,
  );
  release();
  assert.ok(err instanceof Error && !(err instanceof OneError) && !(err instanceof OneConnectionError), String(err));
  assert.match(err.message, /pool reader stopped .*the next poll starts a new one/);
  assert.equal(await w.refresh(), true);
  assert.equal(w.select({}).total, 1);
  assert.equal(thread.started, started + 1, 'a new worker');
});

/** Runs `work` while a 10 ms interval ticks; the longest gap between ticks (ms). */
async function longestGap(work: () => Promise<unknown>): Promise<{ gap: number; ms: number }> {
  let last = performance.now();
  let gap = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    gap = Math.max(gap, now - last);
    last = now;
  }, 10);
  const t0 = performance.now();
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  return { gap: Math.max(gap, performance.now() - last), ms: performance.now() - t0 };
}

test('the event loop keeps turning while a 20,000-VM listing is read', async () => {
  const vms = Array.from({ length: 20_000 }, (_, i) => vm(i, `vm${i}`, 3, `host${i % 2500}`));
  const xml = pool(vms);
  const { state, client } = await setUp(xml);
  const w = new PoolWatcher(POOL_KINDS.vm!, client, undefined, { thread, key: 'big|vm' });

  const first = await longestGap(() => w.refresh());
  assert.equal(w.select({}).total, 20_000);
  assert.equal(w.select({ q: 'vm19999' }).total, 1);
  state.answer = answer(pool([...vms.slice(1), vm(20_000, 'vm20000', 3, 'host0')]));
  const changed = await longestGap(() => w.refresh());
  assert.equal(w.select({ q: 'vm20000' }).total, 1);
  const unchanged = await longestGap(() => w.refresh());

  // The same listing read on the event loop, for comparison.
  const here = new PoolWatcher(POOL_KINDS.vm!, client);
  const inProcess = await longestGap(() => here.refresh());
  assert.equal(here.select({}).total, 20_000);

  const f = (m: { gap: number; ms: number }) => `poll ${m.ms.toFixed(0)} ms, longest gap ${m.gap.toFixed(0)} ms`;
  console.log(`${(xml.length / 1e6).toFixed(1)} MB listing; worker: first ${f(first)}; changed ${f(changed)}; unchanged ${f(unchanged)}; on the event loop: ${f(inProcess)}`);
  // Relative, not a fixed time (a busy machine stretches both): in the worker the loop's longest
  // stall is well under the stall of the same read done on the loop.
  for (const m of [first, changed, unchanged]) assert.ok(m.gap < inProcess.gap / 2, `the event loop stalled ${m.gap.toFixed(0)} ms (${inProcess.gap.toFixed(0)} ms on the loop)`);
});
