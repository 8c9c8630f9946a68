import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { Ec2Error } from './errors.js';
import type { SignedRequest } from './signed-request.js';
import { checkSigV2Claim, parseSigV2, sigV2Signatures } from './sigv2.js';

/** Signs as a V2 client does, written out here: sorted, RFC 3986-encoded parameters. */
function v2(params: Record<string, string>, secret: string, host: string, algorithm: 'sha256' | 'sha1' = 'sha256'): SignedRequest {
  const all = { ...params, AWSAccessKeyId: 'alice', SignatureVersion: '2', SignatureMethod: algorithm === 'sha256' ? 'HmacSHA256' : 'HmacSHA1' };
  const enc = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const query = Object.keys(all).sort().map((k) => `${enc(k)}=${enc(all[k as keyof typeof all])}`).join('&');
  const signature = createHmac(algorithm, secret).update(`GET\n${host}\n/\n${query}`).digest('base64');
  const map = new Map(Object.entries({ ...all, Signature: signature }));
  return { method: 'GET', path: '/', rawQuery: '', headers: new Map([['host', '127.0.0.1:4567']]), body: Buffer.alloc(0), params: map };
}

const NOW = Date.parse('2024-05-01T10:00:00Z');

test('SigV2: HmacSHA256 and HmacSHA1, with the host as sent or without its port', () => {
  for (const host of ['127.0.0.1:4567', '127.0.0.1']) {
    for (const alg of ['sha256', 'sha1'] as const) {
      const req = v2({ Action: 'DescribeInstances', Timestamp: '2024-05-01T10:00:00Z', 'InstanceId.1': 'i-00000001', Odd: "a b*c'~" }, 's3cret', host, alg);
      const claim = parseSigV2(req);
      assert.equal(claim.accessKey, 'alice');
      assert.equal(claim.algorithm, alg);
      assert.ok(sigV2Signatures(req, claim, 's3cret').includes(claim.signature));
      assert.ok(!sigV2Signatures(req, claim, 'other').includes(claim.signature));
      checkSigV2Claim(claim, 900, NOW);
    }
  }
});

test('SigV2: times and malformed parameters', () => {
  const at = (t: Record<string, string>) => parseSigV2(v2({ Action: 'X', ...t }, 's', 'h'));
  assert.throws(() => checkSigV2Claim(at({ Timestamp: '2024-05-01T09:40:00Z' }), 900, NOW), (e: Ec2Error) => e.code === 'RequestExpired' && /clock skew/.test(e.message));
  checkSigV2Claim(at({ Timestamp: '2024-05-01T12:05:00+02:00' }), 900, NOW);
  checkSigV2Claim(at({ Expires: '2024-05-01T10:01:00Z' }), 900, NOW);
  assert.throws(() => checkSigV2Claim(at({ Expires: '2024-05-01T09:59:00Z' }), 900, NOW), (e: Ec2Error) => e.code === 'RequestExpired');
  assert.throws(() => at({}), (e: Ec2Error) => e.code === 'MissingParameter');
  assert.throws(() => at({ Timestamp: 'noon' }), (e: Ec2Error) => e.code === 'InvalidParameterValue');
  assert.throws(() => at({ Timestamp: '2024-05-01T10:00:00Z', Expires: '2024-05-01T10:00:00Z' }), (e: Ec2Error) => e.code === 'InvalidParameterCombination');
  const req = v2({ Action: 'X', Timestamp: '2024-05-01T10:00:00Z' }, 's', 'h');
  const p = new Map(req.params);
  p.set('SignatureVersion', '1');
  assert.throws(() => parseSigV2({ ...req, params: p }), (e: Ec2Error) => e.code === 'AuthFailure' && e.status === 401);
  p.set('SignatureVersion', '2');
  p.set('SignatureMethod', 'HmacMD5');
  assert.throws(() => parseSigV2({ ...req, params: p }), (e: Ec2Error) => e.code === 'InvalidParameterValue');
});
