/**
 * Scheduler benchmark. Against a real oned (SQLite, dummy drivers, no scheduler of its own):
 * H hosts and N pending VMs are created through the API; then one scheduler cycle runs in
 * this process (as mm_sched runs it) with MAX_VM 0, MAX_DISPATCH and MAX_HOST raised: the time
 * to read the pools, to plan, and to dispatch; then the time until every VM is RUNNING.
 *
 *   node dist/bench/sched-bench.js [--hosts 10000] [--vms 10000] [--groups 10] [--concurrency 16]
 *       [--cycle-only [--cycles 3]] [--pools DIR] [--max-vm 0] [--max-dispatch N]
 *
 * MAX_VM is 0 (all) and MAX_DISPATCH and MAX_HOST the number of VMs unless given: the cycle
 * places every VM it can. `--max-vm 300 --max-dispatch 30` is sched.conf's default cycle.
 *
 * `--pools DIR` (SQLite): the first run saves oned's var directory (its database) in DIR after
 * the setup; later runs start oned on a copy of it and skip the setup (100,000 VMs take minutes
 * to allocate, the cycle seconds).
 *
 * `--groups` is the number of different VM shapes (CPU, memory, requirements): the planner
 * evaluates requirements once per host and group.
 */
import { cpSync, existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Oca } from '../src/oca/index.js';
import { XmlRpcClient } from '../src/rpc/xmlrpc/index.js';
import { DEFAULT_SCHED_CONFIG, Scheduler } from '../src/sched/index.js';
import { plan } from '../src/sched/planner.js';
import type { Backend } from '../src/db/database.js';
import { Oned } from '../test/e2e/harness.js';
import { cpuMs, measure, ok, printHeading, runningIn, table, type Row } from './bench-lib.js';

const CLIENTS = 16;
const CONF = `HOST_MONITORING_INTERVAL = 600
IM_MAD = [ NAME = "dummy", EXECUTABLE = "one_im_dummy", ARGUMENTS = "-c 800 -m 16384 -e CPUSPEED=2600" ]
VM_MAD = [ NAME = "dummy", EXECUTABLE = "one_vmm_dummy" ]
`;

function options() {
  const { values } = parseArgs({
    options: {
      hosts: { type: 'string', default: '10000' },
      vms: { type: 'string', default: '10000' },
      groups: { type: 'string', default: '10' },
      concurrency: { type: 'string', default: '16' },
      backend: { type: 'string', default: 'sqlite' },
      'cycle-only': { type: 'boolean', default: false },
      cycles: { type: 'string', default: '3' },
      pools: { type: 'string' },
      'max-vm': { type: 'string', default: '0' },
      'max-dispatch': { type: 'string' },
    },
  });
  const num = (k: keyof typeof values) => {
    const n = Number(values[k]);
    if (!(n > 0)) throw new Error(`--${k}: a positive number`);
    return n;
  };
  const backend = values.backend as Backend;
  if (backend !== 'sqlite' && backend !== 'postgresql') throw new Error('--backend: sqlite or postgresql');
  if (values.pools !== undefined && backend !== 'sqlite') throw new Error('--pools: SQLite only (the database is a file of the var directory)');
  const maxVm = Number(values['max-vm']);
  if (!(maxVm >= 0)) throw new Error('--max-vm: 0 (all) or a positive number');
  return { maxVm, maxDispatch: values['max-dispatch'] === undefined ? undefined : num('max-dispatch'), pools: values.pools, hosts: num('hosts'), vms: num('vms'), groups: num('groups'), concurrency: num('concurrency'), backend, cycleOnly: values['cycle-only'], cycles: num('cycles') };
}

async function main(): Promise<void> {
  const o = options();
  printHeading('scheduler benchmark', 'scheduler, oned and drivers', `${o.hosts} dummy hosts, ${o.vms} pending VMs in ${o.groups} shapes, ${o.backend}`);
  const saved = o.pools !== undefined && existsSync(join(o.pools, 'var', 'one.db')) ? join(o.pools, 'var') : undefined;
  const oned = await Oned.start({ backend: o.backend, conf: CONF, prepare: saved ? (location) => cpSync(saved, join(location, 'var'), { recursive: true, filter: kept(saved) }) : undefined });
  try {
    const rows: Row[] = [];
    // Long limits: on a loaded machine a 100,000-VM listing may take more than the default minute.
    let probe = new XmlRpcClient(oned.endpoint, { timeoutMs: 600_000 });
    if (saved) {
      console.log(`\npools from ${saved} (no setup)`);
    } else {
      await ok(probe, oned, 'one.datastore.update', [0, 'TM_MAD = "dummy"', 1]);
      rows.push(await measure(oned, 'one.host.allocate', CLIENTS, { count: o.hosts }, (c, n) => ok(c, oned, 'one.host.allocate', [`node${n}`, 'dummy', 'dummy', -1])));
      await monitored(probe, oned, o.hosts);
      rows.push(
        await measure(oned, 'one.vm.allocate', CLIENTS, { count: o.vms }, (c, n) => {
          const g = n % o.groups;
          return ok(c, oned, 'one.vm.allocate', [`NAME = "vm${n}"\nCPU = 0.${g + 1}\nMEMORY = ${64 * (g + 1)}\nSCHED_REQUIREMENTS = "CPUSPEED > ${1000 + g} & NAME = \\"node*\\""`, false]);
        }),
      );
      console.log(`\n${table(rows)}`);
      if (o.pools !== undefined) {
        // Stopped first: the copy is of a closed database.
        probe.close();
        await oned.signal('SIGTERM');
        cpSync(join(oned.location, 'var'), join(o.pools, 'var'), { recursive: true, filter: kept(join(oned.location, 'var')) });
        await oned.launch();
        probe = new XmlRpcClient(oned.endpoint, { timeoutMs: 600_000 });
        console.log(`pools saved in ${o.pools}`);
      }
    }
    await monitored(probe, oned, o.hosts);

    const oca = new Oca({ endpoint: oned.endpoint, session: oned.oneadmin, timeoutMs: 600_000 });
    const config = { ...DEFAULT_SCHED_CONFIG, maxVm: o.maxVm, maxDispatch: o.maxDispatch ?? o.vms, maxHost: o.vms, dispatchConcurrency: o.concurrency };
    const lines: string[] = [];
    const scheduler = new Scheduler(oca, config, { info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m) });
    if (o.cycleOnly) {
      await cyclesWithoutDispatch(scheduler, o.cycles, oned.pid);
      oca.close();
      probe.close();
      return;
    }
    const t0 = performance.now();
    const report = await scheduler.cycle();
    const cycleMs = performance.now() - t0;
    for (;;) {
      if (runningIn(String(await ok(probe, oned, 'one.vmpool.info', [-2, -1, -1, 3]))) >= o.vms) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const allMs = performance.now() - t0;
    console.log(`\none cycle over ${report.pending} pending VMs and ${report.hosts} hosts:`);
    console.log(`| step | ms |`);
    console.log(`|---|--:|`);
    console.log(`| read the pools: hostpool, datastorepool, vnpool, vmpool calls | ${report.fetchMs.toFixed(0)} |`);
    console.log(`| read the pools: parse | ${(report.readMs - report.fetchMs).toFixed(0)} |`);
    console.log(`| plan (match, rank, place) | ${report.planMs.toFixed(0)} |`);
    console.log(`| dispatch ${report.dispatched} one.vm.deploy calls, ${o.concurrency} in flight | ${report.dispatchMs.toFixed(0)} |`);
    console.log(`| whole cycle | ${cycleMs.toFixed(0)} |`);
    console.log(`\ndispatched ${report.dispatched}, failed ${report.failed}; all ${o.vms} RUNNING ${(allMs / 1000).toFixed(1)} s after the cycle began: ${(o.vms / (allMs / 1000)).toFixed(0)} VMs/s end to end`);
    for (const l of lines.slice(0, 5)) console.log(`sched.log: ${l}`);
    oca.close();
    probe.close();
  } catch (err) {
    // What oned said last (a crash, a heap limit) tells more than the client's "socket hang up".
    console.error(`oned's last output:\n${oned.output.slice(-3000)}`);
    throw err;
  } finally {
    await oned.stop();
  }
}

/**
 * What of a var directory the saved pools keep: the database and datastores, not the log nor
 * the VMs' directories (100,000 of them, empty for pending VMs: copying and removing them took
 * minutes).
 */
function kept(varDir: string): (src: string) => boolean {
  return (src) => src !== join(varDir, 'oned.log') && !src.startsWith(`${join(varDir, 'vms')}/`);
}

/** Waits until every host is monitored (MONITORED), as before a real cycle. */
async function monitored(probe: XmlRpcClient, oned: Oned, hosts: number): Promise<void> {
  for (;;) {
    const xml = String(await ok(probe, oned, 'one.hostpool.info', []));
    if (xml.split('<STATE>2</STATE>').length - 1 >= hosts) return;
    await new Promise((r) => setTimeout(r, 2000));
  }
}

/**
 * What one cycle costs before it dispatches: reading the pools and planning, `cycles` times in a
 * row over the same pools (the first reads everything; later ones show what a steady cycle costs).
 */
async function cyclesWithoutDispatch(scheduler: Scheduler, cycles: number, onedPid: number): Promise<void> {
  console.log(`\n| cycle | read ms | (of which oned's answers) | plan ms | read + plan ms | scheduler CPU ms | oned CPU ms | pending | placed | load average |`);
  console.log(`|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|`);
  for (let i = 1; i <= cycles; i++) {
    const cpu0 = process.cpuUsage();
    const oned0 = cpuMs(onedPid);
    const t0 = performance.now();
    const input = await scheduler.snapshot();
    const t1 = performance.now();
    const p = plan(input);
    const t2 = performance.now();
    const fetchMs = (scheduler as unknown as { fetchMs: number }).fetchMs;
    const placed = p.actions.filter((a) => a.kind === 'deploy').length;
    const cpu = process.cpuUsage(cpu0);
    const schedCpu = (cpu.user + cpu.system) / 1000;
    console.log(`| ${i} | ${(t1 - t0).toFixed(0)} | ${fetchMs.toFixed(0)} | ${(t2 - t1).toFixed(0)} | ${(t2 - t0).toFixed(0)} | ${schedCpu.toFixed(0)} | ${cpuMs(onedPid) - oned0} | ${input.vms.filter((v) => v.pending).length} | ${placed} | ${loadavg().map((l) => l.toFixed(1)).join(' ')} |`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
