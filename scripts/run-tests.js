#!/usr/bin/env node
// Runs every compiled test file (unit tests beside the code, end-to-end tests in test/) with
// node's test runner. Arguments narrow the run to files whose path contains one of them.
// `--real` runs the real-host suite instead (test/e2e/real-*.test.ts: namespace hosts with
// sshd, libvirtd and QEMU guests), which the default run leaves out for its length.
// `--slow` adds the slow real-host files (SLOW below: guests driven through minutes of day-2
// operations) to a `--real` run; `npm run test:slow` runs them alone. CI leaves them out to stay
// under its 30 minutes.
// `--faults` adds the long fault-injection files (FAULTS below) to a run; `--faults-only` (npm run
// test:faults) runs them alone.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function collect(dir, out) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) collect(p, out);
    else if (e.name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const args = process.argv.slice(2);
const real = args.includes('--real') || args.includes('--slow-only');
const slow = args.includes('--slow') || args.includes('--slow-only');
const slowOnly = args.includes('--slow-only');
const faults = args.includes('--faults') || args.includes('--faults-only');
const faultsOnly = args.includes('--faults-only');
const filters = args.filter((a) => !a.startsWith('--'));
const isReal = (f) => /[/\\]real-[^/\\]*\.test\.js$/.test(f);
/**
 * Real-host files left out unless --slow, to keep CI under 30 minutes: real-day2 and real-kvm-vmm
 * run guests for several minutes (real-kvm-vmm drives every qemu VMM action one by one;
 * real-acceptance covers the common ones through oned); real-backup, real-marketplace and
 * real-ui-console cover features whose logic the dummy-host suites also test; real-fault-network
 * (a host's link cut for a minute and a half) covers what api-vms-drivers checks on dummy hosts.
 */
const SLOW = ['real-day2.test.js', 'real-kvm-vmm.test.js', 'real-backup.test.js', 'real-marketplace.test.js', 'real-ui-console.test.js', 'real-fault-network.test.js'];
const isSlow = (f) => SLOW.some((s) => f.endsWith(s));
/**
 * Fault-injection files of over ~40 s, left out unless --faults: PostgreSQL stopped or failed
 * over under a write load (a private cluster, or three Patroni nodes over etcd), drivers made to
 * time out, die and restart.
 */
const FAULTS = ['fault-db-outage.test.js', 'fault-pg-failover.test.js', 'fault-drivers.test.js'];
/**
 * Fault-injection files that also run in the default run, smaller: with --faults they run at full
 * size (test/e2e/ha-failover.test.ts: 100 VMs by default, 1,000 here); the environment variable
 * each reads sets the size.
 */
const FULL_SIZE = { 'ha-failover.test.js': ['NEBULA_HA_VMS', '1000'] };
if (faults) for (const [variable, value] of Object.values(FULL_SIZE)) process.env[variable] ??= value;
const isFault = (f) => FAULTS.some((s) => f.endsWith(s));
const isFaultOnly = (f) => isFault(f) || Object.keys(FULL_SIZE).some((s) => f.endsWith(s));
function weight(f) {
  const name = f.split(/[/\\]/).pop();
  if (!f.includes('dist/test')) return 3;
  if (name.startsWith('ui-')) return 0;
  if (name.startsWith('cli-') || name.startsWith('flow-')) return 1;
  return 2;
}
const files = ['dist/src', 'dist/test']
  .flatMap((d) => { try { return collect(d, []); } catch { return []; } })
  .filter((f) => isReal(f) === real)
  // A slow file named on the command line runs without --slow.
  .filter((f) => (slowOnly ? isSlow(f) : slow || !isSlow(f) || filters.some((x) => f.includes(x))))
  .filter((f) => (faultsOnly ? isFaultOnly(f) : faults || !isFault(f) || filters.some((x) => f.includes(x))))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  // The longest files first (browser, then CLI and service suites, then the other end-to-end
  // files, unit tests last), so that the run does not end waiting on one long file.
  .sort((a, b) => weight(a) - weight(b) || a.localeCompare(b));
if (files.length === 0) {
  console.error('no test files found: run `npm run build` first');
  process.exit(1);
}
// Files run three at a time (two for the real hosts, whose QEMU guests keep both cores busy): most
// end-to-end files spend their time waiting on the processes they start, not on a CPU.
// NEBULA_TEST_CONCURRENCY sets another number.
const concurrency = Number(process.env.NEBULA_TEST_CONCURRENCY) || (real ? 2 : 3);
// NEBULA_TEST_TIMINGS=<file> also writes each file's time there (scripts/test-timings.mjs).
const reporters = process.env.NEBULA_TEST_TIMINGS
  ? ['--test-reporter=spec', '--test-reporter-destination=stdout', `--test-reporter=${new URL('./test-timings.mjs', import.meta.url).pathname}`, `--test-reporter-destination=${process.env.NEBULA_TEST_TIMINGS}`]
  : [];
const r = spawnSync(process.execPath, ['--test', ...reporters, `--test-concurrency=${concurrency}`, `--test-timeout=${real ? 900000 : 300000}`, ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
