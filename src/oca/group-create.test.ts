import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { XmlRpcValue } from '../rpc/xmlrpc/index.js';
import type { OneClient } from './client.js';
import { GROUP_DEFAULT_RESOURCES, GroupResource } from './resources.js';
import { OneObject } from './objects.js';

/** A client that records the calls and answers from `answer`. */
function fakeClient(answer: (method: string, params: XmlRpcValue[]) => XmlRpcValue) {
  const calls: [string, XmlRpcValue[]][] = [];
  const client = {
    async call(method: string, ...params: XmlRpcValue[]) {
      calls.push([method, params]);
      return answer(method, params);
    },
  } as unknown as OneClient;
  return { calls, groups: new GroupResource(client, 'one.group', 'one.grouppool', 'GROUP', OneObject) };
}

test('groups.create allocates, then lets the members create the default objects, as onegroup create', async () => {
  const { calls, groups } = fakeClient((m) => (m === 'one.group.allocate' ? 104 : 7));
  assert.equal(await groups.create('devs'), 104);
  assert.deepEqual(calls[0], ['one.group.allocate', ['devs']]);
  // @104 VM+IMAGE+TEMPLATE+DOCUMENT+SECGROUP+VMGROUP+BACKUPJOB/* CREATE * (every zone, as rule 0 for "users").
  assert.deepEqual(calls[1], ['one.acl.addrule', ['200000068', '121429400000000', '8', '400000000']]);
  assert.equal(calls.length, 2);
  assert.equal(GROUP_DEFAULT_RESOURCES, 'VM+IMAGE+TEMPLATE+DOCUMENT+SECGROUP+VMGROUP+BACKUPJOB');
});

test('groups.create refuses bad resources before making anything, and deletes the group when the rule fails', async () => {
  const { calls, groups } = fakeClient(() => 1);
  await assert.rejects(groups.create('devs', 'VM+NOPE'), (err: Error) => err instanceof RangeError && /Invalid resources "VM\+NOPE"/.test(err.message));
  assert.equal(calls.length, 0);

  const failing = fakeClient((m) => {
    if (m === 'one.acl.addrule') throw new Error('[one.acl.addrule] refused');
    return 105;
  });
  await assert.rejects(failing.groups.create('ops', 'VM'), /refused/);
  assert.deepEqual(failing.calls.map((c) => c[0]), ['one.group.allocate', 'one.acl.addrule', 'one.group.delete']);
  assert.deepEqual(failing.calls[2]![1], [105]);
});
