/**
 * Pagination and filters of the Describe calls. `MaxResults` (5 to 1000) cuts a listing; the
 * `NextToken` answered is opaque to clients (base64url of the position and a digest of the
 * request's other parameters, so a token is only good for the listing it came from).
 * Filters: an item matches when every filter has a value that matches one of the item's
 * values for that name (`*` any run, `?` one character, as EC2's wildcards).
 */
import { createHash } from 'node:crypto';
import { Ec2Error, invalid } from './errors.js';
import type { Filter, Params } from './params.js';

export interface Page<T> {
  readonly items: T[];
  /** The token of the next page, if there is one. */
  readonly nextToken?: string;
}

function fingerprint(params: Params): string {
  const rest = [...params.map].filter(([k]) => !['NextToken', 'MaxResults', 'Signature', 'Timestamp', 'Expires'].includes(k) && !k.startsWith('X-Amz-') && k !== 'AWSAccessKeyId' && k !== 'SignatureMethod' && k !== 'SignatureVersion');
  rest.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return createHash('sha256').update(JSON.stringify(rest)).digest('base64url').slice(0, 12);
}

/**
 * The page of `items` the request asks for. Without MaxResults and NextToken: everything.
 * `withIds`: EC2 refuses MaxResults together with explicit ids; pass true when ids were given.
 */
export function paginate<T>(items: readonly T[], params: Params, withIds = false): Page<T> {
  const hasMax = params.has('MaxResults');
  const token = params.optional('NextToken');
  if (hasMax && withIds) throw invalid('MaxResults', 'MaxResults cannot be given together with ids');
  const max = params.int('MaxResults', { min: 5, max: 1000, fallback: 1000 });
  let start = 0;
  if (token !== undefined && token !== '') {
    const m = /^(\d+)\.([\w-]{12})$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
    if (!m || m[2] !== fingerprint(params)) throw new Ec2Error('InvalidNextToken', 'The NextToken is not valid for this request');
    start = Number(m[1]);
  }
  if (!hasMax && start === 0) return { items: items.slice() };
  const page = items.slice(start, start + max);
  const next = start + max < items.length ? Buffer.from(`${start + max}.${fingerprint(params)}`).toString('base64url') : undefined;
  return { items: page, nextToken: next };
}

/** EC2's wildcard pattern as a regular expression. */
export function wildcard(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '\\' && i + 1 < pattern.length) re += pattern[++i]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    else if (ch === '*') re += '.*';
    else if (ch === '?') re += '.';
    else re += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 's');
}

/**
 * Keeps the items every filter matches. `valuesOf(item, name)` gives the item's values for a
 * filter name; `known(name)` says whether the action supports the name (else InvalidParameterValue).
 */
export function applyFilters<T>(items: readonly T[], filters: readonly Filter[], known: (name: string) => boolean, valuesOf: (item: T, name: string) => readonly string[]): T[] {
  for (const f of filters) if (!known(f.name)) throw new Ec2Error('InvalidParameterValue', `The filter '${f.name}' is invalid`);
  if (filters.length === 0) return items.slice();
  const compiled = filters.map((f) => ({ name: f.name, patterns: f.values.map(wildcard) }));
  return items.filter((item) =>
    compiled.every((f) => {
      const have = valuesOf(item, f.name);
      return f.patterns.length === 0 || have.some((v) => f.patterns.some((p) => p.test(v)));
    }),
  );
}

/** Whether `name` is one of the generic tag filters (`tag:KEY`, `tag-key`, `tag-value`). */
export function isTagFilter(name: string): boolean {
  return (name.startsWith('tag:') && name.length > 4) || name === 'tag-key' || name === 'tag-value';
}

/** The values of the generic tag filters (`tag:KEY`, `tag-key`, `tag-value`) of an item's tags, or undefined for other names. */
export function tagFilterValues(tags: ReadonlyArray<{ key: string; value: string }>, name: string): string[] | undefined {
  if (name.startsWith('tag:')) {
    const key = name.slice(4);
    return tags.filter((t) => t.key === key).map((t) => t.value);
  }
  if (name === 'tag-key') return tags.map((t) => t.key);
  if (name === 'tag-value') return tags.map((t) => t.value);
  return undefined;
}
