/**
 * Prometheus exporter benchmark. Against a real oned (dummy drivers, no scheduler): H hosts and
 * N VMs (each with a volatile disk and a NIC, so the listing has the parts the VM families read)
 * are created through the API; then opennebula-exporter runs as its own process and is scraped
 * over HTTP as Prometheus scrapes it (gzip): a cold scrape (a collection: the three pool calls,
 * mapping, rendering, compression), a scrape served from the cache, and the collection's parts
 * measured in this process (calls, mapping, rendering). With `--prom-client` the VM samples are
 * also put through prom-client's registry, the library the pool families were first written on.
 *
 *   node dist/bench/exporter-bench.js [--hosts 10000] [--vms 100000] [--backend sqlite|postgresql] [--prom-client]
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Gauge, Registry } from 'prom-client';
import { Oca } from '../src/oca/index.js';
import { datastoreFamilies, hostFamilies, vmFamilies } from '../src/monitor/exporter/index.js';
import type { Backend } from '../src/db/index.js';
import { freePort, Oned } from '../test/e2e/harness.js';
import { cpuMs, measure, ok, printHeading, rssMb, table, type Row } from './bench-lib.js';

const CLIENTS = 16;
const EXPORTER = resolve(import.meta.dirname, '../src/monitor/exporter/main.js');
const CONF = `HOST_MONITORING_INTERVAL = 600
IM_MAD = [ NAME = "dummy", EXECUTABLE = "one_im_dummy" ]
VM_MAD = [ NAME = "dummy", EXECUTABLE = "one_vmm_dummy" ]
`;

function options() {
  const { values } = parseArgs({ options: { hosts: { type: 'string', default: '10000' }, vms: { type: 'string', default: '100000' }, backend: { type: 'string', default: 'sqlite' }, 'prom-client': { type: 'boolean', default: false } } });
  return { hosts: Number(values.hosts), vms: Number(values.vms), backend: values.backend as Backend, promClient: values['prom-client']! };
}

const ms = (t0: number) => (performance.now() - t0).toFixed(0);
/** CPU time (user + system) this process used since `c0`, in ms: steadier than wall time on a loaded machine. */
const cpu = (c0: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(c0);
  return ((d.user + d.system) / 1000).toFixed(0);
};

async function main(): Promise<void> {
  const o = options();
  printHeading('Prometheus exporter benchmark', 'oned, its drivers, the exporter and this client', `${o.hosts} dummy hosts, ${o.vms} VMs, ${o.backend}`);
  const oned = await Oned.start({ backend: o.backend, conf: CONF });
  let exporter: ReturnType<typeof spawn> | undefined;
  try {
    const rows: Row[] = [];
    rows.push(await measure(oned, 'one.host.allocate', CLIENTS, { count: o.hosts }, (c, n) => ok(c, oned, 'one.host.allocate', [`node${n}`, 'dummy', 'dummy', -1])));
    rows.push(
      await measure(oned, 'one.vm.allocate', CLIENTS, { count: o.vms }, (c, n) =>
        ok(c, oned, 'one.vm.allocate', [`NAME = "vm${n}"\nCPU = 0.${(n % 9) + 1}\nMEMORY = ${64 * ((n % 8) + 1)}\nVCPU = ${(n % 4) + 1}\nDISK = [ TYPE = fs, SIZE = 1024 ]\nNIC = [ NETWORK_MODE = auto ]`, false]),
      ),
    );
    console.log(`\n${table(rows)}\n`);

    // The collection's parts, in this process.
    const oca = new Oca({ endpoint: oned.endpoint, session: oned.oneadmin, timeoutMs: 600_000 });
    console.log('| step | wall ms | CPU ms | |');
    console.log('|---|--:|--:|---|');
    let t0 = performance.now();
    let c0 = process.cpuUsage();
    const oned0 = cpuMs(oned.pid);
    const [hxml, dxml, vxml] = await Promise.all([oca.hosts.listXml(), oca.datastores.listXml(), oca.vms.listXml(-2, -1, -1, -1)]);
    console.log(`| the three pool calls at once | ${ms(t0)} | ${(cpuMs(oned.pid) - oned0).toFixed(0)} oned + ${cpu(c0)} client | hosts ${(hxml.length / 1e6).toFixed(1)} MB, VMs ${(vxml.length / 1e6).toFixed(1)} MB of XML |`);
    t0 = performance.now();
    c0 = process.cpuUsage();
    const families = [...hostFamilies(hxml), ...datastoreFamilies(dxml), ...vmFamilies(vxml)];
    console.log(`| mapping to samples | ${ms(t0)} | ${cpu(c0)} | ${families.reduce((n, f) => n + f.size, 0)} samples |`);
    t0 = performance.now();
    c0 = process.cpuUsage();
    const text = families.map((f) => f.render()).join('');
    console.log(`| rendering | ${ms(t0)} | ${cpu(c0)} | ${(text.length / 1e6).toFixed(1)} MB of exposition text |`);
    oca.close();

    // The exporter as a process, scraped over HTTP with gzip.
    const port = await freePort();
    writeFileSync(join(oned.location, 'etc', 'opennebula-exporter.conf'), 'cache_ttl: 30\ntimeout: 600\n');
    exporter = spawn(process.execPath, [EXPORTER, '--port', String(port)], {
      env: { ...process.env, ONE_LOCATION: oned.location, ONE_XMLRPC: oned.endpoint, ONE_AUTH: join(oned.location, 'one_auth') },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((res) => exporter!.stdout!.on('data', (d: Buffer) => /metrics are at/.test(d.toString()) && res()));
    const scrape = async () => {
      const t = performance.now();
      const r = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { 'Accept-Encoding': 'gzip' } });
      const body = Buffer.from(await r.arrayBuffer());
      return { ms: performance.now() - t, bytes: body.length };
    };
    const onedCpu0 = cpuMs(oned.pid);
    const cold = await scrape();
    const onedCpu = cpuMs(oned.pid) - onedCpu0;
    const warm = await scrape();
    const exporterCpu = cpuMs(exporter.pid!);
    console.log(`| cold scrape (a collection), HTTP, gzip | ${cold.ms.toFixed(0)} | ${onedCpu.toFixed(0)} oned, ${exporterCpu.toFixed(0)} exporter (since its start) | ${(cold.bytes / 1e6).toFixed(1)} MB on the wire |`);
    console.log(`| scrape from the cache | ${warm.ms.toFixed(0)} | | exporter RSS ${rssMb(exporter.pid!).toFixed(0)} MB, oned RSS ${rssMb(oned.pid).toFixed(0)} MB |`);
    // The whole cloud is in the scrape.
    const raw = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { 'Accept-Encoding': 'identity' } });
    const plain = await raw.text();
    if (!plain.includes(`opennebula_vm_total ${o.vms}`)) throw new Error('the scrape does not count every VM');

    if (o.promClient) {
      const reg = new Registry();
      const vmFams = vmFamilies(vxml);
      const gauges = vmFams.map((f) => new Gauge({ name: `${f.spec.name}_pc`, help: f.spec.help, labelNames: [...f.spec.labels], registers: [reg] }));
      // The same samples as label objects, made before the clock starts.
      const entries: Array<[Gauge, Record<string, string>, number]> = [];
      vmFams.forEach((f, i) => {
        for (const line of f.render().split('\n')) {
          const m = /^\S+?\{(.*)\} (\S+)$/.exec(line);
          if (m) entries.push([gauges[i]!, Object.fromEntries(m[1]!.split(',').map((kv) => kv.split('=').map((x) => x.replace(/"/g, '')) as [string, string])), Number(m[2])]);
        }
      });
      t0 = performance.now();
      c0 = process.cpuUsage();
      for (const [g, labels, v] of entries) g.set(labels, v);
      const setMs = `${ms(t0)} / ${cpu(c0)}`;
      t0 = performance.now();
      c0 = process.cpuUsage();
      const pcText = await reg.metrics();
      console.log(`| prom-client, the same VM samples: set (wall / CPU) | ${setMs} | | |`);
      console.log(`| prom-client: render | ${ms(t0)} | ${cpu(c0)} | ${(pcText.length / 1e6).toFixed(1)} MB |`);
    }
  } finally {
    exporter?.kill('SIGTERM');
    await oned.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
