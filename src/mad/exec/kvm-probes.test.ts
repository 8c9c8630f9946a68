/**
 * The kvm IM probes (remotes/im/kvm-probes.d) run by run_probes on this machine, with a stand-in
 * `virsh` printing what libvirt prints: the domain states and counters they turn into VM
 * reports, the host numbers, and the error when libvirt does not answer. The real-host suite
 * (test/e2e/real-kvm-hosts.test.ts) runs them against a real libvirtd.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from '../../common/template/index.js';
import { reportedPoll } from '../../vm/vm-monitoring.js';
import { defaultRemotesDir } from '../executable.js';
import { tempDir, writeScript } from '../testing.js';
import { runCommand } from './command.js';
import { parseStderr } from './script-output.js';

const NODEINFO = `CPU model:           x86_64
CPU(s):              4
CPU frequency:       2400 MHz
CPU socket(s):       1
Memory size:         24683584 KiB
`;

/** `virsh domstats` of six domains: every libvirt state, two NICs and two disks on one-7. */
const DOMSTATS = `Domain: 'one-7'
  state.state=1
  cpu.time=5000000000
  balloon.current=262144
  balloon.rss=221124
  net.count=2
  net.0.name=one-7-0
  net.0.rx.bytes=100
  net.0.tx.bytes=10
  net.1.name=one-7-1
  net.1.rx.bytes=200
  net.1.tx.bytes=20
  block.count=2
  block.0.rd.reqs=3
  block.0.rd.bytes=3000
  block.0.wr.reqs=4
  block.0.wr.bytes=4000
  block.1.rd.reqs=5
  block.1.rd.bytes=5000
  block.1.wr.reqs=6
  block.1.wr.bytes=6000

Domain: 'one-8'
  state.state=3
  cpu.time=1
  balloon.current=1024

Domain: 'one-9'
  state.state=5
  balloon.current=2048

Domain: 'one-10'
  state.state=6

Domain: 'one-11'
  state.state=7

Domain: 'web "frontend"'
  state.state=2
  cpu.time=7
`;

/** A remotes copy (its .state is the test's) and a PATH whose `virsh` prints $VIRSH_DIR/<subcommand>, or fails. */
function setup(): { remotes: string; env: NodeJS.ProcessEnv; virsh: string } {
  const remotes = tempDir('kvm-probes');
  cpSync(defaultRemotesDir(), remotes, { recursive: true });
  const virsh = tempDir('virsh');
  writeScript(
    join(virsh, 'virsh'),
    `#!/bin/sh
for a in "$@"; do case "$a" in nodeinfo|domstats) sub=$a ;; esac; done
if [ -f "${virsh}/fail" ]; then echo "error: failed to connect to the hypervisor" >&2; exit 1; fi
cat "${virsh}/$sub"
`,
  );
  writeFileSync(join(virsh, 'nodeinfo'), NODEINFO);
  writeFileSync(join(virsh, 'domstats'), DOMSTATS);
  return { remotes, env: { ...process.env, PATH: `${virsh}:${process.env.PATH}` }, virsh };
}

async function probes(remotes: string, env: NodeJS.ProcessEnv) {
  return runCommand(join(remotes, 'im/run_probes'), ['kvm-probes', '-', '3', 'node3'], { env });
}

function vms(t: Template): Map<string, ReadonlyMap<string, string>> {
  const out = new Map<string, ReadonlyMap<string, string>>();
  for (const a of t.getAll('VM')) if (typeof a.value !== 'string') out.set(a.value.get('DEPLOY_ID')!, a.value);
  return out;
}

test('poll.sh: every domain with its state letter, summed NIC and disk counters, memory, and CPU from the second round', async () => {
  const { remotes, env, virsh } = setup();
  const first = await probes(remotes, env);
  assert.equal(first.code, 0, first.stderr);
  const t = Template.parse(first.stdout);
  assert.equal(t.get('VM_POLL'), 'YES');
  const found = vms(t);
  assert.deepEqual([...found.keys()], ['one-7', 'one-8', 'one-9', 'one-10', 'one-11', 'web frontend']);
  assert.equal(reportedPoll(found.get('one-7')!), 'STATE=a MEMORY=221124 NETRX=300 NETTX=30 DISKRDBYTES=8000 DISKWRBYTES=10000 DISKRDIOPS=8 DISKWRIOPS=10');
  assert.equal(found.get('one-7')!.get('ID'), '7');
  const state = (d: string) => /^STATE=(\S)/.exec(reportedPoll(found.get(d)!))![1];
  assert.deepEqual(['one-8', 'one-9', 'one-10', 'one-11', 'web frontend'].map(state), ['p', 'd', 'e', 'p', 'a']);
  assert.match(reportedPoll(found.get('one-9')!), / MEMORY=2048 /, 'balloon.current without rss');
  assert.equal(found.get('web frontend')!.get('ID'), '-1', 'not ours: a wild VM');
  assert.equal(found.get('web frontend')!.get('VM_NAME'), 'web frontend');
  assert.equal(readFileSync(join(remotes, '.state/vms/cpu-web_frontend'), 'utf8').split(' ')[0], '7', 'state file names are safe');

  // A run that overlapped, begun before one-7 existed, forgets nothing of it.
  const stateFile = join(remotes, '.state/vms/cpu-one-7');
  const kept = readFileSync(stateFile, 'utf8');
  writeFileSync(join(virsh, 'domstats'), DOMSTATS.slice(DOMSTATS.indexOf("Domain: 'one-8'")));
  assert.equal(vms(Template.parse((await probes(remotes, env)).stdout)).has('one-7'), false);
  assert.equal(readFileSync(stateFile, 'utf8'), kept);
  writeFileSync(join(virsh, 'domstats'), DOMSTATS);
  // The previous round read one-7 at 4.1 s of CPU less (a shorter number), 8.2 s ago: 50% of one core.
  const wrote = Date.now();
  writeFileSync(stateFile, `900000000 ${BigInt(wrote - 8200) * 1_000_000n}\n`);
  const second = Template.parse((await probes(remotes, env)).stdout);
  // 4.1 s of CPU over 8.2 s plus however long the probe took to run (a loaded machine is slow).
  const slowest = (4.1 / (8.2 + (Date.now() - wrote) / 1000)) * 100;
  const cpu = Number(/ CPU=([\d.]+) /.exec(reportedPoll(vms(second).get('one-7')!))![1]);
  assert.ok(cpu >= Math.floor(slowest * 100) / 100 && cpu <= 50, `CPU=${cpu}, expected ${slowest.toFixed(2)}-50`);
  assert.doesNotMatch(reportedPoll(vms(second).get('one-9')!), /CPU=/, 'no CPU time, no CPU');
});

test('kvm.sh and the others: the host numbers of libvirt and /proc', async () => {
  const { remotes, env, virsh } = setup();
  let t = Template.parse((await probes(remotes, env)).stdout);
  assert.equal(t.get('HYPERVISOR'), 'kvm');
  assert.equal(t.get('TOTALCPU'), '400');
  assert.equal(t.get('CPUSPEED'), '2400');
  assert.equal(t.get('HOSTNAME'), (await runCommand('uname', ['-n'])).stdout.trim());
  assert.equal(t.get('ARCH'), (await runCommand('uname', ['-m'])).stdout.trim());
  const memTotal = /^MemTotal:\s+(\d+)/m.exec(readFileSync('/proc/meminfo', 'utf8'))![1];
  assert.equal(t.get('TOTALMEMORY'), memTotal);
  assert.equal(Number(t.get('USEDMEMORY')) + Number(t.get('FREEMEMORY')), Number(memTotal));
  assert.equal(Number(t.get('USEDCPU')) + Number(t.get('FREECPU')), 400);
  assert.match(t.get('NETRX')!, /^\d+$/);
  assert.equal(t.get('VERSION'), undefined, 'a tree never copied has no VERSION');
  // libvirt without a frequency (as in many VMs): /proc/cpuinfo's.
  writeFileSync(join(virsh, 'nodeinfo'), NODEINFO.replace('2400 MHz', '0 MHz'));
  writeFileSync(join(remotes, 'VERSION'), 'abc\n');
  t = Template.parse((await probes(remotes, env)).stdout);
  const cpuinfo = /^cpu MHz\s*:\s*(\d+)/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
  assert.equal(t.get('CPUSPEED'), cpuinfo ? cpuinfo[1] : '0');
  assert.equal(t.get('VERSION'), 'abc');
});

test('a host whose libvirt does not answer fails monitoring, naming libvirt and the host', async () => {
  const { remotes, env, virsh } = setup();
  writeFileSync(join(virsh, 'fail'), '');
  const r = await probes(remotes, env);
  assert.notEqual(r.code, 0);
  const host = (await runCommand('uname', ['-n'])).stdout.trim();
  assert.equal(parseStderr(r.stderr).errorBlock, `Cannot get the node info from libvirt (qemu:///system) on ${host}: error: failed to connect to the hypervisor`);
});
