/**
 * A VDC (virtual data center): groups given clusters, hosts, datastores and virtual networks of
 * one or more zones. The VDC itself grants nothing: the ACL rules it generates for each of its
 * groups and resources do (vdc-rules.ts). Owned by oneadmin, as in OpenNebula; its XML has no
 * owner or permissions.
 */
import type { XmlNode } from '../common/xml-tree.js';
import { child, childInt, childText } from '../common/xml-tree.js';
import { xmlElement } from '../common/xml.js';
import { Template } from '../common/template/index.js';
import { PoolObject, templateFromNode } from '../pool/index.js';
import { INFRASTRUCTURE_OWNER, INFRASTRUCTURE_PERMISSIONS } from '../cluster/index.js';

/** The VDC every install has; every new group joins it. */
export const DEFAULT_VDC_ID = 0;
export const DEFAULT_VDC_NAME = 'default';
/** Ids below this are system VDCs, which cannot be deleted; user VDCs start here. */
export const FIRST_USER_VDC = 100;
/** A resource id meaning "every resource of that kind in the zone" (`ALL` in the CLI). */
export const ALL_RESOURCES = -10;

/** The kinds of resources a VDC holds, by their XML element name. */
export const VDC_RESOURCE_KINDS = ['CLUSTER', 'HOST', 'DATASTORE', 'VNET'] as const;
export type VdcResourceKind = (typeof VDC_RESOURCE_KINDS)[number];

/** The XML container of each kind (`<CLUSTERS>`…). */
const CONTAINER: Readonly<Record<VdcResourceKind, string>> = { CLUSTER: 'CLUSTERS', HOST: 'HOSTS', DATASTORE: 'DATASTORES', VNET: 'VNETS' };

/** One resource of a VDC: its zone and its id there (ALL_RESOURCES for all). */
export interface VdcResource {
  readonly zone: number;
  readonly id: number;
}

/** The resources of one kind, ordered by zone then id (as OpenNebula's set of pairs). */
export class ResourceSet {
  private readonly keys = new Set<string>();
  private list: VdcResource[] = [];

  constructor(items: Iterable<VdcResource> = []) {
    for (const r of items) this.add(r);
  }

  has(r: VdcResource): boolean {
    return this.keys.has(`${r.zone}:${r.id}`);
  }

  /** Adds the resource; false when it was there already. */
  add(r: VdcResource): boolean {
    const key = `${r.zone}:${r.id}`;
    if (this.keys.has(key)) return false;
    this.keys.add(key);
    this.list.push({ zone: r.zone, id: r.id });
    this.list.sort((a, b) => a.zone - b.zone || a.id - b.id);
    return true;
  }

  /** Removes the resource; false when it was not there. */
  delete(r: VdcResource): boolean {
    if (!this.keys.delete(`${r.zone}:${r.id}`)) return false;
    this.list = this.list.filter((x) => x.zone !== r.zone || x.id !== r.id);
    return true;
  }

  /** Every resource, by zone then id. */
  get items(): readonly VdcResource[] {
    return this.list;
  }
}

export class Vdc extends PoolObject {
  readonly type = 'VDC' as const;
  readonly groups: Set<number>;
  readonly resources: Readonly<Record<VdcResourceKind, ResourceSet>>;

  constructor(
    oid: number,
    name: string,
    public template: Template,
    groups: Iterable<number> = [],
    resources: Partial<Record<VdcResourceKind, Iterable<VdcResource>>> = {},
  ) {
    super(oid, name, INFRASTRUCTURE_OWNER, INFRASTRUCTURE_PERMISSIONS);
    this.groups = new Set(groups);
    this.resources = {
      CLUSTER: new ResourceSet(resources.CLUSTER),
      HOST: new ResourceSet(resources.HOST),
      DATASTORE: new ResourceSet(resources.DATASTORE),
      VNET: new ResourceSet(resources.VNET),
    };
  }

  protected renderXml(): string {
    let xml = `<VDC><ID>${this.oid}</ID>${xmlElement('NAME', this.name)}<GROUPS>`;
    for (const gid of [...this.groups].sort((a, b) => a - b)) xml += `<ID>${gid}</ID>`;
    xml += '</GROUPS>';
    for (const kind of VDC_RESOURCE_KINDS) {
      xml += `<${CONTAINER[kind]}>`;
      for (const r of this.resources[kind].items) xml += `<${kind}><ZONE_ID>${r.zone}</ZONE_ID><${kind}_ID>${r.id}</${kind}_ID></${kind}>`;
      xml += `</${CONTAINER[kind]}>`;
    }
    return `${xml}${this.template.toXml()}</VDC>`;
  }

  static fromXml(node: XmlNode): Vdc {
    const resources: Partial<Record<VdcResourceKind, VdcResource[]>> = {};
    for (const kind of VDC_RESOURCE_KINDS) {
      resources[kind] = (child(node, CONTAINER[kind])?.children ?? [])
        .filter((c) => c.name === kind)
        .map((c) => ({ zone: childInt(c, 'ZONE_ID'), id: childInt(c, `${kind}_ID`) }));
    }
    return new Vdc(
      childInt(node, 'ID'),
      childText(node, 'NAME'),
      templateFromNode(child(node, 'TEMPLATE')),
      (child(node, 'GROUPS')?.children ?? []).map((c) => Number(c.text)),
      resources,
    );
  }

  /** The default VDC of a fresh install: group `users`, every cluster of zone `zoneId`. */
  static createDefault(zoneId: number, usersGroup: number): Vdc {
    const template = new Template();
    template.set(
      'DESCRIPTION',
      'Every new group joins this VDC. Its resources are what groups get by default; remove a group from it before giving the group another VDC.',
    );
    return new Vdc(DEFAULT_VDC_ID, DEFAULT_VDC_NAME, template, [usersGroup], { CLUSTER: [{ zone: zoneId, id: ALL_RESOURCES }] });
  }
}
