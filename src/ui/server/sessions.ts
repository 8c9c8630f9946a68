/**
 * Browser sessions of the operations center. A session holds the user's oned login token (never
 * the password, never the server's own credentials) and a CSRF token the app sends back in a
 * header on every change. The browser keeps only a random id, in an http-only cookie.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';

export interface Session {
  readonly id: string;
  readonly user: string;
  readonly uid: number;
  /** `user:token` for oned. */
  readonly oneSession: string;
  readonly csrf: string;
  /** The user is in the oneadmin group: the admin view. */
  readonly admin: boolean;
  readonly expiresAt: number;
}

export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  create(fields: Omit<Session, 'id' | 'csrf'>): Session {
    const s: Session = { ...fields, id: randomBytes(24).toString('base64url'), csrf: randomBytes(24).toString('base64url') };
    this.sessions.set(s.id, s);
    return s;
  }

  /** The live session of that id (an expired one is dropped). */
  get(id: string | undefined, now = Date.now()): Session | undefined {
    if (!id) return undefined;
    const s = this.sessions.get(id);
    if (s && s.expiresAt <= now) {
      this.sessions.delete(id);
      return undefined;
    }
    return s;
  }

  drop(id: string): void {
    this.sessions.delete(id);
  }

  /** Every live session (for the pollers: whose pools are watched). */
  all(now = Date.now()): Session[] {
    return [...this.sessions.values()].filter((s) => s.expiresAt > now);
  }
}

/** Constant-time comparison of the CSRF header with the session's token. */
export function csrfMatches(session: Session, header: string | undefined): boolean {
  if (!header) return false;
  const a = Buffer.from(session.csrf);
  const b = Buffer.from(header);
  return a.length === b.length && timingSafeEqual(a, b);
}
