/**
 * `onevm backup`, `onevm backup-cancel`, the backup sections of `onevm show`, `oneimage
 * restore` and the BACKUP INCREMENTS of `oneimage show` against a real oned (dummy drivers);
 * bad input gives one line and exit 255.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childInt } from '../../src/common/xml-tree.js';
import { cli, cliOk } from './cli-helpers.js';
import type { Oned } from './harness.js';
import { idList, must, okId, okXml, onFeatureBackends, sleep } from './api-helpers.js';

async function until(oned: Oned, id: number, state: number, lcm = 0): Promise<void> {
  const end = Date.now() + 12000;
  for (;;) {
    const v = await okXml(oned, 'one.vm.info', [id]);
    if (childInt(v, 'STATE') === state && childInt(v, 'LCM_STATE') === lcm) return;
    if (Date.now() > end) assert.fail(`VM ${id} is ${childInt(v, 'STATE')}/${childInt(v, 'LCM_STATE')}`);
    await sleep(50);
  }
}

function oneLineError(r: { code: number; stderr: string }, message: RegExp): void {
  assert.equal(r.code, 255, r.stderr);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, message);
}

onFeatureBackends(
  'onevm backup and oneimage restore',
  (oned) => {
    test('backup, show, restore; errors', async () => {
      const o = oned();
      await okId(o, 'one.datastore.update', [0, 'TM_MAD = "dummy"', 1]);
      await okId(o, 'one.datastore.allocate', ['NAME = "backups"\nTYPE = "BACKUP_DS"\nDS_MAD = "dummy"', -1]);
      const host = await okId(o, 'one.host.allocate', ['cli-bk-host', 'dummy', 'dummy', -1]);
      const id = await okId(o, 'one.vm.allocate', ['NAME = "bk-vm"\nCPU = 0.1\nMEMORY = 16\nDISK = [ TYPE = "fs", SIZE = 8 ]\nBACKUP_CONFIG = [ BACKUP_VOLATILE = "YES", MODE = "INCREMENT" ]']);
      await okId(o, 'one.vm.deploy', [id, host]);
      await until(o, id, 3, 3);
      oneLineError(await cli(o, 'onevm', ['backup', 'bk-vm', '-d', 'backups']), /while RUNNING: live backups are not supported/);
      await okId(o, 'one.vm.action', ['poweroff', id]);
      await until(o, id, 8);

      await cliOk(o, 'onevm', ['backup', 'bk-vm', '-d', 'backups']);
      await until(o, id, 8);
      await cliOk(o, 'onevm', ['backup', 'bk-vm']);
      await until(o, id, 8);
      const v = await okXml(o, 'one.vm.info', [id]);
      const [img] = idList(must(v, 'BACKUPS'), 'BACKUP_IDS');
      const shown = await cliOk(o, 'onevm', ['show', 'bk-vm']);
      assert.match(shown, /BACKUP CONFIGURATION\n[\s\S]*LAST_INCREMENT_ID\s*:\s*1\nMODE\s*:\s*INCREMENT\n/);
      assert.match(shown, new RegExp(`VM BACKUPS\\s*\\n.*IMAGE IDS\\s*:\\s*${img}`));
      const ishown = await cliOk(o, 'oneimage', ['show', String(img)]);
      assert.match(ishown, /BACKUP INCREMENTS\n\s*ID\s+PID\s+T\s+SIZE\s+DATE\s+SOURCE\n\s*0\s+-\s+FULL\s+.*dummy-bk-[\s\S]*\n\s*1\s+0\s+INCREMENT\s/);

      const out = await cliOk(o, 'oneimage', ['restore', String(img), '-d', 'default', '--name', 'back', '--no_nic', '--increment', '1']);
      const tid = Number(/VM Template: (\d+)/.exec(out)?.[1]);
      const iid = Number(/Images: (\d+)/.exec(out)?.[1]);
      assert.equal((await okXml(o, 'one.template.info', [tid])).children.find((c) => c.name === 'NAME')?.text, 'back');
      assert.equal((await okXml(o, 'one.image.info', [iid])).children.find((c) => c.name === 'NAME')?.text, 'back-disk-0');
      oneLineError(await cli(o, 'oneimage', ['restore', String(img), '-d', 'default', '--increment', '7']), /has no increment 7/);
      oneLineError(await cli(o, 'oneimage', ['restore', String(img)]), /Say which datastore/);
      oneLineError(await cli(o, 'onevm', ['backup-cancel', 'bk-vm']), /is not being backed up/);
    });

    test('onebackupjob create, list, show, backup, priority, delete; errors', async () => {
      const o = oned();
      const dir = mkdtempSync(join(tmpdir(), 'nebula-bj-cli-'));
      const file = join(dir, 'job.tmpl');
      writeFileSync(file, 'NAME = "nightly"\nBACKUP_VMS = "0"\nDATASTORE_ID = 100\nMODE = "FULL"\nBACKUP_VOLATILE = "YES"\n');
      const created = await cliOk(o, 'onebackupjob', ['create', file]);
      const id = Number(/^ID: (\d+)$/m.exec(created)?.[1]);
      assert.match(await cliOk(o, 'onebackupjob', ['list']), new RegExp(`^\\s*${id}\\s+oneadmin\\s+oneadmin\\s+50\\s+nightly\\s+-\\s+0\\s*$`, 'm'));
      await cliOk(o, 'onebackupjob', ['backup', 'nightly']);
      const end = Date.now() + 8000;
      let shown = '';
      while (Date.now() < end) {
        shown = await cliOk(o, 'onebackupjob', ['show', 'nightly']);
        if (/UPDATED\s*:\s*0\n/.test(shown)) break;
        await sleep(100);
      }
      assert.match(shown, /BACKUP JOB \d+ INFORMATION[\s\S]*VIRTUAL MACHINE BACKUP STATUS\nUPDATED\s*:\s*0\nOUTDATED\s*:\s*-\nONGOING\s*:\s*-\nERROR\s*:\s*-/);
      await cliOk(o, 'onebackupjob', ['priority', 'nightly', '30']);
      assert.match(await cliOk(o, 'onebackupjob', ['show', String(id)]), /PRIORITY\s*:\s*30/);
      oneLineError(await cli(o, 'onebackupjob', ['priority', 'nightly', 'high']), /PRIORITY must be a whole number/);
      oneLineError(await cli(o, 'onebackupjob', ['retry', 'nightly']), /no VMs in error/);
      await cliOk(o, 'onebackupjob', ['backup', 'nightly', '--schedule', '+3600']);
      const [sched] = idList(await okXml(o, 'one.backupjob.info', [id]), 'SCHED_ACTIONS');
      assert.ok(sched !== undefined);
      oneLineError(await cli(o, 'onebackupjob', ['backup', 'nightly', '--schedule', 'soon']), /--schedule must be epoch seconds or \+SECONDS/);
      await cliOk(o, 'onebackupjob', ['sched-delete', 'nightly', String(sched)]);
      assert.deepEqual(idList(await okXml(o, 'one.backupjob.info', [id]), 'SCHED_ACTIONS'), []);
      await cliOk(o, 'onebackupjob', ['delete', 'nightly']);
      assert.doesNotMatch(await cliOk(o, 'onebackupjob', ['list']), /nightly/);
    });
  },
  'DATASTORE_MAD = [ EXECUTABLE = "one_datastore", ARGUMENTS = "-t 5 -d dummy,fs,rsync,restic" ]\n',
);
