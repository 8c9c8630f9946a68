/**
 * Real VM benchmark: on the real cloud of test/e2e/real-cloud.ts (two namespace hosts, qemu VMs
 * under TCG, qcow2 disks, ebtables network, the scheduler placing VMs), the time from
 * `onetemplate instantiate` to RUNNING and to the guest's boot marker, for 1 VM and for 10 at
 * once. Needs root.
 *
 *   node dist/bench/real-vm-bench.js [--batches 1,10]
 */
import { parseArgs } from 'node:util';
import { childInt } from '../src/common/xml-tree.js';
import { RealCloud, RUNNING, S } from '../test/e2e/real-cloud.js';
import { printHeading } from './bench-lib.js';

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { batches: { type: 'string', default: '1,10' } } });
  const batches = values.batches.split(',').map(Number);
  if (batches.some((n) => !(n > 0))) throw new Error('--batches: positive counts, e.g. 1,10');
  const why = RealCloud.unavailable();
  if (why) throw new Error(`cannot make the real cloud: ${why}`);
  printHeading('real VM benchmark', 'oned, its drivers, two namespace hosts and their QEMU guests', 'tiny guest, 192 MB, 1 vCPU under TCG');
  // CPU 0.1 each: ten VMs fit on two hosts of this machine's two cores.
  const cloud = await RealCloud.make(['bench1', 'bench2'], 0.1);
  try {
    console.log('\n| VMs at once | to RUNNING, median / max s | to boot marker, median / max s |');
    console.log('|--:|--:|--:|');
    for (const n of batches) {
      const t0 = Date.now();
      const ids = await cloud.instantiate(n);
      const toRunning: number[] = [];
      const toBoot: number[] = [];
      await Promise.all(
        ids.map(async (id) => {
          await cloud.until(`VM ${id} RUNNING`, 600_000, async () => {
            const v = await cloud.vm(id);
            return childInt(v, 'STATE') === S.ACTIVE && childInt(v, 'LCM_STATE') === RUNNING;
          });
          toRunning.push((Date.now() - t0) / 1000);
          await cloud.consoleShows(id, /TINYGUEST-BOOTED/, 900_000);
          toBoot.push((Date.now() - t0) / 1000);
        }),
      );
      console.log(`| ${n} | ${median(toRunning).toFixed(1)} / ${Math.max(...toRunning).toFixed(1)} | ${median(toBoot).toFixed(1)} / ${Math.max(...toBoot).toFixed(1)} |`);
      for (const id of ids) await cloud.oned.ok('one.vm.action', ['terminate-hard', id]);
      await Promise.all(ids.map((id) => cloud.waitState(id, S.DONE)));
    }
  } finally {
    await cloud.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
