import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ConfigReader } from './config.js';
import { AttributePolicy } from './attribute-policy.js';
import { SecretBox } from './secret-box.js';
import { Template } from './template/index.js';
import { xmlEscapeText } from './xml.js';

const config = new ConfigReader(Template.parse('VM_RESTRICTED_ATTR = "NIC/BRIDGE"\nVM_ENCRYPTED_ATTR = "CONTEXT/PASSWORD"\nUSER_ENCRYPTED_ATTR = "KEY"\nHOST_RESTRICTED_ATTR = "X"'));
const policy = new AttributePolicy(config, new SecretBox(randomBytes(32)));

test('lists come from <KIND>_RESTRICTED_ATTR / <KIND>_ENCRYPTED_ATTR; unknown kinds have none', () => {
  assert.deepEqual(policy.restricted('VM').entries(), ['NIC/BRIDGE']);
  assert.equal(policy.restricted('IMAGE').isEmpty, true);
  assert.deepEqual(policy.encrypted('VM').entries(), ['CONTEXT/PASSWORD']);
  assert.equal(policy.encrypted('HOST').isEmpty, true);
});

test('encrypt stores ciphertext once; decrypted and decryptedXml give the clear text back, escaped', () => {
  const t = Template.parse('CONTEXT = [ PASSWORD = "a<b&c", USER = "root" ]');
  policy.encrypt('VM', t);
  const stored = t.getVector('CONTEXT')!.get('PASSWORD')!;
  assert.notEqual(stored, 'a<b&c');
  policy.encrypt('VM', t);
  assert.equal(t.getVector('CONTEXT')!.get('PASSWORD'), stored, 'not encrypted twice');
  assert.equal(policy.decrypted('VM', t).getVector('CONTEXT')!.get('PASSWORD'), 'a<b&c');
  assert.equal(t.getVector('CONTEXT')!.get('PASSWORD'), stored, 'decrypted works on a copy');
  const xml = `<VM>${t.toXml()}</VM>`;
  assert.match(policy.decryptedXml('VM', xml, t), /<PASSWORD>a&lt;b&amp;c<\/PASSWORD>/);
  assert.equal(policy.decryptedEscapedXml('VM', xmlEscapeText(xml), t), xmlEscapeText(policy.decryptedXml('VM', xml, t)));
  // The same ciphertext is not one of a USER's KEY (the kind and attribute are authenticated).
  assert.equal(policy.reveal('USER', 'KEY', stored), stored);
  assert.equal(policy.reveal('VM', 'CONTEXT/PASSWORD', stored), 'a<b&c');
});
