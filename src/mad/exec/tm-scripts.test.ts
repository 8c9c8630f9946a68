/**
 * The `shared` and `ssh` transfer drivers of remotes/tm, run by `one_tm` as oned runs them, with
 * the stand-in ssh (FAKE_SSH): real files are copied, linked, moved, made and deleted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
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
  const driver = binDriver('one_tm', ['-d', 'dummy,shared,ssh'], { env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, SSH_LOG: sshLog } });
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
