/**
 * A request as the signature checks see it: method, path and query as sent, the headers, the
 * body's bytes, and the parameters (query and form body together).
 */
export interface SignedRequest {
  readonly method: string;
  /** The path as sent (still percent-encoded), e.g. `/`. */
  readonly path: string;
  /** The query string as sent, without `?` ('' when none). */
  readonly rawQuery: string;
  /** Header names in lower case. */
  readonly headers: ReadonlyMap<string, string>;
  readonly body: Uint8Array;
  readonly params: ReadonlyMap<string, string>;
}

/** RFC 3986 percent-encoding of everything but the unreserved characters (what AWS signs). */
export function awsEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The name/value pairs of a query string, decoded as forms are (`+` is a space). */
export function queryPairs(rawQuery: string): Array<[string, string]> {
  return [...new URLSearchParams(rawQuery)];
}

/** Pairs sorted by encoded name then value, joined as `name=value&...` (both signature versions' canonical query). */
export function canonicalQuery(pairs: ReadonlyArray<[string, string]>): string {
  return pairs
    .map(([k, v]) => [awsEncode(k), awsEncode(v)] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}
