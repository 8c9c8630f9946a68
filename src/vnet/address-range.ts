/**
 * An address range (AR) of a virtual network: SIZE consecutive leases of one TYPE, each a MAC
 * and, by type, an IPv4 address, SLAAC IPv6 addresses (from ULA_PREFIX / GLOBAL_PREFIX and the
 * MAC) or static IPv6 addresses. Lease i is the i-th address from the first one.
 *
 * Only used leases are objects; a bitmap says which indexes are taken, so a /16 costs 8 KiB
 * and finding a free lease scans words past the full ones, not leases. Leases are stored in
 * their own table (see lease-table.ts), not in the AR's stored XML: the AR renders a body
 * without them, and a lease change leaves that body as it is.
 */
import { randomInt } from 'node:crypto';
import type { Vector } from '../common/template/index.js';
import type { XmlNode } from '../common/xml-tree.js';
import { xmlElement } from '../common/xml.js';
import { ObjectType } from '../common/object-type.js';
import {
  LINK_LOCAL_PREFIX, MAX_MAC, eui64, formatIp4, formatIp6, formatMac, macFromIp4, parseIp4, parseIp6, parseMac, parsePrefix64,
} from './address.js';

/** AR TYPE names (spec §3.6). */
export const AR_TYPES = ['ETHER', 'IP4', 'IP6', 'IP6_STATIC', 'IP4_6', 'IP4_6_STATIC'] as const;
export type ArType = (typeof AR_TYPES)[number];

const HAS_IP4: ReadonlySet<ArType> = new Set(['IP4', 'IP4_6', 'IP4_6_STATIC']);
const HAS_SLAAC: ReadonlySet<ArType> = new Set(['IP6', 'IP4_6']);
const HAS_STATIC6: ReadonlySet<ArType> = new Set(['IP6_STATIC', 'IP4_6_STATIC']);

/** Who holds a lease: a VM (`id` -1: on hold), a reservation network, or a virtual router. */
export interface LeaseOwner {
  readonly kind: 'VM' | 'VNET' | 'VROUTER';
  readonly id: number;
}

/** Lease owner kinds, as LEASE elements name them. */
export const LEASE_OWNER_KINDS: readonly LeaseOwner['kind'][] = ['VM', 'VNET', 'VROUTER'];

/** The owner of a lease put on hold with `one.vn.hold`. */
export const HOLD: LeaseOwner = { kind: 'VM', id: -1 };

/** The addresses of one lease, as NICs and LEASE elements name them. */
export interface LeaseAddresses {
  readonly MAC: string;
  readonly IP?: string;
  readonly IP6?: string;
  readonly IP6_GLOBAL?: string;
  readonly IP6_LINK?: string;
  readonly IP6_ULA?: string;
}

/**
 * What an `<AR>` is rendered for: one.vn.info (with LEASES), one.vnpool.info (the stored
 * attributes with ALLOCATED) or the stored body (no lease state at all: USED_LEASES,
 * NEXT_INDEX and leases are not in it).
 */
export type ArView = 'info' | 'pool' | 'body';

const VIEW_SLOT: Readonly<Record<ArView, number>> = { info: 0, pool: 1, body: 2 };

/** Attributes the AR computes; never stored from a template. */
const COMPUTED = new Set(['MAC_END', 'IP_END', 'IP6_ULA', 'IP6_ULA_END', 'IP6_GLOBAL', 'IP6_GLOBAL_END', 'IP6_END', 'USED_LEASES', 'LEASES', 'ALLOCATED', 'NEXT_INDEX']);

/** Attributes update_ar may not change (OpenNebula drops them from the update). */
const RESTRICTED_ON_UPDATE = new Set(['AR_ID', 'TYPE', 'IP', 'MAC', 'IP6', 'PARENT_NETWORK_AR_ID']);

/** The address of the AR's last lease must fit. */
const MAX_IP4 = 2 ** 32 - 1;

function positiveSize(text: string | undefined): number {
  const size = Number(text);
  if (text === undefined || !/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(size) || size < 1) {
    throw new Error(`Wrong SIZE "${text ?? ''}" for the address range: it must be a positive integer.`);
  }
  return size;
}

export class AddressRange {
  /** Every stored attribute of the AR vector (AR_ID, TYPE, SIZE, IP, MAC, GATEWAY...). */
  readonly attrs: ReadonlyMap<string, string>;
  private readonly own: Map<string, string>;
  private owners = new Map<number, LeaseOwner>();
  private bitmap: Uint32Array;
  /** Words below this one are full: where the search for a free lease starts. */
  private firstOpenWord = 0;
  /** The lease after the last one taken (NEXT_INDEX). */
  private nextIndex = 0;
  /**
   * Whether a lease was ever taken: OpenNebula's stored AR has ALLOCATED from then on (empty
   * once every lease is free again), and the pool listing shows it.
   */
  private everAllocated = false;
  /** Rendered `<AR>` per view (VIEW_SLOT); a lease change drops the first two, any other change all. */
  private xml: [string | null, string | null, string | null] = [null, null, null];

  private constructor(
    readonly id: number,
    readonly type: ArType,
    public size: number,
    readonly mac: number,
    readonly ip: number | undefined,
    readonly ip6: bigint | undefined,
    attrs: Map<string, string>,
  ) {
    this.attrs = this.own = attrs;
    this.bitmap = new Uint32Array(Math.ceil(size / 32));
  }

  /**
   * A new AR from an `AR = [...]` vector. A missing MAC is MAC_PREFIX followed by the IPv4
   * address, or random bytes without one, as OpenNebula makes them. Throws Error saying what is
   * wrong.
   */
  static fromVector(id: number, v: Vector, macPrefix: number): AddressRange {
    const typeText = (v.get('TYPE') ?? '').trim().toUpperCase();
    if (!(AR_TYPES as readonly string[]).includes(typeText)) {
      throw new Error(`Unknown address range TYPE "${v.get('TYPE') ?? ''}": use ${AR_TYPES.join(', ')}.`);
    }
    const type = typeText as ArType;
    const size = positiveSize(v.get('SIZE'));
    const attrs = new Map<string, string>();
    for (const [k, val] of v) if (!COMPUTED.has(k)) attrs.set(k, val);
    attrs.set('AR_ID', String(id));
    attrs.set('TYPE', type);
    attrs.set('SIZE', String(size));
    // Whether the range is shared (7.4 sets it on every AR, NO unless told).
    if (!attrs.get('SHARED')) attrs.set('SHARED', 'NO');
    let ip: number | undefined;
    if (HAS_IP4.has(type)) {
      const text = v.get('IP') ?? '';
      ip = parseIp4(text);
      if (ip === undefined) throw new Error(`Wrong IP "${text}" for a ${type} address range: it needs a valid IPv4 address.`);
      if (ip + size - 1 > MAX_IP4) throw new Error(`The address range from ${formatIp4(ip)} with SIZE ${size} goes past 255.255.255.255.`);
      attrs.set('IP', formatIp4(ip));
    } else {
      attrs.delete('IP');
    }
    let ip6: bigint | undefined;
    if (HAS_STATIC6.has(type)) {
      const text = v.get('IP6') ?? '';
      ip6 = parseIp6(text);
      if (ip6 === undefined) throw new Error(`Wrong IP6 "${text}" for a ${type} address range: it needs a valid IPv6 address.`);
      if (ip6 + BigInt(size - 1) >= 1n << 128n) throw new Error(`The address range from ${text} with SIZE ${size} goes past the IPv6 space.`);
      const prefix = Number(v.get('PREFIX_LENGTH') ?? '');
      if (!Number.isInteger(prefix) || prefix < 1 || prefix > 128) throw new Error(`Wrong PREFIX_LENGTH "${v.get('PREFIX_LENGTH') ?? ''}" for a ${type} address range: use 1-128.`);
      attrs.set('IP6', formatIp6(ip6));
    } else {
      attrs.delete('IP6');
    }
    if (HAS_SLAAC.has(type)) {
      for (const p of ['ULA_PREFIX', 'GLOBAL_PREFIX']) {
        const text = v.get(p);
        if (text === undefined || text === '') continue;
        const prefix = parsePrefix64(text);
        if (prefix === undefined) throw new Error(`Wrong ${p} "${text}": it must be a /64 prefix such as fd00:0:0:1::.`);
        attrs.set(p, formatIp6(prefix));
      }
    }
    let mac: number;
    const macText = v.get('MAC');
    if (macText !== undefined && macText !== '') {
      const parsed = parseMac(macText);
      if (parsed === undefined) throw new Error(`Wrong MAC "${macText}" for the address range.`);
      mac = parsed;
    } else {
      mac = macFromIp4(macPrefix, ip ?? randomInt(0, 2 ** 32 - size));
    }
    if (mac + size - 1 > MAX_MAC) throw new Error(`The address range from MAC ${formatMac(mac)} with SIZE ${size} goes past ff:ff:ff:ff:ff:ff.`);
    attrs.set('MAC', formatMac(mac));
    return new AddressRange(id, type, size, mac, ip, ip6, attrs);
  }

  /**
   * Reads an `<AR>` element of a stored body. Bodies of schema 6 still carry LEASES and
   * NEXT_INDEX: they are read too, for the migration that moves them into the lease table.
   */
  static fromXml(node: XmlNode): AddressRange {
    const attrs = new Map<string, string>();
    let leases: XmlNode | undefined;
    let nextIndex = 0;
    for (const c of node.children) {
      if (c.name === 'LEASES') leases = c;
      else if (c.name === 'NEXT_INDEX') nextIndex = Number(c.text);
      else if (!COMPUTED.has(c.name) && c.children.length === 0) attrs.set(c.name, c.text);
    }
    // Bodies written before SHARED existed get its default.
    if (!attrs.get('SHARED')) attrs.set('SHARED', 'NO');
    const type = attrs.get('TYPE') as ArType;
    const ip = attrs.has('IP') ? parseIp4(attrs.get('IP')!) : undefined;
    const ip6 = attrs.has('IP6') && HAS_STATIC6.has(type) ? parseIp6(attrs.get('IP6')!) : undefined;
    const ar = new AddressRange(Number(attrs.get('AR_ID')), type, Number(attrs.get('SIZE')), parseMac(attrs.get('MAC')!)!, ip, ip6, attrs);
    for (const l of leases?.children ?? []) {
      const get = (n: string) => l.children.find((c) => c.name === n)?.text;
      const index = parseMac(get('MAC') ?? '')! - ar.mac;
      const kind = LEASE_OWNER_KINDS.find((k) => get(k) !== undefined) ?? 'VM';
      ar.take(index, { kind, id: Number(get(kind)) });
    }
    ar.nextIndex = nextIndex;
    return ar;
  }

  /** Leases in use (held ones included). */
  get usedCount(): number {
    return this.owners.size;
  }

  /** The parent AR a reservation's AR was taken from, or undefined. */
  get parentArId(): number | undefined {
    const p = this.attrs.get('PARENT_NETWORK_AR_ID');
    return p === undefined || p === '' ? undefined : Number(p);
  }

  /** The value of an AR attribute (GATEWAY, DNS...), or undefined. */
  get(name: string): string | undefined {
    return this.attrs.get(name);
  }

  /** The addresses of lease `index`. */
  addresses(index: number): LeaseAddresses {
    const mac = this.mac + index;
    const out: { -readonly [K in keyof LeaseAddresses]: LeaseAddresses[K] } = { MAC: formatMac(mac) };
    if (this.ip !== undefined) out.IP = formatIp4(this.ip + index);
    if (this.ip6 !== undefined) out.IP6 = formatIp6(this.ip6 + BigInt(index));
    if (HAS_SLAAC.has(this.type)) {
      const iid = eui64(mac);
      const global = this.attrs.get('GLOBAL_PREFIX');
      const ula = this.attrs.get('ULA_PREFIX');
      if (global) out.IP6_GLOBAL = formatIp6(parseIp6(global)! | iid);
      out.IP6_LINK = formatIp6(LINK_LOCAL_PREFIX | iid);
      if (ula) out.IP6_ULA = formatIp6(parseIp6(ula)! | iid);
    }
    return out;
  }

  /** The lease of an IPv4 address (or static IPv6 address), or -1 when it is not in the AR. */
  indexOfIp(text: string): number {
    const ip4 = parseIp4(text);
    if (ip4 !== undefined) return this.ip !== undefined && ip4 >= this.ip && ip4 < this.ip + this.size ? ip4 - this.ip : -1;
    const ip6 = parseIp6(text);
    if (ip6 === undefined || this.ip6 === undefined) return -1;
    const offset = ip6 - this.ip6;
    return offset >= 0n && offset < BigInt(this.size) ? Number(offset) : -1;
  }

  /** The lease of a MAC, or -1 when it is not in the AR. */
  indexOfMac(text: string): number {
    const mac = parseMac(text);
    return mac !== undefined && mac >= this.mac && mac < this.mac + this.size ? mac - this.mac : -1;
  }

  ownerOf(index: number): LeaseOwner | undefined {
    return this.owners.get(index);
  }

  /** NEXT_INDEX: the lease after the last one taken. */
  get next(): number {
    return this.nextIndex;
  }

  /** Sets NEXT_INDEX as it was stored (0 when it is past the end). */
  set next(value: number) {
    this.nextIndex = value >= 0 && value < this.size ? value : 0;
    this.leasesChanged();
  }

  /** Marks that the AR has had leases (its row in the AR table says so after a restart). */
  markAllocated(): void {
    if (this.everAllocated) return;
    this.everAllocated = true;
    this.leasesChanged();
  }

  /** Marks lease `index` as held by `owner`; the caller checked it is free. */
  take(index: number, owner: LeaseOwner): void {
    this.leasesChanged();
    this.everAllocated = true;
    this.owners.set(index, owner);
    this.bitmap[index >>> 5]! |= 1 << (index & 31);
    this.nextIndex = index + 1 >= this.size ? 0 : index + 1;
  }

  /** Frees lease `index`. */
  free(index: number): void {
    if (!this.owners.delete(index)) return;
    this.leasesChanged();
    const word = index >>> 5;
    this.bitmap[word]! &= ~(1 << (index & 31));
    if (word < this.firstOpenWord) this.firstOpenWord = word;
  }

  /** Puts lease `index` back as it was, held by `owner` or free, with NEXT_INDEX `next` (undoing a take or free). */
  revert(index: number, owner: LeaseOwner | undefined, next: number): void {
    if (owner) this.take(index, owner);
    else this.free(index);
    this.next = next;
  }

  /**
   * Takes over the leases of `other`, the same AR in another instance of its network (after a
   * rollback rebuilt the network from its body, which has no leases).
   */
  adoptLeases(other: AddressRange): void {
    for (const [index, owner] of other.owners) if (index < this.size) this.take(index, owner);
    this.nextIndex = other.nextIndex < this.size ? other.nextIndex : 0;
    this.everAllocated ||= other.everAllocated;
  }

  private leasesChanged(): void {
    this.xml[0] = this.xml[1] = null;
  }

  /** The lowest free lease, or -1 when the AR is full. */
  firstFree(): number {
    for (let w = this.firstOpenWord; w < this.bitmap.length; w++) {
      const bits = this.bitmap[w]!;
      if (bits === 0xffffffff) continue;
      this.firstOpenWord = w;
      const bit = 31 - Math.clz32(~bits & (bits + 1)); // lowest zero bit
      const index = w * 32 + bit;
      return index < this.size ? index : -1;
    }
    this.firstOpenWord = this.bitmap.length;
    return -1;
  }

  /** The first of `count` consecutive free leases from `from` on (or only at `from` when exact), or -1. */
  freeRun(count: number, from = 0, exact = false): number {
    let start = from;
    while (start + count <= this.size) {
      let clash = -1;
      for (let i = start; i < start + count; i++) if (this.isUsed(i)) clash = i;
      if (clash < 0) return start;
      if (exact) return -1;
      start = clash + 1;
    }
    return -1;
  }

  isUsed(index: number): boolean {
    return (this.bitmap[index >>> 5]! & (1 << (index & 31))) !== 0;
  }

  /** Used leases, by index. */
  leases(): IterableIterator<[number, LeaseOwner]> {
    return this.owners.entries();
  }

  /** Indexes of the used leases in ascending order, read from the bitmap (no sort). */
  private *usedIndexes(): Generator<number> {
    for (let w = 0; w < this.bitmap.length; w++) {
      let bits = this.bitmap[w]!;
      while (bits !== 0) {
        const low = bits & -bits;
        yield w * 32 + (31 - Math.clz32(low));
        bits = (bits ^ low) >>> 0;
      }
    }
  }

  /** Whether the MAC or IPv4 ranges of the two ARs share an address. */
  overlaps(other: AddressRange): boolean {
    const meets = (a: number, b: number) => a < b + other.size && b < a + this.size;
    if (meets(this.mac, other.mac)) return true;
    return this.ip !== undefined && other.ip !== undefined && meets(this.ip, other.ip);
  }

  /**
   * Applies `one.vn.update_ar`: every attribute but the restricted ones (AR_ID, TYPE, IP, MAC,
   * IP6, PARENT_NETWORK_AR_ID, kept as they are); SIZE may change while no used lease falls out.
   * Throws Error when the new SIZE is wrong.
   */
  update(v: Vector): void {
    this.xml = [null, null, null];
    const sizeText = v.get('SIZE');
    if (sizeText !== undefined) {
      const size = positiveSize(sizeText);
      for (const index of this.owners.keys()) {
        if (index >= size) throw new Error(`Cannot shrink address range ${this.id} to SIZE ${size}: lease ${index} is in use.`);
      }
      if ((this.ip ?? 0) + size - 1 > MAX_IP4 || this.mac + size - 1 > MAX_MAC) throw new Error(`SIZE ${size} makes address range ${this.id} go past the last address.`);
      this.resize(size);
    }
    for (const [k, val] of v) {
      if (!RESTRICTED_ON_UPDATE.has(k) && !COMPUTED.has(k) && k !== 'SIZE') this.own.set(k, val);
    }
  }

  private resize(size: number): void {
    this.xml = [null, null, null];
    const bitmap = new Uint32Array(Math.ceil(size / 32));
    bitmap.set(this.bitmap.subarray(0, bitmap.length));
    this.bitmap = bitmap;
    this.size = size;
    this.own.set('SIZE', String(size));
    this.firstOpenWord = 0;
    if (this.nextIndex >= size) this.nextIndex = 0;
  }

  /**
   * The `<AR>` element. one.vn.info: the stored attributes in name order (as OpenNebula keeps
   * the vector), the computed ends, USED_LEASES and LEASES. The pool listing shows the AR as
   * OpenNebula stores it: the attributes in name order with NEXT_INDEX and ALLOCATED (once the
   * AR had a lease), nothing computed. The body view: the attributes and the computed ends,
   * no lease state. Cached per view.
   */
  toXml(view: ArView): string {
    const slot = VIEW_SLOT[view];
    return (this.xml[slot] ??= this.render(view));
  }

  private render(view: ArView): string {
    const attrs = new Map(this.attrs);
    if (view !== 'body') attrs.set('NEXT_INDEX', String(this.nextIndex));
    if (view === 'pool' && this.everAllocated) attrs.set('ALLOCATED', this.allocated());
    let xml = '<AR>';
    for (const k of [...attrs.keys()].sort()) xml += xmlElement(k, attrs.get(k)!);
    if (view === 'pool') return `${xml}</AR>`;
    const last = this.addresses(this.size - 1);
    xml += xmlElement('MAC_END', last.MAC);
    if (last.IP !== undefined) xml += xmlElement('IP_END', last.IP);
    if (last.IP6_ULA !== undefined) xml += xmlElement('IP6_ULA', this.addresses(0).IP6_ULA!) + xmlElement('IP6_ULA_END', last.IP6_ULA);
    if (last.IP6_GLOBAL !== undefined) xml += xmlElement('IP6_GLOBAL', this.addresses(0).IP6_GLOBAL!) + xmlElement('IP6_GLOBAL_END', last.IP6_GLOBAL);
    if (last.IP6 !== undefined) xml += xmlElement('IP6_END', last.IP6);
    if (view === 'info') xml += `<USED_LEASES>${this.owners.size}</USED_LEASES><LEASES>${this.leasesXml()}</LEASES>`;
    return `${xml}</AR>`;
  }

  private leasesXml(): string {
    let xml = '';
    for (const index of this.usedIndexes()) {
      const a = this.addresses(index);
      const owner = this.owners.get(index)!;
      xml += '<LEASE>';
      for (const k of ['IP', 'IP6', 'IP6_GLOBAL', 'IP6_LINK', 'IP6_ULA', 'MAC'] as const) if (a[k] !== undefined) xml += xmlElement(k, a[k]);
      xml += `<${owner.kind}>${owner.id}</${owner.kind}></LEASE>`;
    }
    return xml;
  }

  /**
   * OpenNebula's compact lease list: ` <index> <owner>` pairs, the owner being its object type
   * bit OR'd with its 32-bit id (a hold is VM with id -1).
   */
  private allocated(): string {
    let text = '';
    for (const index of this.usedIndexes()) {
      const o = this.owners.get(index)!;
      const type = o.kind === 'VNET' ? ObjectType.NET : ObjectType[o.kind];
      text += ` ${index} ${type | BigInt(o.id >>> 0)}`;
    }
    return text;
  }
}
