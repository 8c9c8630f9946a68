/**
 * Disk snapshots end to end (dummy drivers): one.vm.disksnapshotcreate / revert / delete / rename
 * on POWEROFF, SUSPENDED and RUNNING VMs (the DISK_SNAPSHOT* LCM states while the driver works),
 * the top-level SNAPSHOTS of the VM (tree, ACTIVE, CHILDREN, SIZE) and DISK_SNAPSHOT_TOTAL_SIZE,
 * refused calls changing nothing, a failed driver step undone and logged, snapshots kept across a
 * restart of oned, and a persistent image's snapshots going back to the image
 * (one.image.snapshotdelete / revert / flatten).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { child, childInt, childText, type XmlNode } from '../../src/common/xml-tree.js';
import type { Oned } from './harness.js';
import { Code, addUser, all, must, okId, okXml, onFeatureBackends, refused, waitFor, vmInfo as vm } from './api-helpers.js';

const ACTIVE = 3;
const SUSPENDED = 5;
const POWEROFF = 8;
const RUNNING = 3;

const SCRIPTS = mkdtempSync(join(tmpdir(), 'nebula-disksnap-scripts-'));
const CONF = `
VM_MAD = [ NAME = "scripted", EXECUTABLE = "one_vmm_dummy", ARGUMENTS = "-a ${SCRIPTS}", TIMEOUT = 5 ]
`;

/** Asserts vm.log has a line matching `re` (its lines are written a moment after the VM's record). */
async function logHas(o: Oned, id: number, re: RegExp): Promise<void> {
  const file = join(o.location, 'var', 'vms', String(id), 'vm.log');
  for (let n = 0; n < 100 && !re.test(readFileSync(file, 'utf8')); n++) await new Promise((r) => setTimeout(r, 25));
  assert.match(readFileSync(file, 'utf8'), re);
}

/** The snapshots of disk `diskId` as "ID:NAME:PARENT:CHILDREN:ACTIVE:SIZE". */
function snaps(v: XmlNode, diskId: number): string[] {
  const list = all(v, 'SNAPSHOTS').find((s) => childText(s, 'DISK_ID') === String(diskId));
  if (!list) return [];
  return all(list, 'SNAPSHOT').map((s) => [childText(s, 'ID'), childText(s, 'NAME'), childText(s, 'PARENT'), childText(s, 'CHILDREN'), childText(s, 'ACTIVE'), childText(s, 'SIZE')].join(':'));
}

function disk(v: XmlNode, diskId: number): XmlNode {
  return all(must(v, 'TEMPLATE'), 'DISK').find((d) => childText(d, 'DISK_ID') === String(diskId))!;
}

/** The part of the VM document snapshots change: SNAPSHOTS and the DISKs. */
function snapshotState(v: XmlNode): string {
  return JSON.stringify([all(v, 'SNAPSHOTS'), all(must(v, 'TEMPLATE'), 'DISK')]);
}

onFeatureBackends(
  'VM disk snapshots',
  (oned) => {
    let h = -1;
    let hs = -1;
    let img = -1;
    let pers = -1;

    const newVm = async (host: number, persistent = false): Promise<number> => {
      const disks = `DISK = [ IMAGE_ID = ${img} ]\n${persistent ? `DISK = [ IMAGE_ID = ${pers} ]` : 'DISK = [ IMAGE_ID = ' + img + ' ]'}\nDISK = [ TYPE = fs, SIZE = 10, FORMAT = raw ]`;
      const id = await okId(oned(), 'one.vm.allocate', [`CPU = 1\nMEMORY = 64\n${disks}`]);
      await okId(oned(), 'one.vm.deploy', [id, host]);
      await waitFor(oned(), id, ACTIVE, RUNNING);
      return id;
    };
    const poweredOff = async (host: number, persistent = false): Promise<number> => {
      const id = await newVm(host, persistent);
      await okId(oned(), 'one.vm.action', ['poweroff', id]);
      await waitFor(oned(), id, POWEROFF);
      return id;
    };

    test('setup: dummy datastores, a dummy host and a scripted one, two images', async () => {
      const o = oned();
      await okId(o, 'one.datastore.update', [0, 'TM_MAD = "dummy"', 1]);
      const ds = await okId(o, 'one.datastore.allocate', ['NAME = "snap-images"\nDS_MAD = "dummy"\nTM_MAD = "dummy"', -1]);
      h = await okId(o, 'one.host.allocate', ['dsnap-host', 'dummy', 'dummy', -1]);
      hs = await okId(o, 'one.host.allocate', ['dsnap-host-scripted', 'dummy', 'scripted', -1]);
      img = await okId(o, 'one.image.allocate', ['NAME = "dsnap-os"\nTYPE = DATABLOCK\nSIZE = 100', ds]);
      pers = await okId(o, 'one.image.allocate', ['NAME = "dsnap-pers"\nTYPE = DATABLOCK\nSIZE = 200\nPERSISTENT = YES', ds]);
      for (const i of [img, pers]) {
        for (let n = 0; n < 200 && childInt(await okXml(o, 'one.image.info', [i]), 'STATE') !== 1; n++) await new Promise((r) => setTimeout(r, 25));
      }
    });

    test('POWEROFF: create two, revert to the first, delete the second, rename; SNAPSHOTS as 7.4 renders them', async () => {
      const o = oned();
      const id = await poweredOff(h);
      assert.equal(await okId(o, 'one.vm.disksnapshotcreate', [id, 0, 'first']), 0);
      let v = await waitFor(o, id, POWEROFF);
      assert.deepEqual(snaps(v, 0), ['0:first:-1::YES:100']);
      assert.equal(childText(disk(v, 0), 'DISK_SNAPSHOT_TOTAL_SIZE'), '100');
      const list = must(v, 'SNAPSHOTS');
      assert.deepEqual(list.children.map((c) => c.name), ['ALLOW_ORPHANS', 'CURRENT_BASE', 'DISK_ID', 'NEXT_SNAPSHOT', 'SNAPSHOT']);
      assert.deepEqual(must(list, 'SNAPSHOT').children.map((c) => c.name), ['ACTIVE', 'DATE', 'ID', 'NAME', 'PARENT', 'SIZE']);
      assert.ok(childInt(must(list, 'SNAPSHOT'), 'DATE') > 0);
      assert.equal(child(disk(v, 0), 'DISK_SNAPSHOT_ACTIVE'), undefined, 'no pending mark once done');
      // SNAPSHOTS sit between HISTORY_RECORDS and BACKUPS.
      const names = v.children.map((c) => c.name);
      assert.equal(names.indexOf('SNAPSHOTS'), names.indexOf('HISTORY_RECORDS') + 1);

      assert.equal(await okId(o, 'one.vm.disksnapshotcreate', [id, 0, 'second']), 1);
      v = await waitFor(o, id, POWEROFF);
      assert.deepEqual(snaps(v, 0), ['0:first:-1:1::100', '1:second:0::YES:100']);
      assert.equal(childText(disk(v, 0), 'DISK_SNAPSHOT_TOTAL_SIZE'), '200');
      assert.equal(childText(must(v, 'SNAPSHOTS'), 'NEXT_SNAPSHOT'), '2');

      assert.equal(await okId(o, 'one.vm.disksnapshotrevert', [id, 0, 0]), id);
      v = await waitFor(o, id, POWEROFF);
      assert.deepEqual(snaps(v, 0), ['0:first:-1:1:YES:100', '1:second:0:::100']);
      assert.equal(await okId(o, 'one.vm.disksnapshotdelete', [id, 0, 1]), id);
      v = await waitFor(o, id, POWEROFF);
      assert.deepEqual(snaps(v, 0), ['0:first:-1::YES:100']);
      assert.equal(childText(disk(v, 0), 'DISK_SNAPSHOT_TOTAL_SIZE'), '100');

      assert.equal(await okId(o, 'one.vm.disksnapshotrename', [id, 0, 0, 'known-good']), id);
      assert.deepEqual(snaps(await vm(o, id), 0), ['0:known-good:-1::YES:100']);
      await logHas(o, id, /New LCM state is DISK_SNAPSHOT_POWEROFF/);
      await logHas(o, id, /New LCM state is DISK_SNAPSHOT_REVERT_POWEROFF/);
      await logHas(o, id, /New LCM state is DISK_SNAPSHOT_DELETE_POWEROFF/);
    });

    test('bad input is refused with a clear error and changes nothing', async () => {
      const o = oned();
      const id = await poweredOff(h);
      await okId(o, 'one.vm.disksnapshotcreate', [id, 0, 'a']);
      await waitFor(o, id, POWEROFF);
      await okId(o, 'one.vm.disksnapshotcreate', [id, 0, 'b']);
      await waitFor(o, id, POWEROFF);
      await okId(o, 'one.vm.disksnapshotrevert', [id, 0, 0]);
      const before = snapshotState(await waitFor(o, id, POWEROFF));
      await refused(o, 'one.vm.disksnapshotcreate', [id, 9, 'x'], Code.ACTION, /VM \d+ has no disk with DISK_ID 9/);
      await refused(o, 'one.vm.disksnapshotcreate', [id, 2, 'x'], Code.ACTION, /disk 2 is volatile/);
      await refused(o, 'one.vm.disksnapshotrevert', [id, 0, 7], Code.ACTION, /snapshot 7 does not exist/);
      await refused(o, 'one.vm.disksnapshotdelete', [id, 0, 7], Code.ACTION, /snapshot 7 does not exist/);
      await refused(o, 'one.vm.disksnapshotdelete', [id, 0, 0], Code.ACTION, /snapshot 0 is the active one/);
      await refused(o, 'one.vm.disksnapshotrename', [id, 0, 1, '  '], Code.ACTION, /the new name is empty/);
      await refused(o, 'one.vm.disksnapshotrename', [id, 1, 0, 'x'], Code.ACTION, /snapshot 0 does not exist/);
      assert.equal(snapshotState(await vm(o, id)), before);

      // Snapshot 0 has a child (1): once 1 is active, 0 still cannot go.
      await okId(o, 'one.vm.disksnapshotrevert', [id, 0, 1]);
      await waitFor(o, id, POWEROFF);
      const withChild = snapshotState(await vm(o, id));
      await refused(o, 'one.vm.disksnapshotdelete', [id, 0, 0], Code.ACTION, /snapshot 0 has children \(1\)/);
      assert.equal(snapshotState(await vm(o, id)), withChild);

      await okId(o, 'one.vm.action', ['resume', id]);
      await waitFor(o, id, ACTIVE, RUNNING);
      const running = snapshotState(await vm(o, id));
      await refused(o, 'one.vm.disksnapshotrevert', [id, 0, 0], Code.ACTION, /"disk-snapshot-revert": This action is not available for state RUNNING/);
      assert.equal(snapshotState(await vm(o, id)), running);
      await refused(o, 'one.vm.disksnapshotcreate', [999, 0, 'x'], Code.NO_EXISTS, /.*/);
    });

    test('SUSPENDED: create and revert go through DISK_SNAPSHOT_SUSPENDED and back', async () => {
      const o = oned();
      const id = await newVm(h);
      await okId(o, 'one.vm.action', ['suspend', id]);
      await waitFor(o, id, SUSPENDED);
      assert.equal(await okId(o, 'one.vm.disksnapshotcreate', [id, 1, 'held']), 0);
      let v = await waitFor(o, id, SUSPENDED);
      assert.deepEqual(snaps(v, 1), ['0:held:-1::YES:100']);
      assert.equal(await okId(o, 'one.vm.disksnapshotrevert', [id, 1, 0]), id);
      v = await waitFor(o, id, SUSPENDED);
      await logHas(o, id, /New LCM state is DISK_SNAPSHOT_SUSPENDED/);
      await logHas(o, id, /New LCM state is DISK_SNAPSHOT_REVERT_SUSPENDED/);
    });

    test('RUNNING: create through the VMM (DISK_SNAPSHOT), delete through the TM (DISK_SNAPSHOT_DELETE)', async () => {
      const o = oned();
      writeFileSync(join(SCRIPTS, 'disksnapshotcreate'), 'success 0.5\n');
      const id = await newVm(hs);
      assert.equal(await okId(o, 'one.vm.disksnapshotcreate', [id, 0, 'live']), 0);
      const during = await vm(o, id);
      assert.equal(childInt(during, 'LCM_STATE'), 57, 'DISK_SNAPSHOT while the driver works');
      assert.equal(childText(disk(during, 0), 'DISK_SNAPSHOT_ACTIVE'), 'YES');
      assert.equal(childText(disk(during, 0), 'DISK_SNAPSHOT_ID'), '0');
      await refused(o, 'one.vm.disksnapshotcreate', [id, 0, 'again'], Code.ACTION, /not available for state DISK_SNAPSHOT/);
      let v = await waitFor(o, id, ACTIVE, RUNNING);
      assert.deepEqual(snaps(v, 0), ['0:live:-1::YES:100']);
      await okId(o, 'one.vm.disksnapshotcreate', [id, 0, 'live2']);
      v = await waitFor(o, id, ACTIVE, RUNNING);
      assert.deepEqual(snaps(v, 0), ['0:live:-1:1::100', '1:live2:0::YES:100']);
      await refused(o, 'one.vm.disksnapshotdelete', [id, 0, 1], Code.ACTION, /snapshot 1 is the active one/);
      await refused(o, 'one.vm.disksnapshotdelete', [id, 0, 0], Code.ACTION, /snapshot 0 has children \(1\)/);

      // Power off, revert to 0 (1 becomes a leaf that is not active), resume, delete 1 live.
      await okId(o, 'one.vm.action', ['poweroff', id]);
      await waitFor(o, id, POWEROFF);
      await okId(o, 'one.vm.disksnapshotrevert', [id, 0, 0]);
      await waitFor(o, id, POWEROFF);
      await okId(o, 'one.vm.action', ['resume', id]);
      await waitFor(o, id, ACTIVE, RUNNING);
      assert.equal(await okId(o, 'one.vm.disksnapshotdelete', [id, 0, 1]), id);
      v = await waitFor(o, id, ACTIVE, RUNNING);
      assert.deepEqual(snaps(v, 0), ['0:live:-1::YES:100']);
      await logHas(o, id, /New LCM state is DISK_SNAPSHOT_DELETE\b/);
    });

    test('a failed driver step puts the VM back in its state, drops the new snapshot and logs why', async () => {
      const o = oned();
      writeFileSync(join(SCRIPTS, 'disksnapshotcreate'), 'failure\n');
      const id = await newVm(hs);
      await okId(o, 'one.vm.disksnapshotcreate', [id, 0, 'doomed']);
      const v = await waitFor(o, id, ACTIVE, RUNNING);
      assert.deepEqual(snaps(v, 0), []);
      assert.equal(all(v, 'SNAPSHOTS').length, 0);
      assert.equal(childText(disk(v, 0), 'DISK_SNAPSHOT_TOTAL_SIZE'), '0');
      assert.equal(child(disk(v, 0), 'DISK_SNAPSHOT_ACTIVE'), undefined);
      assert.match(childText(must(v, 'USER_TEMPLATE'), 'ERROR'), /Error in DISK_SNAPSHOT/);
      await logHas(o, id, /\[LCM\]\[E\]: Error in DISK_SNAPSHOT: /);
      writeFileSync(join(SCRIPTS, 'disksnapshotcreate'), 'success\n');
    });

    test("quota: a snapshot's SIZE counts in the owner's SYSTEM_DISK_SIZE; over quota is refused; delete and terminate give it back", async () => {
      const o = oned();
      const id = await poweredOff(h);
      const u = await addUser(o, 'dsnap-user');
      await okId(o, 'one.vm.chown', [id, u.id, -1]);
      await okId(o, 'one.user.quota', [u.id, 'VM = [ SYSTEM_DISK_SIZE = 150 ]']);
      const used = async () => childText(must(must(await okXml(o, 'one.user.info', [u.id]), 'VM_QUOTA'), 'VM'), 'SYSTEM_DISK_SIZE_USED');
      assert.equal(await used(), '10', 'the volatile disk');
      await okId(o, 'one.vm.disksnapshotcreate', [id, 0, 'fits'], u.session);
      await waitFor(o, id, POWEROFF);
      assert.equal(await used(), '110');
      const before = snapshotState(await vm(o, id));
      await refused(o, 'one.vm.disksnapshotcreate', [id, 1, 'too-big'], Code.AUTHORIZATION, /SYSTEM_DISK_SIZE/, u.session);
      assert.equal(snapshotState(await vm(o, id)), before);
      assert.equal(childInt(await vm(o, id), 'STATE'), POWEROFF);
      assert.equal(await used(), '110');
      await okId(o, 'one.user.quota', [u.id, 'VM = [ SYSTEM_DISK_SIZE = 300 ]']);
      await okId(o, 'one.vm.disksnapshotcreate', [id, 0, 'second'], u.session);
      await waitFor(o, id, POWEROFF);
      assert.equal(await used(), '210');
      await okId(o, 'one.vm.disksnapshotrevert', [id, 0, 0], u.session);
      await waitFor(o, id, POWEROFF);
      await okId(o, 'one.vm.disksnapshotdelete', [id, 0, 1], u.session);
      await waitFor(o, id, POWEROFF);
      assert.equal(await used(), '110', 'a deleted snapshot gives its size back');
      await okId(o, 'one.vm.action', ['terminate-hard', id]);
      for (let n = 0; n < 200 && (await used()) !== '0'; n++) await new Promise((r) => setTimeout(r, 25));
      assert.equal(await used(), '0', 'all given back when the VM is done');
    });

    test('snapshots are kept across a restart of oned', async () => {
      const o = oned();
      const id = await poweredOff(h);
      await okId(o, 'one.vm.disksnapshotcreate', [id, 1, 'kept']);
      const before = snaps(await waitFor(o, id, POWEROFF), 1);
      assert.equal(await o.signal('SIGTERM'), 0);
      await o.launch();
      const v = await vm(o, id);
      assert.deepEqual(snaps(v, 1), before);
      assert.equal(childText(disk(v, 1), 'DISK_SNAPSHOT_TOTAL_SIZE'), '100');
      assert.equal(await okId(o, 'one.vm.disksnapshotcreate', [id, 1, 'after']), 1, 'ids go on after the restart');
      await waitFor(o, id, POWEROFF);
    });

    test('a disk snapshot pending when oned is killed is sent again after the restart', async () => {
      const o = oned();
      writeFileSync(join(SCRIPTS, 'disksnapshotcreate'), 'success 3\n');
      const id = await newVm(hs);
      await okId(o, 'one.vm.disksnapshotcreate', [id, 0, 'across-restart']);
      assert.equal(childInt(await vm(o, id), 'LCM_STATE'), 57);
      assert.equal(await o.signal('SIGKILL'), 'SIGKILL');
      writeFileSync(join(SCRIPTS, 'disksnapshotcreate'), 'success\n');
      await o.launch();
      const v = await waitFor(o, id, ACTIVE, RUNNING);
      assert.deepEqual(snaps(v, 0), ['0:across-restart:-1::YES:100']);
      await logHas(o, id, /oned restarted in DISK_SNAPSHOT: the pending driver operation is sent again/);
    });

    test("a detached disk takes its snapshots away (a persistent one's go to its image)", async () => {
      const o = oned();
      const id = await poweredOff(h, true);
      for (const d of [0, 1]) {
        await okId(o, 'one.vm.disksnapshotcreate', [id, d, `d${d}`]);
        await waitFor(o, id, POWEROFF);
      }
      await okId(o, 'one.vm.detach', [id, 0]);
      let v = await waitFor(o, id, POWEROFF);
      assert.deepEqual(all(v, 'SNAPSHOTS').map((l) => childText(l, 'DISK_ID')), ['1']);
      await okId(o, 'one.vm.detach', [id, 1]);
      v = await waitFor(o, id, POWEROFF);
      assert.equal(all(v, 'SNAPSHOTS').length, 0);
      const image = await okXml(o, 'one.image.info', [pers]);
      assert.deepEqual(all(must(image, 'SNAPSHOTS'), 'SNAPSHOT').map((s) => childText(s, 'NAME')), ['d1']);
      await okId(o, 'one.vm.action', ['terminate-hard', id]);
      for (let n = 0; n < 200 && childInt(await okXml(o, 'one.image.info', [pers]), 'STATE') !== 1; n++) await new Promise((r) => setTimeout(r, 25));
      // The next test starts the image's snapshots afresh.
      await okId(o, 'one.image.snapshotflatten', [pers, 0]);
      for (let n = 0; n < 200 && all(must(await okXml(o, 'one.image.info', [pers]), 'SNAPSHOTS'), 'SNAPSHOT').length > 0; n++) await new Promise((r) => setTimeout(r, 25));
    });

    test("a persistent disk's snapshots go back to its image; oneimage snapshot-delete/revert/flatten", async () => {
      const o = oned();
      const id = await poweredOff(h, true);
      for (const name of ['p0', 'p1', 'p2']) {
        await okId(o, 'one.vm.disksnapshotcreate', [id, 1, name]);
        await waitFor(o, id, POWEROFF);
      }
      assert.deepEqual(snaps(await vm(o, id), 1), ['0:p0:-1:1::200', '1:p1:0:2::200', '2:p2:1::YES:200']);
      await refused(o, 'one.image.snapshotdelete', [pers, 0], Code.ACTION, /the image is USED_PERS/);
      await okId(o, 'one.vm.action', ['terminate-hard', id]);
      const waitImage = async () => {
        for (let n = 0; n < 200; n++) {
          const i = await okXml(o, 'one.image.info', [pers]);
          if (childInt(i, 'STATE') === 1) return i;
          await new Promise((r) => setTimeout(r, 25));
        }
        assert.fail('image not READY');
      };
      let image = await waitImage();
      const ids = () => all(must(image, 'SNAPSHOTS'), 'SNAPSHOT').map((s) => `${childText(s, 'ID')}${childText(s, 'ACTIVE') === 'YES' ? '*' : ''}`);
      assert.deepEqual(ids(), ['0', '1', '2*']);
      assert.equal(child(must(image, 'SNAPSHOTS'), 'DISK_ID'), undefined, 'an image has no DISK_ID');

      await refused(o, 'one.image.snapshotdelete', [pers, 1], Code.ACTION, /snapshot 1 has children \(2\)/);
      await refused(o, 'one.image.snapshotrevert', [pers, 5], Code.ACTION, /snapshot 5 does not exist/);
      assert.equal(await okId(o, 'one.image.snapshotrevert', [pers, 0]), pers);
      image = await waitImage();
      assert.deepEqual(ids(), ['0*', '1', '2']);
      assert.equal(await okId(o, 'one.image.snapshotdelete', [pers, 2]), pers);
      image = await waitImage();
      assert.deepEqual(ids(), ['0*', '1']);

      // A new VM takes the image's snapshots with the disk.
      const again = await poweredOff(h, true);
      const fresh = await vm(o, again);
      assert.deepEqual(snaps(fresh, 1), ['0:p0:-1:1:YES:200', '1:p1:0:::200'], 'the new VM shows them at once');
      assert.equal(childText(disk(fresh, 1), 'DISK_SNAPSHOT_TOTAL_SIZE'), '400');
      assert.equal(await okId(o, 'one.vm.disksnapshotcreate', [again, 1, 'p3']), 3);
      assert.deepEqual(snaps(await waitFor(o, again, POWEROFF), 1), ['0:p0:-1:1,3::200', '1:p1:0:::200', '3:p3:0::YES:200']);
      await okId(o, 'one.vm.action', ['terminate-hard', again]);
      image = await waitImage();
      assert.equal(await okId(o, 'one.image.snapshotflatten', [pers, 3]), pers);
      image = await waitImage();
      assert.equal(all(must(image, 'SNAPSHOTS'), 'SNAPSHOT').length, 0);
    });
  },
  CONF,
);
