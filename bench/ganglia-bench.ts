/**
 * Ganglia benchmark: what the ganglia IM driver costs with a central gmetad of many hosts. Builds
 * a gmetad dump of `--hosts` hosts, each the HOST element of a real gmond 3.7.2 dump
 * (src/mad/ganglia/testdata) renamed, serves it over TCP on 127.0.0.1, then measures one read
 * (connect, stream, parse: wall and CPU time, heap) and the MONITOR of every host through the
 * driver's action table with a cache (`-c`), as oned's rounds would ask. Not a test: see bench/README.md.
 *
 *   node dist/bench/ganglia-bench.js [--hosts 10000]
 */
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DumpCache, gangliaImActions, readDump } from '../src/mad/ganglia/index.js';

const { values } = parseArgs({ options: { hosts: { type: 'string', default: '10000' } } });
const hosts = Number(values.hosts);
const sample = readFileSync(resolve(import.meta.dirname, '../../src/mad/ganglia/testdata/gmond-3.7.2-vms.xml'), 'latin1');
const hostXml = /<HOST [\s\S]*?<\/HOST>\n/.exec(sample)![0];
const head = sample.slice(0, sample.indexOf('<GANGLIA_XML'));
let body = `${head}<GANGLIA_XML VERSION="3.7.2" SOURCE="gmetad">\n<GRID NAME="bench" AUTHORITY="http://x/" LOCALTIME="1">\n<CLUSTER NAME="c" LOCALTIME="1" OWNER="o" LATLONG="l" URL="u">\n`;
const parts: string[] = [];
for (let i = 0; i < hosts; i++) parts.push(hostXml.replace('NAME="gg1" IP="10.91.0.11"', `NAME="node${i}" IP="10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}"`));
body += parts.join('') + '</CLUSTER>\n</GRID>\n</GANGLIA_XML>\n';
const bytes = Buffer.from(body, 'latin1');

let reads = 0;
const server = createServer((s) => {
  reads++;
  s.end(bytes);
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const port = (server.address() as AddressInfo).port;

globalThis.gc?.();
const heap0 = process.memoryUsage().heapUsed;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const dump = await readDump({ host: '127.0.0.1', port }, 60_000);
const readMs = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
const heapMb = (process.memoryUsage().heapUsed - heap0) / 1e6;
if (dump.size !== hosts) throw new Error(`read ${dump.size} hosts`);

const actions = gangliaImActions({ server: '127.0.0.1', port, cache: new DumpCache(60_000, 60_000) });
const ctx = { signal: new AbortController().signal, log: () => {} };
reads = 0;
const t1 = performance.now();
for (let i = 0; i < hosts; i++) {
  const r = (await actions.get('MONITOR')!({ action: 'MONITOR', id: i, args: [`node${i}`, '-', '0'] }, ctx)) as { ok: boolean; info: string };
  if (!r.ok) throw new Error(r.info);
}
const monitorMs = performance.now() - t1;
server.close();
console.log(
  JSON.stringify({
    hosts,
    dumpMB: +(bytes.length / 1e6).toFixed(1),
    readMs: Math.round(readMs),
    readCpuMs: Math.round((cpu.user + cpu.system) / 1000),
    heapMB: +heapMb.toFixed(0),
    monitorAllMs: Math.round(monitorMs),
    perMonitorMs: +(monitorMs / hosts).toFixed(3),
    readsForAllHosts: reads,
    load: loadavg().map((l) => +l.toFixed(1)),
  }),
);
