/** Security group RULE checks, the VMs lists and commit, the XML and its round trip. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Template } from '../common/template/index.js';
import { parseXmlTree } from '../common/xml-tree.js';
import { groupIds, ruleError, rulesError, SecurityGroup } from './security-group.js';

const r = (o: Record<string, string>) => new Map(Object.entries(o));

test('rules: protocols, types, ranges, ICMP types and targets are checked as OpenNebula does', () => {
  assert.equal(ruleError(r({ PROTOCOL: 'tcp', RULE_TYPE: 'inbound', RANGE: '22,80:90' })), null);
  assert.equal(ruleError(r({ PROTOCOL: 'ICMPv6', RULE_TYPE: 'OUTBOUND', ICMPv6_TYPE: '128' })), null);
  assert.equal(ruleError(r({ PROTOCOL: 'ALL', RULE_TYPE: 'INBOUND', IP: '10.0.0.1', SIZE: '256' })), null);
  assert.equal(ruleError(r({ PROTOCOL: 'ALL', RULE_TYPE: 'INBOUND', NETWORK_ID: '3' })), null);
  assert.match(ruleError(r({ PROTOCOL: 'GRE', RULE_TYPE: 'INBOUND' }))!, /Wrong PROTOCOL/);
  assert.match(ruleError(r({ PROTOCOL: 'TCP' }))!, /Wrong RULE_TYPE/);
  assert.match(ruleError(r({ PROTOCOL: 'TCP', RULE_TYPE: 'INBOUND', RANGE: '80-90' }))!, /Invalid RANGE/);
  assert.match(ruleError(r({ PROTOCOL: 'TCP', RULE_TYPE: 'INBOUND', RANGE: '70000' }))!, /Invalid RANGE/);
  assert.match(ruleError(r({ PROTOCOL: 'UDP', RULE_TYPE: 'INBOUND', RANGE: '9:8' }))!, /Invalid RANGE/);
  assert.match(ruleError(r({ PROTOCOL: 'ALL', RULE_TYPE: 'INBOUND', RANGE: '22' }))!, /only for TCP and UDP/);
  assert.match(ruleError(r({ PROTOCOL: 'ICMP', RULE_TYPE: 'INBOUND', ICMP_TYPE: 'echo' }))!, /Wrong ICMP_TYPE/);
  assert.match(ruleError(r({ PROTOCOL: 'ICMP', RULE_TYPE: 'INBOUND', ICMPv6_TYPE: '1' }))!, /ICMPv6_TYPE is supported only for ICMPv6/);
  assert.match(ruleError(r({ PROTOCOL: 'ALL', RULE_TYPE: 'INBOUND', IP: '10.0.0.1', SIZE: '0' }))!, /Wrong or empty SIZE/);
  assert.match(ruleError(r({ PROTOCOL: 'ALL', RULE_TYPE: 'INBOUND', IP: '255.255.255.255', SIZE: '2' }))!, /goes past/);
  assert.match(rulesError(Template.parse('RULE = "x"'))!, /vector/);
});

test('VMs move between the lists; commit sends them all, a recovery commit only those in error or still updating', () => {
  const sg = SecurityGroup.createDefault();
  for (const id of [1, 2, 3]) sg.addVm(id);
  sg.move(2, 'errors');
  sg.move(3, 'updating');
  assert.deepEqual(sg.commit(true).sort(), [2, 3]);
  assert.deepEqual([...sg.updated], [1]);
  assert.deepEqual(sg.commit(false).sort(), [1, 2, 3]);
  sg.dropVm(2);
  assert.deepEqual(sg.vms(), [1, 3]);
  const back = SecurityGroup.fromXml(parseXmlTree(sg.toXml()));
  assert.deepEqual([...back.outdated].sort(), [1, 3]);
  assert.equal(back.toXml(), sg.toXml());
  assert.match(sg.toXml(), /^<SECURITY_GROUP><ID>0<\/ID><UID>0<\/UID><GID>0<\/GID><UNAME>oneadmin<\/UNAME><GNAME>oneadmin<\/GNAME><NAME>default<\/NAME><PERMISSIONS>.*<\/PERMISSIONS><UPDATED_VMS\/><OUTDATED_VMS><ID>1<\/ID><ID>3<\/ID><\/OUTDATED_VMS><UPDATING_VMS\/><ERROR_VMS\/><TEMPLATE>/);
});

test('the VM rules carry the group id and name; SECURITY_GROUPS lists are read leniently', () => {
  const rules = SecurityGroup.createDefault().vmRules();
  assert.deepEqual(rules.map((x) => Object.fromEntries(x)), [
    { PROTOCOL: 'ALL', RULE_TYPE: 'OUTBOUND', SECURITY_GROUP_ID: '0', SECURITY_GROUP_NAME: 'default' },
    { PROTOCOL: 'ALL', RULE_TYPE: 'INBOUND', SECURITY_GROUP_ID: '0', SECURITY_GROUP_NAME: 'default' },
  ]);
  assert.deepEqual(groupIds(' 0, 100,100,x,'), [0, 100]);
});
