import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseXmlTree } from '../common/xml-tree.js';
import { Permissions } from './permissions.js';

test('octal modes map to the nine bits in OpenNebula order', () => {
  const p = Permissions.fromOctal(0o640);
  assert.equal(p.toOctal(), 0o640);
  assert.equal(p.toXml(), '<PERMISSIONS><OWNER_U>1</OWNER_U><OWNER_M>1</OWNER_M><OWNER_A>0</OWNER_A><GROUP_U>1</GROUP_U><GROUP_M>0</GROUP_M><GROUP_A>0</GROUP_A><OTHER_U>0</OTHER_U><OTHER_M>0</OTHER_M><OTHER_A>0</OTHER_A></PERMISSIONS>');
  assert.ok(p.allows(0, 2) && p.allows(1, 1));
  assert.ok(!p.allows(1, 2) && !p.allows(2, 1) && !p.allows(0, 4));
});

test('new objects: oneadmin base 777, others 660, masked by the umask', () => {
  assert.equal(Permissions.forNewObject(0, 0, 0o177).toOctal(), 0o600);
  assert.equal(Permissions.forNewObject(3, 1, 0o022).toOctal(), 0o640);
  assert.equal(Permissions.forNewObject(3, 1, 0o000).toOctal(), 0o660);
  assert.equal(Permissions.forNewObject(3, 1, 0o000, true).toOctal(), 0o666);
});

test('chmod changes only the bits that are not -1 and rejects other values', () => {
  const p = Permissions.fromOctal(0o600).change([-1, 0, -1, 1, -1, -1, -1, -1, 1]);
  assert.equal(p.toOctal(), 0o441);
  assert.throws(() => p.change([2, -1, -1, -1, -1, -1, -1, -1, -1]), /must be -1, 0 or 1/);
});

test('XML round trip', () => {
  const p = Permissions.fromOctal(0o751);
  assert.equal(Permissions.fromXml(parseXmlTree(p.toXml())).toOctal(), 0o751);
});
