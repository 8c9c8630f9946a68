/** The client library (OCA) against a real oned: typed calls, parsed objects, errors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Oca, OneConnectionError, OneError, OneErrorCode, sessionFromEnvironment, CredentialsError } from '../../src/index.js';
import { onEveryBackend, sleep } from './api-helpers.js';

onEveryBackend('the client library', (get) => {
  test('hosts, VMs and their lifecycle through typed calls; objects parsed', async () => {
    const oned = get();
    const one = new Oca({ endpoint: oned.endpoint, session: oned.oneadmin });
    try {
      const host = await one.hosts.allocate('oca-node', 'dummy', 'dummy');
      const ds = await one.datastores.allocate('NAME = "oca-sys"\nTYPE = "SYSTEM_DS"\nTM_MAD = "dummy"');
      const id = await one.vms.allocate('NAME = "oca-vm"\nCPU = 0.5\nMEMORY = 64');
      await one.vms.deploy(id, host, false, ds);
      let vm = await one.vms.info(id);
      for (let i = 0; i < 100 && vm.lcmState !== 3; i++) {
        await sleep(50);
        vm = await one.vms.info(id);
      }
      assert.deepEqual([vm.id, vm.name, vm.state, vm.lcmState, vm.hostname, vm.uname], [id, 'oca-vm', 3, 3, 'oca-node', 'oneadmin']);
      assert.equal(vm.get('TEMPLATE/MEMORY'), '64');
      assert.match(vm.xml, /^<VM>/);
      assert.ok((await one.vms.list()).some((v) => v.id === id && v.name === 'oca-vm'));
      assert.ok((await one.hosts.info(host)).ids('VMS').includes(id));
      await one.vms.chmod(id, '640');
      assert.equal((await one.vms.info(id)).permissions, '640');
      await one.vms.action('terminate-hard', id);
    } finally {
      one.close();
    }
  });

  test('refusals are OneError with the code and message; an unreachable oned is OneConnectionError', async () => {
    const oned = get();
    const one = new Oca({ endpoint: oned.endpoint, session: oned.oneadmin });
    try {
      const err = await one.vms.info(987654).then(
        () => assert.fail('no such VM'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof OneError);
      assert.equal(err.code, OneErrorCode.NO_EXISTS);
      assert.equal(err.codeName, 'NO_EXISTS');
      assert.match(err.message, /Error getting virtual machine \[987654\]/);
      await assert.rejects(new Oca({ endpoint: oned.endpoint, session: 'oneadmin:wrong' }).vms.list(), (e: unknown) => e instanceof OneError && e.code === OneErrorCode.AUTHENTICATION);
    } finally {
      one.close();
    }
    await assert.rejects(new Oca({ endpoint: 'http://127.0.0.1:9/RPC2', session: 'a:b' }).hosts.list(), (e: unknown) => e instanceof OneConnectionError && /Cannot reach oned at http:\/\/127\.0\.0\.1:9\/RPC2: connection refused/.test((e as Error).message));
  });
});

test('credentials come from the file ONE_AUTH names, with clear errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'oca-auth-'));
  const file = join(dir, 'one_auth');
  writeFileSync(file, 'alice:secret pw\n');
  assert.equal(sessionFromEnvironment({ ONE_AUTH: file }), 'alice:secret pw');
  writeFileSync(file, 'no colon\n');
  assert.throws(() => sessionFromEnvironment({ ONE_AUTH: file }), (e: unknown) => e instanceof CredentialsError && /must hold "user:password"/.test((e as Error).message));
  assert.throws(() => sessionFromEnvironment({ ONE_AUTH: join(dir, 'none') }), /does not exist/);
});
