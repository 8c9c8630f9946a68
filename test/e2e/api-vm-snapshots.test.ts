/**
 * System snapshots of a VM end to end (dummy drivers): one.vm.snapshotcreate / snapshotrevert /
 * snapshotdelete on a RUNNING VM (HOTPLUG_SNAPSHOT while the driver works, back to RUNNING),
 * TEMPLATE/SNAPSHOT with the hypervisor's id, a failed driver step recording nothing, refused
 * calls (wrong state, unknown snapshot id) changing nothing, snapshots gone on terminate, and a
 * pending snapshot sent again after oned is killed and restarted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { child, childInt, childText, type XmlNode } from '../../src/common/xml-tree.js';
import type { Oned } from './harness.js';
import { Code, all, must, okId, onFeatureBackends, refused, waitFor, vmInfo as vm } from './api-helpers.js';

const ACTIVE = 3;
const POWEROFF = 8;
const DONE = 6;
const RUNNING = 3;
const HOTPLUG_SNAPSHOT = 24;

const SCRIPTS = mkdtempSync(join(tmpdir(), 'nebula-snap-scripts-'));
const CONF = `
VM_MAD = [ NAME = "scripted", EXECUTABLE = "one_vmm_dummy", ARGUMENTS = "-a ${SCRIPTS}", TIMEOUT = 5 ]
`;

/** The VM's snapshots as [SNAPSHOT_ID, NAME, HYPERVISOR_ID, ACTIVE]. */
function snaps(v: XmlNode): string[][] {
  return all(must(v, 'TEMPLATE'), 'SNAPSHOT').map((s) => [childText(s, 'SNAPSHOT_ID'), childText(s, 'NAME'), childText(s, 'HYPERVISOR_ID'), childText(s, 'ACTIVE')]);
}

async function running(o: Oned, hid: number): Promise<number> {
  const id = await okId(o, 'one.vm.allocate', ['CPU = 1\nMEMORY = 64']);
  await okId(o, 'one.vm.deploy', [id, hid]);
  await waitFor(o, id, ACTIVE, RUNNING);
  return id;
}

onFeatureBackends(
  'VM system snapshots',
  (oned) => {
    let h = -1;
    let hs = -1;

    test('setup: dummy system datastore, a dummy host and a scripted one', async () => {
      const o = oned();
      await okId(o, 'one.datastore.update', [0, 'TM_MAD = "dummy"', 1]);
      h = await okId(o, 'one.host.allocate', ['snap-host', 'dummy', 'dummy', -1]);
      hs = await okId(o, 'one.host.allocate', ['snap-host-scripted', 'dummy', 'scripted', -1]);
    });

    test('create two snapshots, revert to the first, delete the second; terminate drops the rest', async () => {
      const o = oned();
      const id = await running(o, h);
      assert.equal(await okId(o, 'one.vm.snapshotcreate', [id, 'before-upgrade']), 0);
      let v = await waitFor(o, id, ACTIVE, RUNNING);
      assert.deepEqual(snaps(v), [['0', 'before-upgrade', 'dummy-snap-0', 'YES']]);
      const s0 = must(must(v, 'TEMPLATE'), 'SNAPSHOT');
      assert.ok(childInt(s0, 'TIME') > 0);
      assert.equal(childText(s0, 'SYSTEM_DISK_SIZE'), '0');
      assert.equal(child(s0, 'ACTION'), undefined);

      assert.equal(await okId(o, 'one.vm.snapshotcreate', [id, '']), 1);
      v = await waitFor(o, id, ACTIVE, RUNNING);
      assert.deepEqual(snaps(v), [['0', 'before-upgrade', 'dummy-snap-0', ''], ['1', 'snapshot-1', 'dummy-snap-1', 'YES']]);

      assert.equal(await okId(o, 'one.vm.snapshotrevert', [id, 0]), id);
      v = await waitFor(o, id, ACTIVE, RUNNING);
      assert.deepEqual(snaps(v), [['0', 'before-upgrade', 'dummy-snap-0', 'YES'], ['1', 'snapshot-1', 'dummy-snap-1', '']]);

      assert.equal(await okId(o, 'one.vm.snapshotdelete', [id, 1]), id);
      v = await waitFor(o, id, ACTIVE, RUNNING);
      assert.deepEqual(snaps(v), [['0', 'before-upgrade', 'dummy-snap-0', 'YES']]);

      // Ids are never reused while higher ones exist; after deleting 1 the next is 1 again (highest + 1).
      assert.equal(await okId(o, 'one.vm.snapshotcreate', [id, 'again']), 1);
      await waitFor(o, id, ACTIVE, RUNNING);

      await okId(o, 'one.vm.action', ['terminate-hard', id]);
      v = await waitFor(o, id, DONE);
      assert.deepEqual(snaps(v), []);
    });

    test('refused calls: unknown snapshot id, not RUNNING; nothing changes', async () => {
      const o = oned();
      const id = await running(o, h);
      await okId(o, 'one.vm.snapshotcreate', [id, 'keep']);
      const before = await waitFor(o, id, ACTIVE, RUNNING);
      await refused(o, 'one.vm.snapshotrevert', [id, 7], Code.ACTION, new RegExp(`Could not revert VM ${id} to snapshot 7: VM ${id} has no snapshot with SNAPSHOT_ID 7`));
      await refused(o, 'one.vm.snapshotdelete', [id, 7], Code.ACTION, /has no snapshot with SNAPSHOT_ID 7/);
      await refused(o, 'one.vm.snapshotcreate', [4242, 'x'], Code.NO_EXISTS, /4242/);
      let v = await vm(o, id);
      assert.deepEqual(snaps(v), snaps(before));
      assert.equal(childInt(v, 'LCM_STATE'), RUNNING);

      await okId(o, 'one.vm.action', ['poweroff-hard', id]);
      await waitFor(o, id, POWEROFF);
      await refused(o, 'one.vm.snapshotcreate', [id, 'x'], Code.ACTION, /Error performing action "snapshot-create": This action is not available for state POWEROFF/);
      await refused(o, 'one.vm.snapshotrevert', [id, 0], Code.ACTION, /"snapshot-revert": This action is not available for state POWEROFF/);
      await refused(o, 'one.vm.snapshotdelete', [id, 0], Code.ACTION, /"snapshot-delete": This action is not available for state POWEROFF/);
      v = await vm(o, id);
      assert.deepEqual(snaps(v), snaps(before));
      assert.equal(childInt(v, 'STATE'), POWEROFF);
      await okId(o, 'one.vm.action', ['terminate-hard', id]);
      await waitFor(o, id, DONE);
    });

    test('HOTPLUG_SNAPSHOT while the driver works; a failed driver step leaves RUNNING, the error, no snapshot', async () => {
      const o = oned();
      writeFileSync(join(SCRIPTS, 'snapshotcreate'), 'success 0.6\nfailure\n');
      writeFileSync(join(SCRIPTS, 'snapshotdelete'), 'failure\n');
      const id = await running(o, hs);
      await okId(o, 'one.vm.snapshotcreate', [id, 'slow']);
      const busy = await vm(o, id);
      assert.equal(childInt(busy, 'LCM_STATE'), HOTPLUG_SNAPSHOT);
      assert.equal(childText(must(must(busy, 'TEMPLATE'), 'SNAPSHOT'), 'ACTION'), 'CREATE');
      // A second operation waits for the first: refused while HOTPLUG_SNAPSHOT.
      await refused(o, 'one.vm.snapshotcreate', [id, 'x'], Code.ACTION, /not available for state HOTPLUG_SNAPSHOT/);
      let v = await waitFor(o, id, ACTIVE, RUNNING);
      assert.deepEqual(snaps(v), [['0', 'slow', 'dummy-snap-0', 'YES']]);

      await okId(o, 'one.vm.snapshotcreate', [id, 'fails']);
      v = await waitFor(o, id, ACTIVE, RUNNING);
      assert.deepEqual(snaps(v), [['0', 'slow', 'dummy-snap-0', 'YES']], 'the failed snapshot is not recorded');
      assert.match(childText(must(v, 'USER_TEMPLATE'), 'ERROR'), /Error in HOTPLUG_SNAPSHOT: .*SNAPSHOTCREATE/);

      await okId(o, 'one.vm.snapshotdelete', [id, 0]);
      v = await waitFor(o, id, ACTIVE, RUNNING);
      assert.deepEqual(snaps(v), [['0', 'slow', 'dummy-snap-0', 'YES']], 'a failed delete keeps the snapshot');
      assert.equal(child(must(must(v, 'TEMPLATE'), 'SNAPSHOT'), 'ACTION'), undefined);
      writeFileSync(join(SCRIPTS, 'snapshotcreate'), 'success\n');
      writeFileSync(join(SCRIPTS, 'snapshotdelete'), 'success\n');
      await okId(o, 'one.vm.action', ['terminate-hard', id]);
      await waitFor(o, id, DONE);
    });

    test('a snapshot pending when oned is killed is sent again after the restart', async () => {
      const o = oned();
      writeFileSync(join(SCRIPTS, 'snapshotcreate'), 'success 3\n');
      const id = await running(o, hs);
      await okId(o, 'one.vm.snapshotcreate', [id, 'across-restart']);
      assert.equal(childInt(await vm(o, id), 'LCM_STATE'), HOTPLUG_SNAPSHOT);
      assert.equal(await o.signal('SIGKILL'), 'SIGKILL');
      writeFileSync(join(SCRIPTS, 'snapshotcreate'), 'success\n');
      await o.launch();
      const v = await waitFor(o, id, ACTIVE, RUNNING);
      assert.deepEqual(snaps(v), [['0', 'across-restart', 'dummy-snap-0', 'YES']]);
      await okId(o, 'one.vm.action', ['terminate-hard', id]);
      await waitFor(o, id, DONE);
    });
  },
  CONF,
);
