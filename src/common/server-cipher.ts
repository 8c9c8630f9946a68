/**
 * Server sessions (the `server_cipher` auth driver): a server account such as serveradmin acts
 * for the users of its own front-end (the EC2 and OCCI servers, Sunstone, OneFlow) without
 * knowing their passwords. The server sends `serveradmin:<user>:<token>`, where the token is
 * `serveradmin:<user>:<expiry>` sealed with a key that both the server and oned derive from the
 * server account's password: oned stores the SHA-256 digest of that password (hex) and the
 * server, which has the password, computes the same digest. oned opens the token, checks that it
 * names the same two accounts and has not expired, and runs the call as `<user>`.
 *
 * Sealing is AES-256-GCM (authenticated: a token cannot be altered or forged without the key),
 * the key the SHA-256 of the digest's text, a fresh 12-byte IV per token; the token is base64url
 * of `IV | tag | ciphertext`. Used by oned (open) and by the servers' client library (seal).
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The digest oned stores for a server account's password (SHA-256, hex). */
export function serverPasswordDigest(password: string): string {
  return createHash('sha256').update(password).digest('hex');
}

function keyOf(digest: string): Buffer {
  return createHash('sha256').update(digest).digest();
}

/** The token that lets `server` act as `user` until `expiry` (epoch seconds). */
export function sealServerToken(digest: string, server: string, user: string, expiry: number): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', keyOf(digest), iv);
  const body = Buffer.concat([cipher.update(`${server}:${user}:${expiry}`, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
}

/** What a token says, or null when it was not sealed with this digest's key (or is malformed). */
export function openServerToken(digest: string, token: string): { server: string; user: string; expiry: number } | null {
  if (!/^[A-Za-z0-9_-]+$/.test(token)) return null;
  const raw = Buffer.from(token, 'base64url');
  if (raw.length <= IV_BYTES + TAG_BYTES) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyOf(digest), raw.subarray(0, IV_BYTES));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    const text = Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    const m = /^([^:]+):([^:]+):(\d+)$/.exec(text);
    return m ? { server: m[1]!, user: m[2]!, expiry: Number(m[3]) } : null;
  } catch {
    return null;
  }
}

/**
 * The server side: sessions for the users the server acts for, from the server account's
 * `name:password`. A token lives `lifetime` seconds and is reused until `renew` seconds before
 * it expires, so a client kept per session stays valid across calls.
 */
export class ServerCipher {
  readonly server: string;
  private readonly digest: string;
  private readonly tokens = new Map<string, { session: string; expiry: number }>();

  constructor(
    serverSession: string,
    private readonly lifetime = 3600,
    private readonly renew = 300,
  ) {
    const colon = serverSession.indexOf(':');
    if (colon <= 0) throw new Error('a server session is "name:password"');
    this.server = serverSession.slice(0, colon);
    this.digest = serverPasswordDigest(serverSession.slice(colon + 1));
  }

  /** The session that acts as `user`. */
  sessionFor(user: string, now = Math.floor(Date.now() / 1000)): string {
    const known = this.tokens.get(user);
    if (known && known.expiry - this.renew > now) return known.session;
    const expiry = now + this.lifetime;
    const session = `${this.server}:${user}:${sealServerToken(this.digest, this.server, user, expiry)}`;
    if (this.tokens.size >= 10_000) this.tokens.clear();
    this.tokens.set(user, { session, expiry });
    return session;
  }
}
