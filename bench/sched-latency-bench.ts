/**
 * Allocate-to-RUNNING latency: a real oned starts mm_sched (SCHED_INTERVAL 30, the default) on a
 * cloud of dummy hosts; VMs are allocated one at a time, at random moments, and each is timed
 * from `one.vm.allocate` until `one.vm.info` shows it RUNNING. Once with WAKE_ON_PENDING = 0 (the
 * scheduler waits for its interval, as before issue 18) and once with the default (it wakes for
 * new pending VMs).
 *
 *   node dist/bench/sched-latency-bench.js [--backend sqlite|postgresql] [--vms 10] [--before-vms 5] [--hosts 10]
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import type { Backend } from '../src/db/database.js';
import { XmlRpcClient } from '../src/rpc/xmlrpc/index.js';
import { Oned } from '../test/e2e/harness.js';
import { ok, percentile, printHeading } from './bench-lib.js';

const CONF = `HOST_MONITORING_INTERVAL = 30
IM_MAD = [ NAME = "dummy", EXECUTABLE = "one_im_dummy", ARGUMENTS = "-c 6400 -m 65536" ]
VM_MAD = [ NAME = "dummy", EXECUTABLE = "one_vmm_dummy" ]
SCHEDULER = [ EXECUTABLE = "mm_sched" ]
`;

function options() {
  const { values } = parseArgs({ options: { backend: { type: 'string', default: 'sqlite' }, vms: { type: 'string', default: '10' }, 'before-vms': { type: 'string', default: '5' }, hosts: { type: 'string', default: '10' } } });
  const backend = values.backend as Backend;
  if (backend !== 'sqlite' && backend !== 'postgresql') throw new Error('--backend: sqlite or postgresql');
  return { backend, vms: Number(values.vms), beforeVms: Number(values['before-vms']), hosts: Number(values.hosts) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Milliseconds from allocate to RUNNING, for `count` VMs allocated 1-3 s apart. */
async function latencies(backend: Backend, schedConf: string, hosts: number, count: number): Promise<Float64Array> {
  const oned = await Oned.start({ backend, conf: CONF, schedConf });
  const c = new XmlRpcClient(oned.endpoint, { timeoutMs: 120_000 });
  try {
    await ok(c, oned, 'one.datastore.update', [0, 'TM_MAD = "dummy"', 1]);
    for (let i = 0; i < hosts; i++) await ok(c, oned, 'one.host.allocate', [`node${i}`, 'dummy', 'dummy', -1]);
    while ((String(await ok(c, oned, 'one.hostpool.info', [])).split('<STATE>2</STATE>').length - 1) < hosts) await sleep(200);
    // Past the scheduler's first cycle, which runs when it starts.
    await sleep(3000);
    const out: number[] = [];
    for (let i = 0; i < count; i++) {
      await sleep(1000 + Math.random() * 2000);
      const t0 = performance.now();
      const id = Number(await ok(c, oned, 'one.vm.allocate', [`NAME = "lat${i}"\nCPU = 0.1\nMEMORY = 64`, false]));
      while (!String(await ok(c, oned, 'one.vm.info', [id])).includes('<LCM_STATE>3</LCM_STATE>')) await sleep(10);
      out.push(performance.now() - t0);
    }
    return Float64Array.from(out).sort();
  } finally {
    c.close();
    await oned.stop();
  }
}

function row(what: string, sorted: Float64Array): string {
  const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
  return `| ${what} | ${sorted.length} | ${(percentile(sorted, 0.5) / 1000).toFixed(2)} | ${(mean / 1000).toFixed(2)} | ${(sorted[sorted.length - 1]! / 1000).toFixed(2)} | ${loadavg().map((l) => l.toFixed(1)).join(' ')} |`;
}

async function main(): Promise<void> {
  const o = options();
  printHeading('allocate-to-RUNNING latency', 'oned, mm_sched and drivers', `${o.hosts} dummy hosts, SCHED_INTERVAL 30, ${o.backend}`);
  console.log('\n| scheduler | VMs | median s | mean s | max s | load average after |');
  console.log('|---|--:|--:|--:|--:|---|');
  console.log(row('every SCHED_INTERVAL only (WAKE_ON_PENDING = 0, as before)', await latencies(o.backend, 'WAKE_ON_PENDING = 0\n', o.hosts, o.beforeVms)));
  console.log(row('woken for new pending VMs (the default)', await latencies(o.backend, '', o.hosts, o.vms)));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
