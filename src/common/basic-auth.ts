/**
 * HTTP basic authentication as the tool servers read it (oneflow-server, occi-server): the
 * `user:password` (or `user:token`) an `Authorization: Basic ...` header carries, which the
 * server then hands to oned as that user's session.
 */

/** `user:password` of a `Basic` Authorization header, or undefined. */
export function basicSession(header: string | undefined): string | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!m) return undefined;
  const text = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  return colon > 0 && colon < text.length - 1 ? text : undefined;
}
