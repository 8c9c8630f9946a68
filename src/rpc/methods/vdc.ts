/**
 * `one.vdc.*` and `one.vdcpool.info`: VDCs, their groups and resources, and the ACL rules they
 * generate (src/vdc). Changing a VDC changes the rules after the VDC is stored.
 */
import { AuthOp } from '../../auth/operation.js';
import { ObjectType } from '../../common/object-type.js';
import type { Pool, PoolObject } from '../../pool/index.js';
import {
  ALL_RESOURCES,
  DEFAULT_VDC_ID,
  FIRST_USER_VDC,
  grantRules,
  groupRules,
  isLocalZone,
  resourceRulesForGroups,
  revokeRules,
  Vdc,
  vdcAclRights,
  zoneExists,
  type VdcResource,
  type VdcResourceKind,
} from '../../vdc/index.js';
import type { AclRule } from '../../common/acl/acl-rule.js';
import { ApiError, ErrorCode } from '../api-error.js';
import { EscapedString } from '../xmlrpc/index.js';
import { method, type MethodDef } from '../request-manager.js';
import type { Request } from '../request.js';
import type { Core } from '../core.js';
import { allocateError, checkName, checkNameFree, inListOrder, parseTemplate, renameInPool } from './common.js';
import { updateMethod } from './object-methods.js';

/** What a VDC names a kind of resource in messages, and where the local ones are. */
const KINDS: Readonly<Record<VdcResourceKind, { what: string; pool: (core: Core) => Pool<PoolObject & { clusterIds?: readonly number[] }> }>> = {
  CLUSTER: { what: 'CLUSTER', pool: (core) => core.clusters },
  HOST: { what: 'HOST', pool: (core) => core.hosts },
  DATASTORE: { what: 'DATASTORE', pool: (core) => core.datastores },
  VNET: { what: 'NET', pool: (core) => core.vnets },
};

/** The zones as the VDC checks see them. */
function zones(core: Core) {
  return { localZoneId: core.acl.zoneId, exists: (id: number) => core.zones.exists(id) };
}

/** Stores the VDC's change (made by `change` inside the transaction), then grants and revokes rules. */
async function changeVdc(req: Request, vdc: Vdc, change: () => { grant: AclRule[]; revoke: AclRule[] }): Promise<void> {
  const { vdcs, acl } = req.core;
  const tx = req.transaction();
  tx.touch(vdcs, vdc);
  const { grant, revoke } = change();
  await tx.commit();
  await grantRules(acl, grant);
  await revokeRules(acl, revoke, vdcAclRights(req.core.config), vdcs.all());
}

/**
 * Puts group `gid` in the VDC and gives it the VDC's resources. Refused (INTERNAL, as
 * OpenNebula) when it is there already.
 */
export async function addGroupToVdc(req: Request, vdc: Vdc, gid: number): Promise<void> {
  if (vdc.groups.has(gid)) throw new ApiError(ErrorCode.INTERNAL, `Group ${gid} is already assigned to the VDC ${vdc.oid}`, vdc.oid);
  const rights = vdcAclRights(req.core.config);
  await changeVdc(req, vdc, () => {
    vdc.groups.add(gid);
    return { grant: groupRules(rights, vdc, gid), revoke: [] };
  });
}

/** A new group joins the default VDC, as in OpenNebula (when the default VDC is there). */
export async function joinDefaultVdc(req: Request, gid: number): Promise<void> {
  const vdc = req.core.vdcs.get(DEFAULT_VDC_ID);
  if (vdc && !vdc.groups.has(gid)) await addGroupToVdc(req, vdc, gid);
}

/** A deleted group leaves every VDC (its rules went with it). */
export async function forgetGroup(req: Request, gid: number): Promise<void> {
  const vdcs = req.core.vdcs;
  const holding = vdcs.ofGroup(gid);
  if (holding.length === 0) return;
  const tx = req.transaction();
  for (const vdc of holding) tx.touch(vdcs, vdc).groups.delete(gid);
  await tx.commit();
}

/** A deleted cluster, host, datastore or network of this zone leaves every VDC, with its rules. */
export async function forgetResource(req: Request, kind: VdcResourceKind, id: number): Promise<void> {
  const vdcs = req.core.vdcs;
  const r = { zone: zones(req.core).localZoneId, id };
  const holding = vdcs.holding(kind, r.zone, id);
  if (holding.length === 0) return;
  const rights = vdcAclRights(req.core.config);
  const revoke: AclRule[] = [];
  const tx = req.transaction();
  for (const vdc of holding) {
    revoke.push(...resourceRulesForGroups(rights, vdc, kind, r));
    tx.touch(vdcs, vdc).resources[kind].delete(r);
  }
  await tx.commit();
  await revokeRules(req.core.acl, revoke, rights, vdcs.all());
}

/** `one.vdc.add<kind>` / `del<kind>(vdc, zone, id)`. */
function resourceMethod(kind: VdcResourceKind, add: boolean): MethodDef {
  const verb = add ? 'add' : 'del';
  const suffix = kind === 'VNET' ? 'vnet' : kind.toLowerCase();
  return method({
    name: `one.vdc.${verb}${suffix}`,
    params: ['i', 'i', 'i'],
    run: async (req, [vdcId, zone, id]) => {
      const core = req.core;
      const vdc = req.get(core.vdcs, vdcId);
      const view = zones(core);
      // As OpenNebula, a zone or resource that does not exist is refused when adding only:
      // removing what is gone must stay possible.
      if (add && !zoneExists(view, zone)) throw new ApiError(ErrorCode.NO_EXISTS, `Error getting zone [${zone}].`, zone);
      const spec = KINDS[kind];
      let resource: (PoolObject & { clusterIds?: readonly number[] }) | undefined;
      if (id !== ALL_RESOURCES && isLocalZone(view, zone)) {
        resource = add ? req.get(spec.pool(core), id) : spec.pool(core).get(id);
      } else if (id < 0 && id !== ALL_RESOURCES) {
        throw new ApiError(ErrorCode.NO_EXISTS, `Error getting ${spec.what.toLowerCase()} [${id}].`, id);
      }
      req.authorize(vdc, AuthOp.ADMIN);
      if (resource) req.authorize(resource, AuthOp.ADMIN, resource.clusterIds);
      const r: VdcResource = { zone, id };
      const set = vdc.resources[kind];
      if (set.has(r) === add) {
        throw new ApiError(ErrorCode.INTERNAL, `${spec.what} ${id} from Zone ${zone} is ${add ? 'already' : 'not'} assigned to the VDC ${vdcId}`, vdcId);
      }
      const rights = vdcAclRights(core.config);
      await changeVdc(req, vdc, () => {
        if (!add) {
          set.delete(r);
          return { grant: [], revoke: resourceRulesForGroups(rights, vdc, kind, r) };
        }
        set.add(r);
        const revoke: AclRule[] = [];
        // ALL replaces the single resources of that zone.
        if (id === ALL_RESOURCES) {
          for (const other of set.items.filter((x) => x.zone === zone && x.id !== ALL_RESOURCES)) {
            set.delete(other);
            revoke.push(...resourceRulesForGroups(rights, vdc, kind, other));
          }
        }
        return { grant: resourceRulesForGroups(rights, vdc, kind, r), revoke };
      });
      return vdcId;
    },
  });
}

/** `one.vdc.addgroup` / `delgroup(vdc, group)`: ADMIN on both. */
function groupMethod(add: boolean): MethodDef {
  return method({
    name: `one.vdc.${add ? 'add' : 'del'}group`,
    params: ['i', 'i'],
    run: async (req, [vdcId, gid]) => {
      const vdc = req.get(req.core.vdcs, vdcId);
      const group = add ? req.get(req.core.groups, gid) : req.core.groups.get(gid);
      req.authorize(vdc, AuthOp.ADMIN);
      if (group) req.authorize(group, AuthOp.ADMIN);
      if (add) {
        await addGroupToVdc(req, vdc, gid);
        return vdcId;
      }
      if (!vdc.groups.has(gid)) throw new ApiError(ErrorCode.INTERNAL, `Group ${gid} is not assigned to the VDC ${vdcId}`, vdcId);
      const rights = vdcAclRights(req.core.config);
      await changeVdc(req, vdc, () => {
        const revoke = groupRules(rights, vdc, gid);
        vdc.groups.delete(gid);
        return { grant: [], revoke };
      });
      return vdcId;
    },
  });
}

export const vdcMethods: MethodDef[] = [
  method({
    name: 'one.vdc.allocate',
    params: ['s'],
    run: async (req, [text]) => {
      const vdcs = req.core.vdcs;
      req.authorizeCreate('VDC');
      const template = parseTemplate(text, ErrorCode.INTERNAL);
      const name = template.get('NAME') ?? '';
      template.remove('NAME');
      try {
        checkName(name, ErrorCode.ALLOCATE);
        checkNameFree(vdcs, name, -1, ErrorCode.ALLOCATE);
      } catch (err) {
        throw allocateError(vdcs, (err as Error).message);
      }
      // User VDCs get ids from 100 up, as in OpenNebula.
      if (vdcs.lastId < FIRST_USER_VDC - 1) vdcs.reserve(FIRST_USER_VDC - 1);
      const tx = req.transaction();
      const vdc = tx.create(vdcs, new Vdc(vdcs.nextOid(), name, template));
      await tx.commit();
      return vdc.oid;
    },
  }),
  method({
    name: 'one.vdc.delete',
    params: ['i'],
    run: async (req, [oid]) => {
      const vdcs = req.core.vdcs;
      const vdc = req.authorized(vdcs, oid, AuthOp.ADMIN);
      if (oid < FIRST_USER_VDC) throw new ApiError(ErrorCode.ACTION, `Cannot delete VDC. System VDCs (ID < ${FIRST_USER_VDC}) cannot be deleted.`, oid);
      const rights = vdcAclRights(req.core.config);
      const revoke = [...vdc.groups].flatMap((gid) => groupRules(rights, vdc, gid));
      const tx = req.transaction();
      tx.delete(vdcs, vdc);
      await tx.commit();
      await revokeRules(req.core.acl, revoke, rights, vdcs.all());
      // Rules naming the VDC itself (`VDC/#oid`) go too, as for every deleted object.
      await req.core.acl.delResourceRules(ObjectType.VDC, oid);
      return oid;
    },
  }),
  method({
    name: 'one.vdc.info',
    params: ['i', { opt: 'b', def: false }],
    run: (req, [oid]) => new EscapedString(req.authorized(req.core.vdcs, oid, AuthOp.USE).toEscapedXml()),
  }),
  updateMethod({ prefix: 'one.vdc', pool: (core) => core.vdcs }),
  method({
    name: 'one.vdc.rename',
    params: ['i', 's'],
    run: (req, [oid, name]) => renameInPool(req, req.core.vdcs, req.authorized(req.core.vdcs, oid, AuthOp.MANAGE), name),
  }),
  groupMethod(true),
  groupMethod(false),
  ...(['CLUSTER', 'HOST', 'DATASTORE', 'VNET'] as const).flatMap((kind) => [resourceMethod(kind, true), resourceMethod(kind, false)]),
  method({
    name: 'one.vdcpool.info',
    params: [],
    run: (req) => {
      const vdcs = req.core.vdcs;
      return new EscapedString(vdcs.toEscapedXml(inListOrder(req, vdcs.list({ visible: req.core.authz.visibility(req.caller, 'VDC') }))));
    },
  }),
];

