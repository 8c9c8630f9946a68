/**
 * Attribute lists of oned.conf such as `VM_RESTRICTED_ATTR = "NIC/BRIDGE"` or
 * `USER_ENCRYPTED_ATTR = "SSH_PRIVATE_KEY"`: each entry names a single attribute (`RAW`) or a
 * key inside every vector of a name (`NIC/BRIDGE`: BRIDGE in each NIC). OpenNebula keeps them
 * as a map sorted by name, so checks visit names, and the keys of each vector, in that order:
 * which attribute an error names depends on it.
 */
import { normalizeName, type Vector } from './attribute.js';
import type { Template } from './template.js';

export class AttributeRules {
  /** Name → the vector keys listed for it (empty: the name is a single attribute). */
  private readonly rules: ReadonlyMap<string, readonly string[]>;

  constructor(rules: Map<string, Set<string>>) {
    const sorted = new Map<string, readonly string[]>();
    for (const name of [...rules.keys()].sort()) sorted.set(name, [...rules.get(name)!].sort());
    this.rules = sorted;
  }

  /** Parses the entries of a `*_RESTRICTED_ATTR` / `*_ENCRYPTED_ATTR` list (upper-cased as oned does). */
  static parse(entries: Iterable<string>): AttributeRules {
    const rules = new Map<string, Set<string>>();
    for (const raw of entries) {
      const entry = raw.trim();
      if (entry === '') continue;
      const slash = entry.indexOf('/');
      const name = normalizeName(slash === -1 ? entry : entry.slice(0, slash));
      let keys = rules.get(name);
      if (!keys) rules.set(name, (keys = new Set()));
      if (slash !== -1 && entry.slice(slash + 1) !== '') keys.add(normalizeName(entry.slice(slash + 1)));
    }
    return new AttributeRules(rules);
  }

  static readonly NONE = new AttributeRules(new Map());

  get isEmpty(): boolean {
    return this.rules.size === 0;
  }

  /** The listed entries, `NAME` or `NAME/KEY`, in check order. */
  entries(): string[] {
    const out: string[] = [];
    for (const [name, keys] of this.rules) {
      if (keys.length === 0) out.push(name);
      else for (const k of keys) out.push(`${name}/${k}`);
    }
    return out;
  }

  /** The vector keys listed for `name` (empty when none or when `name` is listed whole). */
  keysOf(name: string): readonly string[] {
    return this.rules.get(normalizeName(name)) ?? [];
  }

  /**
   * The first listed attribute `t` sets, or null: for a vector entry the key (`BRIDGE`), for a
   * single entry its name. What allocate calls check (OpenNebula's check_restricted without base).
   * A single entry only matches single attributes of that name, as in oned.
   */
  firstSet(t: Template): string | null {
    for (const [name, keys] of this.rules) {
      if (keys.length > 0) {
        for (const v of vectorsOf(t, name)) for (const k of keys) if (v.has(k)) return k;
      } else if (t.get(name) !== undefined) {
        return name;
      }
    }
    return null;
  }

  /**
   * The first listed attribute whose values in `t` differ from those in `base`, or null: what
   * update and instantiate check (OpenNebula's check_restricted with a base). For a vector
   * entry the listed keys' values of all its vectors are compared as a sorted list and the
   * vector name is returned; it only counts if `t` has such vectors, or (not `append`) `base`
   * has. A single listed attribute `t` leaves out but `base` has is copied into `t`, so replacing
   * a template keeps it.
   */
  firstChanged(t: Template, base: Template, append: boolean): string | null {
    for (const [name, keys] of this.rules) {
      if (keys.length > 0) {
        const mine = vectorsOf(t, name);
        const theirs = vectorsOf(base, name);
        const has = mine.length > 0 || (!append && theirs.length > 0);
        if (has && !sameValues(listedValues(mine, keys), listedValues(theirs, keys))) return name;
      } else {
        const value = t.get(name);
        const old = base.get(name);
        if (value !== undefined) {
          if (value !== (old ?? '')) return name;
        } else if (old !== undefined) {
          t.add(name, old);
        }
      }
    }
    return null;
  }

  /** Removes the listed keys from a vector (update_ar drops restricted AR keys for non-admins). */
  stripKeys(name: string, v: Vector): void {
    for (const k of this.keysOf(name)) v.delete(k);
  }

  /**
   * Calls `fn` on each listed value of `t` with its entry (`NAME` or `NAME/KEY`) and stores
   * what it returns: vector keys in place, single attributes through Template.mapValues.
   * Encryption and decryption go through here.
   */
  transform(t: Template, fn: (value: string, entry: string) => string): void {
    for (const [name, keys] of this.rules) {
      if (keys.length > 0) {
        for (const v of vectorsOf(t, name)) {
          for (const k of keys) {
            const old = v.get(k);
            if (old !== undefined) v.set(k, fn(old, `${name}/${k}`));
          }
        }
      } else {
        t.mapValues(name, (v) => fn(v, name));
      }
    }
  }

  /** Each listed value of `t` with its entry (for rendering decrypted XML). */
  values(t: Template): [value: string, entry: string][] {
    const out: [string, string][] = [];
    this.transform(t.clone(), (v, entry) => {
      out.push([v, entry]);
      return v;
    });
    return out;
  }
}

function vectorsOf(t: Template, name: string): Vector[] {
  const out: Vector[] = [];
  for (const a of t.getAll(name)) if (typeof a.value !== 'string') out.push(a.value);
  return out;
}

/** `KEY + value` for each listed key each vector sets, sorted (as oned compares them). */
function listedValues(vectors: readonly Vector[], keys: readonly string[]): string[] {
  const out: string[] = [];
  for (const v of vectors) {
    for (const k of keys) {
      const value = v.get(k);
      if (value !== undefined) out.push(k + value);
    }
  }
  return out.sort();
}

function sameValues(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
