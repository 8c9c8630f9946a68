import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HostCache } from './host-cache.js';

const host = (id: number, cpuUsage: number, extra = '') =>
  `<HOST><ID>${id}</ID><NAME>node${id}</NAME><STATE>2</STATE><CLUSTER_ID>0</CLUSTER_ID><HOST_SHARE><MAX_CPU>800</MAX_CPU><MAX_MEM>1000</MAX_MEM><CPU_USAGE>${cpuUsage}</CPU_USAGE><MEM_USAGE>0</MEM_USAGE><RUNNING_VMS>0</RUNNING_VMS></HOST_SHARE><VMS/><MONITORING/><TEMPLATE>${extra}</TEMPLATE></HOST>`;
const sample = (id: number, freeCpu: number, t = 1) => `<MONITORING><TIMESTAMP>${t}</TIMESTAMP><ID>${id}</ID><CAPACITY><FREE_CPU>${freeCpu}</FREE_CPU></CAPACITY></MONITORING>`;

test('hosts read again are parsed only when their element or their sample changed; each cycle gets copies', () => {
  const cache = new HostCache();
  const first = cache.read(`<HOST_POOL>${host(0, 0)}${host(1, 0)}${host(2, 0, '<HOST>odd</HOST>')}</HOST_POOL>`, `<MONITORING_DATA>${sample(0, 700)}${sample(1, 600)}</MONITORING_DATA>`);
  assert.deepEqual([cache.hits, cache.misses], [0, 3]);
  assert.deepEqual(first.map((h) => [h.id, h.freeCpu]), [[0, 700], [1, 600], [2, 800]]);
  assert.deepEqual(first[2]!.lookup('HOST'), ['odd'], 'a template attribute named HOST stays inside its host');
  first[0]!.take(100, 10); // the cycle changes its copy
  const second = cache.read(`<HOST_POOL>${host(0, 0)}${host(1, 100)}${host(2, 0, '<HOST>odd</HOST>')}</HOST_POOL>`, `<MONITORING_DATA>${sample(0, 700)}${sample(1, 600)}${sample(2, 500, 2)}</MONITORING_DATA>`);
  assert.deepEqual([cache.hits, cache.misses], [1, 2], 'host 1 changed, host 2 has a new sample');
  assert.deepEqual(second.map((h) => [h.id, h.cpuUsage, h.freeCpu, h.runningVms]), [[0, 0, 700, 0], [1, 100, 600, 0], [2, 0, 500, 0]]);
  assert.notEqual(second[0], first[0]);
});
