import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Template } from '../common/template/index.js';
import { parseXmlTree } from '../common/xml-tree.js';
import { Group } from './group.js';
import { parseVlanRules, vlanRulesFromXml, vlanRulesXml, vlanRuleTag } from './vlan-rules.js';

const parse = (text: string) => parseVlanRules(Template.parse(text));

test('RULE vectors become rules numbered from 0, scopes in any case', () => {
  assert.deepEqual(parse('RULE = [ SCOPE = "group", VNTEMPLATE = "3" ]\nRULE = [ VNTEMPLATE = 7, SCOPE = USER ]'), [
    { id: 0, scope: 'GROUP', vnTemplate: 3 },
    { id: 1, scope: 'USER', vnTemplate: 7 },
  ]);
  assert.deepEqual(parse(''), []);
  assert.equal(vlanRuleTag(100, 2), '100:2');
});

test('anything else is refused with a clear reason', () => {
  const cases: [string, RegExp][] = [
    ['RULE = [ SCOPE = "ALL", VNTEMPLATE = 1 ]', /Wrong SCOPE "ALL" in RULE 0/],
    ['RULE = [ VNTEMPLATE = 1 ]', /Wrong SCOPE ""/],
    ['RULE = [ SCOPE = "USER" ]', /RULE 0 has no VNTEMPLATE/],
    ['RULE = [ SCOPE = "USER", VNTEMPLATE = "-1" ]', /not a network template id/],
    ['RULE = [ SCOPE = "USER", VNTEMPLATE = "1", NAME = "x" ]', /Unknown attribute NAME in RULE 0/],
    ['RULE = "GROUP"', /RULE 0 must be a vector/],
    ['RULE = [ SCOPE = "USER", VNTEMPLATE = 1 ]\nOTHER = 1', /Unknown attribute OTHER/],
  ];
  for (const [text, message] of cases) assert.throws(() => parse(text), message, text);
});

test('rules render inside VLAN_RULES, after the group id, and come back from the stored body', () => {
  const rules = parse('RULE = [ SCOPE = "GROUP", VNTEMPLATE = 3 ]\nRULE = [ SCOPE = "USER", VNTEMPLATE = 4 ]');
  const xml = vlanRulesXml(100, rules);
  assert.equal(xml, '<VLAN_RULES><ID>100</ID><RULE><ID>0</ID><SCOPE>GROUP</SCOPE><VNTEMPLATE>3</VNTEMPLATE></RULE><RULE><ID>1</ID><SCOPE>USER</SCOPE><VNTEMPLATE>4</VNTEMPLATE></RULE></VLAN_RULES>');
  assert.deepEqual(vlanRulesFromXml(parseXmlTree(xml)), rules);
  assert.deepEqual(vlanRulesFromXml(undefined), []);

  const group = new Group(100, 'lab', new Template());
  assert.equal(group.vlanRulesEscapedXml(), '&lt;VLAN_RULES&gt;&lt;ID&gt;100&lt;/ID&gt;&lt;/VLAN_RULES&gt;');
  group.setVlanRules(rules);
  assert.ok(group.vlanRulesEscapedXml().includes('&lt;SCOPE&gt;USER&lt;/SCOPE&gt;'));
  const back = Group.fromXml(parseXmlTree(group.toBody()));
  assert.deepEqual(back.vlanRules, rules);
  assert.equal(back.toXml(), group.toXml(), 'the rules are not part of the GROUP element itself');
});
