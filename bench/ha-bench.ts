/**
 * Front-end HA: failover time. Starts a private PostgreSQL cluster and three oned front-ends
 * (FEDERATION SERVER_ID 0-2, RAFT HA_ELECTION_MS as given), as test/e2e/ha-failover.test.ts does,
 * then for each round: kill -9 of the leader, and the time until
 *
 * - a survivor answers one.zone.raftstatus with STATE 3 (leader): the failover;
 * - a write through the other survivor (a follower, forwarding it) is acknowledged;
 *
 * then the killed front-end starts again (as a follower) for the next round. Also the cost of a
 * forwarded write: `one.user.update` through a follower against the same call on the leader.
 *
 * It is not a test and asserts nothing. Run as root (initdb runs as the postgres user):
 *     npx tsc -p tsconfig.json && node dist/bench/ha-bench.js [--rounds 5] [--election-ms 500] [--writes 200]
 */
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Oned } from '../test/e2e/harness.js';
import { TEST_DRIVERS } from '../test/e2e/api-helpers.js';
import { PgCluster } from '../test/e2e/pg-cluster.js';
import { childInt, parseXmlTree } from '../src/common/xml-tree.js';
import { percentile } from './bench-lib.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' }, 'election-ms': { type: 'string', default: '500' }, writes: { type: 'string', default: '200' } } });
const rounds = Number(values.rounds);
const electionMs = Number(values['election-ms']);
const writes = Number(values.writes);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function summary(name: string, ms: number[]): string {
  const sorted = Float64Array.from(ms).sort();
  return `${name.padEnd(44)} n=${String(ms.length).padStart(4)}  p50 ${percentile(sorted, 0.5).toFixed(1).padStart(8)} ms  max ${sorted[sorted.length - 1]!.toFixed(1).padStart(8)} ms`;
}

async function state(o: Oned): Promise<number> {
  const r = await o.call('one.zone.raftstatus', []).catch(() => [false]);
  return r[0] === true ? childInt(parseXmlTree(String(r[1])), 'STATE') : -1;
}

const pg = await PgCluster.create();
const servers: Oned[] = [];
try {
  const conf = (i: number) => `${TEST_DRIVERS}FEDERATION = [ SERVER_ID = ${i} ]\nRAFT = [ HA_ELECTION_MS = ${electionMs} ]\n`;
  servers.push(await Oned.start({ backend: 'postgresql', db: pg.dbSection('nebula_ha'), conf: conf(0) }));
  const keys = (loc: string) => cpSync(join(servers[0]!.location, '.one'), join(loc, '.one'), { recursive: true });
  for (const i of [1, 2]) servers.push(await Oned.start({ backend: 'postgresql', db: pg.dbSection('nebula_ha'), conf: conf(i), prepare: keys }));
  for (const [i, s] of servers.entries()) await servers[0]!.ok('one.zone.addserver', [0, `SERVER = [ NAME = "s${i}", ENDPOINT = "${s.endpoint}" ]`]);
  for (let i = 0; i < 100; i++) await servers[0]!.ok('one.vm.allocate', [`NAME = "b${i}"\nCPU = 0.1\nMEMORY = 16`, true]);

  const direct: number[] = [];
  const forwarded: number[] = [];
  const leaderNow = async () => {
    for (const s of servers) if ((await state(s)) === 3) return s;
    throw new Error('no leader');
  };
  let leader = await leaderNow();
  const follower = servers.find((s) => s !== leader)!;
  for (let i = 0; i < writes; i++) {
    let t0 = performance.now();
    await leader.ok('one.user.update', [0, `SEQ = ${i}`, 1]);
    direct.push(performance.now() - t0);
    t0 = performance.now();
    await follower.ok('one.user.update', [0, `SEQ = ${i}`, 1]);
    forwarded.push(performance.now() - t0);
  }

  const failover: number[] = [];
  const writable: number[] = [];
  const loads: number[] = [];
  const starts: number[] = [];
  for (let r = 0; r < rounds; r++) {
    leader = await leaderNow();
    const rest = servers.filter((s) => s !== leader);
    const t0 = performance.now();
    await leader.signal('SIGKILL');
    let newLeader: Oned | undefined;
    while (!newLeader) {
      for (const s of rest) if ((await state(s)) === 3) newLeader = s;
      await sleep(5);
    }
    failover.push(performance.now() - t0);
    const promoted = readFileSync(join(newLeader.location, 'var', 'oned.log'), 'utf8').match(/Promoted: state loaded from the database in (\d+) ms, managers and drivers started in (\d+) ms/g)?.pop() ?? '';
    const [, load, start] = /in (\d+) ms, .* in (\d+) ms/.exec(promoted) ?? [];
    loads.push(Number(load));
    starts.push(Number(start));
    const other = rest.find((s) => s !== newLeader)!;
    while ((await other.call('one.user.update', [0, `ROUND = ${r}`, 1]))[0] !== true) await sleep(5);
    writable.push(performance.now() - t0);
    await leader.launch(); // back, as a follower
  }
  console.log(`HA bench: 3 front-ends, HA_ELECTION_MS = ${electionMs}, 100 VMs, ${rounds} kill -9 rounds`);
  console.log(summary('one.user.update on the leader', direct));
  console.log(summary('one.user.update through a follower', forwarded));
  console.log(summary('failover: kill -9 to a new leader', failover));
  console.log(summary('kill -9 to a write acknowledged via a follower', writable));
  console.log(summary('  of which: new leader loads the state', loads));
  console.log(summary('  of which: new leader starts its drivers', starts));
} finally {
  for (const s of servers) await s.stop().catch(() => {});
  pg.destroy();
}
