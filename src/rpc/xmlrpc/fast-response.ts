/**
 * The shape nearly every answer of oned has, `[ok, value, code, ...]`: an array of scalars in a
 * `<methodResponse>`, read without the SAX parser. The work is fast-response-bytes.ts's, which
 * the client calls on the bytes off the socket; this door takes an answer already decoded to a
 * string (decodeMethodResponse). Anything outside that shape returns undefined and the full
 * decoder reads it, with its checks and error messages.
 */
import { fastResponseBytes } from './fast-response-bytes.js';
import type { XmlRpcValue } from './value.js';

/** Surrogates: in bytes a lone one would read as U+FFFD, so the full decoder checks their pairing. */
const SURROGATE = /[\uD800-\uDFFF]/;

/** The response's value, or undefined when the full decoder must read it. */
export function fastResponse(xml: string): XmlRpcValue | undefined {
  if (SURROGATE.test(xml)) return undefined;
  return fastResponseBytes(Buffer.from(xml, 'utf8'));
}
