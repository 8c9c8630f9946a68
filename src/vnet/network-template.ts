/**
 * What a `one.vn.allocate` template asks for: the head fields (VN_MAD, BRIDGE, PHYDEV,
 * VLAN_ID...) and the `AR = [...]` vectors, taken out of the template. OpenNebula 3.x templates
 * are read too: `TYPE = RANGED` with NETWORK_ADDRESS and NETWORK_SIZE (or IP_START / IP_END)
 * becomes one IP4 range, `TYPE = FIXED` with `LEASES = [IP = ..., MAC = ...]` one single-lease
 * IP4 range per lease; such networks name no VN_MAD, which then is `dummy`.
 */
import type { Template, Vector } from '../common/template/index.js';
import { formatIp4, parseIp4 } from './address.js';
import { defaultBridgeType, VnetState, type VnetFields } from './virtual-network.js';

/** VN_MAD of 3.x networks, which had the network driver on the host instead. */
export const LEGACY_VN_MAD = 'dummy';

/** NETWORK_SIZE classes of 3.x templates, in addresses. */
const SIZE_CLASSES: Record<string, number> = { A: 2 ** 24, B: 2 ** 16, C: 2 ** 8 };

export interface NetworkRequest {
  /** The head fields; BRIDGE is '' when the template has none (allocate names it after the id). */
  readonly fields: VnetFields;
  readonly ars: Vector[];
}

function netmask(bits: number): string {
  return formatIp4(bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0);
}

/** The AR of a 3.x RANGED network. */
function rangedAr(t: Template): Vector {
  const addrText = t.get('NETWORK_ADDRESS') ?? '';
  const [addrPart, bitsPart] = addrText.split('/');
  const net = parseIp4(addrPart ?? '');
  const start = t.get('IP_START');
  const end = t.get('IP_END');
  if (net === undefined && !(start && end)) throw new Error(`Wrong NETWORK_ADDRESS "${addrText}" for a RANGED network: it needs an IPv4 address (or IP_START and IP_END).`);
  let total: number | undefined;
  if (bitsPart !== undefined) {
    const bits = Number(bitsPart);
    if (!Number.isInteger(bits) || bits < 1 || bits > 30) throw new Error(`Wrong prefix length "/${bitsPart}" in NETWORK_ADDRESS.`);
    total = 2 ** (32 - bits);
  } else {
    const sizeText = (t.get('NETWORK_SIZE') ?? 'C').trim().toUpperCase();
    total = SIZE_CLASSES[sizeText] ?? (/^\d+$/.test(sizeText) ? Number(sizeText) : undefined);
    if (total === undefined || total < 4) throw new Error(`Wrong NETWORK_SIZE "${t.get('NETWORK_SIZE')}": use A, B, C or a number of addresses (at least 4).`);
    // 3.x rounds the size up to a whole network: its mask.
    total = 2 ** Math.ceil(Math.log2(total));
  }
  const base = net === undefined ? undefined : net - (net % total);
  const first = start ? parseIp4(start) : base! + 1;
  const last = end ? parseIp4(end) : base! + total - 2;
  if (first === undefined || last === undefined || last < first) throw new Error(`Wrong IP_START / IP_END "${start ?? ''}" - "${end ?? ''}" for a RANGED network.`);
  const ar: Vector = new Map([['TYPE', 'IP4'], ['IP', formatIp4(first)], ['SIZE', String(last - first + 1)]]);
  if (base !== undefined) {
    ar.set('NETWORK_ADDRESS', formatIp4(base));
    ar.set('NETWORK_MASK', netmask(32 - Math.log2(total)));
  }
  return ar;
}

/** The ARs of a 3.x FIXED network: one per LEASES vector. */
function fixedArs(t: Template): Vector[] {
  return t.getAll('LEASES').map((a) => {
    if (typeof a.value === 'string' || !a.value.get('IP')) throw new Error('Each LEASES of a FIXED network needs an IP: LEASES = [ IP = "..." ].');
    const ar: Vector = new Map([['TYPE', 'IP4'], ['IP', a.value.get('IP')!], ['SIZE', '1']]);
    const mac = a.value.get('MAC');
    if (mac) ar.set('MAC', mac);
    return ar;
  });
}

/** The security group every network is in: the default one, 0. */
export const DEFAULT_SECURITY_GROUP = 0;

/**
 * SECURITY_GROUPS of a new network: the ids it names plus the default group 0, ascending and
 * without repeats, as OpenNebula stores them ("0" when it names none). Throws Error when an
 * entry is not an id.
 */
export function withDefaultSecurityGroup(text: string | undefined): string {
  const ids = new Set<number>([DEFAULT_SECURITY_GROUP]);
  for (const part of (text ?? '').split(',')) {
    const t = part.trim();
    if (t === '') continue;
    if (!/^\d+$/.test(t)) throw new Error(`Wrong SECURITY_GROUPS "${text}": it must list security group ids, such as "0,100".`);
    ids.add(Number(t));
  }
  return [...ids].sort((a, b) => a - b).join(',');
}

/**
 * An AR vector as a user gives it (allocate, add_ar): the attributes only a reservation gets
 * from its parent are dropped, so no range poses as a reserved one.
 */
export function userAr(v: Vector): Vector {
  const ar: Vector = new Map(v);
  ar.delete('PARENT_NETWORK_AR_ID');
  ar.delete('PARENT_NETWORK');
  return ar;
}

/**
 * A VLAN id of the template: given (`VLAN_ID`), or asked for (`AUTOMATIC_VLAN_ID = "YES"`, given
 * by the pool once the network has its id). The AUTOMATIC_ attribute leaves the template.
 */
function vlanRequest(t: Template, idAttr: string, autoAttr: string): { id: string; automatic: boolean } {
  const id = (t.get(idAttr) ?? '').trim();
  const auto = (t.get(autoAttr) ?? '').trim().toUpperCase();
  t.remove(autoAttr);
  return { id, automatic: id === '' && (auto === 'YES' || auto === 'TRUE') };
}

/**
 * What each driver cannot do without, as OpenNebula checks it: dummy a BRIDGE; 802.1Q and vxlan
 * a PHYDEV and a VLAN_ID (or AUTOMATIC_VLAN_ID); ovswitch_vxlan an OUTER_VLAN_ID (or
 * AUTOMATIC_OUTER_VLAN_ID). Throws Error with OpenNebula's message.
 */
function checkDriverNeeds(vnMad: string, has: { bridge: string; phydev: string; vlan: boolean; outer: boolean }): void {
  const needsVlan = vnMad === '802.1Q' || vnMad === 'vxlan';
  if (needsVlan && has.phydev === '') throw new Error(`PHYDEV is mandatory for driver ${vnMad}`);
  if (vnMad === 'dummy' && has.bridge === '') throw new Error(`BRIDGE is mandatory for driver ${vnMad}`);
  if (needsVlan && !has.vlan) throw new Error(`VLAN_ID (or AUTOMATIC_VLAN_ID) is mandatory for driver ${vnMad}`);
  if (vnMad === 'ovswitch_vxlan' && !has.outer) throw new Error(`OUTER_VLAN_ID (or AUTOMATIC) is mandatory for driver ${vnMad}`);
}

/**
 * Reads the head fields and ARs of an allocate template and removes the ARs (and 3.x TYPE,
 * NETWORK_SIZE, LEASES, IP_START, IP_END, AUTOMATIC_VLAN_ID...) from it. Throws Error saying
 * what is wrong. Automatic VLAN ids are left empty for the pool to give (see vlan-ids.ts).
 */
export function networkRequest(t: Template): NetworkRequest {
  const legacyType = (t.get('TYPE') ?? '').trim().toUpperCase();
  const ars: Vector[] = [];
  let vnMad = t.get('VN_MAD') ?? '';
  if (legacyType === 'RANGED' || legacyType === 'FIXED') {
    ars.push(...(legacyType === 'RANGED' ? [rangedAr(t)] : fixedArs(t)));
    for (const k of ['TYPE', 'NETWORK_SIZE', 'LEASES', 'IP_START', 'IP_END']) t.remove(k);
    if (vnMad === '') vnMad = LEGACY_VN_MAD;
  } else if (legacyType !== '') {
    throw new Error(`Unknown network TYPE "${t.get('TYPE')}": 3.x templates use RANGED or FIXED; newer ones give AR vectors.`);
  }
  if (vnMad === '') throw new Error('No VN_MAD in template: every virtual network needs a network driver (for example VN_MAD = "bridge").');
  for (const a of t.getAll('AR')) {
    if (typeof a.value === 'string') throw new Error('AR must be a vector: AR = [ TYPE = "IP4", IP = "...", SIZE = "..." ].');
    ars.push(userAr(a.value));
  }
  t.remove('AR');
  t.set('SECURITY_GROUPS', withDefaultSecurityGroup(t.get('SECURITY_GROUPS')));
  const vlan = vlanRequest(t, 'VLAN_ID', 'AUTOMATIC_VLAN_ID');
  const outer = vlanRequest(t, 'OUTER_VLAN_ID', 'AUTOMATIC_OUTER_VLAN_ID');
  const bridge = t.get('BRIDGE') ?? '';
  const phydev = t.get('PHYDEV') ?? '';
  checkDriverNeeds(vnMad, { bridge, phydev, vlan: vlan.id !== '' || vlan.automatic, outer: outer.id !== '' || outer.automatic });
  return {
    fields: {
      bridge,
      bridgeType: t.get('BRIDGE_TYPE') || defaultBridgeType(vnMad),
      state: VnetState.READY,
      // As 7.4 shows a network its driver created: every update records the state as the previous one.
      prevState: VnetState.READY,
      parentId: -1,
      templateId: -1,
      vnMad,
      phydev,
      vlanId: vlan.id,
      outerVlanId: outer.id,
      vlanIdAutomatic: vlan.automatic,
      outerVlanIdAutomatic: outer.automatic,
    },
    ars,
  };
}
