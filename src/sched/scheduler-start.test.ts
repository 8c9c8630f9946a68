import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Oca } from '../oca/index.js';
import { DEFAULT_SCHED_CONFIG } from './sched-config.js';
import { Scheduler } from './scheduler.js';

/** Empty listings for the calls a cycle makes. */
const ROOTS: Record<string, string> = {
  'one.hostpool.info': 'HOST_POOL',
  'one.hostpool.monitoring': 'MONITORING_DATA',
  'one.datastorepool.info': 'DATASTORE_POOL',
  'one.vnpool.info': 'VNET_POOL',
  'one.vmpool.info': 'VM_POOL',
  'one.vmgrouppool.info': 'VM_GROUP_POOL',
};

const answer = (res: ServerResponse, value: string) => {
  res.setHeader('Content-Type', 'text/xml');
  res.end(`<?xml version="1.0"?><methodResponse><params><param><value><array><data><value><boolean>1</boolean></value>${value}<value><i4>0</i4></value></data></array></value></param></params></methodResponse>`);
};

test('the first cycle runs though oned never answers the pending watch, and says so in the log', async () => {
  const calls: string[] = [];
  const held: ServerResponse[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const method = /<methodName>([^<]+)<\/methodName>/.exec(body)?.[1] ?? '';
      calls.push(method);
      if (method === 'one.vmpool.waitpending') return void held.push(res); // never answered
      const root = ROOTS[method];
      if (root) answer(res, `<value><string>&lt;${root}/&gt;</string></value>`);
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const oca = new Oca({ endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}/RPC2`, session: 'oneadmin:x' });
  const warnings: string[] = [];
  const errors: string[] = [];
  const scheduler = new Scheduler(oca, { ...DEFAULT_SCHED_CONFIG, intervalSec: 3600, wakeOnPending: true }, { info: () => undefined, warn: (m) => warnings.push(m), error: (m) => errors.push(m) });
  const started = Date.now();
  scheduler.start();
  try {
    while (!calls.includes('one.vmpool.info')) {
      assert.ok(Date.now() - started < 10_000, `no cycle in 10 s; calls: ${calls.join(', ')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(calls.indexOf('one.vmpool.waitpending') < calls.indexOf('one.vmpool.info'), 'the watch was asked first');
    assert.ok(Date.now() - started >= 1500, 'the cycle waited a moment for the watch');
    assert.ok(warnings.some((w) => /watch for pending VMs has not heard from oned/.test(w)), warnings.join('\n'));
    assert.deepEqual(errors, []);
  } finally {
    for (const res of held) res.destroy();
    await scheduler.stop();
    oca.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});
