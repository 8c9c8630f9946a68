/**
 * Prints how our oned's answers differ in structure from OpenNebula 7.4's (the reference), call by
 * call. Starts a fresh oned on SQLite (NEBULA_CONFORMANCE_BACKEND for another), replays the calls
 * and lists every difference.
 *
 *   npm run build && node dist/test/conformance/report.js [step-number-or-name ...] [--allowed]
 */
import { Oned } from '../e2e/harness.js';
import type { Backend } from '../../src/db/database.js';
import { CONFORMANCE_CONF, formatResults, replay } from './replay.js';

const args = process.argv.slice(2);
const showAllowed = args.includes('--allowed');
const filters = args.filter((a) => a !== '--allowed');
const backend = (process.env.NEBULA_CONFORMANCE_BACKEND ?? 'sqlite') as Backend;
const oned = await Oned.start({ backend, conf: CONFORMANCE_CONF });
try {
  const results = await replay(oned.endpoint, oned.oneadmin, (s) => filters.length === 0 || filters.some((f) => String(s.n) === f || s.name.includes(f)));
  const text = formatResults(results, showAllowed);
  const differing = results.filter((r) => r.differences.length > 0).length;
  process.stdout.write(text + `\n${differing} of ${results.length} calls differ from OpenNebula 7.4\n`);
} finally {
  await oned.stop();
}
