/**
 * Disk snapshot scripts of remotes/tm run by `one_tm` on real files: qcow2 internal snapshots
 * (`snap_create`, `snap_revert`, `snap_delete`) on a cloned overlay and on a persistent image,
 * checked with qemu-io; bad ids, raw disks and running VMs refused with clear messages; the
 * shared and ssh drivers refusing raw disks. The host is `localhost` (no ssh).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { binDriver, tempDir } from '../testing.js';

const HAS_QEMU = spawnSync('qemu-img', ['--version']).status === 0 && spawnSync('qemu-io', ['--version']).status === 0;

/** Whether qemu-io can run `command` on the qcow2 file (`read -P 0x11 0 64k` fails on other bytes). */
function io(file: string, command: string): boolean {
  const r = spawnSync('qemu-io', ['-f', 'qcow2', '-c', command, file], { encoding: 'utf8' });
  return r.status === 0 && !/failed/i.test(r.stdout + r.stderr);
}

/** The snapshot tags qemu-img lists in the file. */
function tags(file: string): string[] {
  return execFileSync('qemu-img', ['snapshot', '-l', file], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[1] ?? '')
    .filter((t) => t.startsWith('snap-'));
}

async function withTm(body: (run: (line: string) => Promise<{ ok: boolean; info: string }>, dir: string) => Promise<void>): Promise<void> {
  const dir = tempDir('tm-snap');
  const driver = binDriver('one_tm', ['-d', 'shared,ssh,qcow2']);
  await driver.start();
  let n = 0;
  try {
    await body(async (line) => {
      const file = join(dir, `transfer.${n++}.disk_snapshot`);
      writeFileSync(file, `${line}\n`);
      const r = await driver.request('TRANSFER', 7, [file]);
      return { ok: r.ok, info: r.info };
    }, dir);
  } finally {
    await driver.stop();
  }
}

test('qcow2: snap_create / snap_revert / snap_delete keep, bring back and drop the disk content', { skip: HAS_QEMU ? false : 'needs qemu-img and qemu-io' }, async () => {
  await withTm(async (run, dir) => {
    const vmDir = join(dir, 'datastores/0/7');
    mkdirSync(vmDir, { recursive: true });
    const base = join(dir, 'base');
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', base, '4M']);
    assert.ok(io(base, 'write -P 0x11 0 64k'));
    // A cloned disk: an overlay on the image, as the qcow2 CLONE makes it.
    const disk = join(vmDir, 'disk.0');
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', '-b', base, '-F', 'qcow2', disk]);
    const at = `localhost:${disk}`;

    assert.deepEqual(await run(`SNAP_CREATE qcow2 ${at} 0 7 1`), { ok: true, info: '' });
    assert.ok(io(disk, 'write -P 0x22 0 64k'));
    assert.deepEqual(await run(`SNAP_CREATE qcow2 ${at} 1 7 1`), { ok: true, info: '' });
    assert.ok(io(disk, 'write -P 0x33 0 64k'));
    assert.deepEqual(tags(disk), ['snap-0', 'snap-1']);

    assert.deepEqual(await run(`SNAP_REVERT qcow2 ${at} 0 7 1`), { ok: true, info: '' });
    assert.ok(io(disk, 'read -P 0x11 0 64k'), 'the content of snapshot 0 is back');
    assert.deepEqual(await run(`SNAP_REVERT qcow2 ${at} 1 7 1`), { ok: true, info: '' });
    assert.ok(io(disk, 'read -P 0x22 0 64k'), 'the content of snapshot 1 is back');
    assert.ok(io(base, 'read -P 0x11 0 64k'), 'the image under the overlay is untouched');

    assert.deepEqual(await run(`SNAP_DELETE qcow2 ${at} 0 7 1`), { ok: true, info: '' });
    assert.deepEqual(tags(disk), ['snap-1']);
    assert.ok(io(disk, 'read -P 0x22 0 64k'), 'deleting a snapshot keeps the disk as it is');

    // Bad input: clear messages, the disk unchanged.
    let r = await run(`SNAP_REVERT qcow2 ${at} 0 7 1`);
    assert.equal(r.ok, false);
    assert.match(r.info, /disk disk.0 has no snapshot 0/);
    r = await run(`SNAP_DELETE qcow2 ${at} 9 7 1`);
    assert.match(r.info, /disk disk.0 has no snapshot 9/);
    r = await run(`SNAP_CREATE qcow2 ${at} 1 7 1`);
    assert.match(r.info, /disk disk.0 already has a snapshot 1/);
    r = await run(`SNAP_CREATE qcow2 ${at} 1;rm 7 1`);
    assert.equal(r.ok, false);
    assert.match(r.info, /Invalid snapshot id '1;rm': a number is expected/);
    r = await run(`SNAP_CREATE qcow2 localhost:relative/disk.0 2 7 1`);
    assert.match(r.info, /Refusing to operate on path 'relative\/disk.0'/);
    r = await run(`SNAP_CREATE_LIVE qcow2 ${at} 2 7 1`);
    assert.match(r.info, /cannot take a disk snapshot of a running VM: power it off/);
    assert.deepEqual(tags(disk), ['snap-1']);
    assert.ok(io(disk, 'read -P 0x22 0 64k'));

    // A raw disk (a persistent raw image linked in): refused, named.
    const raw = join(vmDir, 'disk.1');
    execFileSync('qemu-img', ['create', '-q', '-f', 'raw', raw, '1M']);
    r = await run(`SNAP_CREATE qcow2 localhost:${raw} 0 7 1`);
    assert.equal(r.ok, false);
    assert.match(r.info, /disk disk.1 is a raw disk: the qcow2 driver takes snapshots of qcow2 disks only/);
  });
});

test('shared and ssh: disk snapshots refused as not supported for raw disks', async () => {
  await withTm(async (run, dir) => {
    for (const drv of ['shared', 'ssh']) {
      for (const cmd of ['SNAP_CREATE', 'SNAP_CREATE_LIVE', 'SNAP_REVERT', 'SNAP_DELETE']) {
        const r = await run(`${cmd} ${drv} localhost:${dir}/disk.0 0 7 1`);
        assert.equal(r.ok, false, `${drv} ${cmd}`);
        assert.match(r.info, /Disk snapshots are not supported for raw disks by the shared and ssh transfer drivers/);
      }
    }
  });
});
