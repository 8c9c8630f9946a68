import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import fc from 'fast-check';
import { XmlRpcClient } from './client.js';
import { decodeMethodResponseFully } from './decode.js';
import { encodeResponse } from './encode.js';
import { fastResponseBytes } from './fast-response-bytes.js';
import { FaultCode, XmlRpcFault } from './value.js';

const wrap = (inner: string) => `<?xml version="1.0"?><methodResponse><params><param><value><array><data>${inner}</data></array></value></param></params></methodResponse>`;
const bytes = (s: string) => Buffer.from(s, 'utf8');
/** A one-string answer whose string holds `raw` bytes after an `a`. */
function withBytes(raw: number[]): Buffer {
  const doc = bytes(wrap('<value><string>a</string></value>'));
  const at = doc.indexOf('</string>');
  return Buffer.concat([doc.subarray(0, at), Buffer.from(raw), doc.subarray(at)]);
}

test('oned-shaped answers: the byte path reads them as the full decoder does', () => {
  const answer = fc.tuple(
    fc.boolean(),
    fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: fc.constantFrom('<', '>', '&', '"', "'", 'a', 'é', '€', '🙂', '\n', '\t', '\r', '\u0001', '\uFFFE') }), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })),
    fc.integer({ min: 0, max: 0xffff }),
  );
  fc.assert(
    fc.property(answer, ([ok, value, code]) => {
      const xml = encodeResponse([ok, value, code]);
      const fast = fastResponseBytes(bytes(xml));
      let full: unknown;
      try {
        full = decodeMethodResponseFully(xml);
      } catch (err) {
        assert.equal(fast, undefined, `byte path accepted what the decoder refuses: ${(err as Error).message}`);
        return;
      }
      if (fast !== undefined) assert.deepEqual(fast, full);
    }),
    { numRuns: 2000 },
  );
});

test('a listing with escaped markup, entities in names and multi-byte text is read by the byte path', () => {
  // A name holding `&lt;` as text is `&amp;lt;` in the listing, `&amp;amp;lt;` on the wire.
  const listing = '<VM_POOL><VM><NAME>a &amp;lt; b &amp; "c" \'d\' é € 🙂</NAME></VM></VM_POOL>';
  const xml = encodeResponse([true, listing, 0]);
  assert.match(xml, /&amp;amp;lt;/);
  assert.deepEqual(fastResponseBytes(bytes(xml)), [true, listing, 0]);
  const ascii = '<VM_POOL><VM><ID>7</ID></VM></VM_POOL>';
  assert.deepEqual(fastResponseBytes(bytes(encodeResponse([true, ascii, 0]))), [true, ascii, 0]);
  // Untyped strings, booleans, ints, and a BOM before the declaration.
  assert.deepEqual(fastResponseBytes(bytes(`\uFEFF${wrap('<value>plain</value><value><boolean>0</boolean></value><value><i4>-7</i4></value><value></value>')}`)), ['plain', false, -7, '']);
});

test('shapes and characters outside the byte path are left to the full decoder', () => {
  const refused = [
    wrap('<value><string><![CDATA[x]]></string></value>'),
    wrap('<value><struct></struct></value>'),
    wrap('<value><i4> 3 </i4></value>'),
    wrap('<value><i4>99999999999</i4></value>'),
    wrap('<value><double>1.5</double></value>'),
    wrap('<value><string>a & b</string></value>'),
    wrap('<value><string>a &#60; b</string></value>'),
    wrap('<value><string>a &nbsp; b</string></value>'),
    wrap('<value><string>a\r\nb</string></value>'),
    wrap('<value><string>a\u0001b</string></value>'),
    wrap('<value><string>a\uFFFFb</string></value>'),
    wrap('<value><string/></value>'),
    wrap('<value><string>x</value>'),
    '<?xml version="1.0"?><methodResponse><fault><value><struct><member><name>faultCode</name><value><int>3</int></value></member></struct></value></fault></methodResponse>',
    'not xml',
    '',
  ];
  for (const xml of refused) assert.equal(fastResponseBytes(bytes(xml)), undefined, xml);
  // Invalid UTF-8 inside a string (a lone continuation byte, a truncated sequence).
  for (const bad of [[0x80], [0xc3], [0xe2, 0x82]]) assert.equal(fastResponseBytes(withBytes(bad)), undefined, `${bad}`);
});

/** An HTTP server answering every POST with `parts`, each written on its own after a pause. */
async function server(parts: Buffer[]): Promise<{ url: string; close: () => void }> {
  const srv = http.createServer((req, res) => {
    req.resume();
    req.on('end', async () => {
      res.writeHead(200, { 'Content-Type': 'text/xml' });
      for (const p of parts) {
        res.write(p);
        await new Promise((r) => setTimeout(r, 5));
      }
      res.end();
    });
  });
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  return { url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}/RPC2`, close: () => srv.close() };
}

test('the client reads an answer whose multi-byte characters and entities are split across chunks', async () => {
  const listing = '<VM_POOL><VM><NAME>é€🙂 &amp;lt;x&amp;gt;</NAME></VM></VM_POOL>';
  const body = bytes(encodeResponse([true, listing, 0]));
  // Cut inside the 4-byte emoji and inside an entity.
  const emoji = body.indexOf(bytes('🙂'));
  const amp = body.indexOf(bytes('&amp;amp;'));
  const parts = [body.subarray(0, emoji + 2), body.subarray(emoji + 2, amp + 3), body.subarray(amp + 3)];
  const s = await server(parts);
  const c = new XmlRpcClient(s.url);
  try {
    assert.deepEqual(await c.call('one.vmpool.info', []), [true, listing, 0]);
  } finally {
    c.close();
    s.close();
  }
});

test('the client still rejects fault answers and invalid UTF-8 with their codes', async () => {
  const fault = bytes('<?xml version="1.0"?><methodResponse><fault><value><struct><member><name>faultCode</name><value><int>3</int></value></member><member><name>faultString</name><value><string>no such method</string></value></member></struct></value></fault></methodResponse>');
  const invalid = withBytes([0xc3]);
  for (const [body, code] of [
    [fault, 3],
    [invalid, FaultCode.INVALID_UTF8],
  ] as const) {
    const s = await server([body]);
    const c = new XmlRpcClient(s.url);
    try {
      await assert.rejects(c.call('x', []), (err: unknown) => err instanceof XmlRpcFault && err.code === code);
    } finally {
      c.close();
      s.close();
    }
  }
});
