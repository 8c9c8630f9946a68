import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretBox } from './secret-box.js';

test('encrypt gives a fresh base64 value each time that decrypts back; other values do not decrypt', () => {
  const box = new SecretBox(randomBytes(32));
  const a = box.encrypt('s3cret "quoted" <xml>');
  const b = box.encrypt('s3cret "quoted" <xml>');
  assert.notEqual(a, b);
  assert.match(a, /^[A-Za-z0-9+/]+=*$/);
  assert.ok(!a.includes('s3cret'));
  assert.equal(box.decrypt(a), 's3cret "quoted" <xml>');
  assert.equal(box.decrypt('plain'), null);
  assert.equal(box.reveal('plain'), 'plain');
  assert.equal(box.decrypt(Buffer.alloc(48).toString('base64')), null);
  assert.equal(box.decrypt(box.encrypt('')), '');
});

test('a value only decrypts in the context it was encrypted in', () => {
  const box = new SecretBox(randomBytes(32));
  const c = box.encrypt('pw', 'DATASTORE:NETAPP_PASS');
  assert.equal(box.decrypt(c, 'DATASTORE:NETAPP_PASS'), 'pw');
  assert.equal(box.decrypt(c, 'VM:CONTEXT/PASSWORD'), null);
  // Copied into another attribute, it is encrypted again rather than left readable there.
  const again = box.encrypt(c, 'VM:CONTEXT/PASSWORD');
  assert.notEqual(again, c);
  assert.equal(box.decrypt(again, 'VM:CONTEXT/PASSWORD'), c);
});

test('encrypting an encrypted value leaves it; another key cannot read it', () => {
  const box = new SecretBox(randomBytes(32));
  const c = box.encrypt('x');
  assert.equal(box.encrypt(c), c);
  assert.equal(new SecretBox(randomBytes(32)).decrypt(c), null);
  // A flipped bit fails authentication.
  const raw = Buffer.from(c, 'base64');
  raw[raw.length - 1]! ^= 1;
  assert.equal(box.decrypt(raw.toString('base64')), null);
});

test('loadOrCreate makes a private key file once and reads it back', () => {
  const path = join(mkdtempSync(join(tmpdir(), 'box-')), '.one', 'one_key');
  const c = SecretBox.loadOrCreate(path).encrypt('v');
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.match(readFileSync(path, 'utf8'), /^[0-9a-f]{64}\n$/);
  assert.equal(SecretBox.loadOrCreate(path).decrypt(c), 'v');
  assert.throws(() => new SecretBox(Buffer.alloc(16)), RangeError);
});
