/**
 * Real KVM hosts over ssh, as docs/hosts.md tells an admin to add them: two namespace hosts with
 * their own sshd and libvirtd (../shared/tools/make-test-host.sh), oned reaching them with the
 * system ssh (the tools' wrappers first in PATH, as an admin's ~/.ssh/config would), the `kvm`
 * IM probes copied on first use and run there. Checks what monitoring finds (capacity, the
 * remotes on the host, the libvirt domains), that a VM whose QEMU is killed is POWEROFF within
 * two monitoring intervals, that `onehost sync` and a changed host copy are handled, and that a
 * host whose sshd stops is ERROR with the reason and its VMs UNKNOWN. VMs are deployed with the
 * dummy VMM and their domain started by hand (the kvm VMM is not this suite's subject).
 *
 * Needs root and the shared tools; skipped with the reason otherwise. About 2-3 minutes.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { info, realSkip, TOOLS, until } from './real-host-fixture.js';
import { promisify } from 'node:util';
import { Template } from '../../src/common/template/index.js';
import { child, childInt, childText, type XmlNode } from '../../src/common/xml-tree.js';
import { defaultRemotesDir } from '../../src/mad/executable.js';
import { remotesVersion } from '../../src/mad/exec/remotes-version.js';
import { HostState } from '../../src/host/index.js';
import { LcmState, VmState, reportedPoll } from '../../src/vm/index.js';
import { Oned } from './harness.js';
import { cli, cliOk } from './cli-helpers.js';

const run = promisify(execFile);

/** This suite's own sandbox for the tools, apart from other suites' hosts. */
const ENV = { ONETEST_DIR: '/tmp/onetest-im', ONETEST_NET: '10.72.0', ONETEST_BRIDGE: 'onetbr72' } as const;
const HOSTS = ['imh1', 'imh2'] as const;
/** SCRIPTS_REMOTE_DIR, private to each host like a real host's disk. */
const REMOTE_DIR = '/var/tmp/one';
const GUEST_DIR = '/tmp/onetest-im-guest';
const INTERVAL = 10;

const toolEnv = { ...process.env, ...ENV, ONETEST_PRIVATE_DIRS: REMOTE_DIR };

async function tool(name: string, ...args: string[]): Promise<string> {
  return (await run(join(TOOLS, name), args, { env: toolEnv, maxBuffer: 1 << 24 })).stdout;
}

/** Runs a shell command on a test host over ssh (the way oned reaches it). */
async function onHost(host: string, command: string): Promise<string> {
  return (await run(join(ENV.ONETEST_DIR, 'bin/ssh'), [host, command], { env: toolEnv, maxBuffer: 1 << 24 })).stdout;
}

/** Builds the hosts; the reason they cannot be built, if so. */
async function makeHosts(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'needs root (namespaces, sshd, libvirtd)';
  if (!existsSync(join(TOOLS, 'make-test-host.sh'))) return `the test-host tools are not at ${TOOLS} (set ONETEST_TOOLS)`;
  try {
    await tool('make-tiny-guest.sh', GUEST_DIR);
    for (const [i, h] of HOSTS.entries()) await tool('make-test-host.sh', h, String(i + 1));
    // A fresh host has no remotes: the first monitoring copies them.
    for (const h of HOSTS) await onHost(h, `find ${REMOTE_DIR} -mindepth 1 -delete`);
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    return `the tools cannot make a host: ${(e.stderr || e.message).trim().split('\n').slice(-3).join(' ')}`;
  }
  return undefined;
}

const skip = await makeHosts();
if (skip) console.log(`# real-kvm-hosts skipped: ${skip}`);

/** The VM's vm.log (written a moment after the state changes). */
async function vmLog(oned: Oned, vid: number): Promise<string> {
  const file = join(oned.location, 'var/vms', String(vid), 'vm.log');
  for (let i = 0; i < 20 && !existsSync(file); i++) await new Promise((r) => setTimeout(r, 250));
  await new Promise((r) => setTimeout(r, 500));
  return readFileSync(file, 'utf8');
}

const tmpl = (x: XmlNode, name: string) => childText(child(x, 'TEMPLATE')!, name);
const monitoring = (x: XmlNode, name: string) => childText(child(x, 'MONITORING')!, name);
const { MONITORED, ERROR } = HostState;

describe('real KVM hosts over ssh (IM kvm)', { skip: realSkip(skip) }, () => {
  let oned: Oned;
  const hid: Record<string, number> = {};
  const work = mkdtempSync(join(tmpdir(), 'real-kvm-hosts-'));
  const version = remotesVersion(defaultRemotesDir());

  before(async () => {
    // oned's drivers find ssh in PATH: the tools' wrapper knows the hosts, the key and the user.
    process.env.PATH = `${join(ENV.ONETEST_DIR, 'bin')}:${process.env.PATH}`;
    oned = await Oned.start({
      backend: 'sqlite',
      conf: `HOST_MONITORING_INTERVAL = ${INTERVAL}
VM_POLLING_INTERVAL = 0
SCRIPTS_REMOTE_DIR = "${REMOTE_DIR}"
IM_MAD = [ NAME = "kvm", EXECUTABLE = "one_im_exec", ARGUMENTS = "-r 0 -t 15 -w 60 kvm-probes" ]
VM_MAD = [ NAME = "dummy", EXECUTABLE = "one_vmm_dummy", TYPE = "xml" ]`,
    });
  });

  after(async () => {
    await oned?.stop();
    for (const h of HOSTS) await tool('remove-test-host.sh', h).catch(() => {});
    rmSync(work, { recursive: true, force: true });
  });

  test('onehost create --im kvm: the probes are copied on first use and report the host', async () => {
    const created = Date.now();
    for (const h of HOSTS) hid[h] = Number(/^ID: (\d+)$/m.exec(await cliOk(oned, 'onehost', ['create', h, '--im', 'kvm', '--vm', 'dummy']))![1]);
    const nproc = Number((await onHost('imh1', 'nproc')).trim());
    for (const h of HOSTS) {
      const x = await until(oned, 'host', hid[h]!, 'MONITORED', (x) => childInt(x, 'STATE') === MONITORED, 90);
      console.log(`# ${h} MONITORED ${((Date.now() - created) / 1000).toFixed(1)} s after onehost create (remotes copied, probes run)`);
      assert.equal(tmpl(x, 'HYPERVISOR'), 'kvm');
      assert.equal(tmpl(x, 'HOSTNAME'), h);
      assert.equal(tmpl(x, 'ARCH'), (await onHost(h, 'uname -m')).trim());
      assert.ok(Number(tmpl(x, 'CPUSPEED')) > 0, 'CPUSPEED');
      assert.notEqual(tmpl(x, 'MODELNAME'), '');
      assert.equal(tmpl(x, 'VERSION'), version, 'the host reports the remotes it was given');
      // TOTALCPU and TOTALMEMORY go to the share, as in OpenNebula.
      const share = child(x, 'HOST_SHARE')!;
      assert.equal(childText(share, 'TOTAL_CPU'), String(nproc * 100));
      const kb = Number((await onHost(h, "awk '/^MemTotal:/ { print $2 }' /proc/meminfo")).trim());
      assert.equal(childText(share, 'TOTAL_MEM'), String(kb));
      assert.ok(Number(childText(child(child(x, 'MONITORING')!, 'CAPACITY')!, 'USED_MEMORY')) > 0, 'a monitoring sample');
      // The remotes are on the host (each host has its own SCRIPTS_REMOTE_DIR).
      assert.equal((await onHost(h, `cat ${REMOTE_DIR}/VERSION; test -x ${REMOTE_DIR}/im/kvm-probes.d/poll.sh && echo probes`)).trim(), `${version}\nprobes`);
    }
    const show = await cliOk(oned, 'onehost', ['show', 'imh1']);
    assert.match(show, /STATE\s+: MONITORED/);
    assert.match(show, /HYPERVISOR="kvm"/);
    assert.match(show, new RegExp(`CPU\\n\\s+TOTAL\\s+: ${nproc * 100}\\n`));
  });

  test('a host copy that differs from the front-end is replaced at the next monitoring; onehost sync [--force]', async () => {
    // An old copy: another version, a probe missing. The next round finds it and copies again.
    await onHost('imh2', `echo old > ${REMOTE_DIR}/VERSION; rm ${REMOTE_DIR}/im/kvm-probes.d/cpu.sh`);
    // A round that started before the change ends within a few seconds: wait for a later one.
    const changedAt = Math.floor(Date.now() / 1000);
    const next = await until(oned, 'host', hid.imh2!, 'a new monitoring round', (x) => childInt(child(x, 'MONITORING')!, 'TIMESTAMP') >= changedAt + 5, 3 * INTERVAL);
    assert.equal(tmpl(next, 'VERSION'), version, 'copied again before the probes ran');
    assert.equal((await onHost('imh2', `cat ${REMOTE_DIR}/VERSION; test -x ${REMOTE_DIR}/im/kvm-probes.d/cpu.sh && echo cpu`)).trim(), `${version}\ncpu`);

    assert.equal(await cliOk(oned, 'onehost', ['sync']), 'No hosts are going to be updated.\n', 'every host is current');
    await onHost('imh1', `rm ${REMOTE_DIR}/im/kvm-probes.d/name.sh`);
    const forced = await cliOk(oned, 'onehost', ['sync', 'imh1', '--force']);
    assert.equal(forced, `* imh1: remotes ${version} copied to ${REMOTE_DIR}\nAll hosts updated successfully.\n`);
    assert.equal((await onHost('imh1', `test -x ${REMOTE_DIR}/im/kvm-probes.d/name.sh && echo back`)).trim(), 'back');
    await cliOk(oned, 'onecluster', ['create', 'empty']);
    assert.equal(await cliOk(oned, 'onehost', ['sync', '--force', '--cluster', 'empty']), 'No hosts are going to be updated.\n');
    const both = await cliOk(oned, 'onehost', ['sync', '--force', '--cluster', 'default']);
    assert.deepEqual(both.split('\n').filter((l) => l.startsWith('* ')).sort(), HOSTS.map((h) => `* ${h}: remotes ${version} copied to ${REMOTE_DIR}`));
  });

  test('the VM probe reports libvirt domains with their state and usage; a VM whose QEMU is killed is POWEROFF within two intervals', async () => {
    // On hold: placed by hand below, never by a scheduler.
    const vid = Number(await oned.ok('one.vm.allocate', ['NAME = "killme"\nCPU = 1\nMEMORY = 192', true]));
    const domain = `one-${vid}`;
    const xml = await tool('tiny-domain-xml.sh', '--name', domain, '--guest-dir', GUEST_DIR, '--console-file', join(work, 'console.log'));
    writeFileSync(join(work, 'domain.xml'), xml);
    await onHost('imh1', `virsh create ${join(work, 'domain.xml')}`);
    const probe = async () => Template.parse(await onHost('imh1', `${REMOTE_DIR}/im/run_probes kvm-probes - ${hid.imh1} imh1`));
    const vmOf = (t: Template) => t.getAll('VM').map((a) => a.value).find((v) => typeof v !== 'string' && v.get('DEPLOY_ID') === domain) as ReadonlyMap<string, string> | undefined;

    let t = await probe();
    assert.equal(t.get('VM_POLL'), 'YES');
    let v = vmOf(t);
    assert.ok(v, 'the domain is listed');
    assert.equal(v.get('ID'), String(vid));
    assert.match(reportedPoll(v), /^STATE=a (CPU=[\d.]+ )?MEMORY=[1-9]\d* NETRX=\d+ NETTX=\d+ DISKRDBYTES=\d+ DISKWRBYTES=\d+ DISKRDIOPS=\d+ DISKWRIOPS=\d+$/);
    await onHost('imh1', `virsh suspend ${domain}`);
    assert.match(reportedPoll(vmOf(await probe())!), /^STATE=p CPU=[\d.]+ /, 'paused; CPU from the previous probe on');
    await onHost('imh1', `virsh resume ${domain}`);
    // A domain libvirt knows but does not run, not created by oned: shut off (d), wild (ID=-1).
    writeFileSync(join(work, 'wild.xml'), await tool('tiny-domain-xml.sh', '--name', 'wild-im', '--guest-dir', GUEST_DIR));
    await onHost('imh1', `virsh define ${join(work, 'wild.xml')}`);
    const wild = (await probe()).getAll('VM').map((a) => a.value).find((x) => typeof x !== 'string' && x.get('VM_NAME') === 'wild-im') as ReadonlyMap<string, string>;
    await onHost('imh1', 'virsh undefine wild-im');
    assert.equal(wild.get('ID'), '-1');
    assert.match(reportedPoll(wild), /^STATE=d /);

    // oned's side: the VM deployed there (dummy VMM) is monitored from the domain's numbers.
    await oned.ok('one.vm.deploy', [vid, hid.imh1!]);
    const running = await until(oned, 'vm', vid, 'monitored from the domain', (x) => childInt(x, 'LCM_STATE') === LcmState.RUNNING && monitoring(x, 'CPU') !== '', 3 * INTERVAL);
    assert.ok(Number(monitoring(running, 'MEMORY')) > 0);

    const pid = (await onHost('imh1', `cat /run/libvirt/qemu/${domain}.pid`)).trim();
    assert.match(pid, /^\d+$/);
    await onHost('imh1', `kill -9 ${pid}`);
    const killedAt = Date.now();
    t = await probe();
    assert.equal(vmOf(t), undefined, 'the killed domain is gone from the report');
    const off = await until(oned, 'vm', vid, 'POWEROFF', (x) => childInt(x, 'STATE') === VmState.POWEROFF, 2 * INTERVAL + 30);
    const seconds = (Date.now() - killedAt) / 1000;
    console.log(`# killed QEMU noticed after ${seconds.toFixed(1)} s (HOST_MONITORING_INTERVAL ${INTERVAL})`);
    assert.ok(seconds <= 2 * INTERVAL + 15, `noticed after ${seconds} s`);
    assert.equal(childInt(off, 'LCM_STATE'), LcmState.LCM_INIT);
    assert.match(await vmLog(oned, vid), /\[LCM\]\[I\]: VM not reported by host imh1 in two monitoring rounds: it is powered off/);
  });

  test('a host whose sshd stops goes ERROR naming ssh and the host, and its VMs UNKNOWN; back MONITORED when sshd is back', async () => {
    const vid = Number(await oned.ok('one.vm.allocate', ['NAME = "onimh2"\nCPU = 1\nMEMORY = 64', true]));
    await oned.ok('one.vm.deploy', [vid, hid.imh2!]);
    await until(oned, 'vm', vid, 'RUNNING', (x) => childInt(x, 'LCM_STATE') === LcmState.RUNNING, 30);
    const onhost = join(ENV.ONETEST_DIR, 'bin/onhost');
    await run(onhost, ['imh2', 'sh', '-c', 'kill $(cat /run/sshd.pid)'], { env: toolEnv });
    const failed = await until(oned, 'host', hid.imh2!, 'ERROR', (x) => childInt(x, 'STATE') === ERROR, 2 * INTERVAL + 30);
    assert.match(tmpl(failed, 'ERROR'), /Error monitoring Host imh2 \(\d+\): Cannot reach imh2 with ssh: ssh: connect to host \S+ port 22: Connection refused/);
    const vm = await until(oned, 'vm', vid, 'UNKNOWN', (x) => childInt(x, 'LCM_STATE') === LcmState.UNKNOWN, 10);
    assert.equal(childInt(vm, 'STATE'), VmState.ACTIVE);
    const show = await cli(oned, 'onehost', ['show', 'imh2']);
    assert.match(show.stdout, /STATE\s+: ERROR/);
    assert.match(show.stdout, /ERROR=".*Cannot reach imh2 with ssh/);
    assert.equal(childInt(await info(oned, 'host', hid.imh1!), 'STATE'), MONITORED, 'the other host is not affected');

    await run(onhost, ['imh2', '/usr/sbin/sshd', '-f', join(ENV.ONETEST_DIR, 'hosts/imh2/sshd_config')], { env: toolEnv });
    const back = await until(oned, 'host', hid.imh2!, 'MONITORED again', (x) => childInt(x, 'STATE') === MONITORED, 2 * INTERVAL + 30);
    assert.equal(tmpl(back, 'ERROR'), '');
  });

  test('a host whose libvirtd stops goes ERROR naming libvirt and the host', async () => {
    await onHost('imh1', 'kill $(cat /run/libvirtd.pid)');
    const failed = await until(oned, 'host', hid.imh1!, 'ERROR', (x) => childInt(x, 'STATE') === ERROR, 2 * INTERVAL + 30);
    assert.match(tmpl(failed, 'ERROR'), /Error monitoring Host imh1 \(\d+\): Cannot get the node info from libvirt \(qemu:\/\/\/system\) on imh1: error: failed to connect to the hypervisor/);
    await onHost('imh1', 'libvirtd -d -p /run/libvirtd.pid </dev/null >/dev/null 2>&1');
    await until(oned, 'host', hid.imh1!, 'MONITORED again', (x) => childInt(x, 'STATE') === MONITORED, 2 * INTERVAL + 30);
  });
});
