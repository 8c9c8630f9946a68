/**
 * AWS Signature Version 4, as AWS CLI v2, boto3 and the AWS SDK for JavaScript v3 sign EC2
 * requests: in the `Authorization` header (`AWS4-HMAC-SHA256 Credential=<key>/<date>/<region>/
 * ec2/aws4_request, SignedHeaders=..., Signature=...`) or in the query of a presigned URL
 * (`X-Amz-Algorithm`, `X-Amz-Credential`, `X-Amz-Date`, `X-Amz-Expires`, `X-Amz-SignedHeaders`,
 * `X-Amz-Signature`). `parseSigV4` reads what the request claims; `sigV4Signature` computes
 * the signature a secret gives, to compare.
 */
import { createHash, createHmac } from 'node:crypto';
import { Ec2Error } from './errors.js';
import { awsEncode, canonicalQuery, queryPairs, type SignedRequest } from './signed-request.js';

export const SIGV4_ALGORITHM = 'AWS4-HMAC-SHA256';
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export interface SigV4Claim {
  readonly accessKey: string;
  /** `YYYYMMDD` of the credential scope. */
  readonly scopeDate: string;
  readonly region: string;
  readonly service: string;
  /** `YYYYMMDDTHHMMSSZ`. */
  readonly amzDate: string;
  readonly time: Date;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
  /** Presigned URL: seconds it is valid after amzDate. */
  readonly expires?: number;
  readonly presigned: boolean;
}

const incomplete = (what: string) => new Ec2Error('IncompleteSignature', `The request signature does not conform to AWS standards: ${what}`);

/** `20150830T123600Z` as a Date, or undefined. */
export function parseAmzDate(text: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!m) return undefined;
  const d = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
  return Number.isNaN(d.getTime()) || d.getUTCDate() !== +m[3]! ? undefined : d;
}

function credential(text: string): { accessKey: string; scopeDate: string; region: string; service: string } {
  const parts = text.split('/');
  if (parts.length < 5 || parts[parts.length - 1] !== 'aws4_request') throw incomplete(`Credential must be <access key>/<date>/<region>/<service>/aws4_request, not "${text}"`);
  const [scopeDate, region, service] = parts.slice(-4, -1) as [string, string, string];
  const accessKey = parts.slice(0, -4).join('/');
  if (!accessKey) throw incomplete('the access key is empty');
  if (!/^\d{8}$/.test(scopeDate)) throw incomplete(`the credential date "${scopeDate}" is not YYYYMMDD`);
  return { accessKey, scopeDate, region, service };
}

/** Whether the request carries a V4 signature (header or presigned query). */
export function isSigV4(req: SignedRequest): boolean {
  return (req.headers.get('authorization') ?? '').startsWith('AWS4-') || queryPairs(req.rawQuery).some(([k]) => k === 'X-Amz-Algorithm');
}

/** What a V4-signed request claims. Malformed: IncompleteSignature (400). */
export function parseSigV4(req: SignedRequest): SigV4Claim {
  const header = req.headers.get('authorization');
  if (header !== undefined && header.startsWith('AWS4-')) {
    const m = /^(\S+)\s+(.*)$/s.exec(header);
    if (!m || m[1] !== SIGV4_ALGORITHM) throw incomplete(`unsupported algorithm ${m?.[1] ?? header}`);
    const fields = new Map<string, string>();
    for (const part of m[2]!.split(',')) {
      const eq = part.indexOf('=');
      if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
    }
    for (const f of ['Credential', 'SignedHeaders', 'Signature']) if (!fields.get(f)) throw incomplete(`Authorization header requires '${f}' parameter`);
    const amzDate = req.headers.get('x-amz-date') ?? '';
    const time = parseAmzDate(amzDate) ?? (req.headers.has('date') ? new Date(req.headers.get('date')!) : undefined);
    if (!time || Number.isNaN(time.getTime())) throw incomplete("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header");
    return {
      ...credential(fields.get('Credential')!),
      amzDate: amzDate || time.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, ''),
      time,
      signedHeaders: fields.get('SignedHeaders')!.split(';'),
      signature: fields.get('Signature')!,
      presigned: false,
    };
  }
  const q = new Map(queryPairs(req.rawQuery));
  if (q.get('X-Amz-Algorithm') !== SIGV4_ALGORITHM) throw incomplete(`unsupported X-Amz-Algorithm ${q.get('X-Amz-Algorithm') ?? ''}`);
  for (const f of ['X-Amz-Credential', 'X-Amz-Date', 'X-Amz-SignedHeaders', 'X-Amz-Signature']) if (!q.get(f)) throw incomplete(`a presigned request requires the ${f} parameter`);
  const amzDate = q.get('X-Amz-Date')!;
  const time = parseAmzDate(amzDate);
  if (!time) throw incomplete(`X-Amz-Date "${amzDate}" is not YYYYMMDDTHHMMSSZ`);
  const expiresText = q.get('X-Amz-Expires') ?? '900';
  if (!/^\d{1,6}$/.test(expiresText) || +expiresText < 1 || +expiresText > 604800) throw incomplete('X-Amz-Expires must be 1 to 604800 seconds');
  return {
    ...credential(q.get('X-Amz-Credential')!),
    amzDate,
    time,
    signedHeaders: q.get('X-Amz-SignedHeaders')!.split(';'),
    signature: q.get('X-Amz-Signature')!,
    expires: +expiresText,
    presigned: true,
  };
}

const sha256Hex = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

/** The canonical URI: each segment of the path as sent, encoded once more (what non-S3 services sign). */
function canonicalUri(path: string): string {
  if (path === '' || path === '/') return '/';
  return path
    .split('/')
    .map((s) => awsEncode(s))
    .join('/');
}

/** The payload hashes the signature may have used: the body's, or the one the client declared. */
export function payloadHash(req: SignedRequest): string {
  const declared = req.headers.get('x-amz-content-sha256');
  const actual = req.body.length ? sha256Hex(req.body) : EMPTY_SHA256;
  if (declared === undefined) return actual;
  if (declared === 'UNSIGNED-PAYLOAD' && req.body.length === 0) return declared;
  if (declared.toLowerCase() !== actual) throw new Ec2Error('XAmzContentSHA256Mismatch', 'The provided x-amz-content-sha256 header does not match what was computed.');
  return declared;
}

/** The canonical request of the V4 process. */
export function canonicalRequest(req: SignedRequest, claim: SigV4Claim): string {
  const pairs = queryPairs(req.rawQuery).filter(([k]) => !(claim.presigned && k === 'X-Amz-Signature'));
  const headers = claim.signedHeaders.map((h) => {
    const v = req.headers.get(h);
    if (v === undefined) throw incomplete(`the signed header ${h} is not in the request`);
    return `${h}:${v.trim().replace(/\s+/g, ' ')}\n`;
  });
  const hash = claim.presigned && !req.headers.has('x-amz-content-sha256') && req.body.length === 0 ? EMPTY_SHA256 : payloadHash(req);
  return [req.method.toUpperCase(), canonicalUri(req.path), canonicalQuery(pairs), headers.join(''), claim.signedHeaders.join(';'), hash].join('\n');
}

/** The signature `secret` gives the request. */
export function sigV4Signature(req: SignedRequest, claim: SigV4Claim, secret: string): string {
  const scope = `${claim.scopeDate}/${claim.region}/${claim.service}/aws4_request`;
  const stringToSign = [SIGV4_ALGORITHM, claim.amzDate, scope, sha256Hex(canonicalRequest(req, claim))].join('\n');
  let key = hmac(`AWS4${secret}`, claim.scopeDate);
  key = hmac(key, claim.region);
  key = hmac(key, claim.service);
  key = hmac(key, 'aws4_request');
  return createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
}

/**
 * The checks that do not need the secret: service `ec2`, the configured region, the scope's date
 * that of X-Amz-Date, `host` signed, and the time within `skew` seconds (presigned: not expired).
 */
export function checkSigV4Claim(claim: SigV4Claim, region: string, skew: number, now = Date.now()): void {
  if (claim.service !== 'ec2') throw new Ec2Error('SignatureDoesNotMatch', `Credential should be scoped to the service 'ec2', not '${claim.service}'`, 403);
  if (claim.region !== region) throw new Ec2Error('AuthFailure', `Credential should be scoped to a valid region: this endpoint's region is '${region}', not '${claim.region}'`, 401);
  if (claim.amzDate.slice(0, 8) !== claim.scopeDate) throw new Ec2Error('SignatureDoesNotMatch', `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${claim.scopeDate}' != '${claim.amzDate.slice(0, 8)}'`, 403);
  if (!claim.signedHeaders.includes('host')) throw incomplete("the host header must be signed");
  const t = claim.time.getTime();
  if (claim.presigned) {
    if (now > t + claim.expires! * 1000) throw new Ec2Error('RequestExpired', `Request has expired: the presigned URL was valid until ${new Date(t + claim.expires! * 1000).toISOString()}`);
    if (t - now > skew * 1000) throw new Ec2Error('RequestExpired', `Request is not yet valid: its X-Amz-Date is more than ${skew / 60} minutes ahead of the server's clock (check the client's clock)`);
    return;
  }
  if (Math.abs(now - t) > skew * 1000)
    throw new Ec2Error('RequestExpired', `Request has expired: the signature time ${claim.time.toISOString()} is more than ${skew / 60} minutes away from the server's time ${new Date(now).toISOString()} (clock skew; check the client's clock)`);
}
