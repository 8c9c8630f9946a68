/**
 * The transfer drivers qcow2, shared and ssh run by the real `one_tm` over real ssh on a
 * namespace host, vnm2: it sees the front-end's /tmp (shared storage, for qcow2 and shared) and
 * has a local disk of its own (ONETEST_PRIVATE_DIRS) for the ssh driver. Disks are checked with
 * qemu-img/qemu-io inside the host, the context CD-ROM with isoinfo.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Driver } from '../../src/mad/driver.js';
import { binDriver } from '../../src/mad/testing.js';
import { realSkip, TestHost, whyNotReal, type HostSpace } from './real-host-fixture.js';

const SPACE: HostSpace = { dir: '/tmp/onetest-vnm', net: '10.73.0', bridge: 'onetbr73' };
const LOCAL_DISK = '/var/tmp/onetest-vnm-local';
const skip = whyNotReal('qemu-img', 'qemu-io', 'isoinfo', 'genisoimage');

describe('transfer drivers on namespace hosts', { skip: realSkip(skip) }, () => {
  let host: TestHost;
  let driver: Driver;
  const ds = join(SPACE.dir, 'tm-test/ds');
  let n = 0;

  before(async () => {
    host = TestHost.make(SPACE, 'vnm2', 2, { privateDirs: [LOCAL_DISK] });
    rmSync(join(SPACE.dir, 'tm-test'), { recursive: true, force: true });
    mkdirSync(join(ds, '1'), { recursive: true });
    driver = binDriver('one_tm', ['-d', 'shared,ssh,qcow2'], { env: { ...process.env, PATH: `${host.binDir}:${process.env['PATH']}` } });
    await driver.start();
  });
  after(async () => {
    await driver?.stop();
    host?.remove();
    for (const d of [join(SPACE.dir, 'tm-test'), LOCAL_DISK]) rmSync(d, { recursive: true, force: true });
  });

  async function transfer(...lines: string[]): Promise<{ ok: boolean; info: string }> {
    const file = join(SPACE.dir, 'tm-test', `transfer.${n++}`);
    writeFileSync(file, lines.join('\n') + '\n');
    const r = await driver.request('TRANSFER', 7, [file]);
    return { ok: r.ok, info: r.info };
  }

  /** An image of the front-end's datastore 1, its first 64 KiB filled with `pattern`. */
  function image(name: string, format: string, pattern: string): string {
    const path = join(ds, '1', name);
    execFileSync('qemu-img', ['create', '-q', '-f', format, path, '4M']);
    execFileSync('qemu-io', ['-f', format, '-c', `write -P ${pattern} 0 64k`, path]);
    return path;
  }

  /** Whether the first 64 KiB of `file`, read inside `host`, are `pattern`. */
  const holds = (host: TestHost, file: string, format: string, pattern: string) => {
    const r = host.run('qemu-io', '-f', format, '-c', `read -P ${pattern} 0 64k`, file);
    return r.code === 0 && !/failed/i.test(r.stdout + r.stderr);
  };

  test('qcow2: the clone on the host is an overlay of the image; CONTEXT puts context.sh and FILES on a CONTEXT CD-ROM; delete', async () => {
    const img = image('base', 'raw', '0x11');
    const vmDir = join(ds, '0/7');
    const ctx = join(SPACE.dir, 'tm-test/context.sh');
    writeFileSync(ctx, "ETH0_IP='10.73.0.50'\nSET_HOSTNAME='web'\nSSH_PUBLIC_KEY='ssh-ed25519 AAAA test'\n");
    const extra = join(SPACE.dir, 'tm-test/init.sh');
    writeFileSync(extra, 'echo started\n');
    assert.deepEqual(await transfer(`CLONE qcow2 fe:${img} vnm2:${vmDir}/disk.0 7 1`, `CONTEXT qcow2 ${ctx} ${extra} vnm2:${vmDir}/disk.1 7 0`), { ok: true, info: '' });
    const info = JSON.parse(host.out('qemu-img', 'info', '-U', '--output=json', `${vmDir}/disk.0`)) as Record<string, string>;
    assert.deepEqual([info['format'], info['backing-filename'], info['backing-filename-format']], ['qcow2', img, 'raw']);
    assert.ok(holds(host, `${vmDir}/disk.0`, 'qcow2', '0x11'), 'the overlay reads the image');
    host.out('qemu-io', '-f', 'qcow2', '-c', 'write -P 0x99 0 64k', `${vmDir}/disk.0`);
    assert.ok(holds(host, img, 'raw', '0x11'), 'the image is never written');

    const iso = `${vmDir}/disk.1`;
    assert.match(execFileSync('isoinfo', ['-d', '-i', iso], { encoding: 'utf8' }), /^Volume id: CONTEXT$/m);
    assert.equal(execFileSync('isoinfo', ['-R', '-i', iso, '-x', '/context.sh'], { encoding: 'utf8' }), "ETH0_IP='10.73.0.50'\nSET_HOSTNAME='web'\nSSH_PUBLIC_KEY='ssh-ed25519 AAAA test'\n");
    assert.equal(execFileSync('isoinfo', ['-R', '-i', iso, '-x', '/init.sh'], { encoding: 'utf8' }), 'echo started\n');

    assert.deepEqual(await transfer(`DELETE qcow2 vnm2:${vmDir} 7 0`), { ok: true, info: '' });
    assert.equal(host.run('test', '-e', vmDir).code, 1);
    assert.ok(existsSync(img));
  });

  test('ssh: a persistent image is copied to the host\'s own disk and saved back by MVDS; shared: linked and the link dropped', async () => {
    const pers = image('pers', 'qcow2', '0x22');
    const vmDir = join(LOCAL_DISK, '0/8');
    assert.deepEqual(await transfer(`LN ssh fe:${pers} vnm2:${vmDir}/disk.0 8 1`), { ok: true, info: '' });
    assert.equal(existsSync(join(vmDir, 'disk.0')), false, "the copy is on the host's own disk, not the front-end's");
    assert.ok(holds(host, `${vmDir}/disk.0`, 'qcow2', '0x22'));
    host.out('qemu-io', '-f', 'qcow2', '-c', 'write -P 0x23 0 64k', `${vmDir}/disk.0`);
    assert.ok(!holds(host, pers, 'qcow2', '0x23'), 'the front-end image is untouched while the VM runs');
    assert.deepEqual(await transfer(`MVDS ssh vnm2:${vmDir}/disk.0 ${pers} 8 1`, `DELETE ssh vnm2:${vmDir} 8 0`), { ok: true, info: '' });
    assert.ok(holds(host, pers, 'qcow2', '0x23'), 'saved back into the front-end image');
    assert.equal(host.run('test', '-e', vmDir).code, 1);

    const linked = join(ds, '0/9');
    assert.deepEqual(await transfer(`LN shared fe:${pers} vnm2:${linked}/disk.0 9 1`), { ok: true, info: '' });
    host.out('qemu-io', '-f', 'qcow2', '-c', 'write -P 0x24 0 64k', `${linked}/disk.0`);
    assert.deepEqual(await transfer(`MVDS shared vnm2:${linked}/disk.0 ${pers} 9 1`, `DELETE shared vnm2:${linked} 9 0`), { ok: true, info: '' });
    assert.ok(holds(host, pers, 'qcow2', '0x24'), 'the VM wrote the image itself');
    assert.equal(existsSync(linked), false);
  });

  test('a missing image fails CLONE with the host and qemu-img\'s reason', async () => {
    const r = await transfer(`CLONE qcow2 fe:${join(ds, '1/nope')} vnm2:${join(ds, '0/10')}/disk.0 10 1`);
    assert.equal(r.ok, false);
    assert.match(r.info, /^vnm2: qemu-img: Could not open '.*\/nope'/);
  });
});
