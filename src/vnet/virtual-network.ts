/**
 * A virtual network (OpenNebula's NET object, `<VNET>`): the link NICs attach to (BRIDGE,
 * VN_MAD, PHYDEV, VLAN_ID...) and its address ranges, whose leases VMs, reservations and holds
 * take. An owned object, in any number of clusters. Its XML carries every used lease; its
 * stored body none (they have their own table, see lease-table.ts), so taking or freeing a
 * lease neither re-renders nor rewrites the network: only that AR's cached XML and the
 * network's assembled XML go, the rendered head and template and the other ARs stay.
 */
import type { XmlNode } from '../common/xml-tree.js';
import { child, childInt, childText } from '../common/xml-tree.js';
import { xmlElement, xmlEscapeText } from '../common/xml.js';
import type { Template, Vector } from '../common/template/index.js';
import { ClusterIds } from '../cluster/index.js';
import { PoolObject, Permissions, templateFromNode, type Lock, type Ownership } from '../pool/index.js';
import { AddressRange, type ArView } from './address-range.js';
import type { QuotaUsage } from '../auth/quotas.js';

/** `/VNET/STATE` (spec §3.6). */
export const VnetState = { INIT: 0, READY: 1, LOCK_CREATE: 2, LOCK_DELETE: 3, DONE: 4, ERROR: 5, UPDATE_FAILURE: 6 } as const;
export type VnetStateValue = (typeof VnetState)[keyof typeof VnetState];

/** BRIDGE_TYPE each VN_MAD implies when the template does not say. */
const OPENVSWITCH_MADS = new Set(['ovswitch', 'ovswitch_vxlan']);

export function defaultBridgeType(vnMad: string): string {
  return OPENVSWITCH_MADS.has(vnMad) ? 'openvswitch' : 'linux';
}

/** What describes a network besides id, name, owner, permissions, template and ARs. */
export interface VnetFields {
  bridge: string;
  bridgeType: string;
  state: VnetStateValue;
  prevState: VnetStateValue;
  /** The network a reservation was taken from, -1 for none. */
  parentId: number;
  /** The VN template it was instantiated from, -1 for none. */
  templateId: number;
  vnMad: string;
  phydev: string;
  vlanId: string;
  outerVlanId: string;
  vlanIdAutomatic: boolean;
  outerVlanIdAutomatic: boolean;
}

/** The fields mirrored in the template (OpenNebula shows them there too). */
const TEMPLATE_FIELDS = [
  ['BRIDGE', 'bridge'],
  ['BRIDGE_TYPE', 'bridgeType'],
  ['VN_MAD', 'vnMad'],
  ['PHYDEV', 'phydev'],
  ['VLAN_ID', 'vlanId'],
  ['OUTER_VLAN_ID', 'outerVlanId'],
] as const;

/** A lease found by address: its AR and index. */
export interface LeaseRef {
  readonly ar: AddressRange;
  readonly index: number;
}

function idsXml(root: string, ids: Iterable<number>): string {
  let xml = `<${root}>`;
  for (const id of [...ids].sort((a, b) => a - b)) xml += `<ID>${id}</ID>`;
  return `${xml}</${root}>`;
}

export class VirtualNetwork extends PoolObject {
  readonly type = 'NET' as const;
  readonly clusters: ClusterIds;
  /** Address ranges by AR_ID, in id order. */
  readonly ars = new Map<number, AddressRange>();
  readonly vrouters: Set<number>;
  private nextArId = 0;
  private poolXml: string | null = null;
  /** The XML before USED_LEASES and from after it to AR_POOL, rendered once per change that is not a lease's. */
  private parts: [string, string] | null = null;
  /** The stored body, rendered once per change that is not a lease's. */
  private body: string | null = null;

  constructor(
    oid: number,
    name: string,
    owner: Ownership,
    perms: Permissions,
    public fields: VnetFields,
    public template: Template,
    clusters: Iterable<number> = [],
    ars: Iterable<AddressRange> = [],
    lock: Lock | null = null,
    vrouters: Iterable<number> = [],
  ) {
    super(oid, name, owner, perms, lock);
    this.clusters = new ClusterIds(clusters);
    this.vrouters = new Set(vrouters);
    for (const ar of ars) this.putAr(ar);
  }

  /** The clusters it is in, ascending, for `NET/%cid` ACL rules. */
  get clusterIds(): readonly number[] {
    return this.clusters.ids;
  }

  hasCluster(cid: number): boolean {
    return this.clusters.has(cid);
  }

  addCluster(cid: number): void {
    this.clusters.add(cid);
  }

  removeCluster(cid: number): void {
    this.clusters.delete(cid);
  }

  /** Leases in use in all its ARs. */
  get usedLeases(): number {
    let n = 0;
    for (const ar of this.ars.values()) n += ar.usedCount;
    return n;
  }

  /** Whether it is a reservation taken from another network. */
  get isReservation(): boolean {
    return this.fields.parentId >= 0;
  }

  override changed(): void {
    super.changed();
    this.poolXml = null;
    this.parts = null;
    this.body = null;
  }

  /**
   * Marks that a lease of one of its ARs changed (the AR dropped its own cached XML): the
   * assembled XML is built again from the cached parts; the body stays.
   */
  leaseChanged(): void {
    super.changed();
    this.poolXml = null;
  }

  /** Takes over the leases of `other`, another instance of this network (see AddressRange.adoptLeases). */
  adoptLeases(other: VirtualNetwork): void {
    for (const ar of this.ars.values()) {
      const same = other.ars.get(ar.id);
      if (same) ar.adoptLeases(same);
    }
    this.leaseChanged();
  }

  /** Takes BRIDGE, VN_MAD... from the template after update, and writes them back into it. */
  templateUpdated(): void {
    const f = this.fields;
    for (const [attr, key] of TEMPLATE_FIELDS) {
      const v = this.template.get(attr);
      if (v !== undefined && v !== '' && !this.automatic(attr)) f[key] = v;
    }
    this.template.remove('AUTOMATIC_VLAN_ID');
    this.template.remove('AUTOMATIC_OUTER_VLAN_ID');
    this.syncTemplate();
  }

  /**
   * Writes the fields into the template, as OpenNebula shows them; a VLAN id the pool gave
   * (VLAN_ID_AUTOMATIC) is in the head only.
   */
  syncTemplate(): void {
    for (const [attr, key] of TEMPLATE_FIELDS) {
      if (this.automatic(attr)) this.template.remove(attr);
      else this.template.set(attr, this.fields[key]);
    }
  }

  /** Whether a head attribute is a VLAN id the pool gave (it stays out of the template). */
  private automatic(attr: string): boolean {
    return (attr === 'VLAN_ID' && this.fields.vlanIdAutomatic) || (attr === 'OUTER_VLAN_ID' && this.fields.outerVlanIdAutomatic);
  }

  /**
   * Adds an AR from its vector with the next AR_ID. Throws Error when the vector is wrong or the
   * new range shares a MAC or IPv4 address with one of the network's ARs.
   */
  addAr(v: Vector, macPrefix: number): AddressRange {
    const ar = AddressRange.fromVector(this.nextArId, v, macPrefix);
    for (const other of this.ars.values()) {
      if (ar.overlaps(other)) throw new Error(`The address range overlaps with address range ${other.id} of virtual network ${this.oid}.`);
    }
    this.putAr(ar);
    return ar;
  }

  /** Puts back an AR removed by a transaction that failed (see VirtualNetworkPool.removeAr). */
  insertAr(ar: AddressRange): void {
    this.putAr(ar);
  }

  /** Removes an AR (the caller checked its leases). */
  removeAr(arId: number): void {
    this.ars.delete(arId);
  }

  /** The lease of an IP (v4 or static v6) or MAC, in AR `arId` when given; undefined when none has it. */
  findLease(addr: { ip?: string; mac?: string }, arId?: number): LeaseRef | undefined {
    const ars = arId === undefined ? this.ars.values() : [this.ars.get(arId)].filter((a) => a !== undefined);
    for (const ar of ars) {
      const index = addr.ip !== undefined ? ar.indexOfIp(addr.ip) : addr.mac !== undefined ? ar.indexOfMac(addr.mac) : -1;
      if (index >= 0 && (addr.mac === undefined || addr.ip === undefined || ar.indexOfMac(addr.mac) === index)) return { ar, index };
    }
    return undefined;
  }

  /**
   * A network attribute as `$NETWORK[ATTR]` and NIC context read it: the head fields first
   * (BRIDGE, VN_MAD...), then the template.
   */
  attribute(name: string): string | undefined {
    const field = TEMPLATE_FIELDS.find(([attr]) => attr === name);
    if (field) return this.fields[field[1]];
    if (name === 'NAME') return this.name;
    if (name === 'ID') return String(this.oid);
    return this.template.get(name);
  }

  private putAr(ar: AddressRange): void {
    this.ars.set(ar.id, ar);
    if (ar.id >= this.nextArId) this.nextArId = ar.id + 1;
  }

  protected renderXml(): string {
    return this.render('info');
  }

  /** The `<VNET>` of one.vnpool.info, ARs with ALLOCATED instead of LEASES, escaped as text (cached). */
  toEscapedPoolXml(): string {
    return (this.poolXml ??= xmlEscapeText(this.render('pool')));
  }

  /** The stored body: the XML without USED_LEASES and without the ARs' lease state. */
  override toBody(): string {
    return (this.body ??= this.render('body'));
  }

  /** Assembles the `<VNET>` for a view from the cached head parts and the ARs' cached XML. */
  private render(view: ArView): string {
    const [head, rest] = (this.parts ??= this.renderParts());
    let xml = view === 'body' ? `${head}${rest}<AR_POOL>` : `${head}<USED_LEASES>${this.usedLeases}</USED_LEASES>${rest}<AR_POOL>`;
    for (const ar of this.ars.values()) xml += ar.toXml(view);
    return `${xml}</AR_POOL></VNET>`;
  }

  private renderParts(): [string, string] {
    const f = this.fields;
    return [
      `<VNET>${this.idAndOwnerXml()}${xmlElement('NAME', this.name)}${this.lockXml()}${this.perms.toXml()}${this.clusters.toXml()}` +
        `${xmlElement('BRIDGE', f.bridge)}${xmlElement('BRIDGE_TYPE', f.bridgeType)}<STATE>${f.state}</STATE><PREV_STATE>${f.prevState}</PREV_STATE>` +
        `${xmlElement('PARENT_NETWORK_ID', f.parentId < 0 ? '' : String(f.parentId))}${xmlElement('TEMPLATE_ID', f.templateId < 0 ? '' : String(f.templateId))}` +
        // VLAN_ID and OUTER_VLAN_ID are always there, empty when the network has none (7.4's CLI reads them unconditionally).
        `${xmlElement('VN_MAD', f.vnMad)}${xmlElement('PHYDEV', f.phydev)}${xmlElement('VLAN_ID', f.vlanId)}${xmlElement('OUTER_VLAN_ID', f.outerVlanId)}` +
        `<VLAN_ID_AUTOMATIC>${f.vlanIdAutomatic ? 1 : 0}</VLAN_ID_AUTOMATIC><OUTER_VLAN_ID_AUTOMATIC>${f.outerVlanIdAutomatic ? 1 : 0}</OUTER_VLAN_ID_AUTOMATIC>`,
      `${idsXml('VROUTERS', this.vrouters)}` +
        `<UPDATED_VMS></UPDATED_VMS><OUTDATED_VMS></OUTDATED_VMS><UPDATING_VMS></UPDATING_VMS><ERROR_VMS></ERROR_VMS>` +
        `${this.template.toXml()}`,
    ];
  }

  static fromXml(node: XmlNode): VirtualNetwork {
    const ids = (name: string) => (child(node, name)?.children ?? []).map((c) => Number(c.text));
    const idOrNone = (name: string) => (childText(node, name) === '' ? -1 : childInt(node, name));
    return new VirtualNetwork(
      childInt(node, 'ID'),
      childText(node, 'NAME'),
      PoolObject.ownerFromXml(node),
      Permissions.fromXml(child(node, 'PERMISSIONS')),
      {
        bridge: childText(node, 'BRIDGE'),
        bridgeType: childText(node, 'BRIDGE_TYPE'),
        state: childInt(node, 'STATE') as VnetStateValue,
        prevState: childInt(node, 'PREV_STATE') as VnetStateValue,
        parentId: idOrNone('PARENT_NETWORK_ID'),
        templateId: idOrNone('TEMPLATE_ID'),
        vnMad: childText(node, 'VN_MAD'),
        phydev: childText(node, 'PHYDEV'),
        vlanId: childText(node, 'VLAN_ID'),
        outerVlanId: childText(node, 'OUTER_VLAN_ID'),
        vlanIdAutomatic: childText(node, 'VLAN_ID_AUTOMATIC') === '1',
        outerVlanIdAutomatic: childText(node, 'OUTER_VLAN_ID_AUTOMATIC') === '1',
      },
      templateFromNode(child(node, 'TEMPLATE')),
      ids('CLUSTERS'),
      (child(node, 'AR_POOL')?.children ?? []).map((ar) => AddressRange.fromXml(ar)),
      PoolObject.lockFromXml(node),
      ids('VROUTERS'),
    );
  }
}

/** What a reservation of `size` leases of network `parent` costs its owner: NETWORK quota LEASES, as in OpenNebula. */
export function reservationQuotaUsage(parent: number, size: number): QuotaUsage[] {
  return [{ kind: 'NETWORK', id: parent, amounts: { LEASES: size } }];
}
