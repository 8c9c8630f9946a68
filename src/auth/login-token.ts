/** Login tokens (`one.user.login`): secrets accepted in place of the password until they expire. */
import { randomBytes } from 'node:crypto';
import type { XmlNode } from '../common/xml-tree.js';
import { childInt, childText } from '../common/xml-tree.js';

export interface LoginToken {
  readonly token: string;
  /** Epoch seconds; -1 never expires. */
  readonly expiration: number;
  /** Group the token is scoped to; -1 for all the user's groups. */
  readonly egid: number;
}

/** A new token: 64 hex digits (256 random bits), the form of OpenNebula 7.4's tokens. */
export function newTokenSecret(): string {
  return randomBytes(32).toString('hex');
}

export function isExpired(t: LoginToken, now: number): boolean {
  return t.expiration !== -1 && t.expiration <= now;
}

export function tokenToXml(t: LoginToken): string {
  return `<LOGIN_TOKEN><TOKEN>${t.token}</TOKEN><EXPIRATION_TIME>${t.expiration}</EXPIRATION_TIME><EGID>${t.egid}</EGID></LOGIN_TOKEN>`;
}

export function tokenFromXml(node: XmlNode): LoginToken {
  return { token: childText(node, 'TOKEN'), expiration: childInt(node, 'EXPIRATION_TIME', -1), egid: childInt(node, 'EGID', -1) };
}
