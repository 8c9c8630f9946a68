/**
 * CLI benchmark (issue 4): `onevm list` against one oned holding many VMs (created through OCA,
 * dummy drivers), timed from the process start to its last line of output, as an admin waits
 * for it. Not a test: see bench/README.md.
 *
 *   node dist/bench/cli-bench.js [--backend sqlite] [--vms 10000] [--runs 7]
 */
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Backend } from '../src/db/database.js';
import { Oca } from '../src/oca/index.js';
import { Oned } from '../test/e2e/harness.js';

const CLIENTS = 16;
const CONF = `LOG = [ DEBUG_LEVEL = 1 ]
HOST_MONITORING_INTERVAL = 0
VM_MAD = [ NAME = "dummy", EXECUTABLE = "one_vmm_dummy" ]
IM_MAD = [ NAME = "dummy", EXECUTABLE = "one_im_dummy" ]
`;
const BIN = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '../src/cli/bin');

function options(): { backend: Backend; vms: number; runs: number } {
  const { values } = parseArgs({ options: { backend: { type: 'string', default: 'sqlite' }, vms: { type: 'string', default: '10000' }, runs: { type: 'string', default: '7' } } });
  const backend = values.backend;
  if (backend !== 'sqlite' && backend !== 'postgresql' && backend !== 'mysql') throw new Error(`--backend: sqlite, postgresql or mysql, not ${backend}`);
  const vms = Number(values.vms);
  const runs = Number(values.runs);
  if (!Number.isInteger(vms) || vms < 1 || !Number.isInteger(runs) || runs < 1) throw new Error('--vms and --runs: positive integers');
  return { backend, vms, runs };
}

/** Runs a command; resolves with ms from spawn to its last output byte (its exit when silent), its lines and exit code. */
function timed(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ ms: number; lines: number; code: number }> {
  return new Promise((res, rej) => {
    const start = performance.now();
    let last = 0;
    let lines = 0;
    const p = spawn(process.execPath, [command, ...args], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    p.stdout.on('data', (d: Buffer) => {
      last = performance.now();
      for (const b of d) if (b === 10) lines++;
    });
    p.on('error', rej);
    p.on('close', (code) => res({ ms: (last || performance.now()) - start, lines, code: code ?? -1 }));
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const o = options();
  const oned = await Oned.start({ backend: o.backend, conf: CONF });
  const one = new Oca({ endpoint: oned.endpoint, session: oned.oneadmin });
  try {
    const t0 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        // Each chain its own client: 16 keep-alive connections.
        const c = new Oca({ endpoint: oned.endpoint, session: oned.oneadmin });
        for (let n = next++; n < o.vms; n = next++) await c.vms.allocate(`NAME = "vm${n}"\nCPU = 0.1\nMEMORY = 128`);
        c.close();
      }),
    );
    console.log(`${o.vms} VMs created through OCA in ${((performance.now() - t0) / 1000).toFixed(1)} s (${o.backend})`);

    // The listing alone, in this process: what the CLI waits for before it prints anything.
    const fetches: number[] = [];
    for (let i = 0; i < o.runs; i++) {
      const t = performance.now();
      await one.vms.listXml(-2, -1, -1, -1);
      fetches.push(performance.now() - t);
    }
    console.log(`one.vmpool.info through OCA, in process: median ${median(fetches).toFixed(0)} ms, min ${Math.min(...fetches).toFixed(0)} ms`);

    const env = { ...process.env, ONE_XMLRPC: oned.endpoint, ONE_AUTH: join(oned.location, 'one_auth'), NO_COLOR: '1' };
    const cases: [string, string, string[]][] = [
      ['node, empty script (start-up floor)', '-e', ['']],
      ['onevm list', join(BIN, 'onevm.js'), ['list']],
      ['onevm list --csv', join(BIN, 'onevm.js'), ['list', '--csv']],
      ['onevm list --json', join(BIN, 'onevm.js'), ['list', '--json']],
    ];
    console.log(`\n| command | runs | median ms | min ms | lines |\n|---|---|---|---|---|`);
    for (const [label, script, args] of cases) {
      const times: number[] = [];
      let lines = 0;
      // A first run warms the OS file cache (and oned's kept listing); it is not counted.
      await timed(script, args, env);
      for (let i = 0; i < o.runs; i++) {
        const r = await timed(script, args, env);
        if (r.code !== 0) throw new Error(`${label} exited ${r.code}`);
        times.push(r.ms);
        lines = r.lines;
      }
      console.log(`| ${label} | ${o.runs} | ${median(times).toFixed(0)} | ${Math.min(...times).toFixed(0)} | ${lines} |`);
    }
  } finally {
    one.close();
    await oned.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
