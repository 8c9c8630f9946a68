/**
 * API benchmark: starts oned through the e2e harness, creates users through the API, then
 * measures small calls (one.user.info, one.user.update) and the big listing (one.userpool.info)
 * with 1 and with 16 concurrent keep-alive clients over loopback. Not a test: see bench/README.md.
 *
 *   node dist/bench/api-bench.js [--backend sqlite] [--users 10000] [--seconds 10] [--log both|default|quiet]
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import type { Backend } from '../src/db/database.js';
import { encodeResponse, type XmlRpcClient, type XmlRpcValue } from '../src/rpc/xmlrpc/index.js';
import { Oned } from '../test/e2e/harness.js';

const QUIET_CONF = 'LOG = [ DEBUG_LEVEL = 1 ]';
const SETUP_CLIENTS = 16;
const SETUP_SLICES = 10;
const CLIENT_COUNTS = [1, 16] as const;
/** Linux clock ticks per second (USER_HZ), the unit of /proc/<pid>/stat's CPU times. */
const CLOCK_TICKS = 100;

interface Options {
  readonly backend: Backend;
  readonly users: number;
  readonly seconds: number;
  readonly logs: readonly ('default' | 'quiet')[];
}

/** One measured phase. */
interface Row {
  readonly what: string;
  readonly clients: number;
  readonly requests: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** CPU oned used per request (user + system), in ms. */
  readonly onedCpuMs: number;
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      backend: { type: 'string', default: 'sqlite' },
      users: { type: 'string', default: '10000' },
      seconds: { type: 'string', default: '10' },
      log: { type: 'string', default: 'both' },
    },
  });
  const backend = values.backend;
  if (backend !== 'sqlite' && backend !== 'postgresql' && backend !== 'mysql') throw new Error(`--backend: sqlite, postgresql or mysql, not ${backend}`);
  const users = Number(values.users);
  const seconds = Number(values.seconds);
  if (!Number.isInteger(users) || users < 1) throw new Error('--users: a positive integer');
  if (!(seconds > 0)) throw new Error('--seconds: a positive number');
  const log = values.log;
  if (log !== 'both' && log !== 'default' && log !== 'quiet') throw new Error('--log: both, default or quiet');
  const logs: Options['logs'] = log === 'both' ? (['default', 'quiet'] as const) : [log];
  return { backend, users, seconds, logs };
}

/** CPU time (user + system) the process has used, in ms. */
function cpuMs(pid: number): number {
  // Fields after the ")" that ends the command name: state is field 3, utime 14, stime 15.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}

/** Calls as oneadmin and returns the value; throws on a failure response. */
async function ok(client: XmlRpcClient, oned: Oned, method: string, params: XmlRpcValue[]): Promise<XmlRpcValue> {
  const r = (await client.call(method, [oned.oneadmin, ...params])) as XmlRpcValue[];
  if (r[0] !== true) throw new Error(`${method} failed: ${String(r[1])}`);
  return r[1]!;
}

function percentile(sorted: Float64Array, q: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/**
 * Runs `call` in a loop on `clients` clients until `seconds` pass (or `count` calls are done),
 * timing every call.
 */
async function measure(
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

function table(rows: readonly Row[]): string {
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

/** One oned, one log setting: setup, then every measurement. */
async function run(opts: Options, log: 'default' | 'quiet'): Promise<void> {
  const oned = await Oned.start({ backend: opts.backend, conf: log === 'quiet' ? QUIET_CONF : '' });
  try {
    const rows: Row[] = [];
    const ids: number[] = [];
    // In tenths, to show whether creating a user gets slower as the pool grows.
    const slices: Row[] = [];
    const setupStart = performance.now();
    for (let from = 0; from < opts.users; ) {
      const to = Math.min(opts.users, from + Math.ceil(opts.users / SETUP_SLICES));
      const first = from;
      slices.push(
        await measure(oned, `one.user.allocate, users ${from}-${to - 1}`, SETUP_CLIENTS, { count: to - from }, async (client, n) => {
          ids.push((await ok(client, oned, 'one.user.allocate', [`bench${first + n}`, `pw${n}`, ''])) as number);
        }),
      );
      from = to;
    }
    const allocationRate = ids.length / ((performance.now() - setupStart) / 1000);
    rows.push(slices[0]!);
    if (slices.length > 1) rows.push(slices[slices.length - 1]!);
    const randomId = () => ids[Math.floor(Math.random() * ids.length)]!;
    let seq = 0;
    for (const clients of CLIENT_COUNTS) {
      rows.push(await measure(oned, 'one.user.info', clients, { seconds: opts.seconds }, (client) => ok(client, oned, 'one.user.info', [randomId()])));
    }
    for (const clients of CLIENT_COUNTS) {
      rows.push(await measure(oned, 'one.user.update (write)', clients, { seconds: opts.seconds }, (client) => ok(client, oned, 'one.user.update', [randomId(), `SEQ = ${++seq}`, 1])));
    }
    for (const clients of CLIENT_COUNTS) {
      rows.push(await measure(oned, 'one.userpool.info', clients, { seconds: opts.seconds }, (client) => ok(client, oned, 'one.userpool.info', [])));
    }
    const listing = oned.client();
    const xml = String(await ok(listing, oned, 'one.userpool.info', []));
    listing.close();

    const level = log === 'quiet' ? 'DEBUG_LEVEL = 1' : 'default log, DEBUG_LEVEL = 3';
    console.log(`\n## ${opts.backend}, ${level}`);
    console.log(
      `users created: ${ids.length} at ${allocationRate.toFixed(0)} users/s (${SETUP_CLIENTS} clients, PASSWORD_SCRYPT_COST = 1024); ` +
        `by tenths: ${slices.map((r) => r.perSecond.toFixed(0)).join(', ')} users/s`,
    );
    console.log(
      `one.userpool.info response: ${Buffer.byteLength(xml)} bytes of XML, ${Buffer.byteLength(encodeResponse([true, xml, 0]))} bytes on the wire (${(Buffer.byteLength(xml) / (ids.length + 2)).toFixed(0)} bytes per user)`,
    );
    console.log(`\n${table(rows)}`);
  } finally {
    await oned.stop();
  }
}

async function main(): Promise<void> {
  const opts = options();
  const cpu = cpus();
  console.log(`# nebula-ts API benchmark, ${new Date().toISOString()}`);
  console.log(`node ${process.version}, ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}; client and oned share the machine`);
  console.log(`${opts.users} users, ${opts.seconds} s per measurement, clients: ${CLIENT_COUNTS.join(' and ')}`);
  console.log(`load average before: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  for (const log of opts.logs) await run(opts, log);
  console.log(`\nload average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
