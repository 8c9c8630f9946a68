/**
 * Password storage for the core auth driver: salted scrypt, never the password itself.
 * Stored form: `scrypt$<N>$<salt base64>$<hash base64>`, so the cost can change (oned.conf
 * `PASSWORD_SCRYPT_COST`) without invalidating stored hashes. Hashing runs on libuv's thread
 * pool so it never blocks other API calls.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

const KEYLEN = 32;

/** OpenNebula-compatible default would be a bare SHA-256; we use scrypt with this N. */
export const DEFAULT_SCRYPT_COST = 16384;

function scryptAsync(password: string, salt: Buffer, keylen: number, N: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, keylen, { N, maxmem: 256 * N * 8 }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** Hashes a password for storage. */
export async function hashPassword(password: string, cost = DEFAULT_SCRYPT_COST): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(password, salt, KEYLEN, cost);
  return `scrypt$${cost}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/** Whether `password` matches a stored hash; false for malformed hashes. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, salt, hash] = stored.split('$');
  const cost = Number(n);
  if (scheme !== 'scrypt' || !salt || !hash || !Number.isInteger(cost) || cost < 2) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = await scryptAsync(password, Buffer.from(salt, 'base64'), expected.length, cost);
  return timingSafeEqual(actual, expected);
}

/** Characters a password may not contain (OpenNebula's rule). */
const INVALID_PASS_CHARS = ' \t\n\v\f\r';

/** The error message for an invalid password, or null when it is acceptable. */
export function passwordError(password: string): string | null {
  if (password.length === 0) return 'Invalid password, it cannot be empty';
  for (const c of password) {
    if (INVALID_PASS_CHARS.includes(c)) return `Invalid password, character ${JSON.stringify(c)} is not allowed`;
  }
  return null;
}
