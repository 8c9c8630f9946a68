/**
 * Issue 13's acceptance on real hosts (namespace hosts with sshd and libvirtd, the tiny guest with
 * its qcow2 disk: test/e2e/real-cloud.ts): day-2 operations seen from inside the guest, through
 * its shell (telnet, test subnet only). A system snapshot taken before a file is written brings
 * the guest back to before that file; a hot VCPU/MEMORY resize shows in `nproc` and
 * /proc/meminfo; a disk snapshot reverted while POWEROFF brings back the disk's earlier content;
 * a disk grown by disk-resize is bigger in the guest; disk-saveas makes an image a new VM boots
 * from with the saved content; a full backup and an incremental one to a backup server (a third
 * namespace host, rsync over ssh) are restored into a new VM that boots with the content of the
 * later one; nothing is left on any host after terminate. Needs root;
 * `npm run test:real`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { child, childInt, childText, parseXmlTree, type XmlNode } from '../../src/common/xml-tree.js';
import { cliOk } from './cli-helpers.js';
import { guestOk } from './guest-shell.js';
import { RealCloud, S } from './real-cloud.js';
import { realSkip, TestHost, type HostSpace } from './real-host-fixture.js';

const SPACE: HostSpace = { dir: '/tmp/onetest-day2', net: '10.75.0', bridge: 'onetbr75' };
const skip = RealCloud.unavailable();
/** Where the backup server keeps its backups (private to it). */
const STORE = '/var/tmp/onetest-day2-backups';
const LONG = { timeout: 1_200_000 };

const diskOf = (v: XmlNode) => child(child(v, 'TEMPLATE')!, 'DISK')!;
const nicIp = (v: XmlNode) => childText(child(child(v, 'TEMPLATE')!, 'NIC')!, 'IP');
/** MemTotal of the guest's /proc/meminfo, in MiB. */
const memTotalMb = async (ip: string) => Math.round(Number(/MemTotal:\s+(\d+) kB/.exec(await guestOk(ip, 'cat /proc/meminfo'))![1]) / 1024);

describe('day-2 operations seen from inside a real guest', { skip: realSkip(skip) }, () => {
  let cloud: RealCloud;
  let backupServer: TestHost | undefined;
  const timings: string[] = [];

  before(async () => {
    cloud = await RealCloud.make(['day2a', 'day2b'], 0.5, SPACE);
  }, LONG);
  after(async () => {
    await cloud?.stop();
    backupServer?.remove();
    console.log(`# real-day2: ${timings.join(', ')}`);
  });

  test('system snapshot: a file written after it is gone after revert, the same boot goes on; hot resize shows in nproc and /proc/meminfo; nothing left after terminate', LONG, async () => {
    const id = await cloud.instantiateWith('VCPU_MAX = 2\nMEMORY_MAX = 320');
    const running = await cloud.waitState(id, S.ACTIVE);
    const ip = nicIp(running);
    const booted = await cloud.consoleShows(id, /TINYGUEST-BOOTED host=\S+ bootid=(\S+)/);
    await cloud.until(`ping ${ip}`, 60_000, async () => RealCloud.pings(ip));

    // The root file system is the VM's qcow2 disk (a disk boot).
    await guestOk(ip, 'echo before > /kept && sync');
    const t0 = Date.now();
    await cliOk(cloud.oned, 'onevm', ['snapshot-create', String(id), 'clean']);
    const snapped = await cloud.waitState(id, S.ACTIVE);
    timings.push(`snapshot-create ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const snap = child(child(snapped, 'TEMPLATE')!, 'SNAPSHOT');
    assert.ok(snap, 'the snapshot is in the VM template');
    assert.equal(childText(snap, 'NAME'), 'clean');
    assert.match(childText(snap, 'HYPERVISOR_ID'), /^snap-\d+$/);

    await guestOk(ip, 'echo after > /lost && sync && cat /lost');
    const t1 = Date.now();
    await cliOk(cloud.oned, 'onevm', ['snapshot-revert', String(id), childText(snap, 'SNAPSHOT_ID')]);
    await cloud.waitState(id, S.ACTIVE);
    timings.push(`snapshot-revert ${((Date.now() - t1) / 1000).toFixed(1)} s`);
    assert.equal(await guestOk(ip, 'cat /kept; test -e /lost && echo lost-is-there || echo no-lost'), 'before\nno-lost');
    assert.equal(await RealCloud.bootId(ip), booted[1], 'the guest goes on from the snapshot, in the same boot');

    await cliOk(cloud.oned, 'onevm', ['snapshot-delete', String(id), childText(snap, 'SNAPSHOT_ID')]);
    const deleted = await cloud.waitState(id, S.ACTIVE);
    assert.equal(child(child(deleted, 'TEMPLATE')!, 'SNAPSHOT'), undefined, 'the snapshot is gone from the VM');

    // Hot resize: within VCPU_MAX and MEMORY_MAX (balloon), the running guest sees it.
    assert.equal(await guestOk(ip, 'nproc'), '1');
    const memBefore = await memTotalMb(ip);
    assert.ok(memBefore < 256, `the guest runs with its MEMORY (192 MB): MemTotal ${memBefore} MiB`);
    const t2 = Date.now();
    await cliOk(cloud.oned, 'onevm', ['resize', String(id), '--vcpu', '2', '--memory', '320']);
    const resized = await cloud.waitState(id, S.ACTIVE);
    timings.push(`hot resize ${((Date.now() - t2) / 1000).toFixed(1)} s`);
    assert.equal(childInt(child(resized, 'TEMPLATE')!, 'VCPU'), 2);
    assert.equal(childInt(child(resized, 'TEMPLATE')!, 'MEMORY'), 320);
    // The new CPU is plugged in; the guest brings it online as a udev rule would.
    await guestOk(ip, 'test -e /sys/devices/system/cpu/cpu1/online && (grep -q 1 /sys/devices/system/cpu/cpu1/online || echo 1 > /sys/devices/system/cpu/cpu1/online)', 60_000);
    assert.equal(await guestOk(ip, 'nproc'), '2');
    let memAfter = 0;
    await cloud.until('the balloon deflated', 60_000, async () => (memAfter = await memTotalMb(ip)) >= memBefore + 100);
    assert.ok(memAfter > memBefore + 100, `MemTotal ${memBefore} -> ${memAfter} MiB`);

    await cliOk(cloud.oned, 'onevm', ['terminate', String(id)]);
    await cloud.waitState(id, S.DONE);
    for (const h of cloud.hosts) assert.deepEqual(cloud.leftovers(h, id), [], `nothing left on ${h.name}`);
    assert.equal(existsSync(join(cloud.oned.location, 'var', 'datastores', String(cloud.systemDs), String(id))), false, 'no disk left');
  });

  test('disk snapshot reverted while POWEROFF, disk-resize seen in the guest, disk-saveas booted by a new VM; nothing left after terminate', LONG, async () => {
    const [id] = await cloud.instantiate();
    const ip = nicIp(await cloud.waitState(id!, S.ACTIVE));
    const vm = String(id);
    await guestOk(ip, 'echo one > /state && sync', 300_000);
    const powerOff = async () => {
      await cliOk(cloud.oned, 'onevm', ['poweroff', vm]);
      await cloud.waitState(id!, S.POWEROFF);
    };
    const resume = async () => {
      await cliOk(cloud.oned, 'onevm', ['resume', vm]);
      await cloud.waitState(id!, S.ACTIVE);
    };

    await powerOff();
    await cliOk(cloud.oned, 'onevm', ['disk-snapshot-create', vm, '0', 'first']);
    const snapped = await cloud.waitState(id!, S.POWEROFF);
    const snaps = child(snapped, 'SNAPSHOTS');
    assert.ok(snaps, `the disk has its SNAPSHOTS: ${cloud.vmLog(id!)}`);
    assert.equal(childText(child(snaps, 'SNAPSHOT')!, 'NAME'), 'first');
    const snapId = childText(child(snaps, 'SNAPSHOT')!, 'ID');

    await resume();
    assert.equal(await guestOk(ip, 'cat /state', 300_000), 'one');
    await guestOk(ip, 'echo two > /state && sync && cat /state');
    await powerOff();
    await cliOk(cloud.oned, 'onevm', ['disk-snapshot-revert', vm, '0', snapId]);
    await cloud.waitState(id!, S.POWEROFF);
    await resume();
    assert.equal(await guestOk(ip, 'cat /state', 300_000), 'one', 'the disk is back to the snapshot');

    // Grown while RUNNING: the guest's block device is bigger (512-byte sectors).
    const sizeMb = childInt(diskOf(await cloud.vm(id!)), 'SIZE');
    const sectorsBefore = Number(await guestOk(ip, 'cat /sys/block/vda/size'));
    assert.equal(sectorsBefore, sizeMb * 2048);
    await cliOk(cloud.oned, 'onevm', ['disk-resize', vm, '0', `${sizeMb + 64}M`]);
    const grown = await cloud.waitState(id!, S.ACTIVE);
    assert.equal(childInt(diskOf(grown), 'SIZE'), sizeMb + 64);
    await cloud.until('the guest seeing the bigger disk', 60_000, async () => Number(await guestOk(ip, 'cat /sys/block/vda/size')) === (sizeMb + 64) * 2048);

    // Saved while RUNNING into a new image; a new VM boots from it with the saved content.
    await guestOk(ip, 'echo saved > /state && sync');
    const out = await cliOk(cloud.oned, 'onevm', ['disk-saveas', vm, '0', 'day2-saved']);
    const imageId = Number(/Image ID: (\d+)/.exec(out)?.[1]);
    await cloud.waitState(id!, S.ACTIVE);
    await cloud.until('the saved image READY', 180_000, async () => childInt(parseXmlTree(String(await cloud.oned.ok('one.image.info', [imageId]))), 'STATE') === 1);
    await cliOk(cloud.oned, 'onevm', ['terminate', vm]);
    await cloud.waitState(id!, S.DONE);

    const copy = Number(await cloud.oned.ok('one.vm.allocate', [cloud.templateWithDisk(`DISK = [ IMAGE_ID = ${imageId}, DEV_PREFIX = "vd", DRIVER = "qcow2" ]`)]));
    const copyIp = nicIp(await cloud.waitState(copy, S.ACTIVE));
    assert.equal(await guestOk(copyIp, 'cat /state', 300_000), 'saved', 'the new VM boots the saved disk');
    assert.equal(Number(await guestOk(copyIp, 'cat /sys/block/vda/size')), (sizeMb + 64) * 2048, 'with its grown size');
    await cliOk(cloud.oned, 'onevm', ['terminate', String(copy)]);
    await cloud.waitState(copy, S.DONE);
    for (const h of cloud.hosts) for (const v of [id!, copy]) assert.deepEqual(cloud.leftovers(h, v), [], `nothing of VM ${v} left on ${h.name}`);
  });

  test('a full backup and an incremental one to a backup server over ssh, restored into a new VM that boots with the later content', LONG, async () => {
    backupServer = TestHost.make(SPACE, 'day2bk', 3, { privateDirs: [STORE] });
    backupServer.run('sh', '-c', `rm -rf ${STORE}/*`);
    const bkDs = Number(await cloud.oned.ok('one.datastore.allocate', [`NAME = "day2-backups"\nTYPE = "BACKUP_DS"\nDS_MAD = "rsync"\nRSYNC_HOST = "day2bk"\nRSYNC_USER = "root"\nRSYNC_DIR = "${STORE}"`, -1]));
    const imageDs = childInt(parseXmlTree(String(await cloud.oned.ok('one.datastorepool.info', []))).children.find((d) => childText(d, 'NAME') === 'qcow2-images')!, 'ID');
    const id = await cloud.instantiateWith('BACKUP_CONFIG = [ MODE = "INCREMENT" ]');
    const ip = nicIp(await cloud.waitState(id, S.ACTIVE));
    const vm = String(id);
    const backUp = async (what: string) => {
      await guestOk(ip, `echo ${what} > /state && sync`, 300_000);
      await cliOk(cloud.oned, 'onevm', ['poweroff', vm]);
      await cloud.waitState(id, S.POWEROFF);
      const t = Date.now();
      await cliOk(cloud.oned, 'onevm', ['backup', vm, '-d', String(bkDs)]);
      const v = await cloud.waitState(id, S.POWEROFF);
      timings.push(`${what} backup ${((Date.now() - t) / 1000).toFixed(1)} s`);
      assert.equal(childText(child(v, 'USER_TEMPLATE')!, 'ERROR'), '', `no error: ${cloud.vmLog(id)}`);
      return v;
    };
    await backUp('full');
    await cliOk(cloud.oned, 'onevm', ['resume', vm]);
    await cloud.waitState(id, S.ACTIVE);
    const v = await backUp('incremental');
    const ids = child(child(v, 'BACKUPS')!, 'BACKUP_IDS')!.children.map((c) => Number(c.text));
    assert.equal(ids.length, 1, 'one backup image holds the chain');
    const image = parseXmlTree(String(await cloud.oned.ok('one.image.info', [ids[0]!])));
    const increments = child(image, 'BACKUP_INCREMENTS')?.children.filter((c) => c.name === 'INCREMENT') ?? [];
    assert.equal(increments.length, 2, 'a full backup and an increment');
    assert.ok(backupServer.run('sh', '-c', `find ${STORE} -type f | grep -q .`).code === 0, 'the backups are on the backup server');

    const answer = String(await cloud.oned.ok('one.image.restore', [ids[0]!, imageDs, 'NAME = "day2-restored"\nNO_IP = "YES"']));
    const [templateId, ...images] = answer.trim().split(/\s+/).map(Number);
    for (const i of images) await cloud.until(`restored image ${i} READY`, 180_000, async () => childInt(parseXmlTree(String(await cloud.oned.ok('one.image.info', [i]))), 'STATE') === 1);
    await cliOk(cloud.oned, 'onevm', ['terminate', vm]);
    await cloud.waitState(id, S.DONE);
    const restored = Number(await cloud.oned.ok('one.template.instantiate', [templateId!, 'day2-restored-vm', false, `SCHED_DS_REQUIREMENTS = "ID = ${cloud.systemDs}"`, false]));
    const restoredIp = nicIp(await cloud.waitState(restored, S.ACTIVE));
    assert.equal(await guestOk(restoredIp, 'cat /state', 300_000), 'incremental', 'the restored VM has the later backup\'s content');
    await cliOk(cloud.oned, 'onevm', ['terminate', String(restored)]);
    await cloud.waitState(restored, S.DONE);
    for (const h of cloud.hosts) for (const x of [id, restored]) assert.deepEqual(cloud.leftovers(h, x), [], `nothing of VM ${x} left on ${h.name}`);
  });
});
