/**
 * The in-memory shapes the AclManager indexes rules with. Matching runs on plain 32-bit numbers
 * split out of the bigint components once, when a rule is stored.
 */
import { ObjectType } from '../common/object-type.js';
import type { AclRule } from '../common/acl/acl-rule.js';

/** Selector bits of a component's high word: `#`, `@`, `*`, `%`. */
export const Sel = { INDIVIDUAL: 0x1, GROUP: 0x2, ALL: 0x4, CLUSTER: 0x8 } as const;

/** Bits 32–63 of a component as an unsigned number. */
function highWord(component: bigint): number {
  return Number(component >> 32n);
}

/** Whom a rule's user component names, as far as matching goes. */
export type Audience =
  | { readonly kind: 'user' | 'group'; readonly id: number }
  | { readonly kind: 'all' }
  /** The component is none of `#uid`, `@gid`, `*` exactly: OpenNebula never matches it. */
  | { readonly kind: 'nobody' };

const EVERYONE: Audience = { kind: 'all' };
const NOBODY: Audience = { kind: 'nobody' };

/** Index of each object type: its bit's position above bit 36 (VM 0, HOST 1, …). */
const TYPE_INDEX: ReadonlyMap<bigint, number> = new Map(
  Object.values(ObjectType).map((bit) => [bit, bit.toString(2).length - 37]),
);

/** The index of an object type (see TYPE_INDEX), or -1 when the value is not one ObjectType bit. */
export function typeIndexOf(objectType: bigint): number {
  return TYPE_INDEX.get(objectType) ?? -1;
}

/** A stored rule, with its components pre-split for matching. */
export class IndexedRule {
  readonly audience: Audience;
  /** Bit i set: the object type with index i (see TYPE_INDEX) is named. */
  readonly types: number;
  /** Selector bits of the resource (Sel). */
  readonly selector: number;
  readonly resourceId: number;
  /** The rights nibble: only these bits can ever be requested. */
  readonly rights: number;
  /** Zone selector bits and above, and zone id. */
  readonly zoneHigh: number;
  readonly zoneId: number;
  /** The rule's `<ACL>` element, kept for cheap pool listings. */
  readonly xml: string;
  /** Identity of what the rule grants, for duplicate detection. */
  readonly key: string;

  constructor(readonly rule: AclRule) {
    const userHigh = highWord(rule.user);
    const uid = rule.userId;
    this.audience =
      (userHigh === Sel.INDIVIDUAL || userHigh === Sel.GROUP) && uid >= 0
        ? { kind: userHigh === Sel.INDIVIDUAL ? 'user' : 'group', id: uid }
        : userHigh === Sel.ALL && uid === 0
          ? EVERYONE
          : NOBODY;
    const resourceHigh = highWord(rule.resource);
    this.types = resourceHigh >>> 4;
    this.selector = resourceHigh & 0xf;
    this.resourceId = rule.resourceId;
    this.rights = Number(rule.rights & 0xfn);
    this.zoneHigh = highWord(rule.zone);
    this.zoneId = rule.zoneId;
    this.xml = rule.toXml();
    this.key = ruleKey(rule);
  }

  /** Whether the rule applies in the zone, as authorization tests it (selector bits, masks). */
  appliesIn(zoneId: number): boolean {
    return (this.zoneHigh & Sel.ALL) !== 0 || ((this.zoneHigh & Sel.INDIVIDUAL) !== 0 && this.zoneId === zoneId);
  }

  /** Whether the zone component is exactly `#zoneId` or `*`, as pool filtering tests it. */
  appliesExactlyIn(zoneId: number): boolean {
    return (
      (this.zoneHigh === Sel.INDIVIDUAL && this.zoneId === zoneId) || (this.zoneHigh === Sel.ALL && this.zoneId === 0)
    );
  }
}

/** Identity of what a rule grants: equal keys mean equal rules whatever their ids. */
export function ruleKey(rule: AclRule): string {
  return `${rule.user}:${rule.resource}:${rule.rights}:${rule.zone}`;
}

/**
 * The rules of one audience, listed per object type so a request only visits rules of its type;
 * rules on one object (`TYPE/#oid`) are further keyed by that object, as there can be many.
 */
export class RuleBucket {
  readonly rules = new Set<IndexedRule>();
  /** Per type index: rules selecting by group, cluster or all. */
  private readonly wide: (IndexedRule[] | undefined)[] = [];
  /** Per type index: `#oid` rules by oid. */
  private readonly single: (MultiMap<number, IndexedRule> | undefined)[] = [];

  add(rule: IndexedRule): void {
    this.rules.add(rule);
    for (const t of typeIndexes(rule)) {
      if (rule.selector === Sel.INDIVIDUAL) (this.single[t] ??= new MultiMap()).add(rule.resourceId, rule);
      else (this.wide[t] ??= []).push(rule);
    }
  }

  remove(rule: IndexedRule): void {
    this.rules.delete(rule);
    for (const t of typeIndexes(rule)) {
      if (rule.selector === Sel.INDIVIDUAL) this.single[t]?.delete(rule.resourceId, rule);
      else {
        const list = this.wide[t];
        const at = list?.indexOf(rule) ?? -1;
        if (at >= 0) list!.splice(at, 1);
      }
    }
  }

  /** Rules naming the type that select objects by group, cluster or all. */
  wideOfType(typeIndex: number): readonly IndexedRule[] | undefined {
    return this.wide[typeIndex];
  }

  /** `TYPE/#oid` rules naming the type, by oid. */
  singlesOfType(typeIndex: number): MultiMap<number, IndexedRule> | undefined {
    return this.single[typeIndex];
  }
}

/** The type indexes a rule names. */
function* typeIndexes(rule: IndexedRule): Generator<number> {
  for (let bits = rule.types, t = 0; bits !== 0; bits >>>= 1, t++) {
    if (bits & 1) yield t;
  }
}

/** Sets of values under keys; empty sets are dropped. */
export class MultiMap<K, V> {
  private readonly map = new Map<K, Set<V>>();

  add(key: K, value: V): void {
    let set = this.map.get(key);
    if (!set) this.map.set(key, (set = new Set()));
    set.add(value);
  }

  delete(key: K, value: V): void {
    const set = this.map.get(key);
    if (set?.delete(value) && set.size === 0) this.map.delete(key);
  }

  get(key: K): ReadonlySet<V> | undefined {
    return this.map.get(key);
  }

  entries(): IterableIterator<[K, ReadonlySet<V>]> {
    return this.map.entries();
  }
}
