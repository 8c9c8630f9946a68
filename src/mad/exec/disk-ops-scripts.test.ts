/**
 * The scripts of disk-resize and disk-saveas on real files: `remotes/tm/{qcow2,shared,ssh}/resize`
 * run by one_tm (the stand-in ssh runs the host side) grow qcow2 overlays and raw files (qemu-img
 * reads the new virtual size), refuse to shrink or a size that is no number, and leave a disk a
 * running QEMU holds to the hypervisor; `remotes/vmm/kvm/resize_disk` calls `virsh blockresize`
 * on the TARGET of the DISK named by its id; `qcow2/cpds` copies a disk whose file is in use.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../oned/location.js';
import { binDriver, FAKE_SSH, tempDir, writeScript } from '../testing.js';

const HAS_QEMU = spawnSync('qemu-img', ['--version']).status === 0 && spawnSync('qemu-io', ['--version']).status === 0;

function virtualSize(file: string): number {
  return (JSON.parse(execFileSync('qemu-img', ['info', '-U', '--output=json', file], { encoding: 'utf8' })) as { 'virtual-size': number })['virtual-size'];
}

async function tm() {
  const bin = tempDir('tm-resize-bin');
  writeScript(join(bin, 'ssh'), FAKE_SSH);
  const dir = tempDir('tm-resize');
  const driver = binDriver('one_tm', ['-d', 'shared,ssh,qcow2'], { env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, SSH_LOG: join(dir, 'ssh.log') } });
  await driver.start();
  let n = 0;
  const run = async (line: string) => {
    const file = join(dir, `transfer.${n++}`);
    writeFileSync(file, `${line}\n`);
    const r = await driver.request('TRANSFER', 7, [file]);
    return { ok: r.ok, info: r.info };
  };
  return { driver, dir, run };
}

const MB = 1024 * 1024;

test('tm resize: qcow2 overlays and raw files grow to SIZE MB on the host; shrink and bad sizes fail, nothing changed', { skip: HAS_QEMU ? false : 'needs qemu-img and qemu-io' }, async () => {
  const { driver, dir, run } = await tm();
  try {
    const vmDir = join(dir, 'datastores/0/7');
    mkdirSync(vmDir, { recursive: true });
    const base = join(dir, 'base.raw');
    execFileSync('qemu-img', ['create', '-q', '-f', 'raw', base, '4M']);
    const overlay = join(vmDir, 'disk.0');
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', '-b', base, '-F', 'raw', overlay]);
    execFileSync('qemu-io', ['-f', 'qcow2', '-c', 'write -P 0x5a 0 64k', overlay]);
    const raw = join(vmDir, 'disk.1');
    execFileSync('qemu-img', ['create', '-q', '-f', 'raw', raw, '2M']);

    assert.deepEqual(await run(`RESIZE qcow2 node1:${overlay} 12 7 0`), { ok: true, info: '' });
    assert.equal(virtualSize(overlay), 12 * MB);
    assert.equal(spawnSync('qemu-io', ['-f', 'qcow2', '-c', 'read -P 0x5a 0 64k', overlay]).status, 0, 'the data stays');
    for (const drv of ['shared', 'ssh']) {
      const size = drv === 'shared' ? 5 : 9;
      assert.deepEqual(await run(`RESIZE ${drv} node1:${raw} ${size} 7 0`), { ok: true, info: '' });
      assert.equal(virtualSize(raw), size * MB, `${drv}: raw grown`);
    }

    const shrink = await run(`RESIZE qcow2 node1:${overlay} 4 7 0`);
    assert.equal(shrink.ok, false);
    assert.match(shrink.info, /shrink/i);
    const bad = await run(`RESIZE shared node1:${raw} 10;reboot 7 0`);
    assert.equal(bad.ok, false);
    assert.match(bad.info, /RESIZE: size '10;reboot' is not a number of MB/);
    assert.equal(virtualSize(overlay), 12 * MB);
    assert.equal(virtualSize(raw), 9 * MB);
    const missing = await run(`RESIZE qcow2 node1:${vmDir}/disk.9 20 7 0`);
    assert.equal(missing.ok, false);
  } finally {
    await driver.stop();
  }
});

test('tm resize leaves a disk a running QEMU holds alone; qcow2 cpds still copies it', { skip: HAS_QEMU ? false : 'needs qemu-img and qemu-io' }, async () => {
  const { driver, dir, run } = await tm();
  const disk = join(dir, 'disk.0');
  execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', disk, '4M']);
  execFileSync('qemu-io', ['-f', 'qcow2', '-c', 'write -P 0x77 0 64k', disk]);
  // qemu-io holding the image open (and its write lock) stands for the VM's QEMU.
  const holder = spawn('qemu-io', ['-f', 'qcow2', disk], { stdio: ['pipe', 'ignore', 'ignore'] });
  try {
    const until = Date.now() + 5000;
    while (spawnSync('qemu-img', ['info', disk]).status === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(await run(`RESIZE qcow2 node1:${disk} 16 7 0`), { ok: true, info: '' });
    assert.equal(virtualSize(disk), 4 * MB, 'left to virsh blockresize');
    const saved = join(dir, 'saved');
    assert.deepEqual(await run(`CPDS qcow2 node1:${disk} ${saved} -1 7 1`), { ok: true, info: '' });
    assert.equal(spawnSync('qemu-io', ['-f', 'qcow2', '-c', 'read -P 0x77 0 64k', saved]).status, 0);
  } finally {
    holder.stdin.end('quit\n');
    holder.kill();
    await driver.stop();
  }
});

test('kvm resize_disk: virsh blockresize of the TARGET of the DISK with that id, in MiB; bad input refused', () => {
  const bin = tempDir('virsh-resize-disk');
  const log = join(bin, 'calls');
  writeScript(join(bin, 'virsh'), `#!/bin/sh\necho "$*" >> ${log}\nexit 0\n`);
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
  const data =
    '<VMM_DRIVER_ACTION_DATA><HOST>node1</HOST><DEPLOY_ID>one-5</DEPLOY_ID><VM><ID>5</ID><TEMPLATE>' +
    '<DISK><DISK_ID><![CDATA[0]]></DISK_ID><TARGET><![CDATA[vda]]></TARGET></DISK>\n' +
    '<DISK><DISK_ID>1</DISK_ID><RESIZE>YES</RESIZE><SIZE>2048</SIZE><TARGET>vdb</TARGET></DISK>' +
    '<DISK><DISK_ID>11</DISK_ID><TARGET>vdc</TARGET></DISK>' +
    '</TEMPLATE></VM></VMM_DRIVER_ACTION_DATA>';
  const run = (args: string[]) => {
    writeFileSync(log, '');
    const r = spawnSync(join(PACKAGE_ROOT, 'remotes', 'vmm', 'kvm', 'resize_disk'), [...args, '5', 'node1'], { input: data, env, encoding: 'utf8' });
    return { code: r.status, calls: readFileSync(log, 'utf8').trim(), stderr: r.stderr };
  };
  const ok = run(['one-5', '1', '2048']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.calls, '--connect qemu:///system blockresize one-5 vdb 2048M');
  assert.equal(run(['one-5', '0', '4096']).calls, '--connect qemu:///system blockresize one-5 vda 4096M', 'CDATA read');
  assert.equal(run(['one-5', '11', '10']).calls, '--connect qemu:///system blockresize one-5 vdc 10M', 'DISK_ID 1 is not 11');
  const none = run(['one-5', '4', '100']);
  assert.notEqual(none.code, 0);
  assert.match(none.stderr, /resize_disk: no valid TARGET for DISK 4/);
  assert.match(run(['--all', '1', '100']).stderr, /resize_disk: invalid deploy id '--all'/);
  assert.match(run(['one-5', '1', '100;reboot']).stderr, /must be integers/);
  assert.equal(run(['one-5', '1', '1e3']).calls, '', 'virsh is not called for bad input');
});
