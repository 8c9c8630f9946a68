/**
 * PostgreSQL failover: how long oned's writes stop when the primary of a Patroni cluster crashes,
 * and how many acknowledged writes are lost (none may be). Starts a private etcd and three
 * Patroni nodes with synchronous replication (test/e2e/patroni-cluster.ts) and an oned whose DB
 * SERVER lists the three; four clients create and update documents. Each round kills the
 * primary's postmaster with SIGKILL (Patroni fails over to the synchronous standby), measures
 * the time from the kill to the end of the longest pause in acknowledgements after it (writes
 * resumed on the new primary; the dying primary's backends may still commit one or two writes
 * right after the kill, replicated to the standby), and checks every
 * acknowledged write on the new primary. Then a planned switchover (patronictl) the same way.
 *
 * It is not a test. Run as root (Patroni and PostgreSQL run as the postgres user; the patroni and
 * etcd-server packages are installed if missing):
 *     npx tsc -p tsconfig.json && node dist/bench/failover-bench.js [--rounds 5]
 */
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { Oned } from '../test/e2e/harness.js';
import { PatroniCluster, patroniUnavailable } from '../test/e2e/patroni-cluster.js';
import { WriteLoad } from '../test/e2e/write-load.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' } } });
const rounds = Number(values.rounds);
const DB = 'nebula_failover_bench';

const why = patroniUnavailable();
if (why) throw new Error(why);
const cluster = await PatroniCluster.create();
let oned: Oned | undefined;
try {
  oned = await Oned.start({ backend: 'postgresql', db: cluster.dbSection(DB, 'OUTAGE_TIMEOUT = 60'), conf: 'LOG = [ DEBUG_LEVEL = 1 ]\n' });
  const o = oned;
  const round = async (name: string, fault: () => Promise<{ from: { name: string }; to: { name: string } }>): Promise<void> => {
    const load = new WriteLoad(o, 4, `${name}_`);
    load.start();
    await load.firstAckSentAfter(Date.now());
    await sleep(2000);
    const t0 = Date.now();
    const { from, to } = await fault();
    await load.firstAckSentAfter(t0);
    await sleep(1000);
    await load.stop();
    const resumed = load.resumedAfter(t0);
    let lost = 'none';
    try {
      await load.checkDatabase((sql) => cluster.query(DB, sql));
    } catch (error) {
      lost = (error as Error).message;
    }
    console.log(
      `${name.padEnd(12)} ${from.name} -> ${to.name}  fault -> writes resumed ${String(resumed - t0).padStart(5)} ms` +
        `  acknowledged ${String(load.acks.length).padStart(5)}  failed calls ${load.failures.length + load.transportErrors.length}  lost: ${lost}`,
    );
  };
  for (let i = 1; i <= rounds; i++) {
    await round(`crash ${i}`, () => cluster.crashPrimary());
    await cluster.waitHealthy(180_000);
  }
  await round('switchover', () => cluster.switchover());
} finally {
  await oned?.stop().catch(() => {});
  await cluster.destroy();
}
