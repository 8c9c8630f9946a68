import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { Ec2Error } from '../errors.js';
import { opensshRsa, parseOpensshPublicKey } from './keypairs.js';

test('an RSA public key as an OpenSSH line reads back, with EC2’s MD5 fingerprint of the DER key', () => {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const line = opensshRsa(publicKey);
  assert.match(line, /^ssh-rsa AAAAB3NzaC1yc2E/);
  const parsed = parseOpensshPublicKey(`${line} me@host\n`);
  assert.equal(parsed.type, 'rsa');
  assert.equal(parsed.line, line);
  const md5 = createHash('md5').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
  assert.equal(parsed.fingerprint.replaceAll(':', ''), md5);
});

test('ed25519 keys are taken; other text and small RSA keys are refused', () => {
  const { publicKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'jwk' }).x!;
  const str = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
  const blob = Buffer.concat([str(Buffer.from('ssh-ed25519')), str(Buffer.from(raw, 'base64url'))]);
  const parsed = parseOpensshPublicKey(`ssh-ed25519 ${blob.toString('base64')} c`);
  assert.equal(parsed.type, 'ed25519');
  assert.equal(parsed.fingerprint, createHash('sha256').update(blob).digest('base64'));
  const refused = (e: unknown) => e instanceof Ec2Error && e.code === 'InvalidKey.Format';
  assert.throws(() => parseOpensshPublicKey('hello'), refused);
  assert.throws(() => parseOpensshPublicKey(`ssh-rsa ${blob.toString('base64')}`), refused, 'the blob names another type');
  assert.throws(() => parseOpensshPublicKey('ssh-rsa AAAA'), refused);
  const small = generateKeyPairSync('rsa', { modulusLength: 512 }).publicKey;
  assert.throws(() => parseOpensshPublicKey(opensshRsa(small)), refused);
});
