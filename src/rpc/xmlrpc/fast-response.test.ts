import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { decodeMethodResponse, decodeMethodResponseFully } from './decode.js';
import { encodeResponse } from './encode.js';
import { fastResponse, fastResponseBytes } from './fast-response.js';
import { decodeUtf8 } from './decode.js';

const fullDecode = decodeMethodResponseFully;

test('oned-shaped answers: the fast path reads them as the full decoder does', () => {
  const answer = fc.tuple(
    fc.boolean(),
    fc.oneof(fc.string({ unit: 'binary' }), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })),
    fc.integer({ min: 0, max: 0xffff }),
  );
  fc.assert(
    fc.property(answer, ([ok, value, code]) => {
      const xml = encodeResponse([ok, value, code]);
      const fast = fastResponse(xml);
      let full: unknown;
      try {
        full = fullDecode(xml);
      } catch (err) {
        // The full decoder refuses it (a character XML forbids): so must the fast path.
        assert.equal(fast, undefined, `fast path accepted what the decoder refuses: ${(err as Error).message}`);
        return;
      }
      if (fast !== undefined) assert.deepEqual(fast, full);
      assert.deepEqual(decodeMethodResponse(xml), full);
    }),
    { numRuns: 2000 },
  );
});

test('a pool listing string is read by the fast path', () => {
  const xml = encodeResponse([true, '<VM_POOL><VM><NAME>a &amp; "b" \'c\' é ü</NAME></VM></VM_POOL>', 0]);
  assert.deepEqual(fastResponse(xml), [true, '<VM_POOL><VM><NAME>a &amp; "b" \'c\' é ü</NAME></VM></VM_POOL>', 0]);
  // Surrogate pairs (emoji) are left to the SAX decoder, which reads them as ever.
  const emoji = encodeResponse([true, '<NAME>🙂</NAME>', 0]);
  assert.equal(fastResponse(emoji), undefined);
  assert.deepEqual(decodeMethodResponse(emoji), [true, '<NAME>🙂</NAME>', 0]);
});

test('shapes outside the fast path go to the full decoder', () => {
  const wrap = (inner: string) => `<?xml version="1.0"?><methodResponse><params><param><value><array><data>${inner}</data></array></value></param></params></methodResponse>`;
  assert.equal(fastResponse(wrap('<value><string><![CDATA[x]]></string></value>')), undefined);
  assert.equal(fastResponse(wrap('<value><struct></struct></value>')), undefined);
  assert.equal(fastResponse(wrap('<value><i4> 3 </i4></value>')), undefined);
  assert.equal(fastResponse(wrap('<value><i4>99999999999</i4></value>')), undefined);
  assert.equal(fastResponse(wrap('<value><double>1.5</double></value>')), undefined);
  assert.equal(fastResponse(wrap('<value><string>a & b</string></value>')), undefined);
  assert.equal(fastResponse(wrap('<value><string>a\r\nb</string></value>')), undefined);
  assert.equal(fastResponse('<?xml version="1.0"?><methodResponse><fault><value><struct/></value></fault></methodResponse>'), undefined);
  assert.deepEqual(fastResponse(wrap('<value>plain</value><value><int>-7</int></value>')), ['plain', -7]);
  // And the full decoder still reads them.
  assert.deepEqual(decodeMethodResponse(wrap('<value><i4> 3 </i4></value>')), [3]);
});

/** The full decoder's reading of bytes, or the error it throws. */
function fullOfBytes(bytes: Buffer): unknown {
  try {
    return fullDecode(decodeUtf8(bytes));
  } catch (err) {
    return err;
  }
}

test('the bytes fast path reads what the full decoder reads from the same bytes, or leaves it to it', () => {
  const answer = fc.tuple(
    fc.boolean(),
    fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: fc.constantFrom('a', '&', 'amp;', 'lt;', 'quot;', '<', '>', '\r', 'é', '\u0001') }), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })),
    fc.integer({ min: 0, max: 0xffff }),
  );
  const raw = fc.oneof(
    answer.map(([ok, value, code]) => encodeResponse([ok, value, code])),
    // Hand-made bodies: entities cut at the end, stray markup, BOM, spaces, odd tags.
    fc
      .array(fc.constantFrom('<value>', '</value>', 'x', '&amp;', '&am', '&lt;', '&#38;', '<string>', '</string>', '<i4>', '</i4>', '7', '<boolean>1</boolean>', '<![CDATA[c]]>', '\t', ' '), { maxLength: 12 })
      .map((parts) => `<?xml version="1.0"?>\n<methodResponse><params><param><value><array><data>${parts.join('')}</data></array></value></param></params></methodResponse>\n`),
  );
  fc.assert(
    fc.property(raw, fc.constantFrom('', '\ufeff'), (xml, bom) => {
      const bytes = Buffer.from(bom + xml, 'utf8');
      const fast = fastResponseBytes(bytes);
      const full = fullOfBytes(bytes);
      if (full instanceof Error) assert.equal(fast, undefined, `fast path accepted what the decoder refuses: ${full.message}`);
      else if (fast !== undefined) assert.deepEqual(fast, full);
      // The string fast path and the bytes one agree where both read.
      const str = fastResponse(xml);
      if (str !== undefined && fast !== undefined) assert.deepEqual(fast, str);
    }),
    { numRuns: 3000 },
  );
});

test('a listing is read from its bytes; invalid UTF-8 is left to the full decoder, which refuses it', () => {
  const listing = `<VM_POOL>${'<VM><NAME>a &amp; "b" é</NAME></VM>'.repeat(1000)}</VM_POOL>`;
  const bytes = Buffer.from(encodeResponse([true, listing, 0]), 'utf8');
  assert.deepEqual(fastResponseBytes(bytes), [true, listing, 0]);
  const bad = Buffer.from(encodeResponse([true, 'ab', 0]), 'utf8');
  bad[bad.indexOf('ab')] = 0xff;
  assert.equal(fastResponseBytes(bad), undefined);
  assert.throws(() => decodeUtf8(bad), /not valid UTF-8/);
});
