import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseObject, VirtualMachine } from '../oca/index.js';
import { average, policyTarget } from './engine.js';

test('policies ask for a cardinality within min_vms and max_vms', () => {
  const role = { cardinality: 4, min_vms: 2, max_vms: 6 };
  assert.equal(policyTarget(role, 'CHANGE', 1), 5);
  assert.equal(policyTarget(role, 'CHANGE', 5), 6);
  assert.equal(policyTarget(role, 'CHANGE', -5), 2);
  assert.equal(policyTarget(role, 'CARDINALITY', 3), 3);
  assert.equal(policyTarget(role, 'PERCENTAGE_CHANGE', 50), 6);
  assert.equal(policyTarget(role, 'PERCENTAGE_CHANGE', 10, 1), 5, 'at least min_adjust_step');
});

test('an attribute is averaged over VMs, USER_TEMPLATE before MONITORING before TEMPLATE', () => {
  const vm = (id: number, inner: string) => parseObject(VirtualMachine, `<VM><ID>${id}</ID>${inner}</VM>`);
  const vms = [
    vm(1, '<USER_TEMPLATE><LOAD>90</LOAD></USER_TEMPLATE><MONITORING><LOAD>1</LOAD><CPU>50</CPU></MONITORING>'),
    vm(2, '<MONITORING><LOAD>70</LOAD><CPU>30</CPU></MONITORING><TEMPLATE><CPU>1</CPU></TEMPLATE>'),
  ];
  assert.equal(average(vms, 'LOAD'), 80);
  assert.equal(average(vms, 'CPU'), 40);
  assert.equal(average(vms, 'NONE'), undefined);
});
