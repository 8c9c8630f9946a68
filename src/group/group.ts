/** A group: its users, its administrators, a template and quotas. */
import type { XmlNode } from '../common/xml-tree.js';
import { child, childInt, childText } from '../common/xml-tree.js';
import { xmlElement } from '../common/xml.js';
import type { Template } from '../common/template/index.js';
import { PoolObject, Permissions, templateFromNode } from '../pool/index.js';
import { Quotas } from '../auth/quotas.js';
import { xmlEscapeText } from '../common/xml.js';
import { type VlanRule, vlanRulesFromXml, vlanRulesXml } from './vlan-rules.js';

/** Ids of the groups every installation has. */
export const ONEADMIN_GROUP = 0;

export const USERS_GROUP = 1;

function idsXml(root: string, ids: ReadonlySet<number>): string {
  let xml = `<${root}>`;
  for (const id of [...ids].sort((a, b) => a - b)) xml += `<ID>${id}</ID>`;
  return `${xml}</${root}>`;
}

export class Group extends PoolObject {
  readonly type = 'GROUP' as const;
  readonly users: Set<number>;
  readonly admins: Set<number>;
  /** The VLAN rules (one.group.vlan); set with setVlanRules. */
  private rules: readonly VlanRule[] = [];
  private rulesXml: string;
  private rulesEscaped: string;

  constructor(oid: number, name: string, public template: Template, users: Iterable<number> = [], admins: Iterable<number> = [], public quotas = new Quotas()) {
    // As in OpenNebula, a group is owned by oneadmin and is its own group, so its members get
    // the group USE bit (they may see it) and everything else comes from ACLs.
    super(oid, name, { uid: 0, gid: oid, uname: 'oneadmin', gname: name }, Permissions.fromOctal(0o640));
    this.users = new Set(users);
    this.admins = new Set(admins);
    this.rulesXml = vlanRulesXml(oid, []);
    this.rulesEscaped = xmlEscapeText(this.rulesXml);
  }

  get vlanRules(): readonly VlanRule[] {
    return this.rules;
  }

  /** Replaces the VLAN rules (inside a transaction that touches the group, so they are stored). */
  setVlanRules(rules: readonly VlanRule[]): void {
    this.rules = [...rules];
    this.rulesXml = vlanRulesXml(this.oid, this.rules);
    this.rulesEscaped = xmlEscapeText(this.rulesXml);
  }

  protected renderXml(): string {
    return `<GROUP><ID>${this.oid}</ID>${xmlElement('NAME', this.name)}${this.template.toXml()}${idsXml('USERS', this.users)}${idsXml('ADMINS', this.admins)}</GROUP>`;
  }

  /**
   * `<VLAN_RULES>` as OpenNebula 7.4 lists it after a group's quotas (group.info and the group
   * pool), escaped: the group's own id, as 7.4 shows it for every group it creates, then its
   * rules (kept rendered: they change only with one.group.vlan).
   */
  vlanRulesEscapedXml(): string {
    return this.rulesEscaped;
  }

  /** The body of the federated row (group_pool): the group and its VLAN rules, without its zone-local quotas. */
  federatedBody(): string {
    return `${this.toXml().slice(0, -'</GROUP>'.length)}${this.rulesXml}</GROUP>`;
  }

  /** The whole group, quotas included (what a failed commit puts back; see auth/quota-table.ts for the rows). */
  override toBody(): string {
    return `${this.toXml().slice(0, -'</GROUP>'.length)}<QUOTAS>${this.quotas.toXml()}</QUOTAS>${this.rulesXml}</GROUP>`;
  }

  static fromXml(node: XmlNode): Group {
    const ids = (name: string) => (child(node, name)?.children ?? []).map((c) => Number(c.text));
    const group = new Group(
      childInt(node, 'ID'),
      childText(node, 'NAME'),
      templateFromNode(child(node, 'TEMPLATE')),
      ids('USERS'),
      ids('ADMINS'),
      Quotas.fromXml(child(node, 'QUOTAS')),
    );
    group.setVlanRules(vlanRulesFromXml(child(node, 'VLAN_RULES')));
    return group;
  }
}
