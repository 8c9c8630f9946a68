/**
 * Authentication by an external driver (AUTH_MAD, `one_auth_mad`): users whose AUTH_DRIVER is
 * not `core` (ldap, ssh, x509, a site's own...) are checked by `remotes/auth/<driver>/authenticate`,
 * and with DEFAULT_AUTH, users oned does not know yet are checked by that driver and created on
 * their first login, in the groups the driver names. A successful check is remembered for
 * SESSION_EXPIRATION_TIME seconds, so scripts do not run on every call.
 */
import { createHash } from 'node:crypto';
import type { Logger } from '../common/log.js';
import type { Database } from '../db/database.js';
import type { Driver } from '../mad/index.js';
import { nameError, Transaction } from '../pool/index.js';
import { USERS_GROUP, type Group } from '../group/group.js';
import type { GroupPool } from '../group/group-pool.js';
import { newUserTemplate, User, USER_NAME_EXTRA_CHARS } from '../user/user.js';
import type { Template } from '../common/template/index.js';
import type { UserPool } from '../user/user-pool.js';

/** Drivers oned handles itself: never sent to AUTH_MAD. */
export const INTERNAL_AUTH_DRIVERS: ReadonlySet<string> = new Set(['core', 'public', 'server_cipher', 'server_x509']);

export interface ExternalAuthOptions {
  readonly driver: Driver;
  readonly db: Database;
  readonly users: UserPool;
  readonly groups: GroupPool;
  readonly log: Logger;
  /** SESSION_EXPIRATION_TIME: how long a successful check is trusted (0: check every call). */
  readonly sessionSec: number;
  /** DEFAULT_AUTH: the driver that checks unknown users ('' or `core`: unknown users are refused). */
  readonly defaultAuth: string;
  /** Seconds an authenticate script may take. */
  readonly timeoutSec: number;
  /** Encrypts the secret attributes of a new user's template (the attribute policy). */
  readonly seal?: (t: Template) => void;
}

/** What a driver answers on success: `<driver> <username> <secret> [gid ...]`. */
interface Verdict {
  readonly driver: string;
  readonly username: string;
  readonly secret: string;
  readonly gids: number[];
}

const digest = (s: string) => createHash('sha256').update(s).digest('hex');

export class ExternalAuth {
  private nextRequest = 0;
  private readonly trusted = new WeakMap<User, { readonly password: string; readonly digest: string; readonly until: number }>();

  constructor(private readonly o: ExternalAuthOptions) {}

  /** Whether a user of this driver is authenticated here. */
  handles(authDriver: string): boolean {
    return !INTERNAL_AUTH_DRIVERS.has(authDriver);
  }

  /** Checks `secret` for a known user of an external driver; the user, or null when refused. */
  async known(user: User, secret: string): Promise<User | null> {
    const now = Date.now();
    const d = digest(secret);
    const t = this.trusted.get(user);
    if (t && t.password === user.password && t.digest === d && t.until > now) return user;
    const verdict = await this.ask(user.oid, user.authDriver, user.name, user.password, secret);
    // The check yielded: the user may have changed or gone meanwhile.
    const current = this.o.users.get(user.oid);
    if (!verdict || current !== user || !user.enabled) return null;
    if (this.o.sessionSec > 0) this.trusted.set(user, { password: user.password, digest: d, until: now + this.o.sessionSec * 1000 });
    return user;
  }

  /** An unknown user: checked by DEFAULT_AUTH and created on success; null when refused. */
  async unknown(name: string, secret: string): Promise<User | null> {
    const driver = this.o.defaultAuth;
    if (driver === '' || INTERNAL_AUTH_DRIVERS.has(driver)) return null;
    // A federation slave makes no users: they are the master's (the user logs in there first).
    if (this.o.users.replica) {
      this.o.log.warn('AuM', `User ${name} is unknown in this zone: a federation slave does not create users; the first login must be on the master zone`);
      return null;
    }
    if (nameError(name, USER_NAME_EXTRA_CHARS) !== null) return null; // never a user: no script for it
    const verdict = await this.ask(-1, driver, name, '-', secret);
    if (!verdict) return null;
    const { users, groups } = this.o;
    const existing = users.getByName(name);
    if (existing) return existing.authDriver === verdict.driver ? existing : null;
    const members: Group[] = verdict.gids.map((g) => groups.get(g)).filter((g): g is Group => g !== undefined);
    if (members.length === 0) members.push(groups.get(USERS_GROUP)!);
    const tx = new Transaction(this.o.db);
    const primary = members[0]!;
    const user = tx.create(users, new User(users.nextOid(), name, primary.oid, primary.name, verdict.secret, verdict.driver, true, members.map((g) => g.oid), newUserTemplate(this.o.seal)));
    for (const g of members) tx.touch(groups, g).users.add(user.oid);
    await tx.commit();
    this.o.log.info('AuM', `User ${name} (${user.oid}) created on first login through the ${verdict.driver} driver`);
    if (this.o.sessionSec > 0) this.trusted.set(user, { password: user.password, digest: digest(secret), until: Date.now() + this.o.sessionSec * 1000 });
    return user;
  }

  private async ask(uid: number, driver: string, name: string, password: string, secret: string): Promise<Verdict | null> {
    const id = this.nextRequest++;
    // The protocol separates fields with blanks: a stored password with blanks (an LDAP DN) goes
    // as several words, which the driver joins again with single spaces.
    const passwordWords = password.trim() === '' ? ['-'] : password.trim().split(/\s+/);
    const reply = await this.o.driver.request('AUTHENTICATE', id, [String(uid), driver, name, ...passwordWords, Buffer.from(secret).toString('base64')], {
      timeoutMs: this.o.timeoutSec * 1000,
    });
    // A driver's words may echo what it was given: the secret never reaches the log.
    const said = (text: string): string => redact(text, [secret, Buffer.from(secret).toString('base64')]);
    if (!reply.ok) {
      this.o.log.info('AuM', `Authentication of ${name} by ${driver} refused: ${said(reply.info)}`);
      return null;
    }
    const [replyDriver, replyName, replySecret, ...gids] = reply.info.trim().split(/\s+/);
    if (!replyDriver || !replyName || replySecret === undefined) {
      this.o.log.error('AuM', `Driver ${driver} answered "${said(reply.info)}" for ${name}: expected "<driver> <username> <secret> [gid...]"`);
      return null;
    }
    return { driver: replyDriver, username: replyName, secret: replySecret, gids: gids.map((g) => Number(g.replace(/^\*/, ''))).filter(Number.isInteger) };
  }
}

/** `text` with every occurrence of the secrets (of 4 characters or more) replaced by "****". */
function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 4 && s !== '-') out = out.split(s).join('****');
  return out;
}
