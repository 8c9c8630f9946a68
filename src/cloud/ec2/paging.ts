/**
 * Pagination and filters of the Describe calls. `MaxResults` (5 to 1000) cuts a listing; the
 * `NextToken` answered is opaque to clients (base64url of the position and a digest of the
 * request's other parameters, so a token is only good for the listing it came from).
 * Filters: an item matches when every filter has a value that matches one of the item's
 * values for that name (`*` any run, `?` one character, as EC2's wildcards).
 */
import { createHash, randomBytes } from 'node:crypto';
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
  if (hasMax && withIds) throw invalid('MaxResults', 'MaxResults cannot be given together with ids');
  const max = params.int('MaxResults', { min: 5, max: 1000, fallback: 1000 });
  const start = pageToken(params)?.start ?? 0;
  if (!hasMax && start === 0) return { items: items.slice() };
  const page = items.slice(start, start + max);
  const next = start + max < items.length ? makeToken(start + max, params) : undefined;
  return { items: page, nextToken: next };
}

function makeToken(start: number, params: Params, snapshot?: string): string {
  return Buffer.from(`${start}.${fingerprint(params)}${snapshot ? `.${snapshot}` : ''}`).toString('base64url');
}

/** The request's NextToken: where the page starts and the listing it continues, if remembered. Not ours: InvalidNextToken. */
export function pageToken(params: Params): { start: number; snapshot?: string } | undefined {
  const token = params.optional('NextToken');
  if (token === undefined || token === '') return undefined;
  const m = /^(\d+)\.([\w-]{12})(?:\.([\w-]{16}))?$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!m || m[2] !== fingerprint(params)) throw new Ec2Error('InvalidNextToken', 'The NextToken is not valid for this request');
  return { start: Number(m[1]), snapshot: m[3] };
}

/**
 * Listings remembered between pages: the first page of a long listing keeps the ordered ids it
 * found (for `ttlMs`), and its NextToken names them, so a later page reads only its own objects
 * instead of the whole pool again. A forgotten or expired listing falls back to reading it all.
 */
export class PageSnapshots {
  private readonly saved = new Map<string, { owner: number; ids: readonly number[]; expires: number }>();

  constructor(
    private readonly ttlMs = 5 * 60_000,
    private readonly max = 1000,
  ) {}

  /**
   * The first page of `ids` (the whole listing, in order) and, when more follow, a token that
   * remembers them for `owner`.
   */
  first(ids: readonly number[], params: Params, owner: number, now = Date.now()): { ids: number[]; nextToken?: string } {
    const max = params.int('MaxResults', { min: 5, max: 1000, fallback: 1000 });
    if (!params.has('MaxResults') || ids.length <= max) return { ids: params.has('MaxResults') ? ids.slice(0, max) : ids.slice() };
    for (const [k, v] of this.saved) if (v.expires <= now || this.saved.size >= this.max) this.saved.delete(k);
    const snapshot = randomBytes(12).toString('base64url');
    this.saved.set(snapshot, { owner, ids: ids.slice(), expires: now + this.ttlMs });
    return { ids: ids.slice(0, max), nextToken: makeToken(max, params, snapshot) };
  }

  /** A later page from a remembered listing of `owner`, or undefined when it is not remembered. */
  next(params: Params, owner: number, now = Date.now()): { ids: number[]; nextToken?: string } | undefined {
    const token = pageToken(params);
    const saved = token?.snapshot ? this.saved.get(token.snapshot) : undefined;
    if (!token || !saved || saved.owner !== owner || saved.expires <= now) return undefined;
    const max = params.int('MaxResults', { min: 5, max: 1000, fallback: 1000 });
    const end = token.start + max;
    return { ids: saved.ids.slice(token.start, end), nextToken: end < saved.ids.length ? makeToken(end, params, token.snapshot) : undefined };
  }
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
