/**
 * A user's VM quota as the cloud view shows it: what is used and what the limit is. In oned's
 * answer a limit of -1 defers to the default quotas (DEFAULT_USER_QUOTAS, in the same
 * `one.user.info`) and -2 means unlimited; a user with no quota entry has the defaults.
 */
import type { Tree } from '../../api';

export interface Usage {
  used: number;
  /** null: no limit. */
  limit: number | null;
}

export const VM_QUOTA_FIELDS = [
  ['VMS', 'Virtual machines', ''],
  ['CPU', 'CPU', ''],
  ['MEMORY', 'Memory', 'MB'],
  ['RUNNING_VMS', 'Running VMs', ''],
  ['RUNNING_CPU', 'Running CPU', ''],
  ['RUNNING_MEMORY', 'Running memory', 'MB'],
  ['SYSTEM_DISK_SIZE', 'System disks', 'MB'],
] as const;
export type VmQuotaKey = (typeof VM_QUOTA_FIELDS)[number][0];

/** A limit as a number (null: unlimited), resolving -1 through the default. */
export function effectiveLimit(raw: unknown, fallback: unknown): number | null {
  const v = raw === undefined || raw === '' ? -1 : Number(raw);
  if (v === -1) {
    const d = fallback === undefined || fallback === '' ? -2 : Number(fallback);
    return d < 0 ? null : d;
  }
  return v < 0 ? null : v;
}

export function vmQuota(user: Tree): Record<VmQuotaKey, Usage> {
  const q = (typeof user?.VM_QUOTA === 'object' ? user.VM_QUOTA.VM : undefined) ?? {};
  const d = (typeof user?.DEFAULT_USER_QUOTAS?.VM_QUOTA === 'object' ? user.DEFAULT_USER_QUOTAS.VM_QUOTA.VM : undefined) ?? {};
  const out = {} as Record<VmQuotaKey, Usage>;
  for (const [k] of VM_QUOTA_FIELDS) out[k] = { used: Number(q[`${k}_USED`] ?? 0), limit: effectiveLimit(q[k], d[k]) };
  return out;
}

/** What is left of a quota (Infinity when unlimited). */
export function remaining(u: Usage): number {
  return u.limit === null ? Infinity : Math.max(0, u.limit - u.used);
}

/** "1 of 2", "3 (no limit)". */
export function usageText(u: Usage, unit = ''): string {
  const f = (n: number) => `${Number.isInteger(n) ? n : n.toFixed(2)}${unit ? ` ${unit}` : ''}`;
  return u.limit === null ? `${f(u.used)} (no limit)` : `${f(u.used)} of ${f(u.limit)}`;
}
