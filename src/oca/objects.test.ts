import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OneObject, parseObject } from './objects.js';

test('get reads the first element at a path, also when only a later branch holds it', () => {
  const vm = parseObject(OneObject, '<VM><ID>4</ID><NAME> web </NAME><TEMPLATE><NIC><NETWORK>a</NETWORK></NIC><NIC><IP>10.0.0.2</IP></NIC><MEMORY>64</MEMORY></TEMPLATE></VM>');
  assert.equal(vm.id, 4);
  assert.equal(vm.name, 'web');
  assert.equal(vm.get('TEMPLATE/MEMORY'), '64');
  assert.equal(vm.get('TEMPLATE/NIC/NETWORK'), 'a');
  assert.equal(vm.get('TEMPLATE/NIC/IP'), '10.0.0.2');
  assert.equal(vm.get('TEMPLATE/DISK/SIZE'), '');
  assert.equal(vm.get('NOPE'), '');
  assert.ok(Number.isNaN(vm.int('TEMPLATE/CPU')));
});
