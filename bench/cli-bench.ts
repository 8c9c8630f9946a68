/**
 * CLI benchmark (issues 4 and 18): `onevm list` and `onehost list` against one oned holding many
 * VMs and hosts (created through OCA, dummy drivers), timed from the process start to its last
 * line of output, as an admin waits for it; and, in this process, the listing's fetch and its
 * parse into objects. Not a test: see bench/README.md.
 *
 *   node dist/bench/cli-bench.js [--backend sqlite] [--vms 100000] [--hosts 10000] [--runs 5] [--compare DIR]
 *
 * --compare DIR also times the commands of another build (DIR/dist/src/cli/bin: a copy of dist
 * made before a change) against the same oned, each run beside this build's.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Backend } from '../src/db/database.js';
import { Host, Oca, parsePoolTree, VirtualMachine } from '../src/oca/index.js';
import { Oned } from '../test/e2e/harness.js';

const CLIENTS = 16;
const CONF = `LOG = [ DEBUG_LEVEL = 1 ]
HOST_MONITORING_INTERVAL = 0
VM_MAD = [ NAME = "dummy", EXECUTABLE = "one_vmm_dummy" ]
IM_MAD = [ NAME = "dummy", EXECUTABLE = "one_im_dummy" ]
`;
const BIN = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '../src/cli/bin');

function options(): { backend: Backend; vms: number; hosts: number; runs: number; compare?: string } {
  const { values } = parseArgs({
    options: {
      backend: { type: 'string', default: 'sqlite' },
      vms: { type: 'string', default: '100000' },
      hosts: { type: 'string', default: '10000' },
      runs: { type: 'string', default: '5' },
      compare: { type: 'string' },
    },
  });
  const backend = values.backend;
  if (backend !== 'sqlite' && backend !== 'postgresql' && backend !== 'mysql') throw new Error(`--backend: sqlite, postgresql or mysql, not ${backend}`);
  const vms = Number(values.vms);
  const hosts = Number(values.hosts);
  const runs = Number(values.runs);
  if (![vms, hosts, runs].every((n) => Number.isInteger(n) && n >= 1)) throw new Error('--vms, --hosts and --runs: positive integers');
  return { backend, vms, hosts, runs, compare: values.compare === undefined ? undefined : resolve(values.compare, 'dist/src/cli/bin') };
}

/**
 * Preloaded into every timed command: writes the process's CPU time (user + system, ms) to fd 3
 * as it exits, so the table shows the work of the command apart from the machine's load.
 */
const CPU_PRELOAD = `process.on('exit', () => { const u = process.cpuUsage(); try { require('fs').writeSync(3, String((u.user + u.system) / 1000)); } catch {} });\n`;

/** Runs a command; resolves with ms from spawn to its last output byte (its exit when silent), its CPU ms, lines and exit code. */
function timed(preload: string, command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ ms: number; cpuMs: number; lines: number; code: number }> {
  return new Promise((res, rej) => {
    const start = performance.now();
    let last = 0;
    let lines = 0;
    let cpu = '';
    const p = spawn(process.execPath, ['--require', preload, command, ...args], { env, stdio: ['ignore', 'pipe', 'inherit', 'pipe'] });
    p.stdout!.on('data', (d: Buffer) => {
      last = performance.now();
      for (const b of d) if (b === 10) lines++;
    });
    (p.stdio[3] as NodeJS.ReadableStream).on('data', (d: Buffer) => (cpu += d.toString()));
    p.on('error', rej);
    p.on('close', (code) => res({ ms: (last || performance.now()) - start, cpuMs: Number(cpu), lines, code: code ?? -1 }));
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');

/** Runs `make` `n` times with 16 keep-alive clients in parallel (each chain its own). */
async function create(oned: Oned, n: number, make: (c: Oca, i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      const c = new Oca({ endpoint: oned.endpoint, session: oned.oneadmin });
      for (let i = next++; i < n; i = next++) await make(c, i);
      c.close();
    }),
  );
}

/** Median and min of `runs` timings of `f`, in ms. */
async function timeIt(runs: number, f: () => unknown): Promise<string> {
  const ts: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await f();
    ts.push(performance.now() - t);
  }
  return `median ${median(ts).toFixed(0)} ms, min ${Math.min(...ts).toFixed(0)} ms`;
}

async function main(): Promise<void> {
  const o = options();
  const oned = await Oned.start({ backend: o.backend, conf: CONF });
  const one = new Oca({ endpoint: oned.endpoint, session: oned.oneadmin });
  try {
    let t0 = performance.now();
    await create(oned, o.vms, (c, n) => c.vms.allocate(`NAME = "vm${n}"\nCPU = 0.1\nMEMORY = 128`));
    console.log(`${o.vms} VMs created through OCA in ${((performance.now() - t0) / 1000).toFixed(1)} s (${o.backend})`);
    t0 = performance.now();
    await create(oned, o.hosts, (c, n) => c.hosts.allocate(`node${n}`, 'dummy', 'dummy'));
    console.log(`${o.hosts} hosts created through OCA in ${((performance.now() - t0) / 1000).toFixed(1)} s; load average ${load()}`);

    // The listings alone, in this process: what the CLI waits for before it prints anything,
    // then their parse into the objects the tables read.
    for (const [label, res, args, element, cls] of [
      ['one.vmpool.info', one.vms, [-2, -1, -1, -1], 'VM', VirtualMachine],
      ['one.hostpool.info', one.hosts, [], 'HOST', Host],
    ] as const) {
      const r = res as typeof one.vms | typeof one.hosts;
      const xml = await r.listXml(...args);
      console.log(`${label} through OCA, in process (${(xml.length / 1e6).toFixed(1)} M characters): ${await timeIt(o.runs, () => r.listXml(...args))}`);
      console.log(`  its parse into ${r.parseList(xml).length} objects: ${await timeIt(o.runs, () => r.parseList(xml))}`);
      console.log(`  the same through the document's tree: ${await timeIt(o.runs, () => parsePoolTree<VirtualMachine | Host>(cls, element, xml))}`);
    }

    const preload = join(oned.location, 'cpu-preload.cjs');
    writeFileSync(preload, CPU_PRELOAD);
    const env = { ...process.env, ONE_XMLRPC: oned.endpoint, ONE_AUTH: join(oned.location, 'one_auth'), NO_COLOR: '1' };
    const cases: [string, string, string[]][] = [['node, empty script (start-up floor)', '-e', ['']]];
    for (const [cmd, args] of [
      ['onevm', ['list']],
      ['onevm', ['list', '--csv']],
      ['onevm', ['list', '--json']],
      ['onehost', ['list']],
      ['onehost', ['list', '--csv']],
      ['onehost', ['list', '--json']],
    ] as const) {
      if (o.compare !== undefined) cases.push([`${cmd} ${args.join(' ')} (before)`, join(o.compare, `${cmd}.js`), [...args]]);
      cases.push([`${cmd} ${args.join(' ')}`, join(BIN, `${cmd}.js`), [...args]]);
    }
    console.log(`\nload average before the CLI runs: ${load()}\n| command | runs | median ms | min ms | CPU ms (median) | lines |\n|---|---|---|---|---|---|`);
    for (const [label, script, args] of cases) {
      const times: number[] = [];
      const cpu: number[] = [];
      let lines = 0;
      // A first run warms the OS file cache (and oned's kept listing); it is not counted.
      await timed(preload, script, args, env);
      for (let i = 0; i < o.runs; i++) {
        const r = await timed(preload, script, args, env);
        if (r.code !== 0) throw new Error(`${label} exited ${r.code}`);
        times.push(r.ms);
        cpu.push(r.cpuMs);
        lines = r.lines;
      }
      console.log(`| ${label} | ${o.runs} | ${median(times).toFixed(0)} | ${Math.min(...times).toFixed(0)} | ${median(cpu).toFixed(0)} | ${lines} |`);
    }
    console.log(`load average after: ${load()}`);
  } finally {
    one.close();
    await oned.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
