/**
 * Authentication of API sessions (`"user:secret"`). The core driver checks the password hash
 * or a login token. A verified password is remembered as a SHA-256 digest on the user (in
 * memory only, tied to the stored hash it was checked against), so the costly scrypt check runs
 * once per password, not once per call, and a password change invalidates it by itself.
 * Server accounts (`server_cipher`) act for other users with sealed tokens (common/server-cipher.ts).
 */
import { createHash } from 'node:crypto';
import type { UserPool } from '../user/user-pool.js';
import type { GroupPool } from '../group/group-pool.js';
import { CORE_AUTH, SERVER_CIPHER_AUTH, type User } from '../user/user.js';
import { openServerToken, serverPasswordDigest } from '../common/server-cipher.js';
import { verifyPassword } from './password.js';
import { isExpired } from './login-token.js';
import { callerFor, type Caller } from './caller.js';
import type { ExternalAuth } from './external-auth.js';

const verified = new WeakMap<User, { readonly hash: string; readonly digest: string }>();

function digest(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export class Authenticator {
  constructor(
    private readonly users: UserPool,
    private readonly groups: GroupPool,
    /** AUTH_MAD, for users of other drivers than core (absent: they cannot log in). */
    private readonly external?: ExternalAuth,
  ) {}

  /** The caller, or null when the session does not authenticate. */
  async authenticate(session: string): Promise<Caller | null> {
    const colon = session.indexOf(':');
    if (colon <= 0) return null;
    const name = session.slice(0, colon);
    const secret = session.slice(colon + 1);
    if (secret.length === 0) return null;
    const user = this.users.getByName(name);
    if (!user) {
      const created = await this.external?.unknown(name, secret);
      return created ? callerFor(created) : null;
    }
    if (!user.enabled) return null;

    const now = Math.floor(Date.now() / 1000);
    const token = user.tokens.find((t) => t.token === secret && !isExpired(t, now));
    if (token) {
      if (token.egid >= 0 && !user.groups.has(token.egid)) return null;
      return callerFor(user, token.egid, token.egid >= 0 ? (this.groups.get(token.egid)?.name ?? '') : '');
    }
    if (user.authDriver === SERVER_CIPHER_AUTH) return this.serverSession(user, secret, now);
    if (user.authDriver !== CORE_AUTH) {
      if (!this.external?.handles(user.authDriver)) return null;
      const checked = await this.external.known(user, secret);
      return checked ? callerFor(checked) : null;
    }

    const d = digest(secret);
    const known = verified.get(user);
    if (known && known.hash === user.password && known.digest === d) return callerFor(user);
    const stored = user.password;
    if (!(await verifyPassword(secret, stored))) return null;
    verified.set(user, { hash: stored, digest: d });
    // The password may have changed while scrypt ran.
    return user.password === stored && user.enabled ? callerFor(user) : null;
  }

  /**
   * A server account (`server_cipher`): `<user>:<token>` acts as that user when the token was
   * sealed with the account's key, names both accounts and has not expired; a bare password
   * logs in as the account itself.
   */
  private serverSession(server: User, secret: string, now: number): Caller | null {
    const colon = secret.indexOf(':');
    if (colon < 0) return serverPasswordDigest(secret) === server.password ? callerFor(server) : null;
    const target = secret.slice(0, colon);
    const opened = openServerToken(server.password, secret.slice(colon + 1));
    if (!opened || opened.server !== server.name || opened.user !== target || opened.expiry < now) return null;
    const user = this.users.getByName(target);
    return user && user.enabled ? callerFor(user) : null;
  }
}
