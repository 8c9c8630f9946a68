/**
 * API benchmark: starts oned through the e2e harness, creates users through the API, then
 * measures small calls (one.user.info, one.user.update) and the big listing (one.userpool.info)
 * with 1 and with 16 concurrent keep-alive clients over loopback. Not a test: see bench/README.md.
 *
 *   node dist/bench/api-bench.js [--backend sqlite] [--users 10000] [--seconds 10] [--log both|default|quiet]
 */
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import type { Backend } from '../src/db/database.js';
import { encodeResponse } from '../src/rpc/xmlrpc/index.js';
import { Oned } from '../test/e2e/harness.js';
import { measure, ok, table, type Row } from './bench-lib.js';

const QUIET_CONF = 'LOG = [ DEBUG_LEVEL = 1 ]';
const SETUP_CLIENTS = 16;
const SETUP_SLICES = 10;
const CLIENT_COUNTS = [1, 16] as const;

interface Options {
  readonly backend: Backend;
  readonly users: number;
  readonly seconds: number;
  readonly logs: readonly ('default' | 'quiet')[];
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
