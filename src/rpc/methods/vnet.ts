/**
 * `one.vn.*` and `one.vnpool.info`: virtual networks, their address ranges, holds and
 * reservations. The lease bookkeeping is the pool's (src/vnet/); these check arguments and
 * rights, and turn its errors into OpenNebula's codes.
 */
import { AuthOp, type AuthOpValue } from '../../auth/operation.js';
import { chargeQuotas, QuotaExceededError, releaseQuotas } from '../../auth/quota-charge.js';
import { ObjectType } from '../../common/object-type.js';
import type { Template, Vector } from '../../common/template/index.js';
import { DEFAULT_CLUSTER_ID, NONE_CLUSTER_ID } from '../../cluster/index.js';
import type { Transaction } from '../../pool/index.js';
import { VirtualNetwork, networkRequest, reservationQuotaUsage, type LeaseRequest } from '../../vnet/index.js';
import { ApiError, ErrorCode } from '../api-error.js';
import { EscapedString } from '../xmlrpc/index.js';
import { method, type MethodDef } from '../request-manager.js';
import type { Request } from '../request.js';
import { allocateError, checkName, checkNameFree, listPool, newObjectPermissions, parseTemplate } from './common.js';
import { objectMethods, updateMethod } from './object-methods.js';
import { checkRestrictedUpdate, encryptAttributes } from './template-attributes.js';
import { templateAndName } from './owned.js';

const kind = { prefix: 'one.vn', pool: (core: Request['core']) => core.vnets, clustersOf: (vn: VirtualNetwork) => vn.clusterIds, encrypted: 'VNET' as const };

/** The network, authorized for `op` with its clusters, so `NET/%cid` ACL rules apply. */
export function authorizedVnet(req: Request, oid: number, op: AuthOpValue): VirtualNetwork {
  const vnet = req.get(req.core.vnets, oid);
  req.authorize(vnet, op, vnet.clusterIds);
  return vnet;
}

/** Runs a pool operation, turning its Error into ACTION for network `oid`. */
function action<T>(oid: number, op: () => T): T {
  try {
    return op();
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw new ApiError(ErrorCode.ACTION, (err as Error).message, oid);
  }
}

/** The first `name = [...]` vector of a template argument; ACTION naming what is missing. */
function vectorArg(text: string, name: string, oid: number): Vector {
  const v = parseTemplate(text, ErrorCode.ACTION, undefined, oid).getVector(name);
  if (!v) throw new ApiError(ErrorCode.ACTION, `The template has no ${name} = [ ... ] vector.`, oid);
  return v;
}

/** A non-negative integer attribute of a template, undefined when absent; ACTION when malformed. */
function intAttr(value: string | undefined, name: string, oid: number): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^\s*\d+\s*$/.test(value)) throw new ApiError(ErrorCode.ACTION, `Wrong ${name} "${value}": it must be a non-negative integer.`, oid);
  return Number(value);
}

/** The lease a hold / release template names: `LEASES = [ IP = ... | MAC = ..., AR_ID = ... ]`. */
function leaseArg(text: string, oid: number): LeaseRequest {
  const v = vectorArg(text, 'LEASES', oid);
  return { ip: v.get('IP') || undefined, mac: v.get('MAC') || undefined, arId: intAttr(v.get('AR_ID'), 'AR_ID', oid) };
}

/** Why a network cannot go: leases used by VMs, routers or reservations (holds do not count). */
function inUseError(vnet: VirtualNetwork): string | null {
  for (const ar of vnet.ars.values()) {
    for (const [, owner] of ar.leases()) {
      if (owner.kind !== 'VM' || owner.id >= 0) return `Cannot delete virtual network ${vnet.oid}: address range ${ar.id} has leases in use (${owner.kind} ${owner.id}).`;
    }
  }
  return null;
}


/**
 * Removes AR `arId` of `vnet` in tx; a reservation's leases go back to its parent, and the
 * NETWORK quota they took back to its owner.
 */
function dropAr(req: Request, tx: Transaction, vnet: VirtualNetwork, arId: number): void {
  const vnets = req.core.vnets;
  const ar = vnet.ars.get(arId)!;
  if (vnet.isReservation) {
    vnets.returnReservation(tx, vnet, ar);
    releaseQuotas(tx, req.core, vnet.owner.uid, vnet.owner.gid, reservationQuotaUsage(vnet.fields.parentId, ar.size));
  }
  vnets.removeAr(tx, vnet, arId);
}

/** The generic methods, but for update, which networks apply to their head fields too. */
const genericMethods = objectMethods(kind).filter((m) => m.name !== updateMethod(kind).name);

/**
 * Builds a network owned by the caller (allocate and new reservations) with the id the pool
 * gives next; the caller takes that id with `nextOid()` once nothing can fail any more, in the
 * same synchronous step, so a refused call leaves no hole in the ids.
 */
function newNetwork(req: Request, name: string, fields: VirtualNetwork['fields'], template: Template): VirtualNetwork {
  const vnets = req.core.vnets;
  const c = req.caller;
  const vnet = new VirtualNetwork(vnets.lastId + 1, name, { uid: c.uid, gid: c.gid, uname: c.uname, gname: c.gname }, newObjectPermissions(req), fields, template);
  // As in OpenNebula, a network without BRIDGE gets one named after it.
  if (vnet.fields.bridge === '') vnet.fields.bridge = `onebr${vnet.oid}`;
  vnet.syncTemplate();
  return vnet;
}

export const vnetMethods: MethodDef[] = [
  method({
    name: 'one.vn.allocate',
    params: ['s', { opt: 'i', def: NONE_CLUSTER_ID }],
    run: async (req, [text, clusterArg]) => {
      const { vnets, clusters } = req.core;
      const cluster = req.get(clusters, clusterArg === NONE_CLUSTER_ID ? DEFAULT_CLUSTER_ID : clusterArg);
      req.authorizeCreate('NET');
      req.authorize(cluster, AuthOp.ADMIN);
      const { template, name } = templateAndName(vnets, text, 'Virtual Network');
      let vnet: VirtualNetwork;
      try {
        checkName(name, ErrorCode.ALLOCATE);
        checkNameFree(vnets, name, req.caller.uid, ErrorCode.ALLOCATE);
        const request = networkRequest(template);
        encryptAttributes(req, 'VNET', template);
        vnet = newNetwork(req, name, request.fields, template);
        for (const ar of request.ars) vnet.addAr(ar, vnets.macPrefix);
      } catch (err) {
        throw allocateError(vnets, (err as Error).message);
      }
      vnet.clusters.add(cluster.oid);
      const tx = req.transaction();
      vnets.nextOid();
      tx.create(vnets, vnet);
      tx.touch(clusters, cluster).vnets.add(vnet.oid);
      await tx.commit();
      return vnet.oid;
    },
  }),
  method({
    name: 'one.vn.delete',
    params: ['i'],
    run: async (req, [oid]) => {
      const { vnets, clusters } = req.core;
      const vnet = authorizedVnet(req, oid, AuthOp.MANAGE);
      const busy = inUseError(vnet);
      if (busy) throw new ApiError(ErrorCode.ACTION, busy, oid);
      const tx = req.transaction();
      for (const arId of [...vnet.ars.keys()]) dropAr(req, tx, vnet, arId);
      for (const cid of vnet.clusterIds) {
        const cluster = clusters.get(cid);
        if (cluster) tx.touch(clusters, cluster).vnets.delete(oid);
      }
      vnets.deleteNetwork(tx, vnet);
      await tx.commit();
      await req.core.acl.delResourceRules(ObjectType.NET, oid);
      return oid;
    },
  }),
  method({
    name: 'one.vn.update',
    params: ['i', 's', { opt: 'i', def: 0 }],
    run: async (req, [oid, text, type]) => {
      if (type !== 0 && type !== 1) throw new ApiError(ErrorCode.XML_RPC_API, `Wrong update type ${type}: use 0 (replace) or 1 (merge).`, oid);
      const vnets = req.core.vnets;
      const vnet = authorizedVnet(req, oid, AuthOp.MANAGE);
      const tmpl = parseTemplate(text, ErrorCode.ACTION, undefined, oid);
      // Address ranges change through add_ar / update_ar / rm_ar, never through the template.
      tmpl.remove('AR');
      // VNET_RESTRICTED_ATTR (BRIDGE, VN_MAD, PHYDEV...): others may keep them, not change them.
      checkRestrictedUpdate(req, 'VNET', tmpl, vnet.template, type === 1, oid);
      const tx = req.transaction();
      tx.touch(vnets, vnet);
      if (type === 0) vnet.template = tmpl;
      else vnet.template.merge(tmpl);
      encryptAttributes(req, 'VNET', vnet.template);
      vnet.templateUpdated();
      await tx.commit();
      return oid;
    },
  }),
  method({
    name: 'one.vn.add_ar',
    params: ['i', 's'],
    run: async (req, [oid, text]) => {
      const vnets = req.core.vnets;
      const vnet = authorizedVnet(req, oid, AuthOp.ADMIN);
      if (vnet.isReservation) throw new ApiError(ErrorCode.ACTION, `Virtual network ${oid} is a reservation: its address ranges come from reserve.`, oid);
      const v = vectorArg(text, 'AR', oid);
      const tx = req.transaction();
      tx.touch(vnets, vnet);
      action(oid, () => vnet.addAr(v, vnets.macPrefix));
      await tx.commit();
      return oid;
    },
  }),
  method({
    name: 'one.vn.rm_ar',
    params: ['i', 'i', { opt: 'b', def: false }],
    run: async (req, [oid, arId, force]) => {
      const vnet = authorizedVnet(req, oid, AuthOp.ADMIN);
      const ar = vnet.ars.get(arId);
      if (!ar) throw new ApiError(ErrorCode.ACTION, `Address range ${arId} does not exist in virtual network ${oid}.`, oid);
      if (ar.usedCount > 0 && !force) {
        throw new ApiError(ErrorCode.ACTION, `Address range ${arId} of virtual network ${oid} has ${ar.usedCount} leases in use; free them or remove it with force.`, oid);
      }
      const tx = req.transaction();
      dropAr(req, tx, vnet, arId);
      await tx.commit();
      return oid;
    },
  }),
  method({
    name: 'one.vn.update_ar',
    params: ['i', 's'],
    run: async (req, [oid, text]) => {
      const vnets = req.core.vnets;
      const vnet = authorizedVnet(req, oid, AuthOp.MANAGE);
      const v = vectorArg(text, 'AR', oid);
      const arId = intAttr(v.get('AR_ID'), 'AR_ID', oid);
      if (arId === undefined) throw new ApiError(ErrorCode.ACTION, 'The AR vector must name the address range to update with AR_ID.', oid);
      const ar = vnet.ars.get(arId);
      if (!ar) throw new ApiError(ErrorCode.ACTION, `Address range ${arId} does not exist in virtual network ${oid}.`, oid);
      // A reservation's size is what was taken from the parent.
      if (vnet.isReservation) v.delete('SIZE');
      // As in OpenNebula, the restricted AR keys (VNET_RESTRICTED_ATTR AR/...) of others are dropped.
      if (!req.caller.isAdmin) req.core.attributes.restricted('VNET').stripKeys('AR', v);
      const tx = req.transaction();
      tx.touch(vnets, vnet);
      action(oid, () => {
        const before = ar.size;
        ar.update(v);
        for (const other of vnet.ars.values()) {
          if (other !== ar && ar.overlaps(other)) {
            ar.update(new Map([['SIZE', String(before)]]));
            throw new Error(`SIZE ${v.get('SIZE')} makes address range ${arId} overlap with address range ${other.id}.`);
          }
        }
      });
      await tx.commit();
      return oid;
    },
  }),
  method({
    name: 'one.vn.free_ar',
    params: ['i', 'i'],
    run: async (req, [oid, arId]) => {
      const vnet = authorizedVnet(req, oid, AuthOp.MANAGE);
      const ar = vnet.ars.get(arId);
      if (!ar) throw new ApiError(ErrorCode.ACTION, `Address range ${arId} does not exist in virtual network ${oid}.`, oid);
      if (!vnet.isReservation || ar.parentArId === undefined) throw new ApiError(ErrorCode.ACTION, `Address range ${arId} of virtual network ${oid} is not a reservation.`, oid);
      for (const [, owner] of ar.leases()) {
        if (owner.kind !== 'VM' || owner.id >= 0) throw new ApiError(ErrorCode.ACTION, `Address range ${arId} of virtual network ${oid} has leases in use (${owner.kind} ${owner.id}).`, oid);
      }
      const tx = req.transaction();
      dropAr(req, tx, vnet, arId);
      await tx.commit();
      return oid;
    },
  }),
  method({
    name: 'one.vn.hold',
    params: ['i', 's'],
    run: async (req, [oid, text]) => {
      const vnet = authorizedVnet(req, oid, AuthOp.MANAGE);
      const lease = leaseArg(text, oid);
      const tx = req.transaction();
      action(oid, () => req.core.vnets.hold(tx, vnet, lease));
      await tx.commit();
      return oid;
    },
  }),
  method({
    name: 'one.vn.release',
    params: ['i', 's'],
    run: async (req, [oid, text]) => {
      const vnet = authorizedVnet(req, oid, AuthOp.MANAGE);
      const lease = leaseArg(text, oid);
      const tx = req.transaction();
      action(oid, () => req.core.vnets.release(tx, vnet, lease));
      await tx.commit();
      return oid;
    },
  }),
  method({
    name: 'one.vn.reserve',
    params: ['i', 's'],
    // USE on the parent; a new reservation is the caller's (CREATE NET), an existing one needs MANAGE.
    run: async (req, [oid, text]) => {
      const vnets = req.core.vnets;
      const parent = authorizedVnet(req, oid, AuthOp.USE);
      const t = parseTemplate(text, ErrorCode.ACTION, undefined, oid);
      const size = intAttr(t.get('SIZE'), 'SIZE', oid);
      if (size === undefined || size < 1) throw new ApiError(ErrorCode.ACTION, 'A reservation needs SIZE, a positive number of leases.', oid);
      const request = { size, arId: intAttr(t.get('AR_ID'), 'AR_ID', oid), ip: t.get('IP') || undefined, mac: t.get('MAC') || undefined };
      const targetId = intAttr(t.get('NETWORK_ID'), 'NETWORK_ID', oid);
      let target: VirtualNetwork;
      const tx = req.transaction();
      if (targetId !== undefined) {
        target = authorizedVnet(req, targetId, AuthOp.MANAGE);
        if (target.fields.parentId !== oid) throw new ApiError(ErrorCode.ACTION, `Virtual network ${targetId} is not a reservation of virtual network ${oid}.`, oid);
      } else {
        const name = t.get('NAME') ?? '';
        req.authorizeCreate('NET');
        checkName(name, ErrorCode.ACTION, '', oid);
        checkNameFree(vnets, name, req.caller.uid, ErrorCode.ACTION);
        if (parent.isReservation) throw new ApiError(ErrorCode.ACTION, `Virtual network ${oid} is a reservation itself; reserve from its parent ${parent.fields.parentId}.`, oid);
        target = newNetwork(req, name, { ...parent.fields, parentId: oid, templateId: -1 }, parent.template.clone());
        for (const cid of parent.clusterIds) target.clusters.add(cid);
      }
      // The quota is charged first (it changes nothing when refused) and given back if no room is found.
      const usage = reservationQuotaUsage(oid, size);
      try {
        chargeQuotas(tx, req.core, target.owner.uid, target.owner.gid, usage);
      } catch (err) {
        if (err instanceof QuotaExceededError) throw new ApiError(ErrorCode.ACTION, `Cannot reserve: ${err.message}.`, oid);
        throw err;
      }
      try {
        vnets.reserveLeases(tx, parent, target, request);
      } catch (err) {
        releaseQuotas(tx, req.core, target.owner.uid, target.owner.gid, usage);
        throw new ApiError(ErrorCode.ACTION, (err as Error).message, oid);
      }
      if (targetId === undefined) {
        vnets.nextOid();
        tx.create(vnets, target);
        for (const cid of target.clusterIds) {
          const cluster = req.core.clusters.get(cid);
          if (cluster) tx.touch(req.core.clusters, cluster).vnets.add(target.oid);
        }
      }
      await tx.commit();
      return target.oid;
    },
  }),
  ...genericMethods,
  method({
    name: 'one.vnpool.info',
    params: [{ opt: 'i', def: -2 }, { opt: 'i', def: -1 }, { opt: 'i', def: -1 }],
    run: (req, [filter, start, end]) => {
      const vnets = req.core.vnets;
      return new EscapedString(vnets.toEscapedListing(listPool(req, vnets, filter, start, end, undefined, kind.clustersOf)));
    },
  }),
];
