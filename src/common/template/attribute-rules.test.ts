import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AttributeRules, Template } from './index.js';

const VM = AttributeRules.parse(['CONTEXT/FILES', 'NIC/MAC', 'NIC/BRIDGE', 'nic_alias/bridge', 'RAW/DATA', 'DEPLOY_ID', 'CPU_COST', 'PCI', '']);

test('parse keeps names and vector keys upper-case and sorted, as oned checks them', () => {
  assert.deepEqual(VM.entries(), ['CONTEXT/FILES', 'CPU_COST', 'DEPLOY_ID', 'NIC/BRIDGE', 'NIC/MAC', 'NIC_ALIAS/BRIDGE', 'PCI', 'RAW/DATA']);
  assert.deepEqual(VM.keysOf('nic'), ['BRIDGE', 'MAC']);
  assert.equal(AttributeRules.parse([]).isEmpty, true);
});

test('firstSet names the vector key or the single attribute a template sets', () => {
  assert.equal(VM.firstSet(Template.parse('CPU = 1\nNIC = [ NETWORK_ID = 0 ]')), null);
  assert.equal(VM.firstSet(Template.parse('NIC = [ NETWORK_ID = 0 ]\nNIC = [ NETWORK_ID = 1, BRIDGE = br9 ]')), 'BRIDGE');
  assert.equal(VM.firstSet(Template.parse('CONTEXT = [ FILES = "/etc/passwd" ]')), 'FILES');
  assert.equal(VM.firstSet(Template.parse('RAW = [ TYPE = kvm, DATA = "<x/>" ]')), 'DATA');
  assert.equal(VM.firstSet(Template.parse('RAW = [ TYPE = kvm ]')), null);
  assert.equal(VM.firstSet(Template.parse('DEPLOY_ID = "x"')), 'DEPLOY_ID');
  // CONTEXT/FILES is checked before NIC/BRIDGE (sorted by name).
  assert.equal(VM.firstSet(Template.parse('NIC = [ BRIDGE = b ]\nCONTEXT = [ FILES = f ]')), 'FILES');
  // A single entry matches single attributes only, as in oned (PCI = [...] is a vector).
  assert.equal(VM.firstSet(Template.parse('PCI = [ VENDOR = "10de" ]')), null);
  assert.equal(VM.firstSet(Template.parse('PCI = "x"')), 'PCI');
});

test('firstChanged (replace): restricted values may stay, not change, appear or go', () => {
  const base = Template.parse('NIC = [ NETWORK_ID = 0, BRIDGE = br0 ]\nCPU_COST = 2\nA = 1');
  assert.equal(VM.firstChanged(Template.parse('NIC = [ NETWORK_ID = 7, BRIDGE = br0 ]\nCPU_COST = 2'), base, false), null);
  assert.equal(VM.firstChanged(Template.parse('NIC = [ NETWORK_ID = 0, BRIDGE = br1 ]'), base, false), 'NIC');
  // Dropping the NIC that carries a restricted value is a change too.
  assert.equal(VM.firstChanged(Template.parse('A = 2'), base, false), 'NIC');
  assert.equal(VM.firstChanged(Template.parse('NIC = [ BRIDGE = br0 ]\nCPU_COST = 3'), base, false), 'CPU_COST');
  assert.equal(VM.firstChanged(Template.parse('NIC = [ BRIDGE = br0 ]\nDEPLOY_ID = 9'), base, false), 'DEPLOY_ID');
});

test('firstChanged keeps a restricted single attribute the new template leaves out', () => {
  const base = Template.parse('CPU_COST = 2\nDEPLOY_ID = d');
  const t = Template.parse('A = 1');
  assert.equal(VM.firstChanged(t, base, false), null);
  assert.equal(t.get('CPU_COST'), '2');
  assert.equal(t.get('DEPLOY_ID'), 'd');
});

test('firstChanged (append): only vectors the new template has count', () => {
  const base = Template.parse('NIC = [ NETWORK_ID = 0, BRIDGE = br0 ]');
  assert.equal(VM.firstChanged(Template.parse('A = 1'), base, true), null);
  assert.equal(VM.firstChanged(Template.parse('NIC = [ NETWORK_ID = 0, BRIDGE = br0 ]'), base, true), null);
  // A NIC without the base's BRIDGE changes the restricted values.
  assert.equal(VM.firstChanged(Template.parse('NIC = [ NETWORK_ID = 1 ]'), base, true), 'NIC');
  assert.equal(VM.firstChanged(Template.parse('NIC = [ NETWORK_ID = 1 ]'), Template.parse('NIC = [ NETWORK_ID = 0 ]'), true), null);
  assert.equal(VM.firstChanged(Template.parse('NIC = [ NETWORK_ID = 1, MAC = "02:00:00:00:00:01" ]'), Template.parse('NIC = [ NETWORK_ID = 0 ]'), true), 'NIC');
});

test('transform rewrites listed vector keys and single values in place; stripKeys removes keys', () => {
  const rules = AttributeRules.parse(['CONTEXT/PASSWORD', 'TOKEN']);
  const t = Template.parse('CONTEXT = [ PASSWORD = p, USER = u ]\nTOKEN = a\nTOKEN = b\nOTHER = o');
  rules.transform(t, (v) => v.toUpperCase());
  assert.equal(t.getVector('CONTEXT')!.get('PASSWORD'), 'P');
  assert.equal(t.getVector('CONTEXT')!.get('USER'), 'u');
  assert.deepEqual(t.getAll('TOKEN').map((a) => a.value), ['A', 'B']);
  assert.equal(t.get('OTHER'), 'o');
  assert.deepEqual(rules.values(t).sort(), [['A', 'TOKEN'], ['B', 'TOKEN'], ['P', 'CONTEXT/PASSWORD']]);
  const ar = new Map([['BRIDGE', 'x'], ['SIZE', '2']]);
  AttributeRules.parse(['AR/BRIDGE']).stripKeys('AR', ar);
  assert.deepEqual([...ar], [['SIZE', '2']]);
});
