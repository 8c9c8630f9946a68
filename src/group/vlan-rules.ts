/**
 * A group's VLAN rules (`one.group.vlan`, our own design, see docs/networks.md "Per-group VLAN
 * networks"): each rule names a network template and whether it makes one network for the whole
 * group (SCOPE = "GROUP") or one for each user whose primary group it is (SCOPE = "USER").
 * This module reads them from a call's template and from the stored group, and renders them.
 */
import type { Template } from '../common/template/index.js';
import type { XmlNode } from '../common/xml-tree.js';
import { childText } from '../common/xml-tree.js';

export const VLAN_RULE_SCOPES = ['GROUP', 'USER'] as const;
export type VlanRuleScope = (typeof VLAN_RULE_SCOPES)[number];

export interface VlanRule {
  /** 0..n-1, in the order the template gives them. */
  readonly id: number;
  readonly scope: VlanRuleScope;
  /** The network template the rule's networks are made from. */
  readonly vnTemplate: number;
}

/** The value a rule's networks record in their template (`VLAN_RULE`): "<gid>:<rule id>". */
export function vlanRuleTag(gid: number, ruleId: number): string {
  return `${gid}:${ruleId}`;
}

/**
 * The rules of a `one.group.vlan` template: RULE = [ SCOPE, VNTEMPLATE ] vectors and nothing else.
 * Checks the shape only (whether the templates exist is the caller's business).
 * @throws Error with a message for the user on anything else
 */
export function parseVlanRules(template: Template): VlanRule[] {
  const rules: VlanRule[] = [];
  for (const attr of template.attributes()) {
    if (attr.name !== 'RULE') throw new Error(`Unknown attribute ${attr.name} in VLAN rules: only RULE = [ SCOPE, VNTEMPLATE ] vectors are allowed.`);
    const n = rules.length;
    if (typeof attr.value === 'string') throw new Error(`RULE ${n} must be a vector: RULE = [ SCOPE = "GROUP" | "USER", VNTEMPLATE = <id> ].`);
    for (const key of attr.value.keys()) {
      if (key !== 'SCOPE' && key !== 'VNTEMPLATE') throw new Error(`Unknown attribute ${key} in RULE ${n}: only SCOPE and VNTEMPLATE are allowed.`);
    }
    const scope = (attr.value.get('SCOPE') ?? '').trim().toUpperCase();
    if (!(VLAN_RULE_SCOPES as readonly string[]).includes(scope)) {
      throw new Error(`Wrong SCOPE "${attr.value.get('SCOPE') ?? ''}" in RULE ${n}: use GROUP or USER.`);
    }
    const vnt = attr.value.get('VNTEMPLATE');
    if (vnt === undefined || vnt.trim() === '') throw new Error(`RULE ${n} has no VNTEMPLATE (the id of a network template).`);
    if (!/^\d+$/.test(vnt.trim())) throw new Error(`VNTEMPLATE "${vnt}" in RULE ${n} is not a network template id.`);
    rules.push({ id: n, scope: scope as VlanRuleScope, vnTemplate: Number(vnt.trim()) });
  }
  return rules;
}

/** `<VLAN_RULES><ID>gid</ID><RULE>...</RULE>...</VLAN_RULES>`, as group.info shows them. */
export function vlanRulesXml(gid: number, rules: readonly VlanRule[]): string {
  let xml = `<VLAN_RULES><ID>${gid}</ID>`;
  for (const r of rules) xml += `<RULE><ID>${r.id}</ID><SCOPE>${r.scope}</SCOPE><VNTEMPLATE>${r.vnTemplate}</VNTEMPLATE></RULE>`;
  return `${xml}</VLAN_RULES>`;
}

/** The rules of a stored `<VLAN_RULES>` element (none when it is missing: groups stored before). */
export function vlanRulesFromXml(node: XmlNode | undefined): VlanRule[] {
  if (!node) return [];
  return node.children
    .filter((c) => c.name === 'RULE')
    .map((r) => ({ id: Number(childText(r, 'ID')), scope: childText(r, 'SCOPE') as VlanRuleScope, vnTemplate: Number(childText(r, 'VNTEMPLATE')) }))
    .filter((r) => (VLAN_RULE_SCOPES as readonly string[]).includes(r.scope) && Number.isInteger(r.id) && Number.isInteger(r.vnTemplate));
}
