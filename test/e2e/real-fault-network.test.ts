/**
 * Fault injection on a real host: a KVM namespace host (sshd, libvirtd, one QEMU domain) whose
 * network link is cut (its veth set down on the front-end side: packets vanish, as with a pulled
 * cable or a dead switch port). What must hold: the host goes to ERROR within a monitoring
 * interval plus ssh's connect timeout, saying it cannot be reached; its VM is kept, UNKNOWN
 * (OpenNebula's behaviour), never POWEROFF or gone; monitoring rounds keep ending (none hangs);
 * once the link is back the host is MONITORED and the VM RUNNING again.
 *
 * Needs root and the shared tools; skipped with the reason otherwise. About 2 minutes (a slow
 * real-host file: npm run test:slow).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { info, realSkip, TOOLS, until } from './real-host-fixture.js';
import { child, childInt, childText } from '../../src/common/xml-tree.js';
import { HostState } from '../../src/host/index.js';
import { LcmState, VmState } from '../../src/vm/index.js';
import { Oned } from './harness.js';

const run = promisify(execFile);

const ENV = { ONETEST_DIR: '/tmp/onetest-netcut', ONETEST_NET: '10.79.0', ONETEST_BRIDGE: 'onetbr79' } as const;
const HOST = 'nch1';
const VETH = `vh-${HOST}`;
const REMOTE_DIR = '/var/tmp/one';
const GUEST_DIR = '/tmp/onetest-netcut-guest';
const INTERVAL = 10;
/** The tools' ssh config: ConnectTimeout 15. */
const SSH_CONNECT_TIMEOUT = 15;
const toolEnv = { ...process.env, ...ENV, ONETEST_PRIVATE_DIRS: REMOTE_DIR };

async function tool(name: string, ...args: string[]): Promise<string> {
  return (await run(join(TOOLS, name), args, { env: toolEnv, maxBuffer: 1 << 24 })).stdout;
}

async function onHost(command: string): Promise<string> {
  return (await run(join(ENV.ONETEST_DIR, 'bin/onhost'), [HOST, 'sh', '-c', command], { env: toolEnv, maxBuffer: 1 << 24 })).stdout;
}

async function makeHost(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'needs root (namespaces, sshd, libvirtd)';
  if (!existsSync(join(TOOLS, 'make-test-host.sh'))) return `the test-host tools are not at ${TOOLS} (set ONETEST_TOOLS)`;
  try {
    await tool('make-tiny-guest.sh', GUEST_DIR);
    await tool('make-test-host.sh', HOST, '1');
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    return `the tools cannot make a host: ${(e.stderr || e.message).trim().split('\n').slice(-3).join(' ')}`;
  }
  return undefined;
}

const skip = await makeHost();
if (skip) console.log(`# real-fault-network skipped: ${skip}`);

describe('a real host whose network is cut', { skip: realSkip(skip) }, () => {
  let oned: Oned;
  const work = mkdtempSync(join(tmpdir(), 'real-fault-network-'));

  before(async () => {
    process.env.PATH = `${join(ENV.ONETEST_DIR, 'bin')}:${process.env.PATH}`;
    oned = await Oned.start({
      backend: 'sqlite',
      conf: `HOST_MONITORING_INTERVAL = ${INTERVAL}
HOST_MONITORING_TIMEOUT = 40
VM_POLLING_INTERVAL = 0
SCRIPTS_REMOTE_DIR = "${REMOTE_DIR}"
IM_MAD = [ NAME = "kvm", EXECUTABLE = "one_im_exec", ARGUMENTS = "-r 0 -t 15 -w 30 kvm-probes" ]
VM_MAD = [ NAME = "dummy", EXECUTABLE = "one_vmm_dummy", TYPE = "xml" ]`,
    });
  });

  after(async () => {
    await run('ip', ['link', 'set', VETH, 'up']).catch(() => {});
    await oned?.stop();
    // This suite's space only (ONETEST_DIR, its bridge): the host, the bridge and the directory.
    await tool('remove-test-host.sh', '--all').catch(() => {});
    rmSync(work, { recursive: true, force: true });
  });

  test('link down: host ERROR with the reason, its VM UNKNOWN, rounds keep ending; link up: MONITORED and RUNNING', async () => {
    const hid = Number(await oned.ok('one.host.allocate', [HOST, 'kvm', 'dummy', -1]));
    await until(oned, 'host', hid, 'MONITORED', (x) => childInt(x, 'STATE') === HostState.MONITORED, 90);
    // A VM with its domain on the host (deployed with the dummy VMM, the domain started by hand).
    const vid = Number(await oned.ok('one.vm.allocate', ['NAME = "cut-off"\nCPU = 1\nMEMORY = 128', true]));
    writeFileSync(join(work, 'domain.xml'), await tool('tiny-domain-xml.sh', '--name', `one-${vid}`, '--guest-dir', GUEST_DIR, '--console-file', join(work, 'console.log')));
    await onHost(`virsh create ${join(work, 'domain.xml')} >/dev/null`);
    await oned.ok('one.vm.deploy', [vid, hid]);
    await until(oned, 'vm', vid, 'RUNNING', (x) => childInt(x, 'LCM_STATE') === LcmState.RUNNING, 30);

    await run('ip', ['link', 'set', VETH, 'down']);
    const cutAt = Date.now();
    const failed = await until(oned, 'host', hid, 'ERROR', (x) => childInt(x, 'STATE') === HostState.ERROR, INTERVAL + SSH_CONNECT_TIMEOUT + 30);
    const seconds = (Date.now() - cutAt) / 1000;
    console.log(`# cut link noticed after ${seconds.toFixed(1)} s (interval ${INTERVAL} s, ssh ConnectTimeout ${SSH_CONNECT_TIMEOUT} s)`);
    // A round that had connected before the cut waits until the runner's -w kills it; later
    // rounds cannot connect (ssh's ConnectTimeout).
    const reason = new RegExp(`Error monitoring Host ${HOST} \\(${hid}\\): (Timeout after 30 s running im/run_probes on ${HOST}|Cannot reach ${HOST} with ssh: .*(timed out|No route to host|unreachable))`, 'i');
    assert.match(childText(child(failed, 'TEMPLATE')!, 'ERROR'), reason);
    const unknown = await until(oned, 'vm', vid, 'UNKNOWN', (x) => childInt(x, 'LCM_STATE') === LcmState.UNKNOWN, 10);
    assert.equal(childInt(unknown, 'STATE'), VmState.ACTIVE);

    // Rounds keep ending while the link is down: the next failed round rewrites ERROR (its time).
    const firstFail = childText(child(failed, 'TEMPLATE')!, 'ERROR');
    const later = await until(oned, 'host', hid, 'another failed round', (x) => childText(child(x, 'TEMPLATE')!, 'ERROR') !== firstFail, INTERVAL + SSH_CONNECT_TIMEOUT + 30);
    assert.equal(childInt(later, 'STATE'), HostState.ERROR);
    assert.match(childText(child(later, 'TEMPLATE')!, 'ERROR'), reason);
    const stillKept = await info(oned, 'vm', vid);
    assert.deepEqual([childInt(stillKept, 'STATE'), childInt(stillKept, 'LCM_STATE')], [VmState.ACTIVE, LcmState.UNKNOWN], 'the VM is kept, UNKNOWN');

    await run('ip', ['link', 'set', VETH, 'up']);
    const back = await until(oned, 'host', hid, 'MONITORED again', (x) => childInt(x, 'STATE') === HostState.MONITORED, 2 * INTERVAL + SSH_CONNECT_TIMEOUT + 30);
    assert.equal(childText(child(back, 'TEMPLATE')!, 'ERROR'), '');
    await until(oned, 'vm', vid, 'RUNNING again', (x) => childInt(x, 'LCM_STATE') === LcmState.RUNNING, 30);
    await onHost(`virsh destroy one-${vid} >/dev/null 2>&1 || true`);
  });
});
