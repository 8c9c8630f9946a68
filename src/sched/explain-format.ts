/** The explain mode's table: for one VM, every host with why it was filtered or its rank. */
import { policyRank, type SchedConfig } from './sched-config.js';
import type { SchedHost } from './sched-host.js';
import type { SchedVm } from './sched-vm.js';
import type { Verdict } from './planner.js';
import { Reason } from './filter-reasons.js';

export interface Explanation {
  readonly vm: SchedVm;
  readonly verdicts: readonly { host: SchedHost; verdict: Verdict }[];
  readonly error?: string;
  readonly notes: readonly string[];
}

export function formatExplanation(e: Explanation, config: SchedConfig): string {
  const vm = e.vm;
  const lines = [
    `VM ${vm.id}: CPU ${vm.cpu / 100}, MEMORY ${vm.mem / 1024} MB, system disk ${vm.diskMb} MB`,
    `  SCHED_REQUIREMENTS: ${vm.requirements || '(none)'}`,
    `  SCHED_RANK: ${vm.rank || `${policyRank(config.hostPolicy, 'host')} (DEFAULT_SCHED policy ${config.hostPolicy.policy})`}`,
  ];
  if (vm.message) lines.push(`  SCHED_MESSAGE: ${vm.message}`);
  if (e.error) lines.push(`  ERROR: ${e.error}`);
  for (const n of e.notes) lines.push(`  NOTE: ${n}`);
  const rows = e.verdicts.map(({ host, verdict }) => [String(host.id), host.name, 'rank' in verdict ? `rank ${verdict.rank}${verdict.dsId >= 0 ? `, system datastore ${verdict.dsId}` : ''}` : `filtered: ${verdict.reason}${verdict.detail && verdict.reason === Reason.VMGROUP ? ` (${verdict.detail})` : ''}`]);
  const widths = [2, 4].map((w, i) => Math.max(w, ...rows.map((r) => r[i]!.length)));
  lines.push(`  ${'ID'.padStart(widths[0]!)}  ${'HOST'.padEnd(widths[1]!)}  VERDICT`);
  for (const r of rows) lines.push(`  ${r[0]!.padStart(widths[0]!)}  ${r[1]!.padEnd(widths[1]!)}  ${r[2]}`);
  return lines.join('\n');
}
