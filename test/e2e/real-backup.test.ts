/**
 * Backups on namespace hosts over real ssh: the real `one_vmm_exec` runs BACKUP (PREBACKUP of
 * the ssh transfer driver on the VM's host bkh, the rsync datastore driver shipping the disks
 * from bkh to the backup server bks with rsync, POSTBACKUP), full then incremental; the real
 * `one_datastore` restores each increment into an image datastore (qemu-io reads the data
 * back), monitors the backup server and removes backups. Bad servers (unreachable, full) fail
 * with their reason and leave nothing behind. The server keeps its backups in a directory of
 * its own (private to bks: the front-end cannot see them). rsync is installed if missing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Driver } from '../../src/mad/driver.js';
import { binDriver } from '../../src/mad/testing.js';
import { realSkip, TestHost, whyNotReal, type HostSpace } from './real-host-fixture.js';

const SPACE: HostSpace = { dir: '/tmp/onetest-backup', net: '10.78.0', bridge: 'onetbr78' };
/** Where bks keeps backups (private to it), and a tiny file system there that fills up. */
const STORE = '/var/tmp/onetest-backup-store';
const FULL = '/var/tmp/onetest-backup-full';

/** rsync and restic are Debian packages: installed when this machine lacks them (CI images may not have them). */
function ensurePackages(...names: string[]): void {
  const missing = names.filter((n) => spawnSync('sh', ['-c', `command -v ${n}`]).status !== 0);
  if (missing.length === 0) return;
  execFileSync('sh', ['-c', `apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ${missing.join(' ')}`], { stdio: 'ignore' });
}

const skip = whyNotReal('qemu-img', 'qemu-io');

for (const driver of ['rsync', 'restic'] as const) describe(`backups to a ${driver} server on namespace hosts`, { skip: realSkip(skip) }, () => {
  let host: TestHost;
  let server: TestHost;
  let vmm: Driver;
  let dsd: Driver;
  const root = join(SPACE.dir, 'bk-test');
  const vmDir = join(root, 'ds/0/7');
  const imageDs = join(root, 'ds/1');

  before(async () => {
    ensurePackages('rsync', 'restic');
    host = TestHost.make(SPACE, 'bkh', 2);
    server = TestHost.make(SPACE, 'bks', 3, { privateDirs: [STORE, FULL] });
    server.run('sh', '-c', `rm -rf ${STORE}/*`);
    server.out('mount', '-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', FULL);
    rmSync(root, { recursive: true, force: true });
    mkdirSync(vmDir, { recursive: true });
    mkdirSync(imageDs, { recursive: true });
    const env = { ...process.env, PATH: `${host.binDir}:${process.env['PATH']}` };
    vmm = binDriver('one_vmm_exec', ['-t', '2', 'kvm'], { env });
    dsd = binDriver('one_datastore', ['-t', '2', '-d', driver], { env });
    await vmm.start();
    await dsd.start();
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', join(vmDir, 'disk.0'), '4M']);
    execFileSync('qemu-io', ['-f', 'qcow2', '-c', 'write -P 0x11 0 64k', join(vmDir, 'disk.0')]);
    execFileSync('qemu-img', ['create', '-q', '-f', 'raw', join(vmDir, 'disk.1'), '2M']);
    execFileSync('qemu-io', ['-f', 'raw', '-c', 'write -P 0x22 0 64k', join(vmDir, 'disk.1')]);
  });
  after(async () => {
    await vmm?.stop();
    await dsd?.stop();
    server?.run('umount', FULL);
    host?.remove();
    server?.remove();
    rmSync(root, { recursive: true, force: true });
  });

  const VM = '<VM><ID>7</ID><NAME>web</NAME><TEMPLATE><MEMORY>64</MEMORY><DISK><DISK_ID>0</DISK_ID><IMAGE_ID>3</IMAGE_ID></DISK><DISK><DISK_ID>1</DISK_ID><IMAGE_ID>4</IMAGE_ID></DISK></TEMPLATE></VM>';

  function backupDs(opts: { host?: string; dir?: string } = {}): string {
    const attrs = driver === 'rsync'
      ? `<RSYNC_HOST>${opts.host ?? 'bks'}</RSYNC_HOST><RSYNC_USER>root</RSYNC_USER><RSYNC_DIR>${opts.dir ?? STORE}</RSYNC_DIR>`
      : `<RESTIC_SFTP_SERVER>${opts.host ?? 'bks'}</RESTIC_SFTP_SERVER><RESTIC_SFTP_USER>root</RESTIC_SFTP_USER><RESTIC_DIR>${opts.dir ?? STORE}</RESTIC_DIR><RESTIC_PASSWORD>p&amp;ss w0rd</RESTIC_PASSWORD>`;
    return `<DATASTORE><ID>100</ID><NAME>${driver}</NAME><DS_MAD>${driver}</DS_MAD><TM_MAD>-</TM_MAD><BASE_PATH>/var/lib/one/datastores/100</BASE_PATH><TYPE>3</TYPE>` +
      `<TEMPLATE>${attrs}</TEMPLATE></DATASTORE>`;
  }

  /** BACKUP of VM 7's disks 0 and 1 (mode, increment), as oned sends it. */
  async function backup(mode: 'FULL' | 'INCREMENT', inc: number, ds = backupDs()): Promise<{ ok: boolean; info: string }> {
    const common = `bkh:${vmDir} 0:1 one-7 - 7 0`;
    const data =
      `<VMM_DRIVER_ACTION_DATA><HOST>bkh</HOST><MIGR_HOST></MIGR_HOST><DEPLOY_ID>one-7</DEPLOY_ID><TM_COMMAND>PREBACKUP ssh ${common} ${mode} ${inc}</TM_COMMAND>` +
      `${VM}<DATASTORE><ID>0</ID></DATASTORE><BACKUP><DISKS>0:1</DISKS><MODE>${mode}</MODE><INCREMENT_ID>${inc}</INCREMENT_ID>` +
      `<TM_POST>POSTBACKUP ssh ${common}</TM_POST><DS_MAD>${driver}</DS_MAD><DS_ID>100</DS_ID><BACKUP_JOB_ID>-</BACKUP_JOB_ID>${ds}</BACKUP></VMM_DRIVER_ACTION_DATA>`;
    const r = await vmm.request('BACKUP', 7, [Buffer.from(data).toString('base64')]);
    return { ok: r.ok, info: r.info };
  }

  function dsRequest(action: string, ...elements: string[]): Promise<{ ok: boolean; info: string }> {
    return dsd.request(action, 50, [Buffer.from(`<DS_DRIVER_ACTION_DATA>${elements.join('')}</DS_DRIVER_ACTION_DATA>`).toString('base64')]).then((r) => ({ ok: r.ok, info: r.info }));
  }

  function backupImage(increments: string[]): string {
    const incs = increments.map((s, i) => `<INCREMENT><DATE>1</DATE><ID>${i}</ID><SIZE>1</SIZE><SOURCE>${s}</SOURCE><TYPE>${i === 0 ? 'FULL' : 'INCREMENT'}</TYPE></INCREMENT>`).join('');
    return `<IMAGE><ID>50</ID><NAME>7 backup</NAME><TYPE>6</TYPE><SOURCE>${increments[0]}</SOURCE><DATASTORE>rsync</DATASTORE><VMS><ID>7</ID></VMS><TEMPLATE></TEMPLATE><BACKUP_INCREMENTS>${incs}</BACKUP_INCREMENTS><BACKUP_DISK_IDS><ID>0</ID><ID>1</ID></BACKUP_DISK_IDS></IMAGE>`;
  }

  /** RESTORE of increment `inc`: the files and disk ids it made in the image datastore. */
  async function restore(increments: string[], inc: number): Promise<{ vmXml: string; disks: Map<number, string> }> {
    const r = await dsRequest('RESTORE', backupImage(increments), `<RESTORE><INCREMENT_ID>${inc}</INCREMENT_ID><DISK_ID>-1</DISK_ID><DESTINATION_DS_ID>1</DESTINATION_DS_ID><DESTINATION_BASE_PATH>${imageDs}</DESTINATION_BASE_PATH></RESTORE>`, backupDs());
    assert.ok(r.ok, r.info);
    const [vm, ...disks] = r.info.trim().split(/\s+/);
    const out = new Map<number, string>();
    for (const d of disks) {
      const [id, file, , format] = d.split(':');
      assert.equal(format, 'qcow2');
      out.set(Number(id), file!);
    }
    return { vmXml: Buffer.from(vm!, 'base64').toString('utf8'), disks: out };
  }

  const reads = (file: string, pattern: string, offset: string) => {
    const r = spawnSync('qemu-io', ['-f', 'qcow2', '-c', `read -P ${pattern} ${offset} 64k`, file], { encoding: 'utf8' });
    return r.status === 0 && !/failed|Pattern verification/i.test(r.stdout + r.stderr);
  };

  let full = '';
  let incr = '';

  test('FULL backup: the disks are copied from the host to the server; the host keeps only the reference', async () => {
    const r = await backup('FULL', 0);
    assert.ok(r.ok, r.info);
    const [bid, size, format] = r.info.split(' ');
    assert.match(bid!, driver === 'rsync' ? /^\d+-[0-9a-f]{6}$/ : /^[0-9a-f]{8,64}$/);
    assert.ok(Number(size) >= 0);
    assert.equal(format, 'raw');
    full = bid!;
    assert.equal(existsSync(join(STORE, '7')), false, "the backups are on the server's own disk, not the front-end's");
    assert.equal(existsSync(join(vmDir, 'backup')), false);
    assert.ok(existsSync(join(vmDir, 'backup.ref/disk.0')));
    if (driver === 'restic') {
      assert.equal(server.run('test', '-f', join(STORE, '7', 'config')).code, 0, 'a restic repository for the VM');
      return;
    }
    const files = server.out('ls', join(STORE, '7', full)).trim().split('\n').sort();
    assert.deepEqual(files, ['disk.0.0', 'disk.1.0', 'vm.xml']);
    assert.match(server.out('cat', join(STORE, '7', full, 'vm.xml')), /<VM><ID>7<\/ID>/);
    assert.equal(server.run('qemu-io', '-f', 'qcow2', '-c', 'read -P 0x11 0 64k', join(STORE, '7', full, 'disk.0.0')).code, 0);
  });

  test('INCREMENT: only what changed since the last backup is shipped, its backing being the previous state', async () => {
    execFileSync('qemu-io', ['-f', 'qcow2', '-c', 'write -P 0x33 1M 64k', join(vmDir, 'disk.0')]);
    const r = await backup('INCREMENT', 1);
    assert.ok(r.ok, r.info);
    incr = r.info.split(' ')[0]!;
    if (driver === 'restic') return; // the restore below reads it back
    const file = join(STORE, '7', incr, 'disk.0.1');
    const info = JSON.parse(server.out('qemu-img', 'info', '--output=json', file)) as { 'actual-size': number; 'backing-filename'?: string };
    assert.ok(info['backing-filename'], 'an increment has a backing file');
    const fullInfo = JSON.parse(server.out('qemu-img', 'info', '--output=json', join(STORE, '7', full, 'disk.0.0'))) as { 'actual-size': number };
    const map = server.out('qemu-img', 'map', '--output=json', file);
    assert.match(map, /"start": 1048576, "length": 65536, [^}]*"data": true/, 'the changed cluster is in the increment');
    assert.doesNotMatch(map, /"start": 0, "length": 65536, [^}]*"depth": 0, [^}]*"data": true/, 'the unchanged one is not');
    assert.ok(info['actual-size'] <= fullInfo['actual-size'] + 65536);
  });

  test('RESTORE rebuilds each increment as a standalone qcow2 in the image datastore', async () => {
    const last = await restore([full, incr], 1);
    assert.match(last.vmXml, /<NAME>web<\/NAME>/);
    assert.deepEqual([...last.disks.keys()].sort(), [0, 1]);
    const d0 = last.disks.get(0)!;
    assert.ok(d0.startsWith(imageDs + '/'));
    assert.ok(reads(d0, '0x11', '0') && reads(d0, '0x33', '1M'), 'increment 1 has both writes');
    assert.equal(JSON.parse(execFileSync('qemu-img', ['info', '--output=json', d0], { encoding: 'utf8' }))['backing-filename'], undefined);
    assert.ok(reads(last.disks.get(1)!, '0x22', '0'));
    const first = await restore([full, incr], 0);
    const f0 = first.disks.get(0)!;
    assert.ok(reads(f0, '0x11', '0') && reads(f0, '0x00', '1M'), 'increment 0 is the disk before the second write');
    assert.equal(readFileSync(d0).length > 0, true);
  });

  test('MONITOR measures the backup server; RM removes the backups of an image', async () => {
    const m = await dsRequest('MONITOR', backupDs());
    assert.ok(m.ok, m.info);
    const text = Buffer.from(m.info, 'base64').toString('utf8');
    assert.match(text, /^USED_MB=\d+\nTOTAL_MB=[1-9]\d*\nFREE_MB=\d+\n?$/);
    const rm = await dsRequest('RM', backupImage([full, incr]), backupDs());
    assert.ok(rm.ok, rm.info);
    if (driver === 'rsync') {
      assert.equal(server.run('test', '-e', join(STORE, '7', full)).code, 1);
      assert.equal(server.run('test', '-e', join(STORE, '7', incr)).code, 1);
    } else {
      const snaps = spawnSync('sh', ['-c', `RESTIC_PASSWORD='p&ss w0rd' restic -r sftp:root@bks:${STORE}/7 snapshots --json`], { encoding: 'utf8', env: { ...process.env, PATH: `${host.binDir}:${process.env['PATH']}` } });
      assert.equal(snaps.stdout.trim(), '[]', snaps.stderr);
    }
  });

  test('an unreachable server fails the backup with its reason; the host keeps its last reference', async () => {
    const before = readFileSync(join(vmDir, 'backup.ref/disk.0'));
    const r = await backup('FULL', 0, backupDs({ host: 'nosuchhost' }));
    assert.equal(r.ok, false);
    assert.match(r.info, driver === 'rsync' ? /Cannot reach the backup server root@nosuchhost/ : /Error backing up VM 7 to sftp:root@nosuchhost/);
    assert.doesNotMatch(r.info, /p&ss w0rd|p&amp;ss/, 'the restic password is never in a message');
    assert.equal(existsSync(join(vmDir, 'backup')), false);
    assert.equal(existsSync(join(vmDir, 'backup.next')), false);
    assert.deepEqual(readFileSync(join(vmDir, 'backup.ref/disk.0')), before);
  });

  test('a full server fails the backup with the reason and nothing is left on it', async () => {
    // Random data: neither rsync nor restic (which compresses) can make it fit in 1 MB.
    execFileSync('dd', ['if=/dev/urandom', `of=${join(vmDir, 'disk.1')}`, 'bs=1M', 'count=2', 'conv=notrunc', 'status=none']);
    const r = await backup('FULL', 0, backupDs({ dir: FULL }));
    assert.equal(r.ok, false);
    assert.match(r.info, driver === 'rsync' ? /Error copying the backup of VM 7 \(\d+ MB\) to root@bks \([01] MB free in \/var\/tmp\/onetest-backup-full\)/ : /Error backing up VM 7 to sftp:root@bks:.*(no space left|SSH_FX_FAILURE)/is);
    if (driver === 'rsync') assert.equal(server.out('sh', '-c', `ls -A ${FULL}/7 2>/dev/null || true`).trim(), '');
    assert.equal(existsSync(join(vmDir, 'backup')), false);
  });

  test('an increment without a reference on the host asks for a reset; bad settings are refused before any copy', async () => {
    rmSync(join(vmDir, 'backup.ref'), { recursive: true, force: true });
    const r = await backup('INCREMENT', 2);
    assert.equal(r.ok, false);
    assert.match(r.info, /no copy of disk 0 as of the last backup on this host: back up again with reset/);
    const bad = await backup('FULL', 0, backupDs({ dir: 'relative/dir' }));
    assert.equal(bad.ok, false);
    assert.match(bad.info, driver === 'rsync' ? /RSYNC_DIR must be an absolute path/ : /RESTIC_DIR must be an absolute path/);
  });
});
