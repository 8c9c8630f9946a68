/**
 * AWS Signature Version 2, as older EC2 tools sign (OpenNebula's econe-* tools, euca2ools):
 * parameters `AWSAccessKeyId`, `SignatureVersion=2`, `SignatureMethod` (HmacSHA256 or
 * HmacSHA1), `Timestamp` or `Expires`, and `Signature`, base64 of the HMAC of
 * `METHOD\nhost\npath\n<sorted, encoded parameters but Signature>`. The host is tried as sent
 * and without its port (clients differ).
 */
import { createHmac } from 'node:crypto';
import { Ec2Error } from './errors.js';
import { canonicalQuery, type SignedRequest } from './signed-request.js';

export interface SigV2Claim {
  readonly accessKey: string;
  readonly algorithm: 'sha256' | 'sha1';
  readonly signature: string;
  /** When the request was made (Timestamp) or until when it is good (Expires). */
  readonly timestamp?: Date;
  readonly expires?: Date;
}

export function isSigV2(req: SignedRequest): boolean {
  return req.params.has('SignatureVersion') || req.params.has('AWSAccessKeyId');
}

function isoTime(name: string, text: string): Date {
  const m = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/.exec(text);
  const d = m ? new Date(m[1] ? text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2') : `${text}Z`) : undefined;
  if (!d || Number.isNaN(d.getTime())) throw new Ec2Error('InvalidParameterValue', `Value for parameter ${name} is invalid: "${text}" is not an ISO 8601 time`);
  return d;
}

export function parseSigV2(req: SignedRequest): SigV2Claim {
  const p = req.params;
  const version = p.get('SignatureVersion');
  if (version !== '2') throw new Ec2Error('AuthFailure', `SignatureVersion ${version ?? '(none)'} is not supported: sign with version 4 or 2`, 401);
  const accessKey = p.get('AWSAccessKeyId');
  if (!accessKey) throw new Ec2Error('MissingParameter', 'The request must contain the parameter AWSAccessKeyId');
  const signature = p.get('Signature');
  if (!signature) throw new Ec2Error('MissingParameter', 'The request must contain the parameter Signature');
  const method = p.get('SignatureMethod') ?? 'HmacSHA256';
  if (method !== 'HmacSHA256' && method !== 'HmacSHA1') throw new Ec2Error('InvalidParameterValue', `Value for parameter SignatureMethod is invalid: ${method} (HmacSHA256 or HmacSHA1)`);
  const ts = p.get('Timestamp');
  const ex = p.get('Expires');
  if (ts && ex) throw new Ec2Error('InvalidParameterCombination', 'Timestamp and Expires cannot be given together');
  if (!ts && !ex) throw new Ec2Error('MissingParameter', 'The request must contain the parameter Timestamp or Expires');
  return {
    accessKey,
    algorithm: method === 'HmacSHA256' ? 'sha256' : 'sha1',
    signature,
    timestamp: ts ? isoTime('Timestamp', ts) : undefined,
    expires: ex ? isoTime('Expires', ex) : undefined,
  };
}

/** The signatures `secret` gives the request (with the host as sent, and without its port). */
export function sigV2Signatures(req: SignedRequest, claim: SigV2Claim, secret: string): string[] {
  const host = (req.headers.get('host') ?? '').toLowerCase();
  const hosts = [host, host.replace(/:\d+$/, '')];
  const query = canonicalQuery([...req.params].filter(([k]) => k !== 'Signature'));
  return [...new Set(hosts)].map((h) => createHmac(claim.algorithm, secret).update(`${req.method.toUpperCase()}\n${h}\n${req.path || '/'}\n${query}`, 'utf8').digest('base64'));
}

/** The time checks: a Timestamp within `skew` seconds of now, or an Expires not past. */
export function checkSigV2Claim(claim: SigV2Claim, skew: number, now = Date.now()): void {
  if (claim.timestamp && Math.abs(now - claim.timestamp.getTime()) > skew * 1000)
    throw new Ec2Error('RequestExpired', `Request has expired: its Timestamp ${claim.timestamp.toISOString()} is more than ${skew / 60} minutes away from the server's time ${new Date(now).toISOString()} (clock skew; check the client's clock)`);
  if (claim.expires && now > claim.expires.getTime()) throw new Ec2Error('RequestExpired', `Request has expired: it was valid until ${claim.expires.toISOString()}`);
}
