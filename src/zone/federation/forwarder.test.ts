import { test } from 'node:test';
import assert from 'node:assert/strict';
import { XmlRpcServer, type XmlRpcValue } from '../../rpc/xmlrpc/index.js';
import { FORWARDED_METHODS, MasterForwarder } from './forwarder.js';

test('writes of federated objects are forwarded; reads and zone-local calls are not', () => {
  for (const m of ['one.user.allocate', 'one.user.passwd', 'one.user.login', 'one.group.allocate', 'one.acl.addrule', 'one.zone.allocate', 'one.vdc.addcluster', 'one.market.allocate', 'one.marketapp.delete']) {
    assert.ok(FORWARDED_METHODS.has(m), m);
  }
  for (const m of ['one.user.info', 'one.userpool.info', 'one.user.quota', 'one.group.quota', 'one.acl.info', 'one.zone.info', 'one.vm.allocate', 'one.zone.raftstatus']) {
    assert.ok(!FORWARDED_METHODS.has(m), m);
  }
});

test('the master\'s answer is the answer; an unreachable master is INTERNAL with OpenNebula\'s message', async () => {
  const seen: [string, XmlRpcValue[]][] = [];
  const server = new XmlRpcServer({
    host: '127.0.0.1',
    port: 0,
    maxBodyBytes: 1 << 20,
    handler: async (call) => {
      seen.push([call.method, call.params]);
      return [true, 7, 0];
    },
  });
  const { port } = await server.listen();
  const fwd = new MasterForwarder(`http://127.0.0.1:${port}/RPC2`);
  try {
    assert.deepEqual(await fwd.call('one.user.allocate', ['oneadmin:pw', 'ann', 'secret', '', []]), [true, 7, 0]);
    assert.deepEqual(seen, [['one.user.allocate', ['oneadmin:pw', 'ann', 'secret', '', []]]]);
  } finally {
    fwd.close();
    await server.close();
  }
  const away = new MasterForwarder(`http://127.0.0.1:${port}/RPC2`);
  const r = (await away.call('one.user.allocate', ['oneadmin:pw', 'bob', 'pw'])) as XmlRpcValue[];
  away.close();
  assert.equal(r[0], false);
  assert.match(String(r[1]), /^\[one\.user\.allocate\] Could not connect to the federation master oned at http:\/\/127\.0\.0\.1:\d+\/RPC2 \(connection refused\)/);
  assert.equal(r[2], 0x2000);
});
