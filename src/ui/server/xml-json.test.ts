import assert from 'node:assert/strict';
import { test } from 'node:test';
import { xmlToJson } from './xml-json.js';

test('elements become objects, leaves strings, repeated names arrays', () => {
  const j = xmlToJson('<VM><ID>3</ID><TEMPLATE><DISK><ID>0</ID></DISK><DISK><ID>1</ID></DISK><NIC><IP>10.0.0.1</IP></NIC><EMPTY/></TEMPLATE></VM>');
  assert.deepEqual(j, { VM: { ID: '3', TEMPLATE: { DISK: [{ ID: '0' }, { ID: '1' }], NIC: { IP: '10.0.0.1' }, EMPTY: '' } } });
});

test('CDATA text is kept as text; values that are not XML pass unchanged', () => {
  assert.deepEqual(xmlToJson('<T><A><![CDATA[a <b> & c]]></A></T>'), { T: { A: 'a <b> & c' } });
  assert.equal(xmlToJson(42), 42);
  assert.equal(xmlToJson('plain'), 'plain');
  assert.equal(xmlToJson('<broken'), '<broken');
});
