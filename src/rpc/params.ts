/**
 * Method signatures: the XML-RPC types each method takes after the session string, checked
 * before the method runs so a method body only ever sees well-typed arguments.
 */
import { Double, FaultCode, XmlRpcFault, type XmlRpcValue } from './xmlrpc/index.js';

/**
 * A required parameter: int, string, boolean, array, or `is`: an int or a string (where the
 * 3.x API took a string and HEAD takes an int at the same position, as in one.host.allocate).
 */
export type Required = 'i' | 's' | 'b' | 'A' | 'is';
/** An optional trailing parameter and the value used when the client leaves it out. */
export type Optional =
  | { readonly opt: 'i'; readonly def: number }
  | { readonly opt: 's'; readonly def: string }
  | { readonly opt: 'b'; readonly def: boolean }
  | { readonly opt: 'A'; readonly def: readonly XmlRpcValue[] };
export type ParamSpec = Required | Optional;

type ArgOf<S> = S extends 'is' ? number | string : S extends 'i' | { opt: 'i' } ? number : S extends 's' | { opt: 's' } ? string : S extends 'b' | { opt: 'b' } ? boolean : S extends 'A' | { opt: 'A' } ? XmlRpcValue[] : never;
/** The argument tuple a method body receives for a signature. */
export type Args<P extends readonly ParamSpec[]> = { -readonly [K in keyof P]: ArgOf<P[K]> };

const TYPE_NAMES = { i: 'an integer', s: 'a string', b: 'a boolean', A: 'an array', is: 'an integer or a string' } as const;
const SHORT = { i: 'int', s: 'string', b: 'bool', A: 'array', is: 'int|string' } as const;

function describe(v: XmlRpcValue): string {
  if (v === null) return 'nil';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'string') return `string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v)}`;
  if (typeof v === 'object') return v instanceof Date ? 'dateTime' : Buffer.isBuffer(v) ? 'base64' : v instanceof Double ? `double ${v.value}` : 'struct';
  return `${typeof v} ${String(v)}`;
}

/** Human form of a signature for error messages: `(s session, i, s [, i])`. */
export function signatureText(specs: readonly ParamSpec[]): string {
  const parts = ['string session'];
  for (const s of specs) parts.push(typeof s === 'string' ? SHORT[s] : `[${SHORT[s.opt]}]`);
  return `(${parts.join(', ')})`;
}

/** Converts one value, or returns undefined when it has the wrong type. */
function convert(type: Required, v: XmlRpcValue): XmlRpcValue | undefined {
  switch (type) {
    case 'i':
      if (typeof v === 'number' && Number.isInteger(v) && v >= -2147483648 && v <= 2147483647) return v;
      // Several clients send booleans where OpenNebula takes 0/1 ints (update type, for one).
      if (typeof v === 'boolean') return v ? 1 : 0;
      return undefined;
    case 'b':
      if (typeof v === 'boolean') return v;
      if (v === 0 || v === 1) return v === 1;
      return undefined;
    case 's':
      return typeof v === 'string' ? v : undefined;
    case 'A':
      return Array.isArray(v) ? v : undefined;
    case 'is':
      return typeof v === 'string' ? v : convert('i', v);
  }
}

/**
 * Checks and converts the parameters after the session. Extra trailing parameters are ignored,
 * as OpenNebula's server does. An empty or nil value stands for an omitted optional parameter
 * (clients serialize an undefined argument that way). Throws the XML-RPC faults xmlrpc-c gives:
 * -502 for missing parameters, -501 for a wrong type.
 */
export function checkParams<P extends readonly ParamSpec[]>(method: string, specs: P, params: readonly XmlRpcValue[]): Args<P> {
  const out: XmlRpcValue[] = [];
  for (let i = 0; i < specs.length; i++) {
    const spec = specs[i]!;
    const v = params[i + 1];
    if (typeof spec !== 'string') {
      if (v === undefined || v === null || (v === '' && spec.opt !== 's')) {
        out.push(spec.def as XmlRpcValue);
        continue;
      }
    } else if (v === undefined) {
      throw new XmlRpcFault(FaultCode.INDEX, `Not enough parameters: ${method} takes ${signatureText(specs)}, got ${params.length}`);
    }
    const type = typeof spec === 'string' ? spec : spec.opt;
    const converted = convert(type, v!);
    if (converted === undefined) {
      throw new XmlRpcFault(FaultCode.TYPE, `Parameter ${i + 2} of ${method} must be ${TYPE_NAMES[type]}, got ${describe(v!)}`);
    }
    out.push(converted);
  }
  return out as Args<P>;
}
