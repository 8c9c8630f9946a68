/**
 * Charging quotas: an object's owner and group both pay for what it uses. Every limit of both is
 * checked before any counter moves, so a refused request changes nothing. As in OpenNebula,
 * oneadmin and the oneadmin group are neither limited nor counted.
 */
import type { Pool, PoolObject, Transaction } from '../pool/index.js';
import { Quotas, type QuotaUsage } from './quotas.js';

/** Who pays: the pools of users and groups, and the default quotas of each. */
export interface QuotaPayers {
  readonly users: Pool<PoolObject & { quotas: Quotas }>;
  readonly groups: Pool<PoolObject & { quotas: Quotas }>;
  readonly defaultQuotas: { readonly user: Quotas; readonly group: Quotas };
}

/** A refused charge: `message` names the limit (OpenNebula's "User [uid] : limit of ... reached"). */
export class QuotaExceededError extends Error {}

const ONEADMIN = 0;

/**
 * Adds `usages` to user `uid` and group `gid` in `tx`, or throws QuotaExceededError with nothing
 * changed. Negative amounts give usage back (never refused).
 */
export function chargeQuotas(tx: Transaction, payers: QuotaPayers, uid: number, gid: number, usages: readonly QuotaUsage[]): void {
  if (usages.length === 0) return;
  // oneadmin (user 0) and the oneadmin group (0) have no quotas, each on its own: a user's VM
  // left in the oneadmin group still counts against the user (as after `onevm chown vm carol`).
  const user = uid === ONEADMIN ? undefined : payers.users.get(uid);
  const group = gid === ONEADMIN ? undefined : payers.groups.get(gid);
  if (!user && !group) return;
  for (const u of usages) {
    const userProblem = user?.quotas.exceeded(u, payers.defaultQuotas.user);
    if (userProblem) throw new QuotaExceededError(`User [${uid}] ${userProblem}`);
    const groupProblem = group?.quotas.exceeded(u, payers.defaultQuotas.group);
    if (groupProblem) throw new QuotaExceededError(`Group [${gid}] ${groupProblem}`);
  }
  if (user) tx.touch(payers.users, user);
  if (group) tx.touch(payers.groups, group);
  for (const u of usages) {
    user?.quotas.add(u);
    group?.quotas.add(u);
  }
}

/** Gives usages back (the object was deleted, its VM is done...): never refused. */
export function releaseQuotas(tx: Transaction, payers: QuotaPayers, uid: number, gid: number, usages: readonly QuotaUsage[]): void {
  const negated = usages.map((u) => ({ ...u, amounts: Object.fromEntries(Object.entries(u.amounts).map(([m, v]) => [m, -(v ?? 0)])) }));
  chargeQuotas(tx, payers, uid, gid, negated);
}
