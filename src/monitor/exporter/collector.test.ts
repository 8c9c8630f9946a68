import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import type { Oca } from '../../oca/index.js';
import { OneConnectionError } from '../../oca/errors.js';
import { Collector } from './collector.js';

/** A stand-in for the client library: counts the pool calls, answers fixed listings (or fails). */
function fakeOca(fail = false) {
  const calls: string[] = [];
  const pool = (method: string, xml: string) => ({
    listXml: async (...params: unknown[]) => {
      calls.push(`${method}(${params.join(',')})`);
      await new Promise((r) => setTimeout(r, 20));
      if (fail) throw new OneConnectionError('Cannot reach oned at http://x/RPC2: connection refused (is oned running?)');
      return xml;
    },
  });
  const oca = {
    hosts: pool('one.hostpool.info', '<HOST_POOL><HOST><ID>0</ID><STATE>2</STATE><HOST_SHARE/><VMS/></HOST></HOST_POOL>'),
    datastores: pool('one.datastorepool.info', '<DATASTORE_POOL/>'),
    vms: pool('one.vmpool.info', '<VM_POOL><VM><ID>4</ID><STATE>1</STATE><LCM_STATE>0</LCM_STATE></VM></VM_POOL>'),
  } as unknown as Oca;
  return { oca, calls };
}

test('one pool call per family per collection; scrapes within the TTL, and concurrent ones, share it', async () => {
  const { oca, calls } = fakeOca();
  let now = 1_000_000;
  const c = new Collector(oca, { ttlMs: 5000, fqdn: 'front', services: async () => ({ scheduler: true, flow: false }), now: () => now });
  const [a, b, d] = await Promise.all([c.scrape(), c.scrape(), c.scrape()]);
  assert.equal(a, b);
  assert.equal(a, d);
  assert.deepEqual(calls.sort(), ['one.datastorepool.info()', 'one.hostpool.info()', 'one.vmpool.info(-2,-1,-1,-1)']);
  now += 4999;
  assert.equal(await c.scrape(), a);
  assert.equal(calls.length, 3);
  now += 1;
  const e = await c.scrape();
  assert.notEqual(e, a);
  assert.equal(calls.length, 6);
  assert.equal(c.collections, 2);
  assert.match(e.text, /^opennebula_vm_state\{one_vm_id="4"\} 1$/m);
  assert.match(e.text, /^opennebula_scheduler_state\{one_server_fqdn="front"\} 1$/m);
  assert.match(e.text, /^opennebula_oned_state\{one_server_fqdn="front"\} 1$/m);
  // gzip of the same text, compressed once per collection.
  const g1 = await c.scrapeGzipped();
  const g2 = await c.scrapeGzipped();
  assert.equal(g1.body, g2.body);
  assert.equal(gunzipSync(g1.body).toString(), e.text);
});

test('oned unreachable: oned_state 0, no pool families, the failures told once per collection', async () => {
  const { oca } = fakeOca(true);
  const warned: string[] = [];
  const c = new Collector(oca, { ttlMs: 0, fqdn: 'front', services: async () => ({ scheduler: false, flow: false }), warn: (m) => warned.push(m) });
  const s = await c.scrape();
  assert.match(s.text, /^opennebula_oned_state\{one_server_fqdn="front"\} 0$/m);
  assert.match(s.text, /^opennebula_hem_state\{one_server_fqdn="front"\} 0$/m);
  assert.doesNotMatch(s.text, /opennebula_vm_|opennebula_host_/);
  assert.equal(s.errors.length, 3);
  assert.equal(warned.length, 3);
  assert.match(warned[0]!, /^opennebula-exporter: one\.\w+pool\.info: Cannot reach oned/);
});
