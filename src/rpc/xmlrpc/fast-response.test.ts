import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { decodeMethodResponse, decodeMethodResponseFully } from './decode.js';
import { encodeResponse } from './encode.js';
import { fastResponse } from './fast-response.js';

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
