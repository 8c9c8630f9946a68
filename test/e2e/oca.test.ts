/** The client library (OCA) against a real oned: typed calls, parsed objects, errors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Oca, OneConnectionError, OneError, OneErrorCode, PoolFilter, sessionFromEnvironment, CredentialsError } from '../../src/index.js';
import { onFeatureBackends, sleep } from './api-helpers.js';

onFeatureBackends('the client library', (get) => {
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

  test('documents, locks, default quotas, monitoring, the extended listing and the system through typed calls', async () => {
    const oned = get();
    const one = new Oca({ endpoint: oned.endpoint, session: oned.oneadmin });
    try {
      assert.match(await one.system.version(), /^\d+\.\d+/);
      assert.match(await one.system.configXml(), /^<OPENNEBULA_CONFIGURATION>/);
      const me = await one.users.info();
      assert.deepEqual([me.id, me.name], [0, 'oneadmin'], 'users.info() is the caller');
      assert.equal((await one.groups.info()).id, me.gid, 'groups.info() is the caller\'s group');

      const doc = await one.documents.allocate('NAME = "oca-doc"\nBODY = "one"', 100);
      const copy = await one.documents.clone(doc, 'oca-doc-copy');
      assert.equal((await one.documents.info(copy)).get('TEMPLATE/BODY'), 'one');
      assert.equal((await one.documents.info(doc)).get('TYPE'), '100');
      assert.deepEqual((await one.documents.list(PoolFilter.ALL, -1, -1, 100)).map((d) => d.name).sort(), ['oca-doc', 'oca-doc-copy']);
      await one.documents.lock(doc, 1);
      await assert.rejects(one.documents.lock(doc, 1, true), (e: unknown) => e instanceof OneError && e.code === OneErrorCode.ACTION && /already locked/.test(e.message));
      await one.documents.unlock(doc);
      await one.documents.delete(copy);
      await assert.rejects(one.documents.info(copy), (e: unknown) => e instanceof OneError && e.code === OneErrorCode.NO_EXISTS);

      const quotas = await one.userQuotas.update('VM = [ VMS = 500 ]');
      assert.match(quotas, /^<DEFAULT_USER_QUOTAS>.*<VMS>500<\/VMS>/s);
      assert.equal(await one.userQuotas.infoXml(), quotas);
      assert.match(await one.groupQuotas.infoXml(), /^<DEFAULT_GROUP_QUOTAS>/);

      const net = await one.vnets.allocate('NAME = "oca-net"\nVN_MAD = "bridge"\nBRIDGE = "br0"\nAR = [ TYPE = "IP4", IP = "10.7.0.1", SIZE = "8" ]');
      await one.vnets.updateAr(net, 'AR = [ AR_ID = "0", SIZE = "10" ]');
      assert.equal((await one.vnets.info(net)).get('AR_POOL/AR/SIZE'), '10');
      const reservation = await one.vnets.reserve(net, 'SIZE = 2\nNAME = "oca-res"');
      const arId = Number((await one.vnets.info(reservation)).get('AR_POOL/AR/AR_ID'));
      await one.vnets.freeAr(reservation, arId);
      assert.equal((await one.vnets.info(reservation)).get('AR_POOL/AR/AR_ID'), '', 'the reserved range is given back');

      const host = await one.hosts.allocate('oca-mon', 'dummy', 'dummy');
      await one.hosts.enable(host, false);
      assert.equal((await one.hosts.info(host)).get('STATE'), '4', 'disabled');
      assert.match(await one.hosts.monitoringXml(host), /^<MONITORING_DATA>/);
      assert.match(await one.hosts.poolMonitoringXml(), /^<MONITORING_DATA>/);

      const vm = await one.vms.allocate('NAME = "oca-ext"\nCPU = 0.1\nMEMORY = 32', true);
      const extended = (await one.vms.listExtended()).find((v) => v.id === vm);
      assert.equal(extended?.get('TEMPLATE/MEMORY'), '32');
      assert.match(await one.vms.monitoringXml(vm), /^<MONITORING_DATA>/);
      assert.match(await one.vms.poolMonitoringXml(), /^<MONITORING_DATA>/);
      await one.vms.action('terminate-hard', vm);
    } finally {
      one.close();
    }
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
