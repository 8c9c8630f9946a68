/**
 * Differences from OpenNebula 7.4 that the conformance test accepts, each with the reason. Keep it
 * short: an entry here is a promise that clients do not notice the difference.
 */
import type { Difference } from './structure.js';
import type { Step } from './steps.js';

interface Allowance {
  /** Reference step numbers it applies to (all when absent). */
  readonly steps?: readonly number[];
  /** Matches the difference's path. */
  readonly path: RegExp;
  /** Matches the difference's description (any when absent). */
  readonly what?: RegExp;
  /** Why the difference is harmless or cannot be avoided. */
  readonly why: string;
}

export const ALLOW_LIST: readonly Allowance[] = [];

export function allowed(step: Step, d: Difference): boolean {
  return ALLOW_LIST.some((a) => (a.steps === undefined || a.steps.includes(step.n)) && a.path.test(d.path) && (a.what === undefined || a.what.test(d.what)));
}
