import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deploymentOrder, validateTemplate, ValidationError } from './validate.js';
import type { RoleBody } from './model.js';

const role = (name: string, parents: string[] = [], extra: Record<string, unknown> = {}) => ({ name, vm_template: 0, cardinality: 1, parents, ...extra });
const template = (roles: unknown[], extra: Record<string, unknown> = {}) => ({ name: 't', deployment: 'straight', roles, ...extra });
const refused = (body: unknown, msg: RegExp) => assert.throws(() => validateTemplate(body), (e: unknown) => e instanceof ValidationError && msg.test(e.message));

test('a good template passes, with defaults and numbers from strings', () => {
  const t = validateTemplate({ name: 'web', roles: [{ name: 'db', vm_template: '3', cardinality: '2', min_vms: 1, max_vms: 3 }] });
  assert.equal(t.deployment, 'none');
  assert.equal(t.roles[0]!.vm_template, 3);
  assert.equal(t.roles[0]!.cardinality, 2);
});

test('parents come before children in the deployment order', () => {
  const roles = [role('lb', ['app']), role('app', ['db']), role('db'), role('cache', ['db'])] as RoleBody[];
  const order = deploymentOrder(roles).map((r) => r.name);
  assert.ok(order.indexOf('db') < order.indexOf('app') && order.indexOf('app') < order.indexOf('lb') && order.indexOf('db') < order.indexOf('cache'), order.join());
});

test('cycles, unknown parents and self parents are refused, naming the roles', () => {
  refused(template([role('a', ['b']), role('b', ['c']), role('c', ['a'])]), /cycle: a -> b -> c -> a/);
  refused(template([role('a', ['ghost'])]), /role a: parent role "ghost" does not exist/);
  refused(template([role('a', ['a'])]), /cannot be its own parent/);
});

test('cardinality outside min/max, bad fields and bad elasticity expressions are refused', () => {
  refused(template([role('a', [], { min_vms: 2 })]), /cardinality 1 is below min_vms 2/);
  refused(template([role('a', [], { cardinality: 5, max_vms: 3 })]), /cardinality 5 is above max_vms 3/);
  refused(template([role('a', [], { min_vms: 3, max_vms: 2, cardinality: 2 })]), /min_vms \(3\) is above max_vms \(2\)/);
  refused(template([role('a', [], { elasticity_policies: [{ type: 'CHANGE', adjust: 1, expression: 'CPU >> 3' }] })]), /expression "CPU >> 3"/);
  refused(template([role('a', [], { elasticity_policies: [{ type: 'GROW', adjust: 1, expression: 'CPU > 3' }] })]), /type must be one of/);
  refused(template([role('a'), role('a')]), /used twice/);
  refused(template([]), /roles must be a non-empty list/);
  refused(template([role('a')], { deployment: 'fast' }), /deployment must be/);
  refused({ roles: [role('a')] }, /name must be/);
  refused(template([{ name: 'a b', vm_template: 0 }]), /roles\[0\]\/name/);
  refused(template([{ name: 'a' }]), /role a: vm_template must be a whole number/);
});
