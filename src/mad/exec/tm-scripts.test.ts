/**
 * The `shared`, `ssh` and `qcow2` transfer drivers of remotes/tm, run by `one_tm` as oned runs them, with
 * the stand-in ssh (FAKE_SSH): real files are copied, linked, moved, made and deleted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { binDriver, FAKE_SSH, tempDir, writeScript } from '../testing.js';
import type { Driver } from '../driver.js';

/** A started one_tm over the real remotes with the stand-in ssh, and a scratch directory. */
async function tm(): Promise<{ driver: Driver; dir: string; sshLog: string; run: (...lines: string[]) => Promise<{ ok: boolean; info: string }> }> {
  const bin = tempDir('tm-ssh-bin');
  writeScript(join(bin, 'ssh'), FAKE_SSH);
  const dir = tempDir('tm-files');
  const sshLog = join(dir, 'ssh.log');
  const driver = binDriver('one_tm', ['-d', 'dummy,shared,ssh,qcow2'], { env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, SSH_LOG: sshLog } });
  await driver.start();
  let n = 0;
  const run = async (...lines: string[]) => {
    const file = join(dir, `transfer.${n++}`);
    writeFileSync(file, lines.join('\n') + '\n');
    const r = await driver.request('TRANSFER', 7, [file]);
    return { ok: r.ok, info: r.info };
  };
  return { driver, dir, sshLog, run };
}

const HAS_ISO_TOOL = ['genisoimage', 'mkisofs', 'xorriso'].some((t) => ['/usr/bin', '/usr/local/bin'].some((d) => existsSync(join(d, t))));

for (const driverName of ['shared', 'ssh']) {
  test(`${driverName}: clone, ln, mkimage, mkswap, context, mvds and delete make and remove real files on the host`, async () => {
    const { driver, dir, sshLog, run } = await tm();
    try {
      mkdirSync(join(dir, 'datastores/1'), { recursive: true });
      const vmDir = join(dir, 'datastores/0/7');
      const ctx = join(dir, 'context.sh');
      writeFileSync(ctx, "HOSTNAME='web-7'\nETH0_IP='10.0.0.7'\n");
      const extra = join(dir, 'init.sh');
      writeFileSync(extra, 'echo hi\n');
      writeFileSync(join(dir, 'datastores/1/img'), 'disk bytes');
      const r = await run(
        `CLONE ${driverName} fe:${join(dir, 'datastores/1/img')} node1:${vmDir}/disk.0 7 1`,
        `LN ${driverName} fe:${join(dir, 'datastores/1/img')} node1:${vmDir}/disk.1 7 1`,
        `MKIMAGE ${driverName} 2 raw node1:${vmDir}/disk.2 7 0`,
        `MKSWAP ${driverName} 1 node1:${vmDir}/disk.3 7 0`,
        ...(HAS_ISO_TOOL ? [`CONTEXT ${driverName} ${ctx} ${extra} node1:${vmDir}/disk.4 7 0`] : []),
      );
      assert.deepEqual(r, { ok: true, info: '' });
      assert.equal(readFileSync(join(vmDir, 'disk.0'), 'utf8'), 'disk bytes');
      if (driverName === 'shared') assert.equal(readlinkSync(join(vmDir, 'disk.1')), join(dir, 'datastores/1/img'));
      else assert.ok(lstatSync(join(vmDir, 'disk.1')).isFile(), 'ssh copies persistent images too');
      assert.equal(statSync(join(vmDir, 'disk.2')).size, 2 * 1024 * 1024);
      assert.match(readFileSync(join(vmDir, 'disk.3')).subarray(4086, 4096).toString('latin1'), /SWAPSPACE2/);
      if (HAS_ISO_TOOL) {
        const iso = readFileSync(join(vmDir, 'disk.4'));
        assert.equal(iso.subarray(0x8001, 0x8006).toString('latin1'), 'CD001', 'an ISO 9660 image');
        assert.equal(iso.subarray(0x8028, 0x8028 + 7).toString('latin1'), 'CONTEXT', 'labelled CONTEXT');
        assert.ok(iso.includes("ETH0_IP='10.0.0.7'"), 'holds context.sh');
        assert.ok(iso.includes('echo hi'), 'holds the FILES');
      }
      assert.ok(readFileSync(sshLog, 'utf8').split('\n').every((l) => l === '' || l.startsWith('-o BatchMode=yes node1 ')));

      // A persistent disk goes back to its image.
      writeFileSync(join(dir, 'datastores/1/pers'), 'old');
      assert.deepEqual(await run(`LN ${driverName} fe:${join(dir, 'datastores/1/pers')} node1:${vmDir}/disk.5 7 1`), { ok: true, info: '' });
      if (driverName === 'ssh') writeFileSync(join(vmDir, 'disk.5'), 'written by the VM');
      else writeFileSync(join(dir, 'datastores/1/pers'), 'written by the VM');
      assert.deepEqual(await run(`MVDS ${driverName} node1:${vmDir}/disk.5 ${join(dir, 'datastores/1/pers')} 7 1`), { ok: true, info: '' });
      assert.equal(readFileSync(join(dir, 'datastores/1/pers'), 'utf8'), 'written by the VM');

      assert.deepEqual(await run(`DELETE ${driverName} node1:${vmDir} 7 0`), { ok: true, info: '' });
      assert.equal(existsSync(vmDir), false);
      assert.equal(readFileSync(join(dir, 'datastores/1/img'), 'utf8'), 'disk bytes', 'the image itself is untouched');
    } finally {
      await driver.stop();
    }
  });

  test(`${driverName}: a failing step fails the transfer with its reason; dangerous paths are refused`, async () => {
    const { driver, dir, run } = await tm();
    try {
      const missing = await run(`CLONE ${driverName} fe:${join(dir, 'nope')} node1:${dir}/0/7/disk.0 7 1`);
      assert.equal(missing.ok, false);
      assert.match(missing.info, /nope/);
      const root = await run(`DELETE ${driverName} node1:/ 7 0`);
      assert.deepEqual(root, { ok: false, info: "Refusing to operate on path '/'" });
      const relative = await run(`DELETE ${driverName} node1:datastores 7 0`);
      assert.equal(relative.ok, false);
      assert.deepEqual(await run(`DELETE ${driverName} node1:${dir}/0/7/../../.. 7 0`), { ok: false, info: `Refusing to operate on path '${dir}/0/7/../../..'` });
      assert.ok(existsSync(dir));
    } finally {
      await driver.stop();
    }
  });
}

test('ssh: mv moves a VM directory between hosts; premigrate copies it for a live migration, postmigrate drops the source', async () => {
  const { driver, dir, run } = await tm();
  try {
    const a = join(dir, 'hostA/0/7');
    const b = join(dir, 'hostB/0/7');
    mkdirSync(a, { recursive: true });
    writeFileSync(join(a, 'disk.0'), 'zero');
    assert.deepEqual(await run(`MV ssh node1:${a} node2:${b} 7 0`), { ok: true, info: '' });
    assert.equal(readFileSync(join(b, 'disk.0'), 'utf8'), 'zero');
    assert.equal(existsSync(a), false);
    // Live migration (the VMM runner calls these with hosts and the VM directory): both "hosts"
    // share this file system here, so premigrate copies the directory onto itself, and
    // failmigrate then removes it from the destination.
    assert.deepEqual(await run(`PREMIGRATE ssh node2 node1 ${b} 7 0`), { ok: true, info: '' });
    assert.equal(readFileSync(join(b, 'disk.0'), 'utf8'), 'zero');
    assert.deepEqual(await run(`FAILMIGRATE ssh node2 node1 ${b} 7 0`), { ok: true, info: '' });
    assert.equal(existsSync(b), false);
  } finally {
    await driver.stop();
  }
});

/** qemu-io run on an image: `write -P 0x22 0 64k`, `read -P 0x22 0 64k` (fails on other bytes). */
function qemuIo(file: string, format: string, command: string): boolean {
  const r = spawnSync('qemu-io', ['-f', format, '-c', command, file], { encoding: 'utf8' });
  return r.status === 0 && !/failed/i.test(r.stdout + r.stderr);
}

function imageInfo(file: string): { format: string; backing?: string; backingFormat?: string } {
  const info = JSON.parse(execFileSync('qemu-img', ['info', '-U', '--output=json', file], { encoding: 'utf8' })) as Record<string, string>;
  return { format: info['format']!, backing: info['backing-filename'], backingFormat: info['backing-filename-format'] };
}

const HAS_QEMU_IMG = spawnSync('qemu-img', ['--version']).status === 0 && spawnSync('qemu-io', ['--version']).status === 0;

test('qcow2: clone is a backing-file overlay, mvds saves a persistent disk back into its image, cpds flattens', { skip: HAS_QEMU_IMG ? false : 'needs qemu-img and qemu-io' }, async () => {
  const { driver, dir, run } = await tm();
  try {
    const ds = join(dir, 'datastores/1');
    const vmDir = join(dir, 'datastores/0/7');
    mkdirSync(ds, { recursive: true });
    const img = join(ds, 'base');
    execFileSync('qemu-img', ['create', '-q', '-f', 'raw', img, '4M']);
    assert.ok(qemuIo(img, 'raw', 'write -P 0x11 0 64k'));

    assert.deepEqual(await run(`CLONE qcow2 fe:${img} node1:${vmDir}/disk.0 7 1`), { ok: true, info: '' });
    assert.deepEqual(imageInfo(join(vmDir, 'disk.0')), { format: 'qcow2', backing: img, backingFormat: 'raw' });
    assert.ok(qemuIo(join(vmDir, 'disk.0'), 'qcow2', 'read -P 0x11 0 64k'), 'the clone reads the image');
    assert.ok(qemuIo(join(vmDir, 'disk.0'), 'qcow2', 'write -P 0x33 0 64k'));
    assert.ok(qemuIo(img, 'raw', 'read -P 0x11 0 64k'), 'writes to the clone never reach the image');

    // Persistent, linked: the VM writes the image itself; mvds only drops the link.
    const pers = join(ds, 'pers');
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', pers, '4M']);
    assert.deepEqual(await run(`LN qcow2 fe:${pers} node1:${vmDir}/disk.1 7 1`), { ok: true, info: '' });
    assert.equal(readlinkSync(join(vmDir, 'disk.1')), pers);
    assert.ok(qemuIo(join(vmDir, 'disk.1'), 'qcow2', 'write -P 0x22 0 64k'));
    assert.deepEqual(await run(`MVDS qcow2 node1:${vmDir}/disk.1 ${pers} 7 1`), { ok: true, info: '' });
    assert.equal(existsSync(join(vmDir, 'disk.1')), false);
    assert.ok(qemuIo(pers, 'qcow2', 'read -P 0x22 0 64k'));

    // Any other disk (here the overlay of the raw image) is converted back over the image.
    assert.ok(qemuIo(join(vmDir, 'disk.0'), 'qcow2', 'write -P 0x44 64k 64k'));
    assert.deepEqual(await run(`CPDS qcow2 node1:${vmDir}/disk.0 ${join(ds, 'saved')} -1 7 1`), { ok: true, info: '' });
    assert.deepEqual(imageInfo(join(ds, 'saved')), { format: 'qcow2', backing: undefined, backingFormat: undefined });
    assert.ok(qemuIo(join(ds, 'saved'), 'qcow2', 'read -P 0x44 64k 64k'));
    assert.deepEqual(await run(`MVDS qcow2 node1:${vmDir}/disk.0 ${img} 7 1`), { ok: true, info: '' });
    assert.equal(imageInfo(img).format, 'raw', 'the image keeps its format');
    assert.ok(qemuIo(img, 'raw', 'read -P 0x33 0 64k') && qemuIo(img, 'raw', 'read -P 0x44 64k 64k'), 'the VM\'s writes are in the image');

    assert.deepEqual(await run(`MKIMAGE qcow2 8 qcow2 node1:${vmDir}/disk.2 7 0`), { ok: true, info: '' });
    assert.equal(imageInfo(join(vmDir, 'disk.2')).format, 'qcow2');
    assert.deepEqual(await run(`DELETE qcow2 node1:${vmDir} 7 0`), { ok: true, info: '' });
    assert.equal(existsSync(vmDir), false);

    const missing = await run(`CLONE qcow2 fe:${join(ds, 'nope')} node1:${vmDir}/disk.0 7 1`);
    assert.equal(missing.ok, false);
    assert.match(missing.info, /^node1: qemu-img: Could not open '.*nope'/);
  } finally {
    await driver.stop();
  }
});
