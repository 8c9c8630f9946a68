/**
 * The parameters of an EC2 Query request (`Action`, `Version`, `InstanceId.1`...), with readers
 * that refuse bad input with EC2's codes: `MissingParameter`, `InvalidParameterValue`.
 * Lists are `Name.N` members (N from 1, any order, no gaps needed); filters
 * `Filter.N.Name` / `Filter.N.Value.M`; tags `Tag.N.Key` / `Tag.N.Value`; tag specifications
 * `TagSpecification.N.ResourceType` / `TagSpecification.N.Tag.M.Key|Value`.
 */
import { Ec2Error, invalid, missing } from './errors.js';

export interface Filter {
  readonly name: string;
  readonly values: readonly string[];
}

export interface Tag {
  readonly key: string;
  readonly value: string;
}

export interface TagSpecification {
  readonly resourceType: string;
  readonly tags: readonly Tag[];
}

/** The members `prefix.N` of a map, by N; keeps the rest of each key (`.Name`, `.Value.2`). */
function membersOf(map: ReadonlyMap<string, string>, prefix: string): Map<number, Map<string, string>> {
  const out = new Map<number, Map<string, string>>();
  const start = `${prefix}.`;
  for (const [k, v] of map) {
    if (!k.startsWith(start)) continue;
    const rest = k.slice(start.length);
    const m = /^(\d+)(?:\.(.+))?$/.exec(rest);
    if (!m || m[1]!.startsWith('0')) throw invalid(k, `"${prefix}" members are numbered ${prefix}.1, ${prefix}.2...`);
    const n = Number(m[1]);
    let member = out.get(n);
    if (!member) out.set(n, (member = new Map()));
    member.set(m[2] ?? '', v);
  }
  return new Map([...out].sort((a, b) => a[0] - b[0]));
}

/** A value list (`Value.1`, `Value.2`...) inside a member. */
function valuesOf(member: ReadonlyMap<string, string>, prefix: string, where: string): string[] {
  return [...membersOf(member, prefix).entries()].map(([n, m]) => {
    const v = m.get('');
    if (v === undefined) throw invalid(`${where ? `${where}.` : ''}${prefix}.${n}`, 'expected a single value');
    return v;
  });
}

export const TAG_KEY_MAX = 128;
export const TAG_VALUE_MAX = 256;

function checkedTag(key: string | undefined, value: string | undefined, where: string, valueRequired: boolean): Tag {
  if (key === undefined) throw missing(`${where}.Key`);
  if (key === '' || key.length > TAG_KEY_MAX) throw invalid(`${where}.Key`, `a tag key has 1 to ${TAG_KEY_MAX} characters`);
  if (/^aws:/i.test(key)) throw invalid(`${where}.Key`, 'tag keys starting with "aws:" are reserved');
  if (value === undefined && valueRequired) value = '';
  if (value !== undefined && value.length > TAG_VALUE_MAX) throw invalid(`${where}.Value`, `a tag value has at most ${TAG_VALUE_MAX} characters`);
  return { key, value: value ?? '' };
}

export class Params {
  constructor(readonly map: ReadonlyMap<string, string>) {}

  static of(entries: Iterable<[string, string]>): Params {
    return new Params(new Map(entries));
  }

  has(name: string): boolean {
    return this.map.has(name);
  }

  optional(name: string): string | undefined {
    return this.map.get(name);
  }

  /** A required parameter (MissingParameter when absent or empty). */
  str(name: string): string {
    const v = this.map.get(name);
    if (v === undefined || v === '') throw missing(name);
    return v;
  }

  /** A whole number within [min, max]; `fallback` when absent (absent without fallback: MissingParameter). */
  int(name: string, opts: { min?: number; max?: number; fallback?: number } = {}): number {
    const v = this.map.get(name);
    if (v === undefined || v === '') {
      if (opts.fallback !== undefined) return opts.fallback;
      throw missing(name);
    }
    if (!/^-?\d{1,15}$/.test(v)) throw invalid(name, `"${v}" is not a whole number`);
    const n = Number(v);
    if (opts.min !== undefined && n < opts.min) throw invalid(name, `${n} is below the minimum of ${opts.min}`);
    if (opts.max !== undefined && n > opts.max) throw invalid(name, `${n} is above the maximum of ${opts.max}`);
    return n;
  }

  /** `true`/`false` (either case); `fallback` when absent. */
  bool(name: string, fallback = false): boolean {
    const v = this.map.get(name);
    if (v === undefined || v === '') return fallback;
    if (/^true$/i.test(v)) return true;
    if (/^false$/i.test(v)) return false;
    throw invalid(name, `"${v}" is not true or false`);
  }

  /** The values of `name.1`, `name.2`... in order. */
  list(name: string): string[] {
    return valuesOf(this.map, name, '');
  }

  /** `Filter.N.Name` / `Filter.N.Value.M`. */
  filters(prefix = 'Filter'): Filter[] {
    return [...membersOf(this.map, prefix)].map(([n, m]) => {
      const name = m.get('Name');
      if (name === undefined || name === '') throw missing(`${prefix}.${n}.Name`);
      for (const k of m.keys()) if (k !== 'Name' && !/^Value\.\d+$/.test(k)) throw invalid(`${prefix}.${n}.${k}`, 'a filter has a Name and Value.N members');
      return { name, values: valuesOf(m, 'Value', `${prefix}.${n}`) };
    });
  }

  /** `Tag.N.Key` / `Tag.N.Value` (`valueRequired`: a missing value is the empty one, as in CreateTags). */
  tags(prefix = 'Tag', valueRequired = true): Tag[] {
    const out = [...membersOf(this.map, prefix)].map(([n, m]) => checkedTag(m.get('Key'), m.get('Value'), `${prefix}.${n}`, valueRequired));
    const keys = new Set<string>();
    for (const t of out) {
      if (keys.has(t.key)) throw invalid(prefix, `the tag key "${t.key}" is given twice`);
      keys.add(t.key);
    }
    return out;
  }

  /** `Tag.N.Key` with `Tag.N.Value` when given (DeleteTags: a value given must match; none: any value). */
  tagSelectors(prefix = 'Tag'): Array<{ key: string; value?: string }> {
    return [...membersOf(this.map, prefix)].map(([n, m]) => {
      const key = m.get('Key');
      if (key === undefined || key === '') throw missing(`${prefix}.${n}.Key`);
      return { key, value: m.get('Value') };
    });
  }

  /** `TagSpecification.N.ResourceType` with its `Tag.M.Key` / `Tag.M.Value`. */
  tagSpecifications(): TagSpecification[] {
    return [...membersOf(this.map, 'TagSpecification')].map(([n, m]) => {
      const resourceType = m.get('ResourceType');
      if (resourceType === undefined || resourceType === '') throw missing(`TagSpecification.${n}.ResourceType`);
      const tags = new Params(new Map([...m].filter(([k]) => k.startsWith('Tag.')))).tags('Tag');
      return { resourceType, tags };
    });
  }

  /** The tags the TagSpecifications give `resourceType`; another resource type is refused unless in `allowed`. */
  tagsFor(resourceType: string, allowed: readonly string[] = [resourceType]): Tag[] {
    const out: Tag[] = [];
    for (const spec of this.tagSpecifications()) {
      if (!allowed.includes(spec.resourceType)) throw invalid('TagSpecification.N.ResourceType', `"${spec.resourceType}" cannot be tagged here (only ${allowed.join(', ')})`);
      if (spec.resourceType === resourceType) out.push(...spec.tags);
    }
    return out;
  }
}

/** An error for a filter name an action does not know. */
export function unknownFilter(name: string): Ec2Error {
  return new Ec2Error('InvalidParameterValue', `The filter '${name}' is invalid`);
}
