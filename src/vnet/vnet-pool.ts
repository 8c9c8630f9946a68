/**
 * The virtual network pool: table `network_pool` (leases in `network_lease`), names unique per
 * owner, and the lease operations VMs, holds and reservations go through. Every lease change
 * happens in one synchronous step and is recorded in the caller's transaction as a side change
 * (one lease row written, the network's body left alone), so a lease is never given twice and
 * a failed commit gives it back.
 */
import type { XmlNode } from '../common/xml-tree.js';
import type { Vector } from '../common/template/index.js';
import type { Database } from '../db/database.js';
import { Pool, type Transaction } from '../pool/index.js';
import { applyLeaseRows, arLeasesDelete, leaseWrite, nextIndexWrite, readLeaseRows } from './lease-table.js';
import { DEFAULT_MAC_PREFIX, parseMacPrefix } from './address.js';
import { HOLD, type AddressRange, type LeaseAddresses, type LeaseOwner } from './address-range.js';
import { VirtualNetwork, type LeaseRef } from './virtual-network.js';
import { nicContext } from './nic-context.js';
import { VlanIds, type VlanIdsConfig } from './vlan-ids.js';

export interface VirtualNetworkPoolOptions {
  /** MAC_PREFIX of oned.conf (`xx:xx`), default 02:00. */
  readonly macPrefix?: string;
  /** The uid of a user name (for NICs naming NETWORK_UNAME). */
  readonly uidOf?: (uname: string) => number | undefined;
  /** VLAN_IDS and VXLAN_IDS of oned.conf, for networks that ask for automatic VLAN ids. */
  readonly vlanIds?: VlanIdsConfig;
}

/** Network attributes copied into a NIC that does not set them (AR first, then the network). */
const INHERITED_NIC_ATTRS = ['MODEL', 'FILTER', 'SECURITY_GROUPS', 'MTU', 'VLAN_TAGGED_ID', 'FILTER_IP_SPOOFING', 'FILTER_MAC_SPOOFING', 'INBOUND_AVG_BW', 'OUTBOUND_AVG_BW'];

/** Which addresses of a lease a hold or release names. */
export interface LeaseRequest {
  readonly ip?: string;
  readonly mac?: string;
  readonly arId?: number;
}

/** What `one.vn.reserve` takes from the parent. */
export interface ReservationRequest {
  readonly size: number;
  readonly arId?: number;
  readonly ip?: string;
  readonly mac?: string;
}

function describe(addr: { ip?: string; mac?: string }): string {
  return addr.ip !== undefined ? `IP ${addr.ip}` : `MAC ${addr.mac ?? ''}`;
}

export class VirtualNetworkPool extends Pool<VirtualNetwork> {
  /** MAC_PREFIX as the top 16 bits of the MACs ARs make up. */
  readonly macPrefix: number;
  /** The automatic VLAN ids given (see vlan-ids.ts). */
  readonly vlans: VlanIds;
  private readonly uidOf: (uname: string) => number | undefined;

  constructor(options: VirtualNetworkPoolOptions = {}) {
    super({ table: 'network_pool', type: 'NET', root: 'VNET_POOL', nameScope: 'owner' });
    const text = options.macPrefix ?? DEFAULT_MAC_PREFIX;
    const prefix = parseMacPrefix(text);
    if (prefix === undefined) throw new Error(`MAC_PREFIX "${text}" in oned.conf is not two hex bytes such as "02:00".`);
    this.macPrefix = prefix;
    this.uidOf = options.uidOf ?? (() => undefined);
    this.vlans = new VlanIds(options.vlanIds);
  }

  protected fromXml(node: XmlNode): VirtualNetwork {
    return VirtualNetwork.fromXml(node);
  }

  /** Loads the networks, then their leases from the lease table. */
  override async load(db: Database): Promise<void> {
    await super.load(db);
    for (const vnet of this.all()) this.vlans.track(vnet.fields);
    const [leases, ars] = await readLeaseRows(db);
    applyLeaseRows(leases, ars, (oid) => this.get(oid));
  }

  /**
   * Puts back a stored body after a failed commit. The body has no leases: the rebuilt network
   * keeps those of the instance it replaces (the transaction undoes its own lease changes).
   */
  override restore(oid: number, xml: string | null): void {
    const current = this.get(oid);
    super.restore(oid, xml);
    const now = this.get(oid);
    if (current && now && now !== current) now.adoptLeases(current);
  }

  /** Makes the network match its stored row and lease rows (or removes it when there is none). */
  override async reload(db: Database, oid: number): Promise<void> {
    const [rows, [leases, ars]] = await Promise.all([
      db.query(`SELECT body FROM ${this.options.table} WHERE oid = ?`, [oid]),
      readLeaseRows(db, oid),
    ]);
    // The whole network is rebuilt: its leases in memory may be ones the database never got.
    super.restore(oid, rows.length ? String(rows[0]!.body) : null);
    applyLeaseRows(leases, ars, (id) => this.get(id));
  }

  /** `<VNET_POOL>` of one.vnpool.info (ARs without LEASES), escaped as XML text. */
  toEscapedListing(vnets: Iterable<VirtualNetwork>): string {
    let xml = '&lt;VNET_POOL&gt;';
    for (const v of vnets) xml += v.toEscapedPoolXml();
    return `${xml}&lt;/VNET_POOL&gt;`;
  }

  /** The guest's network variables of a VM NIC leased from `vnet` (see nic-context.ts). */
  contextOf(nic: Vector, vnet: VirtualNetwork): Record<string, string> {
    return nicContext(nic, vnet, Number(nic.get('NIC_ID')));
  }

  /** The network a VM NIC names: NETWORK_ID, or NETWORK (+ NETWORK_UNAME or NETWORK_UID; default owner uid). Throws Error naming what is missing. */
  resolveNic(nic: Vector, uid: number): VirtualNetwork {
    const idText = nic.get('NETWORK_ID');
    if (idText !== undefined && idText !== '') {
      const id = Number(idText);
      const vnet = Number.isInteger(id) ? this.get(id) : undefined;
      if (!vnet) throw new Error(`Virtual network ${idText} does not exist.`);
      return vnet;
    }
    const name = nic.get('NETWORK');
    if (name === undefined || name === '') throw new Error('The NIC names no network: give NETWORK_ID or NETWORK.');
    let owner = uid;
    const uname = nic.get('NETWORK_UNAME');
    const uidText = nic.get('NETWORK_UID');
    if (uname) {
      const found = this.uidOf(uname);
      if (found === undefined) throw new Error(`User "${uname}" (NETWORK_UNAME of the NIC) does not exist.`);
      owner = found;
    } else if (uidText) {
      owner = Number(uidText);
    }
    const vnet = this.getByName(name, owner);
    if (!vnet) throw new Error(`Virtual network "${name}" of user ${owner} does not exist.`);
    return vnet;
  }

  /**
   * Takes a lease for VM vmId in tx (the requested IP or MAC when the NIC has one, else the
   * first free of any AR, AR_ID honoured) and fills the NIC with the network, the lease's
   * addresses and the attributes OpenNebula copies into NICs. Throws Error
   * "No free leases in virtual network <id>", "IP x is already in use", ...
   */
  allocateLease(tx: Transaction, vnet: VirtualNetwork, vmId: number, nic: Vector): void {
    this.takeLease(tx, vnet, { kind: 'VM', id: vmId }, nic);
  }

  /**
   * A virtual router's NIC on `vnet`: the network recorded in the NIC and the router in the
   * network's VROUTERS; a FLOATING_IP = YES NIC also takes a lease owned by the router (as
   * allocateLease). Throws Error as allocateLease.
   */
  routerNic(tx: Transaction, vnet: VirtualNetwork, routerId: number, nic: Vector, floating: boolean): void {
    if (floating) this.takeLease(tx, vnet, { kind: 'VROUTER', id: routerId }, nic);
    else {
      nic.set('NETWORK', vnet.name);
      nic.set('NETWORK_ID', String(vnet.oid));
    }
    if (!vnet.vrouters.has(routerId)) tx.touch(this, vnet).vrouters.add(routerId);
  }

  /** Gives back what routerNic took: the floating lease (by AR_ID and VROUTER_MAC) and the network's record of the router, unless `keep` (another NIC of the router is on the network). */
  releaseRouterNic(tx: Transaction, nic: Vector, routerId: number, keep: boolean): void {
    const vnet = this.get(Number(nic.get('NETWORK_ID') ?? -1));
    if (!vnet) return;
    const ar = vnet.ars.get(Number(nic.get('AR_ID') ?? -1));
    const index = ar ? ar.indexOfMac(nic.get('VROUTER_MAC') ?? '') : -1;
    const owner = ar && index >= 0 ? ar.ownerOf(index) : undefined;
    if (ar && owner?.kind === 'VROUTER' && owner.id === routerId) this.setLease(tx, vnet, ar, index, undefined);
    if (!keep && vnet.vrouters.has(routerId)) tx.touch(this, vnet).vrouters.delete(routerId);
  }

  private takeLease(tx: Transaction, vnet: VirtualNetwork, owner: LeaseOwner, nic: Vector): void {
    const arId = this.arIdOf(vnet, nic.get('AR_ID'));
    const ip = nic.get('IP') || undefined;
    const mac = nic.get('MAC') || undefined;
    let ref: LeaseRef | undefined;
    if (ip !== undefined || mac !== undefined) {
      ref = this.freeLease(vnet, { ip, mac, arId });
    } else {
      for (const ar of arId === undefined ? vnet.ars.values() : [vnet.ars.get(arId)!]) {
        const index = ar.firstFree();
        if (index >= 0) {
          ref = { ar, index };
          break;
        }
      }
      if (!ref) throw new Error(`No free leases in virtual network ${vnet.oid}${arId === undefined ? '' : ` address range ${arId}`}.`);
    }
    this.setLease(tx, vnet, ref.ar, ref.index, owner);
    this.fillNic(nic, vnet, ref);
  }

  /** Frees the lease a NIC holds (by NETWORK_ID, AR_ID, MAC) if VM vmId holds it. */
  releaseLease(tx: Transaction, nic: Vector, vmId: number): void {
    const vnet = this.get(Number(nic.get('NETWORK_ID') ?? -1));
    const ar = vnet?.ars.get(Number(nic.get('AR_ID') ?? -1));
    if (!vnet || !ar) return;
    const index = ar.indexOfMac(nic.get('MAC') ?? '');
    const owner = index >= 0 ? ar.ownerOf(index) : undefined;
    if (owner?.kind !== 'VM' || owner.id !== vmId) return;
    this.setLease(tx, vnet, ar, index, undefined);
  }

  /** `one.vn.hold`: puts a free lease on hold. Throws Error when it is not in the network or not free. */
  hold(tx: Transaction, vnet: VirtualNetwork, req: LeaseRequest): void {
    const ref = this.freeLease(vnet, req);
    this.setLease(tx, vnet, ref.ar, ref.index, HOLD);
  }

  /** `one.vn.release`: frees a lease on hold. Throws Error when it is not on hold. */
  release(tx: Transaction, vnet: VirtualNetwork, req: LeaseRequest): void {
    const ref = this.leaseOf(vnet, req);
    const owner = ref.ar.ownerOf(ref.index);
    if (owner?.kind !== HOLD.kind || owner.id !== HOLD.id) {
      throw new Error(`${describe(req)} of virtual network ${vnet.oid} is not on hold${owner ? ` (it is used by ${owner.kind} ${owner.id})` : ''}.`);
    }
    this.setLease(tx, vnet, ref.ar, ref.index, undefined);
  }

  /**
   * `one.vn.reserve`: takes `size` consecutive free leases of an AR of `parent` (the one named,
   * or the first with room; from IP/MAC when given) for `target`, which gets them as a new AR
   * with PARENT_NETWORK_AR_ID. Throws Error when no AR has room.
   */
  reserveLeases(tx: Transaction, parent: VirtualNetwork, target: VirtualNetwork, req: ReservationRequest): AddressRange {
    let found: LeaseRef | undefined;
    if (req.ip !== undefined || req.mac !== undefined) {
      const start = this.leaseOf(parent, req);
      const index = start.ar.freeRun(req.size, start.index, true);
      if (index < 0) throw new Error(`Cannot reserve ${req.size} leases from ${describe(req)} in virtual network ${parent.oid}: some are used or past the end of address range ${start.ar.id}.`);
      found = { ar: start.ar, index };
    } else {
      const ars = req.arId === undefined ? [...parent.ars.values()] : [this.arOf(parent, req.arId)];
      for (const ar of ars) {
        const index = ar.freeRun(req.size);
        if (index >= 0) {
          found = { ar, index };
          break;
        }
      }
      if (!found) throw new Error(`Not enough free leases in virtual network ${parent.oid}: no address range has ${req.size} consecutive free leases.`);
    }
    const { ar, index } = found;
    const a: LeaseAddresses = ar.addresses(index);
    const v: Vector = new Map(ar.attrs);
    v.delete('AR_ID');
    v.set('SIZE', String(req.size));
    v.set('MAC', a.MAC);
    if (a.IP !== undefined) v.set('IP', a.IP);
    if (a.IP6 !== undefined) v.set('IP6', a.IP6);
    v.set('PARENT_NETWORK_AR_ID', String(ar.id));
    tx.touch(this, target);
    const reserved = target.addAr(v, this.macPrefix);
    const owner: LeaseOwner = { kind: 'VNET', id: target.oid };
    for (let i = index; i < index + req.size; i++) this.setLease(tx, parent, ar, i, owner);
    return reserved;
  }

  /** Gives the leases of a reservation AR back to the parent network (the AR stays; the caller removes it). */
  returnReservation(tx: Transaction, reservation: VirtualNetwork, ar: AddressRange): void {
    const parent = this.get(reservation.fields.parentId);
    const parentAr = parent?.ars.get(ar.parentArId ?? -1);
    if (!parent || !parentAr) return;
    const first = parentAr.indexOfMac(ar.addresses(0).MAC);
    for (let i = 0; i < ar.size && first >= 0; i++) {
      const owner = parentAr.ownerOf(first + i);
      if (owner?.kind === 'VNET' && owner.id === reservation.oid) this.setLease(tx, parent, parentAr, first + i, undefined);
    }
  }

  /** Removes AR `arId` of `vnet` in tx with its lease rows (the caller checked the leases may go). */
  removeAr(tx: Transaction, vnet: VirtualNetwork, arId: number): void {
    const ar = this.arOf(vnet, arId);
    const { oid } = vnet;
    tx.sideChange(this, vnet, {
      writes: arLeasesDelete(oid, arId),
      // The network's body comes back when the touch is undone, before or after this (by
      // whether this transaction touched it earlier); the leases live on in `ar`.
      undo: () => {
        const now = this.get(oid);
        if (!now) return;
        const back = now.ars.get(arId);
        if (back) back.adoptLeases(ar);
        else now.insertAr(ar);
        now.leaseChanged();
      },
    });
    tx.touch(this, vnet).removeAr(arId);
  }

  /**
   * Deletes a network in tx (remove its ARs first, with removeAr). A failed commit puts the
   * instance's state back before its body is restored, so the ARs' undos find the network.
   */
  deleteNetwork(tx: Transaction, vnet: VirtualNetwork): void {
    const { oid } = vnet;
    tx.delete(this, vnet);
    tx.sideChange(this, vnet, {
      writes: [],
      undo: () => {
        if (this.get(oid)) return;
        super.restore(oid, vnet.toBody());
        this.get(oid)?.adoptLeases(vnet);
      },
    });
  }

  /**
   * Gives lease `index` of `ar` to `owner` (undefined: frees it) in tx: its lease row (and, for
   * a take, the AR's NEXT_INDEX) written, the network's body untouched; a failed or refused commit puts the lease back as it was.
   */
  private setLease(tx: Transaction, vnet: VirtualNetwork, ar: AddressRange, index: number, owner: LeaseOwner | undefined): void {
    const before = ar.ownerOf(index);
    const next = ar.next;
    if (owner) ar.take(index, owner);
    else ar.free(index);
    vnet.leaseChanged();
    const { oid } = vnet;
    const arId = ar.id;
    tx.sideChange(this, vnet, {
      writes: owner ? [leaseWrite(oid, arId, index, owner), nextIndexWrite(oid, arId, ar.next)] : [leaseWrite(oid, arId, index, undefined)],
      undo: () => {
        const now = this.get(oid);
        now?.ars.get(arId)?.revert(index, before, next);
        now?.leaseChanged();
      },
    });
  }

  /** The AR `arId` names, or undefined for none; throws Error when the network has no such AR. */
  private arIdOf(vnet: VirtualNetwork, text: string | undefined): number | undefined {
    if (text === undefined || text === '') return undefined;
    return this.arOf(vnet, Number(text)).id;
  }

  private arOf(vnet: VirtualNetwork, arId: number): AddressRange {
    const ar = vnet.ars.get(arId);
    if (!ar) throw new Error(`Address range ${arId} does not exist in virtual network ${vnet.oid}.`);
    return ar;
  }

  /** The lease an IP or MAC names; throws Error when the network (or AR) has no such address. */
  private leaseOf(vnet: VirtualNetwork, req: LeaseRequest): LeaseRef {
    if (req.ip === undefined && req.mac === undefined) throw new Error('The lease names no address: give IP or MAC.');
    if (req.arId !== undefined) this.arOf(vnet, req.arId);
    const ref = vnet.findLease(req, req.arId);
    if (!ref) throw new Error(`${describe(req)} is not part of virtual network ${vnet.oid}${req.arId === undefined ? '' : ` address range ${req.arId}`}.`);
    return ref;
  }

  private freeLease(vnet: VirtualNetwork, req: LeaseRequest): LeaseRef {
    const ref = this.leaseOf(vnet, req);
    const owner = ref.ar.ownerOf(ref.index);
    if (owner) throw new Error(`${describe(req)} is already in use in virtual network ${vnet.oid} (${owner.kind} ${owner.id}).`);
    return ref;
  }

  /** A NIC on `vnet` without an address of its own (a router VM's FLOATING_ONLY NIC): the network's attributes, no lease. */
  fillNetwork(nic: Vector, vnet: VirtualNetwork): void {
    this.fillNic(nic, vnet, undefined);
  }

  private fillNic(nic: Vector, vnet: VirtualNetwork, lease: LeaseRef | undefined): void {
    const f = vnet.fields;
    nic.set('NETWORK', vnet.name);
    nic.set('NETWORK_ID', String(vnet.oid));
    nic.set('NETWORK_UNAME', vnet.owner.uname);
    if (lease) nic.set('AR_ID', String(lease.ar.id));
    nic.set('BRIDGE', f.bridge);
    nic.set('BRIDGE_TYPE', f.bridgeType);
    nic.set('VN_MAD', f.vnMad);
    nic.set('PHYDEV', f.phydev);
    if (f.vlanId !== '') nic.set('VLAN_ID', f.vlanId);
    if (f.outerVlanId !== '') nic.set('OUTER_VLAN_ID', f.outerVlanId);
    if (lease) for (const [k, v] of Object.entries(lease.ar.addresses(lease.index))) nic.set(k, v as string);
    for (const k of INHERITED_NIC_ATTRS) {
      if (nic.has(k)) continue;
      const v = lease?.ar.get(k) ?? vnet.template.get(k);
      if (v !== undefined) nic.set(k, v);
    }
  }
}
