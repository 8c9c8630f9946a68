/** Measuring helpers shared by the benchmarks: timed call loops, oned's CPU and memory, tables. */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import http from 'node:http';
import { parseArgs } from 'node:util';
import type { Backend } from '../src/db/database.js';
import type { XmlRpcClient, XmlRpcValue } from '../src/rpc/xmlrpc/index.js';
import type { Oned } from '../test/e2e/harness.js';

/** Linux clock ticks per second (USER_HZ), the unit of /proc/<pid>/stat's CPU times. */
const CLOCK_TICKS = 100;

/** One measured phase. */
export interface Row {
  readonly what: string;
  readonly clients: number;
  readonly requests: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** CPU oned used per request (user + system), in ms. */
  readonly onedCpuMs: number;
}

/** CPU time (user + system) the process has used, in ms. */
export function cpuMs(pid: number): number {
  // Fields after the ")" that ends the command name: state is field 3, utime 14, stime 15.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}

/** Calls as oneadmin and returns the value; throws on a failure response. */
export async function ok(client: XmlRpcClient, oned: Oned, method: string, params: XmlRpcValue[]): Promise<XmlRpcValue> {
  const r = (await client.call(method, [oned.oneadmin, ...params])) as XmlRpcValue[];
  if (r[0] !== true) throw new Error(`${method} failed: ${String(r[1])}`);
  return r[1]!;
}

export function percentile(sorted: Float64Array, q: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/**
 * Runs `call` in a loop on `clients` clients until `seconds` pass (or `count` calls are done),
 * timing every call.
 */
export async function measure(
  oned: Oned,
  what: string,
  clients: number,
  limit: { readonly seconds: number } | { readonly count: number },
  call: (client: XmlRpcClient, n: number) => Promise<unknown>,
): Promise<Row> {
  const pool = Array.from({ length: clients }, () => oned.client());
  // Open every connection before the clock starts.
  await Promise.all(pool.map((c) => ok(c, oned, 'one.system.version', [])));
  const latencies: number[] = [];
  let issued = 0;
  const deadline = 'seconds' in limit ? performance.now() + limit.seconds * 1000 : Infinity;
  const count = 'count' in limit ? limit.count : Infinity;
  const cpuBefore = cpuMs(oned.pid);
  const start = performance.now();
  await Promise.all(
    pool.map(async (client) => {
      while (issued < count && performance.now() < deadline) {
        const n = issued++;
        const t0 = performance.now();
        await call(client, n);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  const cpu = cpuMs(oned.pid) - cpuBefore;
  for (const c of pool) c.close();
  const sorted = Float64Array.from(latencies).sort();
  return {
    what,
    clients,
    requests: sorted.length,
    perSecond: sorted.length / elapsed,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    onedCpuMs: cpu / sorted.length,
  };
}

export function table(rows: readonly Row[]): string {
  const head = ['call', 'clients', 'requests', 'req/s', 'p50 ms', 'p99 ms', 'oned CPU ms/req'];
  const body = rows.map((r) => [
    r.what,
    String(r.clients),
    String(r.requests),
    r.perSecond.toFixed(r.perSecond < 100 ? 1 : 0),
    r.p50Ms.toFixed(2),
    r.p99Ms.toFixed(2),
    r.onedCpuMs.toFixed(3),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  return [line(head), `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`, ...body.map(line)].join('\n');
}

/** Resident memory of a process, in MB. */
export function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Latencies of an open-loop load: one call every 1/rate s for `seconds`, each on a free client. */
export async function paced(oned: Oned, rate: number, seconds: number, call: (client: XmlRpcClient) => Promise<unknown>): Promise<{ sorted: Float64Array; late: number }> {
  const idle: XmlRpcClient[] = [];
  const latencies: number[] = [];
  const inFlight = new Set<Promise<void>>();
  const intervalMs = 1000 / rate;
  const start = performance.now();
  let late = 0;
  for (let n = 0; n < rate * seconds; n++) {
    const due = start + n * intervalMs;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    else if (wait < -intervalMs) late++;
    const client = idle.pop() ?? oned.client();
    const t0 = performance.now();
    const p = call(client).then(() => {
      latencies.push(performance.now() - t0);
      idle.push(client);
    });
    const tracked = p.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  }
  await Promise.all(inFlight);
  for (const c of idle) c.close();
  return { sorted: Float64Array.from(latencies).sort(), late };
}

/**
 * A keep-alive HTTP client that posts an XML-RPC call and reads the whole answer without
 * decoding it: for big listings, whose decoding in this (shared) process would otherwise be what
 * is measured. Resolves with the answer's size in bytes; rejects unless it is a success.
 */
export class RawCaller {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  private readonly url: URL;

  constructor(endpoint: string) {
    this.url = new URL(endpoint);
  }

  call(body: string): Promise<number> {
    let size = 0;
    let head = '';
    return this.post(body, (chunk) => {
      if (head.length < 200) head += chunk.toString('latin1', 0, 200);
      size += chunk.length;
    }).then(() => (/<boolean>1<\/boolean>/.test(head) ? size : Promise.reject(new Error(`call failed: ${head}`))));
  }

  /** The whole answer as text (latin1: the escaped XML is counted, not decoded); rejects unless a success. */
  async text(body: string): Promise<string> {
    const chunks: Buffer[] = [];
    await this.post(body, (chunk) => chunks.push(chunk));
    const text = Buffer.concat(chunks).toString('latin1');
    if (!/<boolean>1<\/boolean>/.test(text.slice(0, 200))) throw new Error(`call failed: ${text.slice(0, 200)}`);
    return text;
  }

  /** Posts `body`, handing each chunk of the answer to `onChunk`; resolves at its end. */
  private post(body: string, onChunk: (chunk: Buffer) => void): Promise<void> {
    return new Promise((resolve, reject) => {
      const req = http.request(this.url, { method: 'POST', agent: this.agent, headers: { 'Content-Type': 'text/xml', 'Content-Length': Buffer.byteLength(body) } }, (res) => {
        res.on('data', onChunk);
        res.on('end', resolve);
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** How many VMs of a short listing are ACTIVE/RUNNING (counted in the text: no parse). */
export function runningIn(xml: string): number {
  return xml.split('<LCM_STATE>3</LCM_STATE>').length - 1;
}

/** The heading of a benchmark's output: what ran, on what, and how loaded the machine was. */
export function printHeading(title: string, sharing: string, setup: string): void {
  const cpu = cpus();
  console.log(`# nebula-ts ${title}, ${new Date().toISOString()}`);
  console.log(`node ${process.version}, ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}; ${sharing} share the machine`);
  console.log(`${setup}; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
}

/**
 * A benchmark's command line: `--backend` (sqlite, postgresql or mysql) and positive numbers,
 * each with its default; bad values are refused by name.
 */
export function benchOptions<K extends string>(defaults: Record<K, number>): { backend: Backend } & Record<K, number> {
  const options: Record<string, { type: 'string'; default: string }> = { backend: { type: 'string', default: 'sqlite' } };
  for (const [k, v] of Object.entries(defaults)) options[k] = { type: 'string', default: String(v) };
  const { values } = parseArgs({ options });
  const backend = values.backend as Backend;
  if (!['sqlite', 'postgresql', 'mysql'].includes(backend)) throw new Error(`--backend: sqlite, postgresql or mysql, not ${backend}`);
  const out = { backend } as { backend: Backend } & Record<K, number>;
  for (const k of Object.keys(defaults) as K[]) {
    const n = Number(values[k]);
    if (!(n > 0)) throw new Error(`--${k}: a positive number`);
    (out as Record<K, number>)[k] = n;
  }
  return out;
}
