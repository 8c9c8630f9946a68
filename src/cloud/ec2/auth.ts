/**
 * Who sent a request. The access key id is the OpenNebula user name; the secret is that user's
 * `EC2_SECRET_KEY`, which the server account (serveradmin, an oneadmin-group user) reads in
 * clear with `one.user.info(id, true)`. Secrets are cached by name; when a signature does not
 * match, the secret is read again once (the user may have rotated it) before refusing.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { timingSafeEqual } from 'node:crypto';
import type { Oca } from '../../oca/index.js';
import { OneError, OneErrorCode } from '../../oca/index.js';
import { Ec2Error } from './errors.js';
import type { SignedRequest } from './signed-request.js';
import { checkSigV2Claim, isSigV2, parseSigV2, sigV2Signatures } from './sigv2.js';
import { checkSigV4Claim, isSigV4, parseSigV4, sigV4Signature } from './sigv4.js';

export interface Ec2User {
  readonly name: string;
  readonly id: number;
  readonly gid: number;
}

interface Known extends Ec2User {
  readonly secret: string;
  readonly enabled: boolean;
  readonly at: number;
}

const UNKNOWN_TTL_MS = 3000;
const FRESH_MS = 2000;
const AUTH_FAILURE = 'AWS was not able to validate the provided access credentials';

/** The files the server's own credentials may be in: the conf's `one_auth`, `$ONE_LOCATION/.one/ec2_auth`, then ONE_AUTH. */
export function serverAuthCandidates(oneLocation: string, configured: string | undefined, env: NodeJS.ProcessEnv = process.env): string[] {
  const out: string[] = [];
  if (configured) out.push(configured);
  const own = join(oneLocation, '.one', 'ec2_auth');
  if (existsSync(own)) out.push(own);
  out.push(env.ONE_AUTH || join(homedir(), '.one', 'one_auth'));
  return [...new Set(out)];
}

/** Users' EC2 secrets, read as the server account. */
export class SecretStore {
  private readonly byName = new Map<string, Known>();
  /** Names oned has no user of, until when that answer is trusted (a flood of unknown names lists the users once in a while, not per request). */
  private readonly unknown = new Map<string, number>();

  constructor(
    private readonly admin: Oca,
    /** Seconds a read secret is trusted without a mismatch. */
    private readonly ttl = 300,
  ) {}

  private async read(name: string): Promise<Known | undefined> {
    const cached = this.byName.get(name);
    let id = cached?.id;
    if (id === undefined) {
      if ((this.unknown.get(name) ?? 0) > Date.now()) return undefined;
      const users = await this.admin.users.list();
      id = users.find((u) => u.name === name)?.id;
      if (id === undefined) {
        if (this.unknown.size >= 10_000) this.unknown.clear();
        this.unknown.set(name, Date.now() + UNKNOWN_TTL_MS);
        return undefined;
      }
    }
    let user;
    try {
      user = await this.admin.users.info(id, true);
    } catch (err) {
      if (err instanceof OneError && err.code === OneErrorCode.NO_EXISTS) {
        this.byName.delete(name);
        return cached ? this.read(name) : undefined;
      }
      throw err;
    }
    if (user.name !== name) {
      this.byName.delete(name);
      return cached ? this.read(name) : undefined;
    }
    const known: Known = { name, id, gid: user.gid, secret: user.get('TEMPLATE/EC2_SECRET_KEY'), enabled: user.get('ENABLED') !== '0', at: Date.now() };
    if (this.byName.size >= 10_000) this.byName.clear();
    this.byName.set(name, known);
    return known;
  }

  /** The user named `name` with its secret (`fresh`: read again from oned unless read in the last second or two). */
  async lookup(name: string, fresh = false): Promise<Known | undefined> {
    const cached = this.byName.get(name);
    const age = cached ? Date.now() - cached.at : Infinity;
    if (cached && (fresh ? age < FRESH_MS : age < this.ttl * 1000)) return cached;
    return this.read(name);
  }
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface AuthOptions {
  readonly region: string;
  readonly maxClockSkew: number;
}

/**
 * The user who signed `req` (V4 or V2). Refusals: no signature or an unknown user AuthFailure
 * (401), a wrong signature SignatureDoesNotMatch (403), a stale time RequestExpired (400).
 */
export async function authenticate(req: SignedRequest, secrets: SecretStore, opts: AuthOptions, now = Date.now()): Promise<Ec2User> {
  let accessKey: string;
  let matches: (secret: string) => boolean;
  if (isSigV4(req)) {
    const claim = parseSigV4(req);
    checkSigV4Claim(claim, opts.region, opts.maxClockSkew, now);
    accessKey = claim.accessKey;
    matches = (secret) => same(sigV4Signature(req, claim, secret), claim.signature.toLowerCase());
  } else if (isSigV2(req)) {
    const claim = parseSigV2(req);
    checkSigV2Claim(claim, opts.maxClockSkew, now);
    accessKey = claim.accessKey;
    matches = (secret) => sigV2Signatures(req, claim, secret).some((s) => same(s, claim.signature));
  } else {
    throw new Ec2Error('AuthFailure', `${AUTH_FAILURE}: the request is not signed (sign it with AWS Signature Version 4 or 2)`, 401);
  }
  let user = await secrets.lookup(accessKey);
  if (!user || !user.secret) throw new Ec2Error('AuthFailure', AUTH_FAILURE, 401);
  if (!matches(user.secret)) {
    user = await secrets.lookup(accessKey, true);
    if (!user || !user.secret) throw new Ec2Error('AuthFailure', AUTH_FAILURE, 401);
    if (!matches(user.secret))
      throw new Ec2Error('SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.', 403);
  }
  if (!user.enabled) throw new Ec2Error('AuthFailure', `${AUTH_FAILURE}: the user is disabled`, 401);
  return { name: user.name, id: user.id, gid: user.gid };
}
