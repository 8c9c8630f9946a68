/**
 * Backup jobs end to end (dummy drivers): allocate (BACKUP_VMS, EXECUTION, DATASTORE_ID,
 * PRIORITY checked), info and the pool, a SEQUENTIAL run backing up its POWEROFF VMs one after
 * the other into UPDATED_VMS with LAST_BACKUP_TIME, a VM that cannot be backed up in ERROR_VMS
 * and retry, scheduled runs (schedadd / schedupdate / scheddelete), PRIORITY above 50 only for
 * admins, cancel, and delete refused while running.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childInt, childText, type XmlNode } from '../../src/common/xml-tree.js';
import type { Oned } from './harness.js';
import { Code, addUser, idList, must, okId, okXml, onFeatureBackends, refused } from './api-helpers.js';

const SCRIPTS = mkdtempSync(join(tmpdir(), 'nebula-bj-scripts-'));
const CONF = `
VM_MAD = [ NAME = "scripted", EXECUTABLE = "one_vmm_dummy", ARGUMENTS = "-a ${SCRIPTS}", TIMEOUT = 10 ]
MAX_BACKUPS = 1
`;

async function waitVm(o: Oned, id: number, state: number, lcm = 0): Promise<void> {
  const until = Date.now() + 8000;
  for (;;) {
    const v = await okXml(o, 'one.vm.info', [id]);
    if (childInt(v, 'STATE') === state && childInt(v, 'LCM_STATE') === lcm) return;
    if (Date.now() > until) assert.fail(`VM ${id} is ${childInt(v, 'STATE')}/${childInt(v, 'LCM_STATE')}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function waitJob(o: Oned, id: number, done: (j: XmlNode) => boolean): Promise<XmlNode> {
  const until = Date.now() + 10000;
  for (;;) {
    const j = await okXml(o, 'one.backupjob.info', [id]);
    if (done(j)) return j;
    if (Date.now() > until) assert.fail(`backup job ${id} did not get there: ${JSON.stringify(j)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const ids = (j: XmlNode, name: string) => idList(j, name);

onFeatureBackends(
  'backup jobs',
  (oned) => {
    let bk = -1;
    let hs = -1;
    const vms: number[] = [];

    test('setup: a backup datastore, a scripted host, three POWEROFF VMs', async () => {
      const o = oned();
      await okId(o, 'one.datastore.update', [0, 'TM_MAD = "dummy"', 1]);
      bk = await okId(o, 'one.datastore.allocate', ['NAME = "bj-backups"\nTYPE = "BACKUP_DS"\nDS_MAD = "dummy"', -1]);
      hs = await okId(o, 'one.host.allocate', ['bj-host', 'dummy', 'scripted', -1]);
      for (let i = 0; i < 3; i++) {
        const id = await okId(o, 'one.vm.allocate', [`NAME = "bj-${i}"\nCPU = 1\nMEMORY = 64\nDISK = [ TYPE = "fs", SIZE = 10 ]`]);
        await okId(o, 'one.vm.deploy', [id, hs]);
        await waitVm(o, id, 3, 3);
        await okId(o, 'one.vm.action', ['poweroff', id]);
        await waitVm(o, id, 8);
        vms.push(id);
      }
    });

    test('allocate checks the template; info and the pool show the job', async () => {
      const o = oned();
      await refused(o, 'one.backupjob.allocate', ['NAME = "x"'], Code.ALLOCATE, /BACKUP_VMS must list VM ids/);
      await refused(o, 'one.backupjob.allocate', ['NAME = "x"\nBACKUP_VMS = "1"\nEXECUTION = "SOMETIMES"'], Code.ALLOCATE, /EXECUTION must be SEQUENTIAL or PARALLEL/);
      await refused(o, 'one.backupjob.allocate', ['NAME = "x"\nBACKUP_VMS = "1"\nDATASTORE_ID = 1'], Code.ALLOCATE, /DATASTORE_ID 1 is not a backup datastore/);
      await refused(o, 'one.backupjob.allocate', ['NAME = "x"\nBACKUP_VMS = "1"\nPRIORITY = 99'], Code.ACTION, /PRIORITY must be between 0 and 95/);
      const id = await okId(o, 'one.backupjob.allocate', [`NAME = "nightly"\nBACKUP_VMS = "${vms.join(',')}"\nDATASTORE_ID = ${bk}\nBACKUP_VOLATILE = "YES"\nPRIORITY = 60`]);
      const j = await okXml(o, 'one.backupjob.info', [id]);
      assert.equal(j.name, 'BACKUPJOB');
      assert.deepEqual([childText(j, 'NAME'), childInt(j, 'PRIORITY'), childInt(j, 'LAST_BACKUP_TIME')], ['nightly', 60, 0]);
      assert.equal(childText(must(j, 'TEMPLATE'), 'BACKUP_VMS'), vms.join(','));
      const pool = await okXml(o, 'one.backupjobpool.info', [-2, -1, -1]);
      assert.deepEqual(pool.children.map((c) => childInt(c, 'ID')), [id]);
      await refused(o, 'one.backupjob.update', [id, 'EXECUTION = "NEVER"', 1], Code.ACTION, /EXECUTION must be SEQUENTIAL or PARALLEL/);
      assert.equal(await okId(o, 'one.backupjob.update', [id, 'EXECUTION = "SEQUENTIAL"', 1]), id);
    });

    test('a SEQUENTIAL run backs the VMs up one at a time; a VM that cannot be backed up is in ERROR_VMS; retry', async () => {
      const o = oned();
      writeFileSync(join(SCRIPTS, 'backup'), 'success 0.3\n');
      const jid = (await okXml(o, 'one.backupjobpool.info', [-2, -1, -1])).children.map((c) => childInt(c, 'ID'))[0]!;
      await okId(o, 'one.vm.action', ['resume', vms[2]!]);
      await waitVm(o, vms[2]!, 3, 3);
      const t0 = Math.floor(Date.now() / 1000);
      assert.equal(await okId(o, 'one.backupjob.backup', [jid]), jid);
      await refused(o, 'one.backupjob.backup', [jid], Code.ACTION, /is already running/);
      await refused(o, 'one.backupjob.delete', [jid], Code.ACTION, /is running: cancel it first/);
      let maxRunning = 0;
      const j = await waitJob(o, jid, (x) => {
        maxRunning = Math.max(maxRunning, ids(x, 'BACKING_UP_VMS').length);
        return ids(x, 'OUTDATED_VMS').length === 0 && ids(x, 'BACKING_UP_VMS').length === 0;
      });
      assert.equal(maxRunning, 1, 'SEQUENTIAL (and MAX_BACKUPS = 1): one at a time');
      assert.deepEqual(ids(j, 'UPDATED_VMS'), vms.slice(0, 2));
      assert.deepEqual(ids(j, 'ERROR_VMS'), [vms[2]]);
      assert.match(childText(must(j, 'TEMPLATE'), 'ERROR'), /only POWEROFF VMs are backed up/);
      assert.ok(childInt(j, 'LAST_BACKUP_TIME') >= t0);
      for (const id of vms.slice(0, 2)) {
        const v = await okXml(o, 'one.vm.info', [id]);
        assert.equal(idList(must(v, 'BACKUPS'), 'BACKUP_IDS').length, 1);
        assert.equal(childText(must(must(v, 'BACKUPS'), 'BACKUP_CONFIG'), 'BACKUP_JOB_ID'), String(jid));
      }
      await okId(o, 'one.vm.action', ['poweroff', vms[2]!]);
      await waitVm(o, vms[2]!, 8);
      assert.equal(await okId(o, 'one.backupjob.retry', [jid]), jid);
      const r = await waitJob(o, jid, (x) => ids(x, 'UPDATED_VMS').includes(vms[2]!));
      assert.deepEqual(ids(r, 'ERROR_VMS'), []);
      await refused(o, 'one.backupjob.retry', [jid], Code.ACTION, /no VMs in error/);
    });

    test('scheduled runs: schedadd (ACTION backup), the job runs when due; schedupdate, scheddelete; bad ones refused', async () => {
      const o = oned();
      writeFileSync(join(SCRIPTS, 'backup'), 'success\n');
      const jid = await okId(o, 'one.backupjob.allocate', [`NAME = "scheduled"\nBACKUP_VMS = "${vms[0]}"\nDATASTORE_ID = ${bk}\nBACKUP_VOLATILE = "YES"`]);
      await refused(o, 'one.backupjob.schedadd', [jid, 'SCHED_ACTION = [ ACTION = "poweroff", TIME = "+60" ]'], Code.ACTION, /scheduled ACTION is "backup", not "poweroff"/);
      await refused(o, 'one.backupjob.schedadd', [jid, 'SCHED_ACTION = [ ACTION = "backup", TIME = "+60", REPEAT = 0 ]'], Code.ACTION, /DAYS are empty/);
      const later = await okId(o, 'one.backupjob.schedadd', [jid, 'SCHED_ACTION = [ ACTION = "backup", TIME = "+3600" ]']);
      const soon = await okId(o, 'one.backupjob.schedadd', [jid, `SCHED_ACTION = [ ACTION = "backup", TIME = "${Math.floor(Date.now() / 1000) + 1}" ]`]);
      assert.deepEqual(idList(await okXml(o, 'one.backupjob.info', [jid]), 'SCHED_ACTIONS'), [later, soon]);
      const j = await waitJob(o, jid, (x) => ids(x, 'UPDATED_VMS').includes(vms[0]!));
      const done = (x: XmlNode, id: number) => [...x.children.find((c) => c.name === 'TEMPLATE')!.children].filter((c) => c.name === 'SCHED_ACTION').find((sa) => childText(sa, 'ID') === String(id))!;
      assert.ok(Number(childText(done(j, soon), 'DONE')) > 0, 'the due action is marked done');
      assert.equal(childText(done(j, later), 'DONE'), '-1');
      assert.equal(await okId(o, 'one.backupjob.schedupdate', [jid, later, 'SCHED_ACTION = [ TIME = "+7200" ]']), later);
      await refused(o, 'one.backupjob.schedupdate', [jid, 999, 'SCHED_ACTION = [ TIME = "+7200" ]'], Code.INTERNAL, /SCHED_ACTION with id = 999 doesn't exist in backup job/);
      assert.equal(await okId(o, 'one.backupjob.scheddelete', [jid, later]), later);
      assert.deepEqual(idList(await okXml(o, 'one.backupjob.info', [jid]), 'SCHED_ACTIONS'), [soon]);
      await okId(o, 'one.backupjob.delete', [jid]);
    });

    test('cancel stops a run; priority above 50 only for admins; delete', async () => {
      const o = oned();
      writeFileSync(join(SCRIPTS, 'backup'), 'success 2\n');
      const jid = await okId(o, 'one.backupjob.allocate', [`NAME = "slow"\nBACKUP_VMS = "${vms.join(',')}"\nDATASTORE_ID = ${bk}\nBACKUP_VOLATILE = "YES"`]);
      await okId(o, 'one.backupjob.backup', [jid]);
      await waitJob(o, jid, (x) => ids(x, 'BACKING_UP_VMS').length === 1);
      assert.equal(await okId(o, 'one.backupjob.cancel', [jid]), jid);
      const j = await waitJob(o, jid, (x) => ids(x, 'BACKING_UP_VMS').length === 0);
      assert.deepEqual(ids(j, 'OUTDATED_VMS'), []);
      assert.equal(ids(j, 'ERROR_VMS').length, 1);
      await refused(o, 'one.backupjob.cancel', [jid], Code.ACTION, /is not running/);
      for (const id of vms) await waitVm(o, id, 8);

      const u = await addUser(o, 'bj-user');
      const own = await okId(o, 'one.backupjob.allocate', ['NAME = "mine"\nBACKUP_VMS = "1"'], u.session);
      await refused(o, 'one.backupjob.priority', [own, 70], Code.AUTHORIZATION, /Only admins may set a PRIORITY above 50/, u.session);
      assert.equal(await okId(o, 'one.backupjob.priority', [own, 20], u.session), own);
      assert.equal(childInt(await okXml(o, 'one.backupjob.info', [own]), 'PRIORITY'), 20);
      assert.equal(await okId(o, 'one.backupjob.priority', [own, 70]), own);
      assert.equal(await okId(o, 'one.backupjob.delete', [jid]), jid);
      await refused(o, 'one.backupjob.info', [jid], Code.NO_EXISTS, /Error getting backup job \[\d+\]/);
    });
  },
  CONF,
);
