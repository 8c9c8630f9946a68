/** XML-RPC values as JavaScript values, and the fault type shared by server and client. */

/**
 * A `<double>`: wraps a number so integral doubles keep their type on a round trip
 * (a bare JS number that happens to be integral is encoded as an integer).
 */
export class Double {
  constructor(readonly value: number) {}

  valueOf(): number {
    return this.value;
  }
}

/**
 * A `<string>` whose escaped text (common/xml's xmlEscapeText) is already known: a server keeps
 * escaped copies of documents it sends often, such as pool listings, instead of escaping
 * megabytes per call. Encoded as is; decoding never produces it.
 */
export class EscapedString {
  constructor(readonly escaped: string) {}
}

/**
 * Like EscapedString, already UTF-8 encoded: a response of megabytes is then written from the
 * kept bytes, with no copy into a string and back. Only as a response value or an element of a
 * response array (OpenNebula's `[ok, value, code]`).
 */
export class EscapedBytes {
  /** `bytes`: the escaped text, UTF-8 encoded. */
  constructor(readonly bytes: Buffer) {}
}

/**
 * An XML-RPC value:
 * `<int>`/`<i4>` → integer number; `<i8>` → number when safe, else bigint; `<double>` → Double;
 * `<boolean>` → boolean; `<string>` (and an untyped `<value>`) → string; `<base64>` → Buffer;
 * `<dateTime.iso8601>` → Date; `<array>` → array; `<struct>` → null-prototype object; `<nil/>` → null.
 */
export type XmlRpcValue =
  | string
  | number
  | bigint
  | boolean
  | Double
  | EscapedString
  | EscapedBytes
  | Buffer
  | Date
  | null
  | XmlRpcValue[]
  | { [member: string]: XmlRpcValue };

/** A decoded `<methodCall>`. */
export interface MethodCall {
  method: string;
  params: XmlRpcValue[];
}

/** The fault codes of xmlrpc-c, the XML-RPC library of OpenNebula's server. */
export const FaultCode = {
  INTERNAL: -500,
  TYPE: -501,
  INDEX: -502,
  PARSE: -503,
  NETWORK: -504,
  TIMEOUT: -505,
  NO_SUCH_METHOD: -506,
  REQUEST_REFUSED: -507,
  INTROSPECTION_DISABLED: -508,
  LIMIT_EXCEEDED: -509,
  INVALID_UTF8: -510,
} as const;

/** Whether `n` fits an XML-RPC `<int>`. */
export function isInt32(n: number): boolean {
  return Number.isInteger(n) && n >= -0x80000000 && n <= 0x7fffffff;
}

/**
 * An XML-RPC fault: thrown by handlers to answer with a fault, and by the client when it receives one.
 * The code must be a 32-bit integer (RangeError otherwise), so every fault can be sent.
 */
export class XmlRpcFault extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    if (!isInt32(code)) throw new RangeError(`fault code ${code} is not a 32-bit integer`);
    super(message);
    this.name = 'XmlRpcFault';
  }
}
