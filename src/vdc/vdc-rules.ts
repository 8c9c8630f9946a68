/**
 * The ACL rules a VDC generates, as OpenNebula's: for each of its groups and each resource,
 *   cluster:   `@gid HOST/%cid MANAGE #zone`, `@gid NET/%cid USE #zone`, `@gid DATASTORE/%cid USE #zone`
 *   host:      `@gid HOST/#hid MANAGE #zone`
 *   datastore: `@gid DATASTORE/#dsid USE #zone`
 *   network:   `@gid NET/#vnid USE #zone`
 * with `*` for ALL_RESOURCES, and the rights oned.conf's DEFAULT_VDC_*_ACL set ("-" or empty:
 * no rule).
 */
import { AclRight, AclRule, AclSelector } from '../common/acl/acl-rule.js';
import { ObjectType } from '../common/object-type.js';
import type { ConfigReader } from '../common/config.js';
import { ALL_RESOURCES, VDC_RESOURCE_KINDS, type Vdc, type VdcResource, type VdcResourceKind } from './vdc.js';

type RuleType = 'HOST' | 'NET' | 'DATASTORE';

/** One rule a resource of a kind yields: the type it names, and the rights (0n: none). */
interface RuleShape {
  readonly type: RuleType;
  readonly rights: bigint;
}

/** The rules each kind of resource yields, with the rights oned.conf gives them. */
export type VdcAclRights = Readonly<Record<VdcResourceKind, readonly RuleShape[]>>;

/** The oned.conf keys and OpenNebula's defaults. */
const DEFAULTS: Readonly<Record<VdcResourceKind, readonly (readonly [RuleType, string, string])[]>> = {
  CLUSTER: [
    ['HOST', 'DEFAULT_VDC_CLUSTER_HOST_ACL', 'MANAGE'],
    ['NET', 'DEFAULT_VDC_CLUSTER_NET_ACL', 'USE'],
    ['DATASTORE', 'DEFAULT_VDC_CLUSTER_DATASTORE_ACL', 'USE'],
  ],
  HOST: [['HOST', 'DEFAULT_VDC_HOST_ACL', 'MANAGE']],
  DATASTORE: [['DATASTORE', 'DEFAULT_VDC_DATASTORE_ACL', 'USE']],
  VNET: [['NET', 'DEFAULT_VDC_VNET_ACL', 'USE']],
};

/** Rights from text such as "USE+MANAGE"; unknown names, "-" and empty parts are skipped. */
export function parseRights(text: string): bigint {
  let bits = 0n;
  for (const part of text.split('+')) {
    const name = part.trim().toUpperCase() as keyof typeof AclRight;
    if (name in AclRight) bits |= AclRight[name];
  }
  return bits;
}

/** The rights a VDC's rules carry, from oned.conf (OpenNebula's defaults for keys not set). */
export function vdcAclRights(config?: ConfigReader): VdcAclRights {
  const out = {} as Record<VdcResourceKind, RuleShape[]>;
  for (const kind of VDC_RESOURCE_KINDS) {
    out[kind] = DEFAULTS[kind].map(([type, key, def]) => ({ type, rights: parseRights(config ? config.string(key, def) : def) }));
  }
  return out;
}

/** The rules group `gid` gets from one resource of a VDC. */
export function resourceRules(rights: VdcAclRights, kind: VdcResourceKind, gid: number, r: VdcResource): AclRule[] {
  const selector = r.id === ALL_RESOURCES ? AclSelector.ALL : (kind === 'CLUSTER' ? AclSelector.CLUSTER : AclSelector.INDIVIDUAL) | BigInt(r.id);
  return rights[kind]
    .filter((s) => s.rights !== 0n)
    .map((s) => new AclRule(-1, AclSelector.GROUP | BigInt(gid), ObjectType[s.type] | selector, s.rights, AclRule.zoneComponent(r.zone)));
}

/** The rules group `gid` gets from every resource of the VDC. */
export function groupRules(rights: VdcAclRights, vdc: Vdc, gid: number): AclRule[] {
  return VDC_RESOURCE_KINDS.flatMap((kind) => vdc.resources[kind].items.flatMap((r) => resourceRules(rights, kind, gid, r)));
}

/** The rules every group of the VDC gets from one of its resources. */
export function resourceRulesForGroups(rights: VdcAclRights, vdc: Vdc, kind: VdcResourceKind, r: VdcResource): AclRule[] {
  return [...vdc.groups].flatMap((gid) => resourceRules(rights, kind, gid, r));
}

/** Every rule the VDCs generate. */
export function allVdcRules(rights: VdcAclRights, vdcs: Iterable<Vdc>): AclRule[] {
  const out: AclRule[] = [];
  for (const vdc of vdcs) for (const gid of vdc.groups) out.push(...groupRules(rights, vdc, gid));
  return out;
}
