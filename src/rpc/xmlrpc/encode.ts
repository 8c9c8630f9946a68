/** Writes XML-RPC documents: compact (no pretty-printing) and built by string concatenation. */
import { xmlEscapeText } from '../../common/xml.js';
import { Double, EscapedBytes, EscapedString, isInt32, type XmlRpcValue } from './value.js';

const XML_DECL = '<?xml version="1.0"?>';
const I8_MIN = -(2n ** 63n);
const I8_MAX = 2n ** 63n - 1n;
// The smallest magnitude outside the i8 range, as a double (2^63 is exact in binary).
const I8_LIMIT_NUMBER = 2 ** 63;

/** `<?xml ...?><methodResponse>` carrying one value. */
export function encodeResponse(value: XmlRpcValue): string {
  return `${XML_DECL}<methodResponse><params><param>${encodeValue(value)}</param></params></methodResponse>`;
}

/**
 * encodeResponse as the pieces to write: strings, and the kept bytes of EscapedBytes values (the
 * response value itself, or elements of a response array), which are never copied.
 */
export function encodeResponseParts(value: XmlRpcValue): (string | Buffer)[] {
  const open = `${XML_DECL}<methodResponse><params><param>`;
  const close = '</param></params></methodResponse>';
  if (value instanceof EscapedBytes) return [`${open}<value><string>`, value.bytes, `</string></value>${close}`];
  if (!Array.isArray(value) || !value.some((v) => v instanceof EscapedBytes)) return [encodeResponse(value)];
  const parts: (string | Buffer)[] = [];
  let text = `${open}<value><array><data>`;
  for (const item of value) {
    if (item instanceof EscapedBytes) {
      parts.push(`${text}<value><string>`, item.bytes);
      text = '</string></value>';
    } else text += encodeValue(item);
  }
  parts.push(`${text}</data></array></value>${close}`);
  return parts;
}

/** `<?xml ...?><methodResponse>` carrying a fault struct `{faultCode, faultString}`. */
export function encodeFault(code: number, message: string): string {
  if (!isInt32(code)) throw new RangeError(`fault code ${code} is not a 32-bit integer`);
  return (
    `${XML_DECL}<methodResponse><fault><value><struct>` +
    `<member><name>faultCode</name><value><int>${code}</int></value></member>` +
    `<member><name>faultString</name><value><string>${escapeText(message)}</string></value></member>` +
    `</struct></value></fault></methodResponse>`
  );
}

/** `<?xml ...?><methodCall>` of `method` with `params`. */
export function encodeMethodCall(method: string, params: readonly XmlRpcValue[]): string {
  let xml = `${XML_DECL}<methodCall><methodName>${escapeText(method)}</methodName><params>`;
  for (const param of params) xml += `<param>${encodeValue(param)}</param>`;
  return `${xml}</params></methodCall>`;
}

/**
 * One `<value>` element. Throws TypeError/RangeError for what XML-RPC cannot carry
 * (undefined, functions, non-finite numbers, integers outside the i8 range, invalid dates).
 */
function encodeValue(value: XmlRpcValue): string {
  switch (typeof value) {
    case 'string':
      return `<value><string>${escapeText(value)}</string></value>`;
    case 'number':
      return encodeNumber(value);
    case 'boolean':
      return value ? '<value><boolean>1</boolean></value>' : '<value><boolean>0</boolean></value>';
    case 'bigint':
      if (value < I8_MIN || value > I8_MAX) throw new RangeError(`integer ${value} is outside the i8 range`);
      return `<value><i8>${value}</i8></value>`;
    case 'object':
      if (value === null) return '<value><nil/></value>';
      if (Array.isArray(value)) {
        let xml = '<value><array><data>';
        for (const item of value) xml += encodeValue(item);
        return `${xml}</data></array></value>`;
      }
      if (value instanceof EscapedString) return `<value><string>${value.escaped}</string></value>`;
      if (value instanceof EscapedBytes) throw new TypeError('EscapedBytes may only be a response value or an element of a response array');
      if (value instanceof Double) return `<value><double>${formatDouble(value.value)}</double></value>`;
      if (value instanceof Date) return `<value><dateTime.iso8601>${formatDate(value)}</dateTime.iso8601></value>`;
      if (Buffer.isBuffer(value)) return `<value><base64>${value.toString('base64')}</base64></value>`;
      return encodeStruct(value);
  }
  throw new TypeError(`cannot encode a value of type ${typeof value} in XML-RPC`);
}

function encodeStruct(struct: { [member: string]: XmlRpcValue }): string {
  let xml = '<value><struct>';
  for (const name of Object.keys(struct)) {
    xml += `<member><name>${escapeText(name)}</name>${encodeValue(struct[name]!)}</member>`;
  }
  return `${xml}</struct></value>`;
}

function encodeNumber(n: number): string {
  if (!Number.isInteger(n)) return `<value><double>${formatDouble(n)}</double></value>`;
  if (isInt32(n)) return `<value><i4>${n}</i4></value>`;
  if (Number.isSafeInteger(n)) return `<value><i8>${n}</i8></value>`;
  // String() would print the shortest round-tripping digits (2^62 as 4611686018427388000), not the exact value.
  if (n >= -I8_LIMIT_NUMBER && n < I8_LIMIT_NUMBER) return `<value><i8>${BigInt(n)}</i8></value>`;
  throw new RangeError(`integer ${n} is outside the i8 range`);
}

function formatDouble(n: number): string {
  if (!Number.isFinite(n)) throw new RangeError(`XML-RPC cannot carry the double ${n}`);
  return String(n);
}

/** `YYYYMMDDTHH:MM:SS` in UTC (the form xmlrpc-c writes), plus `.mmm` when there are milliseconds. */
function formatDate(date: Date): string {
  const ms = date.getTime();
  if (Number.isNaN(ms)) throw new RangeError('cannot encode an invalid Date');
  const year = date.getUTCFullYear();
  if (year < 0 || year > 9999) throw new RangeError(`cannot encode the year ${year} in dateTime.iso8601`);
  const text =
    `${pad(year, 4)}${pad(date.getUTCMonth() + 1, 2)}${pad(date.getUTCDate(), 2)}` +
    `T${pad(date.getUTCHours(), 2)}:${pad(date.getUTCMinutes(), 2)}:${pad(date.getUTCSeconds(), 2)}`;
  const millis = date.getUTCMilliseconds();
  return millis === 0 ? text : `${text}.${pad(millis, 3)}`;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** Element content: XML's escapes, plus CR as a character reference since parsers turn a raw CR into LF. */
const escapeText = xmlEscapeText;
