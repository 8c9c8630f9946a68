/**
 * `one.vm.diskresize` end to end on dummy drivers: RUNNING (DISK_RESIZE, the VMM's RESIZEDISK),
 * POWEROFF and UNDEPLOYED (DISK_RESIZE_POWEROFF / _UNDEPLOYED, the TM RESIZE line), SIZE and the
 * owner's SYSTEM_DISK_SIZE quota moving; a failed driver step gives both back; bad input
 * (shrink, not a number, unknown disk, CDROM, over quota, over the datastore's free space, wrong
 * state) is refused with nothing changed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childInt, childText, type XmlNode } from '../../src/common/xml-tree.js';
import type { Oned } from './harness.js';
import { addUser, all, Code, must, okId, okXml, onFeatureBackends, refused, waitFor } from './api-helpers.js';

const S = { ACTIVE: 3, POWEROFF: 8, UNDEPLOYED: 9, DONE: 6 };
const L = { RUNNING: 3, DISK_RESIZE: 62 };

const SCRIPTS = mkdtempSync(join(tmpdir(), 'nebula-disk-resize-'));
const CONF = `VM_MAD = [ NAME = "scripted", EXECUTABLE = "one_vmm_dummy", ARGUMENTS = "-a ${SCRIPTS}", TIMEOUT = 5 ]\n`;

function disk(v: XmlNode, id: number): XmlNode {
  return all(must(v, 'TEMPLATE'), 'DISK').find((d) => childText(d, 'DISK_ID') === String(id))!;
}

const sizeOf = async (o: Oned, vm: number, d: number) => childText(disk(await okXml(o, 'one.vm.info', [vm]), d), 'SIZE');

onFeatureBackends(
  'one.vm.diskresize',
  (oned) => {
    let host = -1;
    let scripted = -1;
    let os = -1;
    let cd = -1;
    let pers = -1;
    let imgDs = -1;

    test('setup: dummy datastores, an OS and a CDROM image, two hosts', async () => {
      const o = oned();
      // The scripted driver counts requests only while its script exists: each backend's run
      // starts without the one an earlier backend's run left.
      rmSync(join(SCRIPTS, 'resizedisk'), { force: true });
      await okId(o, 'one.datastore.update', [0, 'TM_MAD = "dummy"', 1]);
      const ds = await okId(o, 'one.datastore.allocate', ['NAME = "resize-img"\nDS_MAD = "dummy"\nTM_MAD = "dummy"', -1]);
      imgDs = ds;
      pers = await okId(o, 'one.image.allocate', ['NAME = "resize-pers"\nPATH = "/nowhere/pers.img"\nTYPE = "DATABLOCK"\nPERSISTENT = "YES"', ds]);
      os = await okId(o, 'one.image.allocate', ['NAME = "resize-os"\nPATH = "/nowhere/os.img"\nTYPE = "OS"\nSIZE = 100', ds]);
      cd = await okId(o, 'one.image.allocate', ['NAME = "resize-cd"\nPATH = "/nowhere/cd.iso"\nTYPE = "CDROM"\nSIZE = 10', ds]);
      for (const i of [os, cd, pers]) {
        const until = Date.now() + 5000;
        while (childInt(await okXml(o, 'one.image.info', [i]), 'STATE') !== 1 && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
      }
      // Others may use the OS image; the dummy datastore makes every image 1024 MB.
      await okId(o, 'one.image.chmod', [os, -1, -1, -1, -1, -1, -1, 1, -1, -1]);
      host = await okId(o, 'one.host.allocate', ['resize-host', 'dummy', 'dummy', -1]);
      scripted = await okId(o, 'one.host.allocate', ['resize-scripted', 'dummy', 'scripted', -1]);
    });

    test('RUNNING: DISK_RESIZE, then RUNNING with the new SIZE; the owner pays the growth in SYSTEM_DISK_SIZE', async () => {
      const o = oned();
      const u = await addUser(o, 'grower');
      await okId(o, 'one.user.quota', [u.id, 'VM = [ VMS = 4, SYSTEM_DISK_SIZE = 1000 ]']);
      const used = async () => childText(must(must(await okXml(o, 'one.user.info', [u.id]), 'VM_QUOTA'), 'VM'), 'SYSTEM_DISK_SIZE_USED');
      const id = await okId(o, 'one.vm.allocate', [`CPU = 1\nMEMORY = 64\nDISK = [ IMAGE_ID = ${os} ]\nDISK = [ TYPE = fs, SIZE = 20 ]`], u.session);
      await okId(o, 'one.vm.deploy', [id, host]);
      await waitFor(o, id, S.ACTIVE, L.RUNNING);
      assert.equal(await used(), '20');

      assert.equal(await okId(o, 'one.vm.diskresize', [id, 0, '1224'], u.session), id);
      let v = await waitFor(o, id, S.ACTIVE, L.RUNNING);
      const d0 = disk(v, 0);
      assert.deepEqual([childText(d0, 'SIZE'), childText(d0, 'ORIGINAL_SIZE'), childText(d0, 'RESIZE'), childText(d0, 'SIZE_PREV')], ['1224', '1024', '', '']);
      assert.equal(await used(), '220', 'a non-persistent image disk: what it grew beyond the image');
      const hist = all(must(v, 'HISTORY_RECORDS'), 'HISTORY').at(-1)!;
      assert.equal(childText(hist, 'ACTION'), '29', 'history ACTION disk-resize');

      // A volatile disk grows too, all of it counted.
      await okId(o, 'one.vm.diskresize', [id, 1, ' 50 '], u.session);
      v = await waitFor(o, id, S.ACTIVE, L.RUNNING);
      assert.equal(childText(disk(v, 1), 'SIZE'), '50');
      assert.equal(await used(), '250');
      // vm.log lines are written a moment after the VM's record.
      const logFile = join(o.location, 'var', 'vms', String(id), 'vm.log');
      let log = '';
      for (let i = 0; i < 100 && !/Disk 1 resized from/.test(log); i++) {
        await new Promise((r) => setTimeout(r, 25));
        log = readFileSync(logFile, 'utf8');
      }
      assert.match(log, /New LCM state is DISK_RESIZE\b/);
      assert.match(log, /Disk 1 resized from 20 MB to 50 MB/);

      // Over the quota: refused, nothing moves.
      await refused(o, 'one.vm.diskresize', [id, 1, '900'], Code.AUTHORIZATION, /Cannot resize DISK 1 of VM \d+: User \[\d+\] limit of 1000 reached for VM SYSTEM_DISK_SIZE quota/, u.session);
      assert.equal(await sizeOf(o, id, 1), '50');
      assert.equal(await used(), '250');

      await okId(o, 'one.vm.action', ['terminate-hard', id], u.session);
      await waitFor(o, id, S.DONE);
      assert.equal(await used(), '0', 'all of it given back when the VM is done');
    });

    test('POWEROFF and UNDEPLOYED: the TM RESIZE line on the host, or on the front-end for an undeployed VM', async () => {
      const o = oned();
      const id = await okId(o, 'one.vm.allocate', [`CPU = 1\nMEMORY = 64\nDISK = [ IMAGE_ID = ${os} ]`]);
      await okId(o, 'one.vm.deploy', [id, host]);
      await waitFor(o, id, S.ACTIVE, L.RUNNING);
      await okId(o, 'one.vm.action', ['poweroff-hard', id]);
      await waitFor(o, id, S.POWEROFF);
      await okId(o, 'one.vm.diskresize', [id, 0, '2000']);
      await waitFor(o, id, S.POWEROFF);
      assert.equal(await sizeOf(o, id, 0), '2000');
      const dir = join(o.location, 'var', 'vms', String(id));
      const resizeFile = () => readdirSync(dir).filter((f) => f.endsWith('.disk_resize')).map((f) => readFileSync(join(dir, f), 'utf8')).join('');
      assert.match(resizeFile(), new RegExp(`^RESIZE dummy resize-host:\\S+/${id}/disk\\.0 2000 ${id} 0\\n$`));

      await okId(o, 'one.vm.action', ['resume', id]);
      await waitFor(o, id, S.ACTIVE, L.RUNNING);
      await okId(o, 'one.vm.action', ['undeploy-hard', id]);
      await waitFor(o, id, S.UNDEPLOYED);
      await okId(o, 'one.vm.diskresize', [id, 0, '2500']);
      await waitFor(o, id, S.UNDEPLOYED);
      assert.equal(await sizeOf(o, id, 0), '2500');
      assert.match(resizeFile(), /^RESIZE dummy (?!resize-host:)\S+:\S+\/disk\.0 2500 \d+ 0\n$/, 'an undeployed VM\'s files are on the front-end');
      await okId(o, 'one.vm.action', ['terminate-hard', id]);
    });

    test('a failed driver step: back to RUNNING with the former SIZE, the quota given back, the error recorded', async () => {
      const o = oned();
      writeFileSync(join(SCRIPTS, 'resizedisk'), 'success 2\nfailure\n');
      const u = await addUser(o, 'failer');
      await okId(o, 'one.user.quota', [u.id, 'VM = [ VMS = 4, SYSTEM_DISK_SIZE = 1000 ]']);
      const used = async () => childText(must(must(await okXml(o, 'one.user.info', [u.id]), 'VM_QUOTA'), 'VM'), 'SYSTEM_DISK_SIZE_USED');
      const id = await okId(o, 'one.vm.allocate', ['CPU = 1\nMEMORY = 64\nDISK = [ TYPE = fs, SIZE = 10 ]'], u.session);
      await okId(o, 'one.vm.deploy', [id, scripted]);
      await waitFor(o, id, S.ACTIVE, L.RUNNING);

      await okId(o, 'one.vm.diskresize', [id, 0, '30'], u.session);
      const busy = await okXml(o, 'one.vm.info', [id]);
      assert.equal(childInt(busy, 'LCM_STATE'), L.DISK_RESIZE);
      assert.deepEqual([childText(disk(busy, 0), 'SIZE'), childText(disk(busy, 0), 'SIZE_PREV'), childText(disk(busy, 0), 'RESIZE')], ['30', '10', 'YES']);
      assert.equal(await used(), '30', 'charged when asked');
      await refused(o, 'one.vm.diskresize', [id, 0, '40'], Code.ACTION, /"disk-resize": This action is not available for state DISK_RESIZE/, u.session);
      await waitFor(o, id, S.ACTIVE, L.RUNNING);
      assert.equal(await sizeOf(o, id, 0), '30');

      await okId(o, 'one.vm.diskresize', [id, 0, '60'], u.session);
      const v = await waitFor(o, id, S.ACTIVE, L.RUNNING);
      assert.deepEqual([childText(disk(v, 0), 'SIZE'), childText(disk(v, 0), 'SIZE_PREV'), childText(disk(v, 0), 'RESIZE')], ['30', '', '']);
      assert.equal(await used(), '30', 'the growth that failed is given back');
      assert.match(childText(must(v, 'USER_TEMPLATE'), 'ERROR'), /Error in DISK_RESIZE/);
      await okId(o, 'one.vm.action', ['terminate-hard', id]);
    });

    test('a VM deleted (recover --delete) while DISK_RESIZE: DONE with the growth given back', async () => {
      const o = oned();
      writeFileSync(join(SCRIPTS, 'resizedisk'), 'success 3\n');
      const u = await addUser(o, 'deleter');
      await okId(o, 'one.user.quota', [u.id, 'VM = [ VMS = 4, SYSTEM_DISK_SIZE = 1000 ]']);
      const used = async () => childText(must(must(await okXml(o, 'one.user.info', [u.id]), 'VM_QUOTA'), 'VM'), 'SYSTEM_DISK_SIZE_USED');
      const id = await okId(o, 'one.vm.allocate', ['CPU = 1\nMEMORY = 64\nDISK = [ TYPE = fs, SIZE = 10 ]'], u.session);
      await okId(o, 'one.vm.deploy', [id, scripted]);
      await waitFor(o, id, S.ACTIVE, L.RUNNING);
      await okId(o, 'one.vm.diskresize', [id, 0, '500'], u.session);
      assert.equal(await used(), '500');
      await okId(o, 'one.vm.recover', [id, 3]);
      await waitFor(o, id, S.DONE);
      assert.equal(await used(), '0');
      assert.equal(await sizeOf(o, id, 0), '10', 'the resize never happened');
    });

    test('a persistent image: its datastore SIZE quota (the image owner\'s) and the image\'s SIZE grow; not beyond the datastore\'s free space', async () => {
      const o = oned();
      const dsUsed = async () => {
        const q = all(must(await okXml(o, 'one.user.info', [0]), 'DATASTORE_QUOTA'), 'DATASTORE').find((d) => childText(d, 'ID') === String(imgDs));
        return q ? childText(q, 'SIZE_USED') : '';
      };
      const id = await okId(o, 'one.vm.allocate', [`CPU = 1\nMEMORY = 64\nDISK = [ IMAGE_ID = ${pers} ]`]);
      await okId(o, 'one.vm.deploy', [id, host]);
      await waitFor(o, id, S.ACTIVE, L.RUNNING);
      const free = childInt(await okXml(o, 'one.datastore.info', [imgDs]), 'FREE_MB');
      assert.ok(free > 0, 'the image datastore is monitored');
      await refused(o, 'one.vm.diskresize', [id, 0, String(1024 + free + 1)], Code.ACTION, new RegExp(`Cannot resize DISK 0 of VM ${id}: datastore ${imgDs} \\(resize-img\\) has ${free} MB free, ${free + 1} MB more asked`));
      assert.equal(await sizeOf(o, id, 0), '1024');
      const quotaBefore = await dsUsed();
      await okId(o, 'one.vm.diskresize', [id, 0, '1500']);
      await waitFor(o, id, S.ACTIVE, L.RUNNING);
      assert.equal(await sizeOf(o, id, 0), '1500');
      assert.equal(childText(await okXml(o, 'one.image.info', [pers]), 'SIZE'), '1500', 'the persistent image is the disk');
      // oneadmin pays no quota: the usage shows only for other owners (unchanged here).
      assert.equal(await dsUsed(), quotaBefore);
      await okId(o, 'one.vm.action', ['terminate-hard', id]);
      await waitFor(o, id, S.DONE);
    });

    test('bad input: shrink, not a number, unknown disk, CDROM, wrong state; nothing changes', async () => {
      const o = oned();
      const id = await okId(o, 'one.vm.allocate', [`CPU = 1\nMEMORY = 64\nDISK = [ IMAGE_ID = ${os} ]\nDISK = [ IMAGE_ID = ${cd} ]`]);
      await refused(o, 'one.vm.diskresize', [id, 0, '2000'], Code.ACTION, /"disk-resize": This action is not available for state PENDING/);
      await okId(o, 'one.vm.deploy', [id, host]);
      const before = await waitFor(o, id, S.ACTIVE, L.RUNNING);
      await refused(o, 'one.vm.diskresize', [id, 0, '1024'], Code.ACTION, /New disk size has to be greater than current one \(DISK 0 of VM \d+ has 1024 MB, 1024 MB asked\)/);
      await refused(o, 'one.vm.diskresize', [id, 0, '500'], Code.ACTION, /New disk size has to be greater than current one/);
      await refused(o, 'one.vm.diskresize', [id, 0, '10G'], Code.ACTION, /Disk SIZE is not a valid integer: "10G"/);
      await refused(o, 'one.vm.diskresize', [id, 0, '-5'], Code.ACTION, /Disk SIZE is not a valid integer/);
      await refused(o, 'one.vm.diskresize', [id, 7, '5000'], Code.ACTION, /VM disk does not exist: VM \d+ has no DISK with DISK_ID 7/);
      await refused(o, 'one.vm.diskresize', [id, 1, '5000'], Code.ACTION, /Cannot resize DISK 1 of VM \d+: it is a CDROM/);
      await refused(o, 'one.vm.diskresize', [4242, 0, '500'], Code.NO_EXISTS, /4242/);
      const after = await okXml(o, 'one.vm.info', [id]);
      assert.deepEqual(all(must(after, 'TEMPLATE'), 'DISK').map((d) => childText(d, 'SIZE')), all(must(before, 'TEMPLATE'), 'DISK').map((d) => childText(d, 'SIZE')));
      assert.equal(childInt(after, 'LCM_STATE'), L.RUNNING);
      await okId(o, 'one.vm.action', ['terminate-hard', id]);
    });
  },
  CONF,
);
