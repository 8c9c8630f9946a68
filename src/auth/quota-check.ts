/**
 * Checking quota counters against the objects that consume them. The counters move with every
 * allocate and delete (quota-charge.ts); this recomputes what they should be from the objects
 * themselves, reports every difference, and can set them right. `onedb fsck` runs it, and oned
 * runs it at each start.
 */
import type { Transaction } from '../pool/index.js';
import type { QuotaPayers } from './quota-charge.js';
import { Quotas, type QuotaUsage } from './quotas.js';

/** One object's usage, charged to its owner and group. */
export interface QuotaConsumer {
  readonly uid: number;
  readonly gid: number;
  readonly usages: readonly QuotaUsage[];
}

/** A counter that is not what the objects add up to. */
export interface QuotaDifference {
  readonly owner: 'User' | 'Group';
  readonly id: number;
  /** `KIND:id:METRIC`, e.g. `VM::MEMORY` or `DATASTORE:1:SIZE`. */
  readonly counter: string;
  readonly stored: number;
  readonly expected: number;
}

const ONEADMIN = 0;

/** What every user's and group's counters should be, from the objects (oneadmin's are not counted). */
function expectedUsage(consumers: Iterable<QuotaConsumer>): { users: Map<number, Quotas>; groups: Map<number, Quotas> } {
  const users = new Map<number, Quotas>();
  const groups = new Map<number, Quotas>();
  const of = (map: Map<number, Quotas>, id: number) => {
    let q = map.get(id);
    if (!q) map.set(id, (q = new Quotas()));
    return q;
  };
  for (const c of consumers) {
    // oneadmin and the oneadmin group are never charged, each on its own (as quota-charge.ts).
    for (const u of c.usages) {
      if (c.uid !== ONEADMIN) of(users, c.uid).add(u);
      if (c.gid !== ONEADMIN) of(groups, c.gid).add(u);
    }
  }
  return { users, groups };
}

function compare(owner: QuotaDifference['owner'], id: number, stored: Quotas, expected: Quotas | undefined): QuotaDifference[] {
  const have = stored.usages();
  const want = expected?.usages() ?? new Map<string, number>();
  const out: QuotaDifference[] = [];
  for (const counter of new Set([...have.keys(), ...want.keys()])) {
    const s = have.get(counter) ?? 0;
    const e = want.get(counter) ?? 0;
    if (s !== e) out.push({ owner, id, counter, stored: s, expected: e });
  }
  return out;
}

/**
 * Compares every user's and group's counters with what `consumers` add up to. With `fix`, the
 * counters of the users and groups that differ are recomputed in `fix` (a transaction).
 */
export function checkQuotas(payers: QuotaPayers, consumers: Iterable<QuotaConsumer>, fix?: Transaction): QuotaDifference[] {
  const expected = expectedUsage(consumers);
  const out: QuotaDifference[] = [];
  for (const [owner, pool, want] of [['User', payers.users, expected.users], ['Group', payers.groups, expected.groups]] as const) {
    for (const obj of pool.all()) {
      const diffs = compare(owner, obj.oid, obj.quotas, want.get(obj.oid));
      if (diffs.length === 0) continue;
      out.push(...diffs);
      if (!fix) continue;
      fix.touch(pool, obj);
      obj.quotas.clearUsage();
      const usage = want.get(obj.oid);
      if (usage) obj.quotas.addAll(usage);
    }
  }
  return out;
}

/** `User [3] VM::MEMORY_USED: stored 512, objects add up to 256`. */
export function describeDifference(d: QuotaDifference): string {
  const [kind, id, metric] = d.counter.split(':');
  return `${d.owner} [${d.id}] ${kind}${id ? ` [${id}]` : ''} ${metric}_USED: stored ${d.stored}, objects add up to ${d.expected}`;
}
