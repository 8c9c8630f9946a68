/**
 * Encryption of the template values oned.conf lists in `*_ENCRYPTED_ATTR` (credentials in host,
 * datastore, user, VM templates...). AES-256-GCM with a random 256-bit key that oned keeps in a
 * file of its own (`$ONE_LOCATION/.one/one_key`, mode 0600, made at the first start): the key
 * never goes into the database, so a dump or a copy of the database alone does not reveal the
 * secrets; a backup must keep the key file with the database.
 *
 * A value is stored as base64 of `IV (12 bytes) | tag (16 bytes) | ciphertext`, a fresh random
 * IV for each value. The tag authenticates it together with a context string (the object kind
 * and attribute, e.g. `VM:CONTEXT/PASSWORD`): a value that does not decrypt under the key and
 * that context is not one of ours (a value set before the attribute was listed, under another
 * key, or copied from another kind of attribute) and is treated as plain text, so a ciphertext
 * a user copies from a datastore into their VM's CONTEXT is encrypted again, never revealed.
 * Encrypting a value that already decrypts in its context leaves it as it is.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export class SecretBox {
  private readonly key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== KEY_BYTES) throw new RangeError(`the encryption key must be ${KEY_BYTES} bytes`);
    this.key = Buffer.from(key);
  }

  /** The key in `path` (64 hex digits), made with a fresh random key when the file does not exist. */
  static loadOrCreate(path: string): SecretBox {
    if (!existsSync(path)) {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      try {
        writeFileSync(path, `${randomBytes(KEY_BYTES).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
      } catch (err) {
        // Another process (onedb, a second start) made it first: use that one.
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
    }
    const hex = readFileSync(path, 'utf8').trim();
    if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new Error(`${path}: the encryption key must be 64 hexadecimal digits`);
    return new SecretBox(Buffer.from(hex, 'hex'));
  }

  encrypt(plain: string, context = ''): string {
    if (this.decrypt(plain, context) !== null) return plain;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  }

  /** The plain text of a value this box encrypted in `context`, or null for any other value. */
  decrypt(value: string, context = ''): string | null {
    if (value.length < 40 || !BASE64.test(value)) return null;
    const raw = Buffer.from(value, 'base64');
    if (raw.length < IV_BYTES + TAG_BYTES) return null;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, IV_BYTES));
      decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      return null;
    }
  }

  /** `decrypt`, or the value itself when it is not one of ours. */
  reveal(value: string, context = ''): string {
    return this.decrypt(value, context) ?? value;
  }
}
