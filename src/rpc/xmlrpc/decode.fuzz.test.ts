/**
 * Property tests of the XML-RPC decoder on hostile input: it throws nothing but XmlRpcFault,
 * reads back what the encoder wrote, and refuses deep nesting where it starts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { DEFAULT_MAX_NESTING, decodeMethodCall, decodeUtf8 } from './decode.js';
import { encodeMethodCall } from './encode.js';
import { Double, FaultCode, XmlRpcFault, type XmlRpcValue } from './value.js';

/** Decodes a body as the server does; returns the fault, or undefined when it decoded. */
function faultOf(body: Uint8Array): XmlRpcFault | undefined {
  try {
    decodeMethodCall(decodeUtf8(body));
    return undefined;
  } catch (err) {
    assert.ok(err instanceof XmlRpcFault, `threw ${String(err)}`);
    return err;
  }
}

const TAGS = ['methodCall', 'methodName', 'params', 'param', 'value', 'array', 'data', 'struct', 'member', 'name', 'int', 'i4', 'i8', 'ex:i8', 'boolean', 'string', 'double', 'dateTime.iso8601', 'base64', 'nil', 'ex:nil'];
/** Token soup of XML-RPC's own elements, entities and text: documents near the grammar. */
const soup = fc
  .array(
    fc.oneof(
      fc.constantFrom(...TAGS).map((t) => `<${t}>`),
      fc.constantFrom(...TAGS).map((t) => `</${t}>`),
      fc.constantFrom(...TAGS).map((t) => `<${t}/>`),
      fc.constantFrom('&amp;', '&lt;', '&#0;', '&#x110000;', '&undefined;', '<![CDATA[x]]>', '<!DOCTYPE m [<!ENTITY a "b">]>', '<?pi x?>', '<!-- c -->', '"', "'", '\u0000', '\ud800'),
      fc.oneof(fc.integer(), fc.double()).map(String),
      fc.string({ maxLength: 8 }),
    ),
    { maxLength: 40 },
  )
  .map((parts) => parts.join(''));

test('any bytes: decoded, or refused with an XmlRpcFault', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      faultOf(bytes);
    }),
    { numRuns: 3000 },
  );
});

test('near-grammar documents: decoded, or refused with an XmlRpcFault of a known code', () => {
  fc.assert(
    fc.property(soup, (xml) => {
      const fault = faultOf(Buffer.from(xml, 'utf8'));
      if (fault) assert.ok([FaultCode.PARSE, FaultCode.INVALID_UTF8].includes(fault.code as -503 | -510), fault.message);
    }),
    { numRuns: 5000 },
  );
});

/** Values the encoder writes and the decoder reads back unchanged. */
const value: fc.Arbitrary<XmlRpcValue> = fc.letrec<{ v: XmlRpcValue }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    fc.integer(),
    fc.bigInt({ min: -(2n ** 63n), max: -(2n ** 53n) }),
    fc.boolean(),
    // XML 1.0 cannot carry most control characters: they are left out.
    fc.string({ unit: 'grapheme' }).map((s) => s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\r\ufffe\uffff]/g, '')),
    fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Object.is(d, -0)).map((d) => new Double(d)),
    fc.constant(null),
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 6 }).filter((k) => !/[\u0000-\u001f\r\ufffe\uffff]/.test(k)), tie('v'), { maxKeys: 4 }).map((o) => Object.assign(Object.create(null) as Record<string, XmlRpcValue>, o)),
  ),
})).v;

test('round trip: decodeMethodCall(encodeMethodCall(m, params)) gives back m and params', () => {
  fc.assert(
    fc.property(fc.stringMatching(/^[a-z][a-z.]{0,20}$/), fc.array(value, { maxLength: 5 }), (method, params) => {
      assert.deepEqual(decodeMethodCall(encodeMethodCall(method, params)), { method, params });
    }),
    { numRuns: 2000 },
  );
});

test('nesting: up to the limit is read, one deeper is refused where it starts, not after reading the rest', () => {
  const doc = (depth: number, struct: boolean): string => {
    const [open, close] = struct ? ['<value><struct><member><name>m</name>', '</member></struct></value>'] : ['<value><array><data>', '</data></array></value>'];
    return `<methodCall><methodName>m</methodName><params><param>${open.repeat(depth)}<value><int>7</int></value>${close.repeat(depth)}</param></params></methodCall>`;
  };
  fc.assert(
    fc.property(fc.boolean(), fc.integer({ min: 1, max: 8 }), (struct, limit) => {
      assert.equal(decodeMethodCall(doc(limit, struct), limit).params.length, 1);
      assert.throws(() => decodeMethodCall(doc(limit + 1, struct), limit), (err: XmlRpcFault) => err.code === FaultCode.PARSE && /nested more than/.test(err.message));
    }),
  );
  for (const struct of [false, true]) {
    // 100,000 deep: refused at depth 65, within the first few kilobytes of the 4 MB document.
    const err = faultOf(Buffer.from(doc(100_000, struct)));
    assert.ok(err && err.code === FaultCode.PARSE, String(err));
    const column = Number(/column (\d+)/.exec(err.message)?.[1]);
    assert.ok(column < 80 * (DEFAULT_MAX_NESTING + 2), `refused at column ${column}`);
  }
});

test('entities: a DOCTYPE is refused, and nothing is expanded or fetched', () => {
  const laughs = `<!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">${Array.from({ length: 9 }, (_, i) => `<!ENTITY ${'b'.repeat(i + 1)} "${`&${i ? 'b'.repeat(i) : 'a'};`.repeat(10)}">`).join('')}]><methodCall><methodName>&bbbbbbbbb;</methodName></methodCall>`;
  for (const xml of [laughs, '<!DOCTYPE m SYSTEM "http://127.0.0.1:1/x"><methodCall><methodName>m</methodName></methodCall>', '<methodCall><methodName>&ext;</methodName></methodCall>']) {
    const err = faultOf(Buffer.from(xml));
    assert.equal(err?.code, FaultCode.PARSE, xml);
  }
});

test('numbers out of range are faults, never rounded', () => {
  fc.assert(
    fc.property(fc.bigInt({ min: 2n ** 31n, max: 10n ** 40n }), fc.boolean(), (n, negative) => {
      const text = `${negative ? '-' : ''}${n + (negative ? 1n : 0n)}`;
      assert.throws(() => decodeMethodCall(`<methodCall><methodName>m</methodName><params><param><value><int>${text}</int></value></param></params></methodCall>`), XmlRpcFault);
      if (n >= 2n ** 63n) assert.throws(() => decodeMethodCall(`<methodCall><methodName>m</methodName><params><param><value><i8>${text}</i8></value></param></params></methodCall>`), XmlRpcFault);
    }),
  );
  for (const d of ['NaN', 'Infinity', '-Infinity', '1e400', '0x10', '']) {
    assert.throws(() => decodeMethodCall(`<methodCall><methodName>m</methodName><params><param><value><double>${d}</double></value></param></params></methodCall>`), XmlRpcFault, d);
  }
  assert.throws(() => decodeMethodCall(`<methodCall><methodName>m</methodName><params><param><value><i8>${'9'.repeat(10_000)}</i8></value></param></params></methodCall>`), XmlRpcFault);
});
