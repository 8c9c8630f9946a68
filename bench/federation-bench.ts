/**
 * Federation: how long replication takes to reach a slave, and what forwarding costs. Starts two
 * private PostgreSQL clusters (wal_level = logical) and a master and a slave oned, as
 * test/e2e/federation.test.ts does, then, one at a time:
 *
 * - replication: `one.user.allocate` on the master, then the new user's login polled on the slave
 *   (every 1 ms) until it works: time from the master's answer to the first login on the slave;
 * - a forwarded write: `one.user.update` of one user through the slave (forwarded to the master)
 *   against the same call on the master itself.
 *
 * It is not a test and asserts nothing. Run as root (initdb runs as the postgres user):
 *     npx tsc -p tsconfig.json && node dist/bench/federation-bench.js [--users 200]
 */
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Oned } from '../test/e2e/harness.js';
import { TEST_DRIVERS } from '../test/e2e/api-helpers.js';
import { PgCluster } from '../test/e2e/pg-cluster.js';
import { percentile } from './bench-lib.js';

const { values } = parseArgs({ options: { users: { type: 'string', default: '200' } } });
const users = Number(values.users);

function summary(name: string, ms: number[]): string {
  const sorted = Float64Array.from(ms).sort();
  return `${name.padEnd(44)} n=${String(ms.length).padStart(4)}  p50 ${percentile(sorted, 0.5).toFixed(2).padStart(7)} ms  p99 ${percentile(sorted, 0.99).toFixed(2).padStart(7)} ms  max ${sorted[sorted.length - 1]!.toFixed(2).padStart(7)} ms`;
}

const [masterPg, slavePg] = await Promise.all([PgCluster.create(), PgCluster.create()]);
let master: Oned | undefined;
let slave: Oned | undefined;
try {
  master = await Oned.start({ backend: 'postgresql', db: masterPg.dbSection('nebula_master'), conf: `${TEST_DRIVERS}FEDERATION = [ MODE = "MASTER", ZONE_ID = 0 ]\nLOG = [ DEBUG_LEVEL = 1 ]\n` });
  const m = master;
  const zone = Number(await m.ok('one.zone.allocate', ['NAME = "bench"\nENDPOINT = "http://127.0.0.1:1/RPC2"']));
  slave = await Oned.start({
    backend: 'postgresql',
    db: slavePg.dbSection('nebula_slave'),
    conf:
      `${TEST_DRIVERS}LOG = [ DEBUG_LEVEL = 1 ]\nFEDERATION = [ MODE = "SLAVE", ZONE_ID = ${zone}, MASTER_ONED = "${m.endpoint}" ]\n` +
      `FEDERATION_MASTER_DB = [ SERVER = "127.0.0.1", PORT = ${masterPg.port}, USER = "postgres", DB_NAME = "nebula_master" ]\n`,
    prepare: (loc) => cpSync(join(m.location, '.one'), join(loc, '.one'), { recursive: true }),
  });
  const s = slave;
  const replication: number[] = [];
  for (let i = 0; i < users; i++) {
    const id = Number(await m.ok('one.user.allocate', [`bench-${i}`, 'pw', '', []]));
    const t0 = performance.now();
    while ((await s.call('one.user.info', [id], `bench-${i}:pw`))[0] !== true) await new Promise((r) => setTimeout(r, 1));
    replication.push(performance.now() - t0);
  }
  const direct: number[] = [];
  const forwarded: number[] = [];
  for (let i = 0; i < users; i++) {
    let t0 = performance.now();
    await m.ok('one.user.update', [2, `SEQ = ${i}`, 1]);
    direct.push(performance.now() - t0);
    t0 = performance.now();
    await s.ok('one.user.update', [2, `SEQ = ${i}`, 1]);
    forwarded.push(performance.now() - t0);
  }
  console.log(summary('user on the master -> login on the slave', replication));
  console.log(summary('one.user.update on the master', direct));
  console.log(summary('one.user.update through the slave (forwarded)', forwarded));
} finally {
  await slave?.stop();
  await master?.stop();
  masterPg.destroy();
  slavePg.destroy();
}
