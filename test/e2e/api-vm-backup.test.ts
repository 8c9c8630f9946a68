/**
 * VM backups end to end with the dummy drivers: backup datastores (rsync needs RSYNC_HOST and
 * RSYNC_USER), one.vm.backup of a POWEROFF VM (BACKUP_POWEROFF while the driver works, back to
 * POWEROFF), the backup image it makes (TYPE BACKUP, SOURCE = the driver's backup id, VMS, the
 * VM's BACKUP_IDS), KEEP_LAST, incremental chains (BACKUP_INCREMENTS, reset), a failing driver
 * and one.vm.backupcancel leaving no image, refusals that change nothing (RUNNING VM, a
 * datastore that is not a backup one, bad BACKUP_CONFIG), and one.image.restore (images and a
 * VM template; a non-backup image, an unknown increment, a non-image datastore refused), and a
 * backup pending when oned is killed sent again after the restart.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childInt, childText, type XmlNode } from '../../src/common/xml-tree.js';
import type { Oned } from './harness.js';
import { Code, all, idList, must, okId, okXml, onFeatureBackends, refused, waitFor, vmInfo as vm } from './api-helpers.js';

const ACTIVE = 3;
const POWEROFF = 8;
const RUNNING = 3;
const BACKUP_POWEROFF = 70;

const SCRIPTS = mkdtempSync(join(tmpdir(), 'nebula-backup-scripts-'));
const CONF = `
VM_MAD = [ NAME = "scripted", EXECUTABLE = "one_vmm_dummy", ARGUMENTS = "-a ${SCRIPTS}", TIMEOUT = 10 ]
DATASTORE_MAD = [ EXECUTABLE = "one_datastore", ARGUMENTS = "-t 5 -d dummy,fs,rsync,restic" ]
`;

function backupConfig(v: XmlNode): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of must(must(v, 'BACKUPS'), 'BACKUP_CONFIG').children) out[c.name] = c.text;
  return out;
}

const backupIds = (v: XmlNode) => idList(must(v, 'BACKUPS'), 'BACKUP_IDS');

async function poweredOff(o: Oned, hid: number, config = 'BACKUP_CONFIG = [ BACKUP_VOLATILE = "YES" ]'): Promise<number> {
  const id = await okId(o, 'one.vm.allocate', [`CPU = 1\nMEMORY = 64\nDISK = [ TYPE = "fs", SIZE = 10, DEV_PREFIX = "vd" ]\nNIC = [ IP = "10.0.0.5", MAC = "02:00:0a:00:00:05" ]\n${config}`]);
  await okId(o, 'one.vm.deploy', [id, hid]);
  await waitFor(o, id, ACTIVE, RUNNING);
  await okId(o, 'one.vm.action', ['poweroff', id]);
  await waitFor(o, id, POWEROFF);
  return id;
}

async function backedUp(o: Oned, id: number, ds: number, reset = false): Promise<XmlNode> {
  assert.equal(await okId(o, 'one.vm.backup', [id, ds, reset]), id);
  return waitFor(o, id, POWEROFF);
}

onFeatureBackends(
  'VM backups',
  (oned) => {
    let h = -1;
    let hs = -1;
    let bk = -1;
    let bkDummy = -1;

    test('setup: backup datastores (rsync needs RSYNC_HOST and RSYNC_USER), a dummy host and a scripted one', async () => {
      const o = oned();
      await okId(o, 'one.datastore.update', [0, 'TM_MAD = "dummy"', 1]);
      h = await okId(o, 'one.host.allocate', ['bk-host', 'dummy', 'dummy', -1]);
      hs = await okId(o, 'one.host.allocate', ['bk-host-scripted', 'dummy', 'scripted', -1]);
      await refused(o, 'one.datastore.allocate', ['NAME = "bad"\nTYPE = "BACKUP_DS"\nDS_MAD = "rsync"\nRSYNC_USER = "oneadmin"', -1], Code.ALLOCATE, /RSYNC_HOST/);
      bk = await okId(o, 'one.datastore.allocate', ['NAME = "rsync-backups"\nTYPE = "BACKUP_DS"\nDS_MAD = "rsync"\nRSYNC_HOST = "backup.example"\nRSYNC_USER = "oneadmin"', -1]);
      const ds = await okXml(o, 'one.datastore.info', [bk]);
      assert.deepEqual([childInt(ds, 'TYPE'), childText(ds, 'DS_MAD'), childText(ds, 'TM_MAD')], [3, 'rsync', '-']);
      const restic = await okId(o, 'one.datastore.allocate', ['NAME = "restic-backups"\nTYPE = "BACKUP_DS"\nDS_MAD = "restic"\nRESTIC_PASSWORD = "s3cret"\nRESTIC_SFTP_SERVER = "backup.example"\nRESTIC_SFTP_USER = "oneadmin"', -1]);
      const r = await okXml(o, 'one.datastore.info', [restic]);
      const stored = childText(must(r, 'TEMPLATE'), 'RESTIC_PASSWORD');
      assert.notEqual(stored, 's3cret', 'RESTIC_PASSWORD is kept encrypted');
      assert.equal(childText(must(await okXml(o, 'one.datastore.info', [restic, true]), 'TEMPLATE'), 'RESTIC_PASSWORD'), 's3cret');
      bkDummy = await okId(o, 'one.datastore.allocate', ['NAME = "dummy-backups"\nTYPE = "BACKUP_DS"\nDS_MAD = "dummy"', -1]);
    });

    test('a POWEROFF VM is backed up: BACKUP_POWEROFF, then POWEROFF with a backup image', async () => {
      const o = oned();
      const id = await poweredOff(o, h);
      assert.equal(await okId(o, 'one.vm.backup', [id, bk, false]), id);
      const during = await vm(o, id);
      assert.ok(childInt(during, 'LCM_STATE') === BACKUP_POWEROFF || childInt(during, 'STATE') === POWEROFF);
      const v = await waitFor(o, id, POWEROFF);
      const ids = backupIds(v);
      assert.equal(ids.length, 1);
      const cfg = backupConfig(v);
      assert.equal(cfg['LAST_DATASTORE_ID'], String(bk));
      assert.match(cfg['LAST_BACKUP_ID']!, /^dummy-bk-/);
      assert.equal(cfg['LAST_BACKUP_SIZE'], '1');
      assert.equal(cfg['MODE'], 'FULL');
      assert.equal(cfg['ACTIVE_FLAG'], undefined);
      const img = await okXml(o, 'one.image.info', [ids[0]!]);
      assert.equal(childInt(img, 'TYPE'), 6);
      assert.equal(childInt(img, 'DATASTORE_ID'), bk);
      assert.equal(childInt(img, 'STATE'), 1);
      assert.equal(childText(img, 'SOURCE'), cfg['LAST_BACKUP_ID']);
      assert.deepEqual(idList(img, 'VMS'), [id]);
      assert.deepEqual(idList(img, 'BACKUP_DISK_IDS'), [0]);
      assert.deepEqual(idList(await okXml(o, 'one.datastore.info', [bk]), 'IMAGES'), ids);
    });

    test('KEEP_LAST = 2 keeps the two latest FULL backups', async () => {
      const o = oned();
      const id = await poweredOff(o, h, 'BACKUP_CONFIG = [ BACKUP_VOLATILE = "YES", KEEP_LAST = "2" ]');
      const made: number[] = [];
      for (let i = 0; i < 3; i++) made.push(backupIds(await backedUp(o, id, bk)).at(-1)!);
      const v = await vm(o, id);
      assert.deepEqual(backupIds(v), made.slice(1));
      const until = Date.now() + 5000;
      while ((await o.call('one.image.info', [made[0]!]))[0] === true && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      await refused(o, 'one.image.info', [made[0]!], Code.NO_EXISTS, /Error getting image/);
    });

    test('INCREMENT: the first backup starts a chain, the next ones add increments, reset starts a new chain', async () => {
      const o = oned();
      const id = await poweredOff(o, h, 'BACKUP_CONFIG = [ BACKUP_VOLATILE = "YES", MODE = "INCREMENT" ]');
      let v = await backedUp(o, id, bk);
      const chain = backupIds(v)[0]!;
      assert.equal(backupConfig(v)['INCREMENTAL_BACKUP_ID'], String(chain));
      assert.equal(backupConfig(v)['LAST_INCREMENT_ID'], '0');
      v = await backedUp(o, id, bk);
      assert.deepEqual(backupIds(v), [chain]);
      assert.equal(backupConfig(v)['LAST_INCREMENT_ID'], '1');
      const img = await okXml(o, 'one.image.info', [chain]);
      const incs = all(must(img, 'BACKUP_INCREMENTS'), 'INCREMENT').map((i) => [childText(i, 'ID'), childText(i, 'TYPE'), childText(i, 'PARENT_ID')]);
      assert.deepEqual(incs, [['0', 'FULL', ''], ['1', 'INCREMENT', '0']]);
      assert.equal(childInt(img, 'SIZE'), 2);
      v = await backedUp(o, id, bk, true);
      const ids = backupIds(v);
      assert.equal(ids.length, 2);
      assert.equal(backupConfig(v)['INCREMENTAL_BACKUP_ID'], String(ids[1]));
      assert.equal(backupConfig(v)['LAST_INCREMENT_ID'], '0');
    });

    test('refused: RUNNING VM, non-backup or unknown datastore, no datastore, bad BACKUP_CONFIG; the VM stays as it was', async () => {
      const o = oned();
      const run = await okId(o, 'one.vm.allocate', ['CPU = 1\nMEMORY = 64\nDISK = [ TYPE = "fs", SIZE = 10 ]\nBACKUP_CONFIG = [ BACKUP_VOLATILE = "YES" ]']);
      await okId(o, 'one.vm.deploy', [run, h]);
      await waitFor(o, run, ACTIVE, RUNNING);
      await refused(o, 'one.vm.backup', [run, bk, false], Code.ACTION, /while RUNNING: live backups are not supported.*power the VM off/);
      const pend = await okId(o, 'one.vm.allocate', ['CPU = 1\nMEMORY = 64']);
      await refused(o, 'one.vm.backup', [pend, bk, false], Code.ACTION, /not available for state PENDING/);
      const id = await poweredOff(o, h);
      await refused(o, 'one.vm.backup', [id, 1, false], Code.ACTION, /Datastore 1 is not a backup datastore/);
      await refused(o, 'one.vm.backup', [id, 999, false], Code.NO_EXISTS, /Error getting datastore \[999\]/);
      await refused(o, 'one.vm.backup', [id], Code.ACTION, /has no backup datastore/);
      const noDisk = await poweredOff(o, h, '');
      await refused(o, 'one.vm.backup', [noDisk, bk, false], Code.ACTION, /has no disks to back up/);
      const bad = await poweredOff(o, h, 'BACKUP_CONFIG = [ BACKUP_VOLATILE = "YES", MODE = "SOMETIMES" ]');
      await refused(o, 'one.vm.backup', [bad, bk, false], Code.ACTION, /MODE must be FULL or INCREMENT/);
      const v = await vm(o, bad);
      assert.equal(childInt(v, 'STATE'), POWEROFF);
      assert.deepEqual(backupIds(v), []);
      assert.equal(backupConfig(v)['ACTIVE_FLAG'], undefined);
      await refused(o, 'one.vm.backupcancel', [bad], Code.ACTION, /is not being backed up/);
    });

    test('a failing driver leaves no backup image and the VM in POWEROFF with the error', async () => {
      const o = oned();
      writeFileSync(join(SCRIPTS, 'backup'), 'failure\n');
      const id = await poweredOff(o, hs);
      const before = (await okXml(o, 'one.imagepool.info', [-2, -1, -1])).children.length;
      const v = await backedUp(o, id, bk);
      assert.deepEqual(backupIds(v), []);
      assert.match(childText(must(v, 'USER_TEMPLATE'), 'ERROR'), /Error in BACKUP_POWEROFF/);
      assert.equal(backupConfig(v)['ACTIVE_FLAG'], undefined);
      assert.equal((await okXml(o, 'one.imagepool.info', [-2, -1, -1])).children.length, before);
    });

    test('backupcancel stops a running backup: POWEROFF at once, no image when the driver answers later', async () => {
      const o = oned();
      writeFileSync(join(SCRIPTS, 'backup'), 'success 1.5\n');
      const id = await poweredOff(o, hs);
      await okId(o, 'one.vm.backup', [id, bk, false]);
      await waitFor(o, id, ACTIVE, BACKUP_POWEROFF);
      assert.equal(await okId(o, 'one.vm.backupcancel', [id]), id);
      let v = await waitFor(o, id, POWEROFF);
      await new Promise((r) => setTimeout(r, 2000));
      v = await vm(o, id);
      assert.equal(childInt(v, 'STATE'), POWEROFF);
      assert.deepEqual(backupIds(v), []);
    });

    test('one.image.restore: images and a VM template from a backup; NO_NIC; bad requests refused', async () => {
      const o = oned();
      const id = await poweredOff(o, h);
      const bimg = backupIds(await backedUp(o, id, bkDummy))[0]!;
      const img = await okId(o, 'one.image.allocate', ['NAME = "plain"\nTYPE = "DATABLOCK"\nSIZE = 1', 1]);
      await refused(o, 'one.image.restore', [img, 1, ''], Code.ACTION, /is not a backup image/);
      await refused(o, 'one.image.restore', [bimg, 0, ''], Code.ACTION, /Datastore 0 is not an image datastore/);
      await refused(o, 'one.image.restore', [bimg, 1, 'INCREMENT_ID = 3'], Code.ACTION, /has no increment 3/);
      await refused(o, 'one.image.restore', [bimg, 1, 'NO_IP = "maybe"'], Code.ACTION, /NO_IP must be YES or NO/);
      const answer = String(await o.ok('one.image.restore', [bimg, 1, 'NAME = "restored"']));
      const [tid, ...iids] = answer.split(' ').map(Number);
      assert.equal(iids.length, 1);
      const rimg = await okXml(o, 'one.image.info', [iids[0]!]);
      assert.deepEqual([childText(rimg, 'NAME'), childInt(rimg, 'TYPE'), childInt(rimg, 'STATE'), childText(rimg, 'SOURCE')], ['restored-disk-0', 0, 1, 'dummy_path']);
      const t = must(await okXml(o, 'one.template.info', [tid!]), 'TEMPLATE');
      assert.equal(childText(must(t, 'DISK'), 'IMAGE_ID'), String(iids[0]));
      assert.equal(childText(must(t, 'NIC'), 'IP'), '10.0.0.5');
      assert.equal(childText(t, 'MEMORY'), '64');
      const noNic = String(await o.ok('one.image.restore', [bimg, 1, 'NAME = "restored-nonic"\nNO_NIC = "YES"']));
      const t2 = must(await okXml(o, 'one.template.info', [Number(noNic.split(' ')[0])]), 'TEMPLATE');
      assert.equal(all(t2, 'NIC').length, 0);
      const noIp = String(await o.ok('one.image.restore', [bimg, 1, 'NAME = "restored-noip"\nNO_IP = "YES"']));
      const nic = must(must(await okXml(o, 'one.template.info', [Number(noIp.split(' ')[0])]), 'TEMPLATE'), 'NIC');
      assert.equal(childText(nic, 'IP'), '');
      assert.equal(childText(nic, 'MAC'), '');
    });

    test('a backup pending when oned is killed is sent again after the restart and makes one image', async () => {
      const o = oned();
      writeFileSync(join(SCRIPTS, 'backup'), 'success 3\n');
      const id = await poweredOff(o, hs);
      await okId(o, 'one.vm.backup', [id, bk, false]);
      assert.equal(childInt(await vm(o, id), 'LCM_STATE'), BACKUP_POWEROFF);
      assert.equal(await o.signal('SIGKILL'), 'SIGKILL');
      writeFileSync(join(SCRIPTS, 'backup'), 'success\n');
      await o.launch();
      const v = await waitFor(o, id, POWEROFF);
      assert.equal(backupIds(v).length, 1);
      assert.equal(backupConfig(v)['ACTIVE_FLAG'], undefined);
    });

    test('deleting a backup image takes it out of the VM\'s BACKUP_IDS', async () => {
      const o = oned();
      const id = await poweredOff(o, h);
      const bimg = backupIds(await backedUp(o, id, bkDummy))[0]!;
      await okId(o, 'one.image.delete', [bimg]);
      assert.deepEqual(backupIds(await vm(o, id)), []);
    });
  },
  CONF,
);
