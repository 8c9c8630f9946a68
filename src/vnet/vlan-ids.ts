/**
 * VLAN ids OpenNebula gives networks that ask for them (AUTOMATIC_VLAN_ID = "YES",
 * AUTOMATIC_OUTER_VLAN_ID = "YES"), from oned.conf's VLAN_IDS and VXLAN_IDS:
 * - 802.1Q ids (802.1Q, ovswitch, vcenter; the inner id of ovswitch_vxlan) come from a 4096-id
 *   map: START + (network id mod (4095 - START)) when free, else the lowest free id from START;
 *   RESERVED ids are never given. An id goes back to the map when its network is deleted.
 * - VXLAN ids (vxlan; the outer id of ovswitch_vxlan) are START + network id: no map.
 * The map lives in memory: built from the networks at start, kept by allocate and delete.
 */
import type { Vector } from '../common/template/index.js';
import type { VnetFields } from './virtual-network.js';

/** Ids in the 802.1Q map: 0..4095. */
const VLAN_ID_COUNT = 4096;

export interface VlanIdsConfig {
  /** VLAN_IDS/START: the first id of the map to give (default 2). */
  readonly start: number;
  /** VLAN_IDS/RESERVED: ids never given (default 0, 1 and 4095). */
  readonly reserved: ReadonlySet<number>;
  /** VXLAN_IDS/START (default 2). */
  readonly vxlanStart: number;
}

export const DEFAULT_VLAN_IDS: VlanIdsConfig = { start: 2, reserved: new Set([0, 1, 4095]), vxlanStart: 2 };

/** Reads a RESERVED list: ids and `a..b` ranges, separated by commas. Throws Error on anything else. */
export function parseReservedIds(text: string): Set<number> {
  const ids = new Set<number>();
  for (const part of text.split(',')) {
    const t = part.trim();
    if (t === '') continue;
    const m = /^(\d+)(?:\s*\.\.\s*(\d+))?$/.exec(t);
    if (!m) throw new Error(`Wrong VLAN_IDS RESERVED entry "${t}" in oned.conf: use ids and ranges such as "0, 1, 4095" or "10..20".`);
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    for (let id = from; id <= Math.min(to, VLAN_ID_COUNT - 1); id++) ids.add(id);
  }
  return ids;
}

/** The VLAN_IDS and VXLAN_IDS vectors of oned.conf (missing ones take OpenNebula's defaults). Throws Error when malformed. */
export function vlanIdsConfig(vlan: Vector, vxlan: Vector): VlanIdsConfig {
  const int = (text: string | undefined, fallback: number, what: string, max: number) => {
    if (text === undefined || text.trim() === '') return fallback;
    const n = Number(text.trim());
    if (!Number.isInteger(n) || n < 0 || n > max) throw new Error(`Wrong ${what} "${text}" in oned.conf: a number from 0 to ${max}.`);
    return n;
  };
  const reserved = vlan.get('RESERVED');
  return {
    start: int(vlan.get('START'), DEFAULT_VLAN_IDS.start, 'VLAN_IDS START', VLAN_ID_COUNT - 2),
    reserved: reserved === undefined ? DEFAULT_VLAN_IDS.reserved : parseReservedIds(reserved),
    vxlanStart: int(vxlan.get('START'), DEFAULT_VLAN_IDS.vxlanStart, 'VXLAN_IDS START', 2 ** 24 - 1),
  };
}

/** How a driver's VLAN ids are given: from the 802.1Q map, as VXLAN ids, or not at all. */
function idKinds(vnMad: string): { inner: 'map' | 'vxlan' | null; outer: 'vxlan' | null } {
  switch (vnMad) {
    case '802.1Q':
    case 'ovswitch':
    case 'vcenter':
      return { inner: 'map', outer: null };
    case 'vxlan':
      return { inner: 'vxlan', outer: null };
    case 'ovswitch_vxlan':
      return { inner: 'map', outer: 'vxlan' };
    default:
      return { inner: null, outer: null };
  }
}

/** The 802.1Q id a network holds in the map (automatic, of a driver that uses it), or undefined. */
function mapId(f: VnetFields): number | undefined {
  if (!f.vlanIdAutomatic || idKinds(f.vnMad).inner !== 'map' || f.parentId >= 0) return undefined;
  const id = Number(f.vlanId);
  return f.vlanId !== '' && Number.isInteger(id) && id >= 0 && id < VLAN_ID_COUNT ? id : undefined;
}

export class VlanIds {
  private readonly used = new Set<number>();

  constructor(private readonly config: VlanIdsConfig = DEFAULT_VLAN_IDS) {}

  /** Marks the 802.1Q id of an existing network as taken (at start). */
  track(f: VnetFields): void {
    const id = mapId(f);
    if (id !== undefined) this.used.add(id);
  }

  /**
   * Gives network `oid` the ids it asks for: VLAN_ID and OUTER_VLAN_ID that are automatic and
   * still empty. Throws Error when the 802.1Q map has no free id.
   */
  assign(oid: number, f: VnetFields): void {
    const kinds = idKinds(f.vnMad);
    if (f.vlanIdAutomatic && f.vlanId === '' && kinds.inner !== null) {
      f.vlanId = String(kinds.inner === 'map' ? this.take(oid) : this.config.vxlanStart + oid);
    }
    if (f.outerVlanIdAutomatic && f.outerVlanId === '' && kinds.outer !== null) {
      f.outerVlanId = String(this.config.vxlanStart + oid);
    }
  }

  /** Gives back the 802.1Q id of a network that goes (or that was never created). */
  release(f: VnetFields): void {
    const id = mapId(f);
    if (id !== undefined) this.used.delete(id);
  }

  private free(id: number): boolean {
    return id >= this.config.start && id < VLAN_ID_COUNT && !this.used.has(id) && !this.config.reserved.has(id);
  }

  private take(oid: number): number {
    const { start } = this.config;
    const hint = start + (oid % (VLAN_ID_COUNT - 1 - start));
    let id = this.free(hint) ? hint : -1;
    for (let i = start; id < 0 && i < VLAN_ID_COUNT; i++) if (this.free(i)) id = i;
    if (id < 0) throw new Error('Cannot automatically assign VLAN_ID to network.');
    this.used.add(id);
    return id;
  }
}
