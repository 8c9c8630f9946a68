/**
 * VM benchmark (issue 3): one oned with many dummy hosts, all monitored every 30 s, and many VMs.
 * Measures the time to create the VMs (one.vm.allocate) and to deploy them all (one.vm.deploy
 * until every VM is RUNNING), oned's memory, then one.vmpool.info at a fixed rate (default 30/s)
 * and one.vm.info alongside it. Not a test: see bench/README.md.
 *
 *   node dist/bench/vm-bench.js [--backend sqlite] [--hosts 2500] [--vms 20000] [--seconds 20] [--pool-rate 30] [--info-rate 100]
 */
import { encodeMethodCall, type XmlRpcClient } from '../src/rpc/xmlrpc/index.js';
import { Oned } from '../test/e2e/harness.js';
import { cpuMs, measure, ok, paced, percentile, printHeading, RawCaller, rssMb, runningIn, table, type Row , benchOptions } from './bench-lib.js';

const CLIENTS = 16;
const CONF = `LOG = [ DEBUG_LEVEL = 1 ]
HOST_MONITORING_INTERVAL = 30
IM_MAD = [ NAME = "dummy", EXECUTABLE = "one_im_dummy", ARGUMENTS = "-c 3200 -m 65536" ]
VM_MAD = [ NAME = "dummy", EXECUTABLE = "one_vmm_dummy" ]
`;

function options() {
  const o = benchOptions({ hosts: 2500, vms: 20000, seconds: 20, 'pool-rate': 30, 'info-rate': 100 });
  return { ...o, poolRate: o['pool-rate'], infoRate: o['info-rate'] };
}

async function main(): Promise<void> {
  const o = options();
  printHeading('VM benchmark', 'client and oned', `${o.backend}: ${o.hosts} dummy hosts monitored every 30 s, ${o.vms} VMs`);
  const oned = await Oned.start({ backend: o.backend, conf: CONF });
  try {
    const rows: Row[] = [];
    const hostIds: number[] = [];
    rows.push(
      await measure(oned, 'one.host.allocate', CLIENTS, { count: o.hosts }, async (c, n) => {
        hostIds.push((await ok(c, oned, 'one.host.allocate', [`node${n}`, 'dummy', 'dummy', -1])) as number);
      }),
    );
    const vmIds: number[] = [];
    const t0 = performance.now();
    rows.push(
      await measure(oned, 'one.vm.allocate', CLIENTS, { count: o.vms }, async (c, n) => {
        vmIds.push((await ok(c, oned, 'one.vm.allocate', [`NAME = "vm${n}"\nCPU = 0.1\nMEMORY = 128`, false])) as number);
      }),
    );
    const created = (performance.now() - t0) / 1000;
    const t1 = performance.now();
    rows.push(
      await measure(oned, 'one.vm.deploy', CLIENTS, { count: vmIds.length }, (c, n) => ok(c, oned, 'one.vm.deploy', [vmIds[n]!, hostIds[n % hostIds.length]!, false, -1])),
    );
    const poller = oned.client();
    for (;;) {
      const running = runningIn(String(await ok(poller, oned, 'one.vmpool.info', [-2, -1, -1, 3])));
      if (running >= vmIds.length) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const deployed = (performance.now() - t1) / 1000;
    const poolXml = String(await ok(poller, oned, 'one.vmpool.info', [-2, -1, -1, -1]));
    const memory = rssMb(oned.pid);
    poller.close();

    const cpuBefore = cpuMs(oned.pid);
    const randomVm = () => vmIds[Math.floor(Math.random() * vmIds.length)]!;
    // The listing is read whole but not decoded: decoding 10 MB of XML 30 times a second in this
    // process, on the cores oned uses, would measure the client.
    const raw = new RawCaller(oned.endpoint);
    const listing = encodeMethodCall('one.vmpool.info', [oned.oneadmin, -2, -1, -1, -1]);
    const [pool, info] = await Promise.all([
      paced(oned, o.poolRate, o.seconds, () => raw.call(listing)),
      paced(oned, o.infoRate, o.seconds, (c: XmlRpcClient) => ok(c, oned, 'one.vm.info', [randomVm()])),
    ]);
    // The same listing when every call follows a change (a kept listing cannot be served): the
    // cost of rendering 20,000 cached VM fragments into a new response.
    const changer = oned.client();
    const rebuilt: number[] = [];
    for (let n = 0; n < 20; n++) {
      await ok(changer, oned, 'one.vm.update', [randomVm(), `BENCH = ${n}`, 1]);
      const t0 = performance.now();
      await raw.call(listing);
      rebuilt.push(performance.now() - t0);
    }
    changer.close();
    raw.close();
    const busy = (cpuMs(oned.pid) - cpuBefore) / (o.seconds * 1000);

    console.log(`\ncreated ${vmIds.length} VMs in ${created.toFixed(1)} s (${(vmIds.length / created).toFixed(0)} VMs/s); deployed all to RUNNING in ${deployed.toFixed(1)} s (${(vmIds.length / deployed).toFixed(0)} VMs/s)`);
    console.log(`oned resident memory with ${o.hosts} hosts and ${vmIds.length} running VMs: ${memory.toFixed(0)} MB`);
    console.log(`one.vmpool.info: ${(Buffer.byteLength(poolXml) / 1e6).toFixed(1)} MB of XML`);
    console.log(`\n${table(rows)}`);
    const ms = (s: Float64Array, q: number) => percentile(s, q).toFixed(1);
    console.log(`\nopen loop for ${o.seconds} s, hosts monitored meanwhile; oned CPU busy ${(busy * 100).toFixed(0)} % of one core`);
    console.log(`| call | rate/s | done | p50 ms | p99 ms | started late |`);
    console.log(`|---|--:|--:|--:|--:|--:|`);
    console.log(`| one.vmpool.info (${vmIds.length} VMs) | ${o.poolRate} | ${pool.sorted.length} | ${ms(pool.sorted, 0.5)} | ${ms(pool.sorted, 0.99)} | ${pool.late} |`);
    console.log(`| one.vm.info | ${o.infoRate} | ${info.sorted.length} | ${ms(info.sorted, 0.5)} | ${ms(info.sorted, 0.99)} | ${info.late} |`);
    const r = Float64Array.from(rebuilt).sort();
    console.log(`\none.vmpool.info right after a VM changed (listing rendered again), 20 calls: p50 ${ms(r, 0.5)} ms, max ${r[r.length - 1]!.toFixed(1)} ms`);
  } finally {
    await oned.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
