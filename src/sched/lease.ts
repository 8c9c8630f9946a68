/**
 * Leases, after Haizea's model: a VM may reserve capacity from a start time for a duration
 * (an advance reservation), run best-effort for a bounded time, and say whether it may be
 * preempted. The user sets, in the VM template:
 *
 *   SCHED_START       = epoch seconds or an ISO 8601 date ("2026-12-02T09:00:00Z")
 *   SCHED_DURATION    = seconds, or with a unit: "90m", "2h", "1d"
 *   SCHED_PREEMPTIBLE = YES | NO (default)
 *
 * The scheduler itself writes SCHED_END (epoch seconds) when it dispatches a VM with a duration,
 * and SCHED_PREEMPTED = YES when it preempted one.
 */

export interface Lease {
  /** Epoch seconds: an advance reservation starts then; undefined for best-effort work. */
  readonly start: number | undefined;
  readonly durationSec: number | undefined;
  readonly preemptible: boolean;
  /** Epoch seconds the running lease ends (SCHED_END), once dispatched. */
  readonly end: number | undefined;
}

const UNITS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86400 };
/** A start this much before submission is a clock skew, not a request for the past. */
const PAST_TOLERANCE_SEC = 60;

/** Seconds of a duration text, or undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  const m = /^\s*(\d+)\s*([smhd]?)\s*$/i.exec(text);
  if (!m) return undefined;
  const sec = Number(m[1]) * UNITS[(m[2] || 's').toLowerCase()]!;
  return sec > 0 ? sec : undefined;
}

/** Epoch seconds of a start text, or undefined when it is not one. */
export function parseStart(text: string): number | undefined {
  const t = text.trim();
  if (/^\d+$/.test(t)) return Number(t);
  if (!/^\d{4}-\d{2}-\d{2}/.test(t)) return undefined;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}

/**
 * The lease a VM's attributes describe (`get` reads USER_TEMPLATE), or the reason they do not
 * make one; `submitted` is the VM's STIME. No lease attributes: no lease.
 */
export function leaseOf(get: (name: string) => string | undefined, submitted: number): { lease?: Lease; error?: string } {
  const startText = get('SCHED_START');
  const durationText = get('SCHED_DURATION');
  const preemptText = get('SCHED_PREEMPTIBLE');
  const endText = get('SCHED_END');
  if (startText === undefined && durationText === undefined && preemptText === undefined) return {};
  let start: number | undefined;
  if (startText !== undefined) {
    start = parseStart(startText);
    if (start === undefined) return { error: `SCHED_START "${startText}" is neither epoch seconds nor an ISO 8601 date` };
    if (start < submitted - PAST_TOLERANCE_SEC) return { error: `SCHED_START ${new Date(start * 1000).toISOString()} is before the VM was submitted (${new Date(submitted * 1000).toISOString()}): a reservation cannot start in the past` };
  }
  let durationSec: number | undefined;
  if (durationText !== undefined) {
    durationSec = parseDuration(durationText);
    if (durationSec === undefined) return { error: `SCHED_DURATION "${durationText}" must be a positive number of seconds, or with a unit (90m, 2h, 1d)` };
  }
  if (start !== undefined && durationSec === undefined) return { error: 'A reservation (SCHED_START) needs SCHED_DURATION' };
  const preempt = (preemptText ?? 'NO').trim().toUpperCase();
  if (preempt !== 'YES' && preempt !== 'NO') return { error: `SCHED_PREEMPTIBLE must be YES or NO, got "${preemptText}"` };
  if (start !== undefined && preempt === 'YES') return { error: 'A reservation (SCHED_START) cannot be preemptible' };
  const end = endText !== undefined && /^\d+$/.test(endText.trim()) ? Number(endText) : undefined;
  return { lease: { start, durationSec, preemptible: preempt === 'YES', end } };
}
