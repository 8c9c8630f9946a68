/**
 * The qemu VM_MAD (remotes/vmm/kvm, libvirt deployment file with `<domain type='qemu'>`) against
 * a real host: a namespace host with its own sshd and libvirtd made by the shared tools
 * (../shared/tools/make-test-host.sh), reached over ssh, running the tiny guest under QEMU (TCG).
 * oned deploys a VM from a registered qcow2 image with a CONTEXT CD-ROM and a bridged NIC; the
 * test waits for the guest's boot marker, talks to it over HTTP, grows its disk while it runs
 * (disk-resize), powers it off (ACPI), saves its disk as an image a second VM boots from
 * (disk-saveas), resumes and terminates it, and checks that libvirt keeps no domain. Needs root; skipped
 * otherwise or when the tools cannot make the host. Slow (two guest boots): `npm run test:real`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { realSkip, TOOLS } from './real-host-fixture.js';
import { childInt, childText, parseXmlTree, type XmlNode } from '../../src/common/xml-tree.js';
import { Oned } from './harness.js';

/** This suite's own test network, so it can run beside other suites that make test hosts. */
const NET = { ONETEST_DIR: '/tmp/onetest-vmm', ONETEST_NET: '10.71.0', ONETEST_BRIDGE: 'onetbr71' };
const HOST = 'vmm1';
const HOST2 = 'vmm2';
const GUEST = '/tmp/onetest-guest-vmm';
const GUEST_IP = `${NET.ONETEST_NET}.100`;
/** Guest boots take 10 s on an idle machine and up to 2 minutes on a loaded one. */
const BOOT_MS = 300_000;
/** A test with a few boots, under load. */
const GUEST_TEST_MS = 1_200_000;

const S = { ACTIVE: 3, SUSPENDED: 5, DONE: 6, POWEROFF: 8 } as const;
const L = { RUNNING: 3, BOOT_FAILURE: 36 } as const;

function tool(script: string, ...args: string[]): { ok: boolean; out: string } {
  const r = spawnSync(join(TOOLS, script), args, { env: { ...process.env, ...NET }, encoding: 'utf8', timeout: 600_000 });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}`.trim() };
}

/** Why the suite cannot run here, or '' after making the guest and the host. */
function setUp(): string {
  if (process.getuid?.() !== 0) return 'needs root (namespace hosts with sshd and libvirtd)';
  if (!existsSync(join(TOOLS, 'make-test-host.sh'))) return `the shared tools are not at ${TOOLS}`;
  const guest = tool('make-tiny-guest.sh', GUEST);
  if (!guest.ok) return `make-tiny-guest.sh failed: ${guest.out.split('\n').slice(-3).join(' ')}`;
  for (const [name, index] of [[HOST, '1'], [HOST2, '2']] as const) {
    const host = tool('make-test-host.sh', name, index);
    if (!host.ok) {
      tool('remove-test-host.sh', HOST);
      return `make-test-host.sh ${name} failed: ${host.out.split('\n').slice(-3).join(' ')}`;
    }
  }
  return '';
}

/** Output lines of `virsh ARGS` on a host, over the tools' ssh wrapper. */
function virshOn(host: string, ...args: string[]): string[] {
  const r = spawnSync(join(NET.ONETEST_DIR, 'bin', 'ssh'), [host, 'virsh', ...args], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\n').map((l) => l.trim()).filter((l) => l !== '');
}

function domainsOnHost(host = HOST): string[] {
  return virshOn(host, 'list', '--all', '--name');
}

const skip = setUp();

describe('the qemu VMM driver on a real libvirt host', { skip: realSkip(skip || undefined) }, () => {
  let oned: Oned;
  let hostId: number;
  let host2Id: number;
  let systemDs: number;
  let imageId: number;
  const started = Date.now();
  /** What the steps took, printed at the end (the numbers in the report). */
  const timings: string[] = [];
  async function timed<T>(label: string, step: () => Promise<T>): Promise<T> {
    const t0 = Date.now();
    const r = await step();
    timings.push(`${label} ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    return r;
  }

  async function ok(method: string, params: (string | number | boolean)[]): Promise<number> {
    return Number(await oned.ok(method, params));
  }

  async function vm(id: number): Promise<XmlNode> {
    return parseXmlTree(String(await oned.ok('one.vm.info', [id])));
  }

  async function waitFor(id: number, state: number, lcm: number, ms = 120_000): Promise<XmlNode> {
    const until = Date.now() + ms;
    for (;;) {
      const v = await vm(id);
      if (childInt(v, 'STATE') === state && (state !== S.ACTIVE || childInt(v, 'LCM_STATE') === lcm)) return v;
      if (Date.now() > until) {
        assert.fail(`VM ${id} should reach ${state}/${lcm}, is ${childInt(v, 'STATE')}/${childInt(v, 'LCM_STATE')}: ${childText(v.children.find((c) => c.name === 'USER_TEMPLATE')!, 'ERROR')}`);
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  /** The console log of VM `id` once it shows `marker` (and `accept` takes the match). */
  async function consoleShows(id: number, marker: RegExp, ms = BOOT_MS, accept = (_m: RegExpMatchArray) => true): Promise<RegExpMatchArray> {
    const file = join(oned.location, 'var', 'datastores', String(systemDs), String(id), 'console.log');
    const until = Date.now() + ms;
    for (;;) {
      // The last match: a reset keeps the file, so earlier boots are still in it.
      const m = existsSync(file) ? [...readFileSync(file, 'utf8').matchAll(new RegExp(marker, 'g'))].pop() : undefined;
      if (m && accept(m)) return m;
      if (Date.now() > until) assert.fail(`${file} never showed ${marker}:\n${existsSync(file) ? readFileSync(file, 'utf8').slice(-2000) : '(no file)'}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  /**
   * GET http://<guest><path> (/bootid, /cgi-bin/status) with HTTP/1.0 over a plain socket (the
   * guest's busybox CGI ends header lines with LF only, which fetch refuses), retried while
   * the guest's network comes up.
   */
  async function guestGet(path = '/bootid', ip = GUEST_IP): Promise<string> {
    const until = Date.now() + 60_000;
    for (;;) {
      try {
        return await new Promise<string>((res, rej) => {
          let data = '';
          const sock = connect({ host: ip, port: 80, timeout: 3000 }, () => sock.write(`GET ${path} HTTP/1.0\r\n\r\n`));
          sock.setEncoding('utf8');
          sock.on('data', (d: string) => (data += d));
          sock.on('timeout', () => sock.destroy(new Error(`no answer from ${ip}:80`)));
          sock.on('error', rej);
          sock.on('close', () => (/^HTTP\/1\.\d 200/.test(data) ? res(data.split(/\r?\n\r?\n/).slice(1).join('\n\n').trim()) : rej(new Error(`GET ${path}: ${data.split('\n')[0] || 'no reply'}`))));
        });
      } catch (e) {
        if (Date.now() > until) throw e;
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  /** The end of the VM's log and console, for failure messages. */
  function diagnose(id: number): string {
    const tail = (f: string) => (existsSync(f) ? readFileSync(f, 'utf8').split('\n').slice(-25).join('\n') : `(no ${f})`);
    return `vm.log:\n${tail(join(oned.location, 'var', 'vms', String(id), 'vm.log'))}\nconsole:\n${tail(join(oned.location, 'var', 'datastores', String(systemDs), String(id), 'console.log'))}`;
  }

  async function waitUntil(check: () => Promise<boolean>, what: string, ms = 60_000): Promise<void> {
    const until = Date.now() + ms;
    while (!(await check())) {
      assert.ok(Date.now() < until, what);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  before(async () => {
    // The drivers reach the host with the tools' ssh wrapper (its key and host names).
    process.env.PATH = `${join(NET.ONETEST_DIR, 'bin')}:${process.env.PATH}`;
    // The hosts' copy of the remotes (SCRIPTS_REMOTE_DIR, shared here) from an earlier run would
    // be older than this checkout's: without the kvm IM nothing compares versions, so start afresh.
    rmSync(join(NET.ONETEST_DIR, 'one-remotes'), { recursive: true, force: true });
    oned = await Oned.start({
      backend: 'sqlite',
      conf: `HOST_MONITORING_INTERVAL = 3\nVM_POLLING_INTERVAL = 5\nSCRIPTS_REMOTE_DIR = "${NET.ONETEST_DIR}/one-remotes"`,
    });
    hostId = await ok('one.host.allocate', [HOST, 'dummy', 'qemu', -1]);
    host2Id = await ok('one.host.allocate', [HOST2, 'dummy', 'qemu', -1]);
    // /tmp is shared with the host, so the shared transfer driver works for both datastores.
    systemDs = await ok('one.datastore.allocate', ['NAME = "vmm-system"\nTYPE = SYSTEM_DS\nTM_MAD = "shared"', -1]);
    const imageDs = await ok('one.datastore.allocate', [`NAME = "vmm-images"\nDS_MAD = "fs"\nTM_MAD = "shared"\nSAFE_DIRS = "${GUEST}"`, -1]);
    imageId = await ok('one.image.allocate', [`NAME = "tiny"\nPATH = "${GUEST}/rootfs.qcow2"\nDRIVER = "qcow2"\nDEV_PREFIX = "vd"`, imageDs]);
    const until = Date.now() + 60_000;
    while (childInt(parseXmlTree(String(await oned.ok('one.image.info', [imageId]))), 'STATE') !== 1) {
      assert.ok(Date.now() < until, 'the image should become READY');
      await new Promise((r) => setTimeout(r, 300));
    }
    for (const h of [hostId, host2Id]) {
      while (childInt(parseXmlTree(String(await oned.ok('one.host.info', [h]))), 'STATE') !== 2) {
        assert.ok(Date.now() < until, 'the hosts should be MONITORED');
        await new Promise((r) => setTimeout(r, 300));
      }
    }
  });

  after(async () => {
    await oned?.stop();
    tool('remove-test-host.sh', HOST);
    tool('remove-test-host.sh', HOST2);
    console.log(`# real-kvm-vmm: ${((Date.now() - started) / 1000).toFixed(1)} s; ${timings.join(', ')}`);
  });

  /** The tiny guest booting from its disk, on br0 at `ip` with the context CD. */
  function tinyTemplate(ip: string, mac: string): string {
    return (
      `NAME = "tiny"\nCPU = 0.5\nVCPU = 1\nMEMORY = 192\n` +
      `OS = [ KERNEL = "${GUEST}/vmlinuz", INITRD = "${GUEST}/initrd.img", ROOT = "vda", KERNEL_CMD = "console=ttyS0 panic=-1" ]\n` +
      `DISK = [ IMAGE_ID = ${imageId} ]\n` +
      `NIC = [ BRIDGE = "br0", IP = "${ip}", MAC = "${mac}" ]\n` +
      `GRAPHICS = [ TYPE = "vnc", LISTEN = "0.0.0.0" ]\n` +
      `CONTEXT = [ SET_HOSTNAME = "tiny-$VMID", ETH0_IP = "$NIC[IP]", ETH0_MASK = "255.255.255.0", ETH0_MAC = "$NIC[MAC]" ]`
    );
  }

  test('deploy boots the guest from its qcow2 image with the context CD; poweroff, resume and terminate leave no domain', { timeout: GUEST_TEST_MS }, async () => {
    const id = await ok('one.vm.allocate', [tinyTemplate(GUEST_IP, '02:00:0a:47:00:64'), false]);
    await ok('one.vm.deploy', [id, hostId, false, systemDs]);
    const running = await timed('deploy to RUNNING', () => waitFor(id, S.ACTIVE, L.RUNNING));
    assert.equal(childText(running, 'DEPLOY_ID'), `one-${id}`);
    assert.deepEqual(domainsOnHost(), [`one-${id}`]);
    const deployment = readFileSync(join(oned.location, 'var', 'vms', String(id), 'deployment.0'), 'utf8');
    assert.match(deployment, /^<domain type='qemu'>/);

    const booted = await timed('RUNNING to boot marker', () => consoleShows(id, /TINYGUEST-BOOTED host=(\S+) bootid=(\S+)/));
    assert.equal(booted[1], `tiny-${id}`, 'the guest took its hostname from the context CD');
    assert.equal(await guestGet(), booted[2], 'the guest answers on its bridged NIC at the context IP');

    // The poll script reports the guest's usage.
    const until = Date.now() + 60_000;
    let monitoring: XmlNode | undefined;
    while (!monitoring || childInt(monitoring, 'MEMORY') === 0) {
      assert.ok(Date.now() < until, 'POLL should report the guest memory');
      await new Promise((r) => setTimeout(r, 1000));
      monitoring = (await vm(id)).children.find((c) => c.name === 'MONITORING');
    }
    assert.equal(childInt(monitoring, 'MEMORY'), 192 * 1024);
    assert.ok(childInt(monitoring, 'NETRX') > 0, 'the guest received packets');
    assert.ok(childInt(monitoring, 'DISKRDBYTES') > 0, 'the guest read its root disk');
    assert.match(childText(monitoring, 'CPU'), /^\d+\.\d$/);

    // disk-resize of the running VM: the TM leaves the disk QEMU holds alone, virsh blockresize grows it.
    const capacity = () => Number(/^Capacity:\s+(\d+)/m.exec(virshOn(HOST, 'domblkinfo', `one-${id}`, 'vda').join('\n'))?.[1] ?? -1);
    const before = capacity();
    const sizeMb = Math.ceil(before / 1024 / 1024) + 64;
    await ok('one.vm.diskresize', [id, 0, String(sizeMb)]);
    await timed('disk-resize (virsh blockresize)', () => waitFor(id, S.ACTIVE, L.RUNNING));
    assert.equal(capacity(), sizeMb * 1024 * 1024, 'QEMU gives the guest the new size');
    assert.match(readFileSync(join(oned.location, 'var', 'vms', String(id), 'vm.log'), 'utf8'), /resize_disk/);

    await ok('one.vm.action', ['poweroff', id]);
    await timed('poweroff (ACPI)', () => waitFor(id, S.POWEROFF, 0));
    await consoleShows(id, /TINYGUEST-SHUTDOWN/, 10_000);
    assert.deepEqual(domainsOnHost(), []);

    // disk-saveas of the powered-off VM: a new image (the grown disk) that a new VM boots from.
    const saved = await ok('one.vm.disksaveas', [id, 0, 'tiny-saved', '', -1]);
    await waitUntil(async () => childInt(parseXmlTree(String(await oned.ok('one.image.info', [saved]))), 'STATE') === 1, 'the saved image should be READY');
    await waitFor(id, S.POWEROFF, 0);
    const copy = await ok('one.vm.allocate', [tinyTemplate(`${NET.ONETEST_NET}.103`, '02:00:0a:47:00:68').replace(`IMAGE_ID = ${imageId}`, `IMAGE_ID = ${saved}`), false]);
    await ok('one.vm.deploy', [copy, hostId, false, systemDs]);
    await waitFor(copy, S.ACTIVE, L.RUNNING);
    assert.equal((await timed('boot from the saved image', () => consoleShows(copy, /TINYGUEST-BOOTED host=(\S+)/)))[1], `tiny-${copy}`);
    await ok('one.vm.action', ['terminate-hard', copy]);
    await waitFor(copy, S.DONE, 0);

    await ok('one.vm.action', ['resume', id]);
    await waitFor(id, S.ACTIVE, L.RUNNING);
    // A new boot id: resume booted the guest again.
    await consoleShows(id, /TINYGUEST-BOOTED host=\S+ bootid=(\S+)/, BOOT_MS, (m) => m[1] !== booted[2]);

    await ok('one.vm.action', ['terminate', id]);
    await waitFor(id, S.DONE, 0);
    assert.deepEqual(domainsOnHost(), []);
    assert.equal(existsSync(join(oned.location, 'var', 'datastores', String(systemDs), String(id))), false, 'the VM directory is deleted');
  });

  test('suspend/resume, reboot, reset, live migration, disk and NIC hot-plug, cold migration', { timeout: GUEST_TEST_MS }, async () => {
    const ip = `${NET.ONETEST_NET}.101`;
    const id = await ok('one.vm.allocate', [tinyTemplate(ip, '02:00:0a:47:00:65'), false]);
    await ok('one.vm.deploy', [id, hostId, false, systemDs]);
    await waitFor(id, S.ACTIVE, L.RUNNING);
    const [, bootId] = await consoleShows(id, /TINYGUEST-BOOTED host=\S+ bootid=(\S+)/);

    // save to the checkpoint and restore from it: the same boot goes on.
    await ok('one.vm.action', ['suspend', id]);
    await timed('suspend (save)', () => waitFor(id, S.SUSPENDED, 0));
    assert.deepEqual(domainsOnHost(), []);
    await ok('one.vm.action', ['resume', id]);
    await waitFor(id, S.ACTIVE, L.RUNNING);
    assert.equal(await guestGet('/bootid', ip), bootId, 'the restored guest kept its state');

    // reboot (ACPI, the guest restarts itself) and reset (at once): new boots of the same domain.
    let last = bootId!;
    for (const action of ['reboot', 'reboot-hard']) {
      await ok('one.vm.action', [action, id]);
      const [, next] = await consoleShows(id, /TINYGUEST-BOOTED host=\S+ bootid=(\S+)/, BOOT_MS, (m) => m[1] !== last);
      last = next!;
    }
    assert.equal(await guestGet('/bootid', ip), last);

    // Live migration to the other host: the guest keeps running and answering.
    await ok('one.vm.migrate', [id, host2Id, true, false, -1, 0]);
    await timed('live migration', () => waitFor(id, S.ACTIVE, L.RUNNING));
    assert.deepEqual([domainsOnHost(HOST), domainsOnHost(HOST2)], [[], [`one-${id}`]]);
    assert.equal(await guestGet('/bootid', ip), last, 'the same boot runs on the destination');

    // A volatile disk and a NIC hot-plugged into the running guest, then unplugged.
    await ok('one.vm.attach', [id, 'DISK = [ TYPE = fs, SIZE = 16, FORMAT = raw, DEV_PREFIX = "vd" ]']);
    await waitFor(id, S.ACTIVE, L.RUNNING);
    await waitUntil(async () => /disks=.*\bvdb\b/.test(await guestGet('/cgi-bin/status', ip)), 'the guest should see vdb').catch((e: Error) => assert.fail(`${e.message}\n${diagnose(id)}`));
    await ok('one.vm.detach', [id, 2]); // DISK_ID 2: the CONTEXT CD is 1
    await waitFor(id, S.ACTIVE, L.RUNNING);
    await waitUntil(async () => !/\bvdb\b/.test(await guestGet('/cgi-bin/status', ip)), 'vdb should leave the guest');
    await ok('one.vm.attachnic', [id, 'NIC = [ BRIDGE = "br0", MAC = "02:00:0a:47:00:66" ]']);
    await waitFor(id, S.ACTIVE, L.RUNNING);
    assert.ok(virshOn(HOST2, 'domiflist', `one-${id}`).some((l) => /^one-\d+-1\s+bridge\s+br0\s+virtio\s+02:00:0a:47:00:66$/.test(l)), 'the tap one-<vm>-1 is on br0');
    await ok('one.vm.detachnic', [id, 1]);
    await waitFor(id, S.ACTIVE, L.RUNNING);
    assert.ok(!virshOn(HOST2, 'domiflist', `one-${id}`).some((l) => l.includes('02:00:0a:47:00:66')));

    // Cold migration back: save, move the files, restore on the first host; the same boot again.
    await ok('one.vm.migrate', [id, hostId, false, false, -1, 0]);
    await timed('cold migration', () => waitFor(id, S.ACTIVE, L.RUNNING));
    assert.deepEqual([domainsOnHost(HOST), domainsOnHost(HOST2)], [[`one-${id}`], []]);
    assert.equal(await guestGet('/bootid', ip), last, 'the restored guest kept its state');

    await ok('one.vm.action', ['terminate-hard', id]);
    await waitFor(id, S.DONE, 0);
    assert.deepEqual([domainsOnHost(HOST), domainsOnHost(HOST2)], [[], []]);
  });

  test('a guest that ignores ACPI: poweroff fails after the timeout and the VM keeps running; with FORCE_DESTROY it is destroyed; poweroff --hard destroys it', { timeout: GUEST_TEST_MS }, async () => {
    const ip = `${NET.ONETEST_NET}.102`;
    // No ACPI in the virtual hardware: the power button request goes nowhere.
    const id = await ok('one.vm.allocate', [`${tinyTemplate(ip, '02:00:0a:47:00:67')}\nFEATURES = [ ACPI = "no" ]`, false]);
    await ok('one.vm.deploy', [id, hostId, false, systemDs]);
    await waitFor(id, S.ACTIVE, L.RUNNING);
    assert.doesNotMatch(readFileSync(join(oned.location, 'var', 'vms', String(id), 'deployment.0'), 'utf8'), /<acpi\/>/);
    await consoleShows(id, /TINYGUEST-BOOTED/);
    // The hosts' copy of kvmrc (the remotes copied there on first use), with a short wait, as an admin would set it.
    const kvmrc = join(NET.ONETEST_DIR, 'one-remotes', 'vmm', 'kvm', 'kvmrc');
    const original = readFileSync(kvmrc, 'utf8');
    writeFileSync(kvmrc, original.replace(/^SHUTDOWN_TIMEOUT=.*$/m, 'SHUTDOWN_TIMEOUT=8'));
    try {
      await ok('one.vm.action', ['poweroff', id]);
      const back = await waitFor(id, S.ACTIVE, L.RUNNING, 60_000);
      assert.match(childText(back.children.find((c) => c.name === 'USER_TEMPLATE')!, 'ERROR'), new RegExp(`shutdown: timeout reached after 8 s and one-${id} is still running \\(the guest ignored ACPI\\)$`));
      assert.deepEqual(domainsOnHost(), [`one-${id}`]);
      // With FORCE_DESTROY the same poweroff takes the hard path once the timeout is over.
      writeFileSync(kvmrc, original.replace(/^SHUTDOWN_TIMEOUT=.*$/m, 'SHUTDOWN_TIMEOUT=8').replace(/^FORCE_DESTROY=.*$/m, 'FORCE_DESTROY=yes'));
      await ok('one.vm.action', ['poweroff', id]);
      await waitFor(id, S.POWEROFF, 0, 60_000);
      assert.deepEqual(domainsOnHost(), []);
    } finally {
      writeFileSync(kvmrc, original);
    }
    await ok('one.vm.action', ['resume', id]);
    await waitFor(id, S.ACTIVE, L.RUNNING);
    await ok('one.vm.action', ['poweroff-hard', id]);
    await waitFor(id, S.POWEROFF, 0);
    assert.deepEqual(domainsOnHost(), []);
    await ok('one.vm.action', ['terminate', id]);
    await waitFor(id, S.DONE, 0);
  });

  test('a VM whose deployment file cannot be made fails its boot with the reason, and nothing reaches the host', async () => {
    const id = await ok('one.vm.allocate', [`NAME = "bad"\nCPU = 0.1\nMEMORY = 64\nRAW = [ TYPE = "kvm", DATA = "<devices><oops></devices>" ]`, false]);
    await ok('one.vm.deploy', [id, hostId, false, systemDs]);
    const failed = await waitFor(id, S.ACTIVE, L.BOOT_FAILURE);
    assert.match(childText(failed.children.find((c) => c.name === 'USER_TEMPLATE')!, 'ERROR'), /Error in BOOT: Cannot generate the deployment file: RAW DATA is not well-formed XML/);
    assert.deepEqual(domainsOnHost(), []);
    await ok('one.vm.action', ['terminate-hard', id]);
    await waitFor(id, S.DONE, 0);
  });

  test('a domain libvirt refuses fails the boot with the step and libvirt\'s reason, and leaves no domain', async () => {
    const id = await ok('one.vm.allocate', [`NAME = "nokernel"\nCPU = 0.1\nMEMORY = 64\nOS = [ KERNEL = "${GUEST}/no-such-vmlinuz" ]`, false]);
    await ok('one.vm.deploy', [id, hostId, false, systemDs]);
    const failed = await waitFor(id, S.ACTIVE, L.BOOT_FAILURE);
    assert.match(childText(failed.children.find((c) => c.name === 'USER_TEMPLATE')!, 'ERROR'), /Error in BOOT: deploy \(virsh create \S+\/deployment\.0\): .*could not open kernel file '\S+no-such-vmlinuz': No such file or directory$/);
    assert.deepEqual(domainsOnHost(), []);
    await ok('one.vm.action', ['terminate-hard', id]);
    await waitFor(id, S.DONE, 0);
  });
});
