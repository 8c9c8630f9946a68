/**
 * sched.conf: the scheduler's settings, in OpenNebula's template syntax. Every setting has
 * OpenNebula 3.x's default, so a site's file names only what it changes.
 */
import { Template, type Vector } from '../common/template/index.js';
import { BurstPolicy, parseBurst, type BurstPolicyValue } from './burst.js';

/** How hosts (or system datastores) are ordered when the VM gives no rank of its own. */
export const Policy = {
  PACKING: 0,
  STRIPING: 1,
  LOAD_AWARE: 2,
  CUSTOM: 3,
} as const;
export type PolicyValue = (typeof Policy)[keyof typeof Policy];

export interface PolicySetting {
  readonly policy: PolicyValue;
  /** The RANK of a CUSTOM policy. */
  readonly rank: string;
}

/** What the scheduler does to a preemptible VM whose room a reservation needs. */
export type Preemption = 'requeue' | 'suspend';

export interface SchedConfig {
  /** SCHED_INTERVAL: seconds between two cycles. */
  readonly intervalSec: number;
  /** MAX_VM: pending VMs considered per cycle (0: all). */
  readonly maxVm: number;
  /** MAX_DISPATCH: VMs dispatched per cycle. */
  readonly maxDispatch: number;
  /** MAX_HOST: VMs dispatched to one host per cycle. */
  readonly maxHost: number;
  /** LIVE_RESCHEDS: VMs flagged for rescheduling move by live migration (else cold). */
  readonly liveRescheds: boolean;
  /** DEFAULT_SCHED: host ordering. */
  readonly hostPolicy: PolicySetting;
  /** DEFAULT_DS_SCHED: system datastore ordering. */
  readonly dsPolicy: PolicySetting;
  /** PREEMPTION: requeue (undeploy, redeployed later) or suspend (resumed in place later). */
  readonly preemption: Preemption;
  /** DISPATCH_CONCURRENCY: deploy calls in flight at once. */
  readonly dispatchConcurrency: number;
  /** DEFAULT_BURST: the burst policy of VMs without SCHED_BURST (burst.ts). */
  readonly burst: BurstPolicyValue;
  /** WAKE_ON_PENDING: a cycle runs soon after a VM becomes pending, not only every SCHED_INTERVAL. */
  readonly wakeOnPending: boolean;
  /** WAKE_DELAY_MS: from the first new pending VM to the cycle it wakes (the rest of a burst gathers meanwhile). */
  readonly wakeDelayMs: number;
  /** WAKE_GAP_MS: at least this long from the end of a woken cycle to the start of the next woken one. */
  readonly wakeGapMs: number;
}

export const DEFAULT_SCHED_CONFIG: SchedConfig = {
  intervalSec: 30,
  maxVm: 300,
  maxDispatch: 30,
  maxHost: 1,
  liveRescheds: false,
  hostPolicy: { policy: Policy.STRIPING, rank: '' },
  dsPolicy: { policy: Policy.STRIPING, rank: '' },
  preemption: 'requeue',
  dispatchConcurrency: 16,
  burst: BurstPolicy.AUTO,
  wakeOnPending: true,
  wakeDelayMs: 100,
  wakeGapMs: 1000,
};

export class SchedConfigError extends Error {}

/**
 * Reads sched.conf text over the defaults.
 * @throws SchedConfigError naming the attribute and what it must be; the template syntax errors
 *   of the parser otherwise.
 */
export function parseSchedConfig(text: string): SchedConfig {
  const t = Template.parse(text);
  const d = DEFAULT_SCHED_CONFIG;
  return {
    intervalSec: int(t, 'SCHED_INTERVAL', d.intervalSec, 1),
    maxVm: int(t, 'MAX_VM', d.maxVm, 0),
    maxDispatch: int(t, 'MAX_DISPATCH', d.maxDispatch, 1),
    maxHost: int(t, 'MAX_HOST', d.maxHost, 1),
    liveRescheds: int(t, 'LIVE_RESCHEDS', d.liveRescheds ? 1 : 0, 0) === 1,
    hostPolicy: policy(t, 'DEFAULT_SCHED', d.hostPolicy),
    dsPolicy: policy(t, 'DEFAULT_DS_SCHED', d.dsPolicy),
    preemption: preemption(t.get('PREEMPTION'), d.preemption),
    dispatchConcurrency: int(t, 'DISPATCH_CONCURRENCY', d.dispatchConcurrency, 1),
    burst: burst(t.get('DEFAULT_BURST'), d.burst),
    wakeOnPending: int(t, 'WAKE_ON_PENDING', d.wakeOnPending ? 1 : 0, 0) === 1,
    wakeDelayMs: int(t, 'WAKE_DELAY_MS', d.wakeDelayMs, 0),
    wakeGapMs: int(t, 'WAKE_GAP_MS', d.wakeGapMs, 0),
  };
}

function int(t: Template, name: string, fallback: number, min: number): number {
  const v = t.get(name);
  if (v === undefined || v.trim() === '') return fallback;
  if (!/^\d+$/.test(v.trim()) || Number(v) < min) throw new SchedConfigError(`${name} must be an integer of at least ${min}, got "${v}"`);
  return Number(v);
}

function policy(t: Template, name: string, fallback: PolicySetting): PolicySetting {
  const attr = t.getAll(name)[0];
  if (!attr) return fallback;
  if (typeof attr.value === 'string') throw new SchedConfigError(`${name} must be a vector: ${name} = [ POLICY = 0..3, RANK = "..." ]`);
  const v: Vector = attr.value;
  const p = (v.get('POLICY') ?? String(fallback.policy)).trim();
  if (!/^[0-3]$/.test(p)) throw new SchedConfigError(`${name} POLICY must be 0 (packing), 1 (striping), 2 (load-aware) or 3 (custom), got "${p}"`);
  const rank = v.get('RANK') ?? '';
  if (p === '3' && rank.trim() === '') throw new SchedConfigError(`${name} POLICY 3 (custom) needs a RANK`);
  return { policy: Number(p) as PolicyValue, rank };
}

function burst(v: string | undefined, fallback: BurstPolicyValue): BurstPolicyValue {
  try {
    return parseBurst(v ?? '', fallback);
  } catch (err) {
    throw new SchedConfigError(`DEFAULT_BURST ${(err as Error).message}, got "${v}"`);
  }
}

function preemption(v: string | undefined, fallback: Preemption): Preemption {
  if (v === undefined || v.trim() === '') return fallback;
  const p = v.trim().toLowerCase();
  if (p !== 'requeue' && p !== 'suspend') throw new SchedConfigError(`PREEMPTION must be requeue or suspend, got "${v}"`);
  return p;
}

/**
 * The rank expression a policy stands for (spec §5.5): hosts are ranked by RUNNING_VMS
 * (packing), -RUNNING_VMS (striping), FREE_CPU (load-aware) or the custom RANK; system
 * datastores by -FREE_MB (packing: fill the fullest), FREE_MB (striping) or the RANK.
 */
export function policyRank(setting: PolicySetting, kind: 'host' | 'datastore'): string {
  switch (setting.policy) {
    case Policy.PACKING:
      return kind === 'host' ? 'RUNNING_VMS' : '- FREE_MB';
    case Policy.STRIPING:
      return kind === 'host' ? '- RUNNING_VMS' : 'FREE_MB';
    case Policy.LOAD_AWARE:
      return kind === 'host' ? 'FREE_CPU' : setting.rank || 'FREE_MB';
    default:
      return setting.rank;
  }
}
