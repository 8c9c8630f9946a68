/**
 * Driver processes' memory (issue 18): RSS and PSS of every process oned runs for its drivers.
 *
 *  1. `dummy`: oned with the default oned.conf drivers, one dummy host and one VM running on it.
 *  2. `all`: the same plus a host of every other default IM_MAD / VM_MAD pair (kvm, qemu, example,
 *     ec2, one), oned restarted so that it starts them all, a VM deployed (TM_MAD, DATASTORE_MAD),
 *     a login of an external-auth user (AUTH_MAD), a marketplace (MARKET_MAD) and a hook (HM_MAD).
 *
 * PSS (`/proc/<pid>/smaps_rollup`) shares the pages several processes map (Node's code) among
 * them; RSS counts them in each. Not a test: see bench/README.md.
 *
 *   node dist/bench/driver-mem-bench.js [--scenario dummy|all|both] [--settle 5]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Oned } from '../test/e2e/harness.js';
import { printHeading } from './bench-lib.js';

const HOOK = 'VM_HOOK = [ NAME = "bench", ON = "RUNNING", COMMAND = "/bin/true" ]\n';

interface ProcRow {
  readonly pid: number;
  readonly what: string;
  readonly rssKb: number;
  readonly pssKb: number;
}

function field(text: string, name: string): number {
  const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text);
  return m ? Number(m[1]) : NaN;
}

/** The children of `pid` (the driver processes of an oned). */
function children(pid: number): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(e));
    } catch {
      // gone meanwhile
    }
  }
  return out.sort((a, b) => a - b);
}

function describe(pid: number): ProcRow {
  const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((a) => a !== '');
  const script = argv.findIndex((a) => a.endsWith('.js'));
  if (argv[script]?.endsWith('/mad/host/main.js')) return { pid, what: 'driver host (src/mad/host/main.js)', rssKb: field(readFileSync(`/proc/${pid}/status`, 'utf8'), 'VmRSS'), pssKb: field(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'), 'Pss') };
  const what = script === -1 ? argv.join(' ') : [argv[script]!.replace(/^.*\//, ''), ...argv.slice(script + 1)].join(' ');
  return { pid, what, rssKb: field(readFileSync(`/proc/${pid}/status`, 'utf8'), 'VmRSS'), pssKb: field(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'), 'Pss') };
}

const mb = (kb: number) => (kb / 1024).toFixed(1);

function report(title: string, oned: Oned): void {
  const rows = children(oned.pid).map(describe);
  const self = describe(oned.pid);
  console.log(`\n## ${title}: ${rows.length} driver process(es)\n`);
  console.log('| process | RSS MB | PSS MB |\n|---|---:|---:|');
  for (const r of rows) console.log(`| ${r.what.slice(0, 90)} | ${mb(r.rssKb)} | ${mb(r.pssKb)} |`);
  const rss = rows.reduce((s, r) => s + r.rssKb, 0);
  const pss = rows.reduce((s, r) => s + r.pssKb, 0);
  console.log(`| **drivers, total** | **${mb(rss)}** | **${mb(pss)}** |`);
  console.log(`| (oned itself) | ${mb(self.rssKb)} | ${mb(self.pssKb)} |`);
}

async function until(what: string, check: () => Promise<boolean>, seconds = 60): Promise<void> {
  const end = Date.now() + seconds * 1000;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function runningVm(oned: Oned, hid: number): Promise<void> {
  const vid = (await oned.ok('one.vm.allocate', ['NAME = bench\nCPU = 0.1\nMEMORY = 64', false])) as number;
  await oned.ok('one.vm.deploy', [vid, hid, false, -1]);
  await until(`VM ${vid} RUNNING`, async () => /<LCM_STATE>3<\/LCM_STATE>/.test((await oned.ok('one.vm.info', [vid])) as string));
}

const settle = (s: number) => new Promise((r) => setTimeout(r, s * 1000));

async function dummy(settleSec: number): Promise<void> {
  const oned = await Oned.start({ backend: 'sqlite', conf: HOOK });
  try {
    const hid = (await oned.ok('one.host.allocate', ['bench-dummy', 'dummy', 'dummy', -1])) as number;
    await runningVm(oned, hid);
    await settle(settleSec);
    report('default drivers, one dummy host, one VM running', oned);
  } finally {
    await oned.stop();
  }
}

async function all(settleSec: number): Promise<void> {
  const oned = await Oned.start({ backend: 'sqlite', conf: HOOK });
  try {
    const hid = (await oned.ok('one.host.allocate', ['bench-dummy', 'dummy', 'dummy', -1])) as number;
    for (const [name, im, vm] of [
      ['bench-kvm', 'kvm', 'kvm'],
      ['bench-qemu', 'kvm', 'qemu'],
      ['bench-example', 'dummy', 'example'],
      ['bench-ec2', 'ec2', 'ec2'],
      ['bench-one', 'one', 'one'],
    ] as const) {
      await oned.call('one.host.allocate', [name, im, vm, -1]);
    }
    // Restarted, oned starts the drivers hosts use with itself.
    await oned.signal('SIGTERM');
    await oned.launch();
    await runningVm(oned, hid);
    const uid = (await oned.ok('one.user.allocate', ['bench-plain', 'secret', 'plain', []])) as number;
    void uid;
    await oned.call('one.user.info', [-1], 'bench-plain:secret');
    await oned.call('one.market.allocate', ['NAME = bench-market\nMARKET_MAD = http\nBASE_URL = http://127.0.0.1:1/\nPUBLIC_DIR = /tmp', -1]);
    await settle(settleSec);
    report('default drivers, every default IM_MAD/VM_MAD in use, VM running, external auth, marketplace, hook', oned);
  } finally {
    await oned.stop();
  }
}

const { values } = parseArgs({ options: { scenario: { type: 'string', default: 'both' }, settle: { type: 'string', default: '5' } } });
printHeading('driver processes memory benchmark', 'other jobs', `scenario ${values.scenario}`);
const settleSec = Number(values.settle);
if (values.scenario !== 'all') await dummy(settleSec);
if (values.scenario !== 'dummy') await all(settleSec);
