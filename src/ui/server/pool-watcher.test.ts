import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { OneClient } from '../../oca/client.js';
import { POOL_KINDS } from './pool-kinds.js';
import { PoolWatcher } from './pool-watcher.js';

/** A client whose vmpool.info answers the current `xml` and counts the calls. */
function fakeClient(state: { xml: string; calls: number }): OneClient {
  return { call: async () => (state.calls++, state.xml), session: 'u:t' } as unknown as OneClient;
}

const vm = (id: number, name: string, state: number, host = '') =>
  `<VM><ID>${id}</ID><UID>0</UID><GID>0</GID><UNAME>oneadmin</UNAME><GNAME>oneadmin</GNAME><NAME>${name}</NAME><STATE>${state}</STATE><LCM_STATE>${state === 3 ? 3 : 0}</LCM_STATE><STIME>1</STIME>` +
  `<TEMPLATE><CPU>1</CPU><MEMORY>64</MEMORY><NIC><IP>10.0.0.${id}</IP></NIC></TEMPLATE>` +
  `${host ? `<HISTORY_RECORDS><HISTORY><HOSTNAME>${host}</HOSTNAME><HID>0</HID></HISTORY></HISTORY_RECORDS>` : '<HISTORY_RECORDS/>'}</VM>`;

test('rows: the fields a table shows, read once per changed listing', async () => {
  const s = { xml: `<VM_POOL>${vm(2, 'web-2', 3, 'host0')}${vm(1, 'db-1', 1)}</VM_POOL>`, calls: 0 };
  const w = new PoolWatcher(POOL_KINDS.vm!, fakeClient(s));
  const p = await w.page({}, 1000);
  assert.equal(p.total, 2);
  assert.deepEqual(
    p.rows.map((r) => [r.ID, r.NAME, r.STATE, r.HOST, r.IPS]),
    [
      [2, 'web-2', 3, 'host0', ['10.0.0.2']],
      [1, 'db-1', 1, '', ['10.0.0.1']],
    ],
    "oned's listing order by default",
  );
  const v = w.version;
  assert.equal(await w.refresh(), false, 'the same XML is no change');
  assert.equal(w.version, v);
  s.xml = `<VM_POOL>${vm(1, 'db-1', 3, 'host0')}</VM_POOL>`;
  assert.equal(await w.refresh(), true);
  assert.equal(w.select({}).rows[0]!.STATE, 3);
});

test('search, exact filters, sort and paging run on the rows', async () => {
  const many = Array.from({ length: 250 }, (_, i) => vm(i, `vm${i}`, i % 2 ? 3 : 8, i % 2 ? 'host1' : '')).reverse();
  const s = { xml: `<VM_POOL>${many.join('')}</VM_POOL>`, calls: 0 };
  const w = new PoolWatcher(POOL_KINDS.vm!, fakeClient(s));
  await w.refresh();
  assert.deepEqual(w.select({ q: 'vm12' }).rows.map((r) => r.ID).sort((a, b) => Number(a) - Number(b)), [12, 120, 121, 122, 123, 124, 125, 126, 127, 128, 129]);
  assert.equal(w.select({ q: 'VM12 host1' }).total, 5, 'every word must match, case-insensitive');
  assert.equal(w.select({ q: '10.0.0.249' }).total, 1, 'IPs are searched');
  assert.equal(w.select({ where: { STATE: '8' } }).total, 125);
  assert.equal(w.select({ where: { STATE: '8' }, q: 'host1' }).total, 0);
  const byName = w.select({ sort: 'NAME', dir: 'asc', limit: 3 });
  assert.deepEqual(byName.rows.map((r) => r.NAME), ['vm0', 'vm1', 'vm2'], 'names sort numerically');
  const desc = w.select({ sort: 'ID', dir: 'desc', offset: 10, limit: 5 });
  assert.deepEqual(desc.rows.map((r) => r.ID), [239, 238, 237, 236, 235]);
  assert.equal(desc.total, 250);
  assert.equal(desc.offset, 10);
  const sortedSearch = w.select({ sort: 'ID', dir: 'asc', q: 'vm24' });
  assert.deepEqual(sortedSearch.rows.map((r) => r.ID), [24, 240, 241, 242, 243, 244, 245, 246, 247, 248, 249], 'search on sorted rows');
  assert.equal(w.select({ limit: 5000 }).rows.length, 250, 'the limit is capped at 1000 rows, fewer here');
});

test('concurrent asks share one poll; a fresh listing is not polled again', async () => {
  const s = { xml: `<VM_POOL>${vm(1, 'a', 3)}</VM_POOL>`, calls: 0 };
  const w = new PoolWatcher(POOL_KINDS.vm!, fakeClient(s));
  await Promise.all([w.page({}, 1000), w.page({}, 1000), w.page({}, 1000)]);
  assert.equal(s.calls, 1);
  await w.page({}, 60_000);
  assert.equal(s.calls, 1);
  w.fetchedAt = 0;
  await w.page({}, 1000);
  assert.equal(s.calls, 2);
});

test('after a change through the server, the next ask waits for a poll that started after it', async () => {
  let release: () => void = () => undefined;
  const s = { xml: `<VM_POOL>${vm(1, 'a', 3)}</VM_POOL>`, calls: 0 };
  const client = {
    session: 'u:t',
    call: async () => {
      s.calls++;
      const xml = s.xml;
      if (s.calls === 2) await new Promise<void>((r) => (release = r));
      return xml;
    },
  } as unknown as OneClient;
  const w = new PoolWatcher(POOL_KINDS.vm!, client);
  await w.page({}, 60_000);
  // A poll starts (slow), then a VM is created and the watcher told.
  const slow = w.refresh();
  s.xml = `<VM_POOL>${vm(2, 'b', 1)}${vm(1, 'a', 3)}</VM_POOL>`;
  w.invalidate();
  const asked = w.page({}, 60_000);
  release();
  await slow;
  const p = await asked;
  assert.equal(p.total, 2, 'the poll in flight before the change is not enough');
  assert.equal(s.calls, 3);
  // Without changes, a fresh listing is answered as it is.
  await w.page({}, 60_000);
  assert.equal(s.calls, 3);
});
