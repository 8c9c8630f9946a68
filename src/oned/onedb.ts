#!/usr/bin/env node
/**
 * `onedb`: maintenance of oned's database, with oned stopped (as OpenNebula's onedb).
 *
 *   onedb fsck [--dry-run]   recompute every quota counter from the VMs, images and
 *                            reservations, print each difference and fix it (unless --dry-run)
 *
 * It uses oned's configuration ($ONE_LOCATION/etc/oned.conf, any backend) and refuses to run
 * while oned runs for the same location: oned owns the state then (and checks the counters
 * itself at each start).
 */
import { parseArgs } from 'node:util';
import { Nebula } from './nebula.js';
import { locate } from './location.js';
import { lockHolder } from './instance-lock.js';

const USAGE = `Usage: onedb fsck [--dry-run]
  fsck       recompute the quota counters of every user and group from the objects,
             report each difference and fix it
  --dry-run  only report
Environment: ONE_LOCATION (as for oned)`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: { 'dry-run': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length !== 1 || positionals[0] !== 'fsck') {
    console.error(`onedb: unknown command ${positionals.join(' ') || '(none)'}\n${USAGE}`);
    return 2;
  }
  const loc = locate();
  const pid = await lockHolder(loc);
  if (pid !== null) {
    console.error(`onedb: oned is running for ${loc.root} (pid ${pid || 'unknown'}); stop it first (it checks the counters itself when it starts)`);
    return 1;
  }
  const nebula = new Nebula(loc);
  try {
    await nebula.open();
    const fix = !values['dry-run'];
    const diffs = await nebula.checkQuotas(fix);
    for (const d of diffs) console.log(d);
    console.log(diffs.length === 0 ? 'Quota counters match the objects.' : `${diffs.length} quota counters ${fix ? 'fixed' : 'differ (not fixed: --dry-run)'}.`);
    return 0;
  } finally {
    await nebula.stop();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`onedb: ${(err as Error).message}`);
    process.exit(1);
  },
);
