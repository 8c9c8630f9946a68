import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OneObject, parseObject } from './objects.js';

test('get reads the first element at a path in document order, all reads every one', () => {
  const o = parseObject(OneObject, '<VM><ID>4</ID><TEMPLATE><NIC><MAC>m0</MAC></NIC><NIC><IP> 10.0.0.2 </IP></NIC><NIC><IP>10.0.0.3</IP></NIC></TEMPLATE></VM>');
  assert.equal(o.get('ID'), '4');
  assert.equal(o.get('TEMPLATE/NIC/IP'), '10.0.0.2', 'the first NIC without an IP is skipped');
  assert.equal(o.get('TEMPLATE/NIC/MAC'), 'm0');
  assert.equal(o.get('TEMPLATE/DISK/SIZE'), '');
  assert.deepEqual(o.all('TEMPLATE/NIC/IP').map((n) => n.text), [' 10.0.0.2 ', '10.0.0.3']);
  assert.equal(o.int('ID'), 4);
  assert.ok(Number.isNaN(o.int('NOPE')));
});
