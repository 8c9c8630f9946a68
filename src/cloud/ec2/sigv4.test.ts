import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { Ec2Error } from './errors.js';
import type { SignedRequest } from './signed-request.js';
import { checkSigV4Claim, parseSigV4, sigV4Signature } from './sigv4.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const SCOPE = 'Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request';

function request(method: string, pathAndQuery: string, headers: Record<string, string>, authorization: string, body = ''): SignedRequest {
  const [path, query = ''] = pathAndQuery.split('?') as [string, string?];
  const h = new Map(Object.entries({ host: 'example.amazonaws.com', 'x-amz-date': '20150830T123600Z', ...headers, authorization }).map(([k, v]) => [k.toLowerCase(), v]));
  return { method, path, rawQuery: query, headers: h, body: Buffer.from(body), params: new Map() };
}

// Cases of AWS's Signature Version 4 test suite (credentials AKIDEXAMPLE, 2015-08-30 12:36:00 UTC).
const SUITE: Array<{ name: string; method: string; url: string; headers: Record<string, string>; signed: string; sig: string }> = [
  { name: 'get-vanilla', method: 'GET', url: '/', headers: {}, signed: 'host;x-amz-date', sig: '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31' },
  { name: 'post-vanilla', method: 'POST', url: '/', headers: {}, signed: 'host;x-amz-date', sig: '5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b' },
  { name: 'get-vanilla-query-order-key-case', method: 'GET', url: '/?Param2=value2&Param1=value1', headers: {}, signed: 'host;x-amz-date', sig: 'b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500' },
  { name: 'post-header-value-case', method: 'POST', url: '/', headers: { 'My-Header1': 'VALUE1' }, signed: 'host;my-header1;x-amz-date', sig: 'cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d' },
  { name: 'get-header-value-trim', method: 'GET', url: '/', headers: { 'My-Header1': ' value1', 'My-Header2': '"a   b   c"' }, signed: 'host;my-header1;my-header2;x-amz-date', sig: 'acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736' },
  { name: 'get-unreserved', method: 'GET', url: '/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', headers: {}, signed: 'host;x-amz-date', sig: '07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f' },
];

for (const c of SUITE) {
  test(`SigV4: AWS test suite ${c.name}`, () => {
    const req = request(c.method, c.url, c.headers, `AWS4-HMAC-SHA256 ${SCOPE}, SignedHeaders=${c.signed}, Signature=${c.sig}`);
    const claim = parseSigV4(req);
    assert.equal(claim.accessKey, 'AKIDEXAMPLE');
    assert.equal(claim.region, 'us-east-1');
    assert.equal(claim.service, 'service');
    assert.equal(sigV4Signature(req, claim, SECRET), c.sig);
    assert.notEqual(sigV4Signature(req, claim, `${SECRET}x`), c.sig);
  });
}

function bytes(d: string | ArrayBuffer | ArrayBufferView): string | Buffer {
  if (typeof d === 'string') return d;
  return d instanceof ArrayBuffer ? Buffer.from(d) : Buffer.from(d.buffer, d.byteOffset, d.byteLength);
}
class NodeSha256 {
  private readonly h: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.h = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.h.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return this.h.digest();
  }
}

const signer = new SignatureV4({ credentials: { accessKeyId: 'alice', secretAccessKey: 'alice-secret' }, region: 'one', service: 'ec2', sha256: NodeSha256 });
const AT = new Date('2024-05-01T10:00:00Z');

function toSigned(r: { method: string; path: string; query?: Record<string, string | string[] | null>; headers: Record<string, string>; body?: string }): SignedRequest {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(r.query ?? {})) q.append(k, String(v));
  return { method: r.method, path: r.path, rawQuery: q.toString().replace(/\+/g, '%20'), headers: new Map(Object.entries(r.headers).map(([k, v]) => [k.toLowerCase(), v])), body: Buffer.from(r.body ?? ''), params: new Map() };
}

test('SigV4: what the AWS SDK signer makes of an EC2 form POST verifies, and a changed body does not', async () => {
  const body = 'Action=DescribeInstances&Version=2016-11-15&Filter.1.Name=tag%3AName&Filter.1.Value.1=a%20b%2Fc%2A';
  const signed = await signer.sign({ method: 'POST', protocol: 'http:', hostname: '127.0.0.1', port: 4567, path: '/', query: {}, headers: { host: '127.0.0.1:4567', 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body }, { signingDate: AT });
  const req = toSigned({ ...signed, body });
  const claim = parseSigV4(req);
  assert.equal(claim.accessKey, 'alice');
  assert.equal(sigV4Signature(req, claim, 'alice-secret'), claim.signature);
  checkSigV4Claim(claim, 'one', 900, AT.getTime() + 60_000);
  const tampered = { ...req, body: Buffer.from(body.replace('tag', 'tog')) };
  if (req.headers.has('x-amz-content-sha256')) assert.throws(() => sigV4Signature(tampered, claim, 'alice-secret'), (e: Ec2Error) => e.code === 'XAmzContentSHA256Mismatch');
  else assert.notEqual(sigV4Signature(tampered, claim, 'alice-secret'), claim.signature);
  // Without the declared hash, the body's own hash is what was signed.
  const unsignedHash = { ...tampered, headers: new Map([...req.headers].filter(([k]) => k !== 'x-amz-content-sha256')) };
  const bare = { ...claim, signedHeaders: claim.signedHeaders.filter((h) => h !== 'x-amz-content-sha256') };
  assert.notEqual(sigV4Signature(unsignedHash, bare, 'alice-secret'), sigV4Signature({ ...unsignedHash, body: req.body }, bare, 'alice-secret'));
});

test('SigV4: a presigned GET of the SDK verifies; expired and early ones are refused', async () => {
  const presigned = await signer.presign({ method: 'GET', protocol: 'http:', hostname: '127.0.0.1', port: 4567, path: '/', query: { Action: 'DescribeRegions', Version: '2016-11-15', 'Odd Name': 'a+b=c' }, headers: { host: '127.0.0.1:4567' } }, { signingDate: AT, expiresIn: 300 });
  const req = toSigned(presigned);
  const claim = parseSigV4(req);
  assert.ok(claim.presigned);
  assert.equal(claim.expires, 300);
  assert.equal(sigV4Signature(req, claim, 'alice-secret'), claim.signature);
  checkSigV4Claim(claim, 'one', 900, AT.getTime() + 299_000);
  assert.throws(() => checkSigV4Claim(claim, 'one', 900, AT.getTime() + 301_000), (e: Ec2Error) => e.code === 'RequestExpired');
  assert.throws(() => checkSigV4Claim(claim, 'one', 900, AT.getTime() - 1000_000), (e: Ec2Error) => e.code === 'RequestExpired' && /clock/.test(e.message));
});

test('SigV4 claims: clock skew, region, service, scope date, host, malformed headers', async () => {
  const signed = await signer.sign({ method: 'GET', protocol: 'http:', hostname: 'h', path: '/', query: { Action: 'DescribeRegions' }, headers: { host: 'h' } }, { signingDate: AT });
  const claim = parseSigV4(toSigned(signed));
  assert.throws(() => checkSigV4Claim(claim, 'one', 900, AT.getTime() + 901_000), (e: Ec2Error) => e.code === 'RequestExpired' && e.status === 400 && /clock skew/.test(e.message));
  assert.throws(() => checkSigV4Claim(claim, 'one', 900, AT.getTime() - 901_000), (e: Ec2Error) => e.code === 'RequestExpired');
  assert.throws(() => checkSigV4Claim(claim, 'us-east-1', 900, AT.getTime()), (e: Ec2Error) => e.code === 'AuthFailure' && e.status === 401 && /region/.test(e.message));
  assert.throws(() => checkSigV4Claim({ ...claim, service: 's3' }, 'one', 900, AT.getTime()), (e: Ec2Error) => e.code === 'SignatureDoesNotMatch');
  assert.throws(() => checkSigV4Claim({ ...claim, scopeDate: '20240502' }, 'one', 900, AT.getTime()), (e: Ec2Error) => e.code === 'SignatureDoesNotMatch');
  assert.throws(() => checkSigV4Claim({ ...claim, signedHeaders: ['x-amz-date'] }, 'one', 900, AT.getTime()), (e: Ec2Error) => e.code === 'IncompleteSignature');
  const bad = (authorization: string, extra: Record<string, string> = {}) => () => parseSigV4(request('GET', '/', extra, authorization));
  assert.throws(bad('AWS4-HMAC-SHA512 Credential=a/20150830/r/ec2/aws4_request, SignedHeaders=host, Signature=00'), (e: Ec2Error) => e.code === 'IncompleteSignature');
  assert.throws(bad('AWS4-HMAC-SHA256 Credential=a/20150830/r/ec2/aws4_request, Signature=00'), /SignedHeaders/);
  assert.throws(bad('AWS4-HMAC-SHA256 Credential=a/2015/r/ec2/aws4_request, SignedHeaders=host, Signature=00'), /YYYYMMDD/);
  assert.throws(bad('AWS4-HMAC-SHA256 Credential=a/20150830/r/ec2, SignedHeaders=host, Signature=00'), /aws4_request/);
  assert.throws(bad('AWS4-HMAC-SHA256 Credential=a/20150830/r/ec2/aws4_request, SignedHeaders=host, Signature=00', { 'x-amz-date': 'yesterday' }), /X-Amz-Date/);
});
