/**
 * `one.vn.*` and `one.vnpool.info`: virtual networks, their address ranges, holds and
 * reservations. The lease bookkeeping is the pool's (src/vnet/); these check arguments and
 * rights, and turn its errors into OpenNebula 7.4's codes: allocate, the lease and address
 * range actions fail with INTERNAL, reserve with ACTION (quotas: AUTHORIZATION), and, as in
 * 7.4, a failure names object -1 unless the object does not exist.
 */
import { AuthOp, type AuthOpValue } from '../../auth/operation.js';
import { chargeQuotas, QuotaExceededError, releaseQuotas } from '../../auth/quota-charge.js';
import { ObjectType } from '../../common/object-type.js';
import type { Template, Vector } from '../../common/template/index.js';
import { DEFAULT_CLUSTER_ID, NONE_CLUSTER_ID } from '../../cluster/index.js';
import type { Ownership, Permissions, Transaction } from '../../pool/index.js';
import { VirtualNetwork, VnetState, networkRequest, reservationQuotaUsage, userAr, type LeaseRequest, type VnetStateValue } from '../../vnet/index.js';
import { timestamp } from '../../common/log.js';
import { ApiError, ErrorCode, type ErrorCodeValue } from '../api-error.js';
import { EscapedString } from '../xmlrpc/index.js';
import { method, type MethodDef } from '../request-manager.js';
import type { Request } from '../request.js';
import { checkName, checkNameFree, listPool, newObjectPermissions, parseTemplate } from './common.js';
import { forgetResource } from './vdc.js';
import { objectMethods, updateMethod } from './object-methods.js';
import { checkRestrictedUpdate, encryptAttributes } from './template-attributes.js';

const kind = { prefix: 'one.vn', pool: (core: Request['core']) => core.vnets, clustersOf: (vn: VirtualNetwork) => vn.clusterIds, encrypted: 'VNET' as const };

/** The network, authorized for `op` with its clusters, so `NET/%cid` ACL rules apply. */
export function authorizedVnet(req: Request, oid: number, op: AuthOpValue): VirtualNetwork {
  const vnet = req.get(req.core.vnets, oid);
  req.authorize(vnet, op, vnet.clusterIds);
  return vnet;
}

/** Runs a pool operation, turning its Error into `code` (INTERNAL: 7.4's code for failed lease and AR actions). */
function action<T>(op: () => T, code: ErrorCodeValue = ErrorCode.INTERNAL): T {
  try {
    return op();
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw new ApiError(code, (err as Error).message);
  }
}

/** The first `name = [...]` vector of a template argument; INTERNAL with `missing` when there is none. */
function vectorArg(text: string, name: string, missing: string): Vector {
  const v = parseTemplate(text, ErrorCode.INTERNAL).getVector(name);
  if (!v) throw new ApiError(ErrorCode.INTERNAL, missing);
  return v;
}

/** A non-negative integer attribute of a template, undefined when absent; `code` when malformed. */
function intAttr(value: string | undefined, name: string, code: ErrorCodeValue = ErrorCode.INTERNAL): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^\s*\d+\s*$/.test(value)) throw new ApiError(code, `Wrong ${name} "${value}": it must be a non-negative integer.`);
  return Number(value);
}

/**
 * The lease a hold / release template names: `LEASES = [ IP = ... | IP6 = ... | MAC = ..., AR_ID = ... ]`,
 * exactly one address, as 7.4 asks.
 */
function leaseArg(text: string): LeaseRequest {
  const v = vectorArg(text, 'LEASES', 'Empty lease description.');
  const ip = v.get('IP') || undefined;
  const ip6 = v.get('IP6') || undefined;
  const mac = v.get('MAC') || undefined;
  const given = [ip, ip6, mac].filter((a) => a !== undefined).length;
  if (given === 0) throw new ApiError(ErrorCode.INTERNAL, 'Missing MAC, IP or IP6.');
  if (given > 1) throw new ApiError(ErrorCode.INTERNAL, 'Only one attribute MAC, IP or IP6 can be set.');
  return { ip: ip ?? ip6, mac, arId: intAttr(v.get('AR_ID'), 'AR_ID') };
}

/** 7.4's answer to a hold of an address that is not in the network (or AR) or not free. */
export const HOLD_REFUSED = 'Address is not part of the address range or in use.';

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

/** Deletes a network (the caller checked it may go): its ARs, cluster memberships and ACL rules. */
async function deleteNetwork(req: Request, vnet: VirtualNetwork): Promise<void> {
  const { vnets, clusters } = req.core;
  const { oid } = vnet;
  const tx = req.transaction();
  for (const arId of [...vnet.ars.keys()]) dropAr(req, tx, vnet, arId);
  for (const cid of vnet.clusterIds) {
    const cluster = clusters.get(cid);
    if (cluster) tx.touch(clusters, cluster).vnets.delete(oid);
  }
  vnets.deleteNetwork(tx, vnet);
  await tx.commit();
  vnets.vlans.release(vnet.fields);
  await req.core.acl.delResourceRules(ObjectType.NET, oid);
  await forgetResource(req, 'VNET', oid);
}

/**
 * `one.vn.recover` operations (0 failure, 1 success, 2 delete, 3 retry): the state each applies
 * to and the one it leads to, as in 7.4. Networks here are READY as soon as they exist (no
 * driver call to wait for), so these matter for a network a bad AR left in ERROR on allocate,
 * or one left in another state.
 */
const RECOVER_OPS: readonly { name: string; from: Partial<Record<VnetStateValue, VnetStateValue | 'delete'>> }[] = [
  { name: 'recover failure', from: { [VnetState.INIT]: VnetState.ERROR, [VnetState.LOCK_CREATE]: VnetState.ERROR, [VnetState.LOCK_DELETE]: VnetState.ERROR } },
  {
    name: 'recover success',
    from: { [VnetState.INIT]: VnetState.READY, [VnetState.LOCK_CREATE]: VnetState.READY, [VnetState.ERROR]: VnetState.READY, [VnetState.LOCK_DELETE]: 'delete', [VnetState.UPDATE_FAILURE]: VnetState.READY },
  },
  { name: 'recover delete', from: { [VnetState.INIT]: 'delete', [VnetState.LOCK_CREATE]: 'delete', [VnetState.LOCK_DELETE]: 'delete', [VnetState.ERROR]: 'delete' } },
  { name: 'recover retry', from: { [VnetState.UPDATE_FAILURE]: VnetState.READY } },
];

/** The generic methods, but for update, which networks apply to their head fields too. */
const genericMethods = objectMethods(kind).filter((m) => m.name !== updateMethod(kind).name);

/**
 * Builds a network owned by the caller (allocate and new reservations) with the id the pool
 * gives next; the caller takes that id with `nextOid()` once nothing can fail any more, in the
 * same synchronous step, so a refused call leaves no hole in the ids.
 */
function newNetwork(req: Request, name: string, fields: VirtualNetwork['fields'], template: Template, owner?: NewNetwork['owner']): VirtualNetwork {
  const vnets = req.core.vnets;
  const c = req.caller;
  const own = owner ?? { uid: c.uid, gid: c.gid, uname: c.uname, gname: c.gname, permissions: newObjectPermissions(req) };
  const vnet = new VirtualNetwork(vnets.lastId + 1, name, { uid: own.uid, gid: own.gid, uname: own.uname, gname: own.gname }, own.permissions, fields, template);
  // As in OpenNebula, a network without BRIDGE gets one named after its VLAN_ID, or its id.
  if (vnet.fields.bridge === '') vnet.fields.bridge = vnet.fields.vlanId === '' ? `onebr${vnet.oid}` : `onebr.${vnet.fields.vlanId}`;
  vnet.syncTemplate();
  return vnet;
}

/**
 * The ARs of a new network, as 7.4 makes them once the network driver created it: in order, up
 * to the first that cannot be made. That one and those after it are dropped, and the network,
 * created all the same, is left in ERROR with the reason in TEMPLATE/ERROR (one.vn.recover
 * clears it). Only AR errors do this; a bad template otherwise still refuses the call.
 */
function addCreationArs(vnet: VirtualNetwork, ars: readonly Vector[], macPrefix: number): void {
  for (const ar of ars) {
    try {
      vnet.addAr(ar, macPrefix);
    } catch (err) {
      if (err instanceof ApiError) throw err;
      vnet.fields.state = vnet.fields.prevState = VnetState.ERROR;
      vnet.template.set('ERROR', `${timestamp(new Date())}: ${(err as Error).message}`);
      return;
    }
  }
}

/** How `createNetwork` makes a network. */
export interface NewNetwork {
  /** The clusters it goes in (they must exist). */
  readonly clusterIds: readonly number[];
  /** The error code of a bad template (allocate: INTERNAL, as 7.4; instantiate: ALLOCATE). */
  readonly code: ErrorCodeValue;
  /** The network template it comes from (`TEMPLATE_ID`), -1 for none. */
  readonly templateId?: number;
  /**
   * Refuse the call when an AR cannot be made (instantiate), instead of making the network in
   * ERROR without it, as 7.4's allocate does.
   */
  readonly strictArs?: boolean;
  /** Another owner than the caller, with the permissions (a group's VLAN rule networks). */
  readonly owner?: Ownership & { readonly permissions: Permissions };
}

/**
 * Makes a network owned by the caller from an allocate template (its NAME already taken out and
 * checked) in the given clusters; the caller has checked the rights. Nothing is created when the
 * template is refused.
 */
export async function createNetwork(req: Request, name: string, template: Template, opts: NewNetwork): Promise<number> {
  const { vnets, clusters } = req.core;
  const inClusters = opts.clusterIds.map((cid) => req.get(clusters, cid));
  const vnet = action(() => {
    const request = networkRequest(template);
    encryptAttributes(req, 'VNET', template);
    const created = newNetwork(req, name, { ...request.fields, templateId: opts.templateId ?? -1 }, template, opts.owner);
    if (opts.strictArs) for (const ar of request.ars) created.addAr(ar, vnets.macPrefix);
    else addCreationArs(created, request.ars, vnets.macPrefix);
    // Automatic VLAN ids last: nothing after this can refuse the call but the commit.
    vnets.vlans.assign(created.oid, created.fields);
    created.syncTemplate();
    return created;
  }, opts.code);
  const tx = req.transaction();
  for (const cluster of inClusters) {
    vnet.clusters.add(cluster.oid);
    tx.touch(clusters, cluster).vnets.add(vnet.oid);
  }
  vnets.nextOid();
  tx.create(vnets, vnet);
  try {
    await tx.commit();
  } catch (err) {
    vnets.vlans.release(vnet.fields);
    throw err;
  }
  return vnet.oid;
}

export const vnetMethods: MethodDef[] = [
  method({
    name: 'one.vn.allocate',
    params: ['s', { opt: 'i', def: NONE_CLUSTER_ID }],
    run: async (req, [text, clusterArg]) => {
      const { vnets, clusters } = req.core;
      const cluster = req.get(clusters, clusterArg === NONE_CLUSTER_ID ? DEFAULT_CLUSTER_ID : clusterArg);
      // As in 7.4: a parse error or anything wrong in the template is INTERNAL, with 7.4's messages where it has one.
      const template = parseTemplate(text, ErrorCode.INTERNAL);
      req.authorizeCreate('NET');
      req.authorize(cluster, AuthOp.ADMIN);
      const name = template.get('NAME') ?? '';
      template.remove('NAME');
      checkNameFree(vnets, name, req.caller.uid, ErrorCode.INTERNAL);
      if (name === '') throw new ApiError(ErrorCode.INTERNAL, 'No NAME in template for Virtual Network.');
      checkName(name, ErrorCode.INTERNAL);
      return createNetwork(req, name, template, { clusterIds: [cluster.oid], code: ErrorCode.INTERNAL });
    },
  }),
  method({
    name: 'one.vn.delete',
    params: ['i'],
    run: async (req, [oid]) => {
      const vnet = authorizedVnet(req, oid, AuthOp.MANAGE);
      const busy = inUseError(vnet);
      if (busy) throw new ApiError(ErrorCode.ACTION, busy);
      await deleteNetwork(req, vnet);
      return oid;
    },
  }),
  method({
    name: 'one.vn.recover',
    params: ['i', 'i'],
    // MANAGE; a network in a state the operation does not apply to is INTERNAL, as in 7.4.
    run: async (req, [oid, op]) => {
      const recovery = RECOVER_OPS[op];
      if (recovery === undefined) throw new ApiError(ErrorCode.ACTION, 'Wrong recovery operation code');
      const vnet = authorizedVnet(req, oid, AuthOp.MANAGE);
      const to = recovery.from[vnet.fields.state];
      if (to === undefined) {
        const state = Object.entries(VnetState).find(([, v]) => v === vnet.fields.state)?.[0] ?? String(vnet.fields.state);
        throw new ApiError(ErrorCode.INTERNAL, `Could not perform '${recovery.name}' on VN ${oid}, wrong state ${state}.`);
      }
      if (to === 'delete') {
        await deleteNetwork(req, vnet);
        return oid;
      }
      const tx = req.transaction();
      tx.touch(req.core.vnets, vnet);
      vnet.fields.state = vnet.fields.prevState = to;
      if (to === VnetState.ERROR) vnet.template.set('ERROR', `${timestamp(new Date())}: Failure forced by user`);
      else vnet.template.remove('ERROR');
      await tx.commit();
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
      const v = userAr(vectorArg(text, 'AR', 'Wrong AR definition. AR vector attribute is missing.'));
      if (vnet.isReservation) throw new ApiError(ErrorCode.INTERNAL, `Virtual network ${oid} is a reservation: its address ranges come from reserve.`);
      const tx = req.transaction();
      tx.touch(vnets, vnet);
      action(() => vnet.addAr(v, vnets.macPrefix));
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
      if (!ar) throw new ApiError(ErrorCode.INTERNAL, `Address Range does not exist: no address range ${arId} in virtual network ${oid}.`);
      if (ar.usedCount > 0 && !force) {
        throw new ApiError(ErrorCode.INTERNAL, `Address Range has leases in use: ${ar.usedCount} in address range ${arId} of virtual network ${oid}; free them or remove it with force.`);
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
      const v = vectorArg(text, 'AR', 'Wrong AR definition. AR vector attribute is missing.');
      const arId = intAttr(v.get('AR_ID'), 'AR_ID');
      if (arId === undefined) throw new ApiError(ErrorCode.INTERNAL, 'AR/AR_ID attribute is missing.');
      const ar = vnet.ars.get(arId);
      if (!ar) throw new ApiError(ErrorCode.INTERNAL, `Address Range with ID ${arId} was not found.`);
      // A reservation's size is what was taken from the parent.
      if (vnet.isReservation) {
        const size = v.get('SIZE');
        if (size !== undefined && size.trim() !== String(ar.size)) throw new ApiError(ErrorCode.INTERNAL, 'The SIZE of a reservation cannot be changed.');
        v.delete('SIZE');
      }
      // As in OpenNebula, the restricted AR keys (VNET_RESTRICTED_ATTR AR/...) of others are dropped.
      if (!req.caller.isAdmin) req.core.attributes.restricted('VNET').stripKeys('AR', v);
      const tx = req.transaction();
      tx.touch(vnets, vnet);
      action(() => {
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
      if (!ar) throw new ApiError(ErrorCode.INTERNAL, `Address Range does not exist: no address range ${arId} in virtual network ${oid}.`);
      if (!vnet.isReservation || ar.parentArId === undefined) throw new ApiError(ErrorCode.INTERNAL, `Address range ${arId} of virtual network ${oid} is not a reservation.`);
      for (const [, owner] of ar.leases()) {
        if (owner.kind !== 'VM' || owner.id >= 0) throw new ApiError(ErrorCode.INTERNAL, `Address Range has leases in use: address range ${arId} of virtual network ${oid} (${owner.kind} ${owner.id}).`);
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
      const lease = leaseArg(text);
      const tx = req.transaction();
      try {
        req.core.vnets.hold(tx, vnet, lease);
      } catch (err) {
        if (err instanceof ApiError) throw err;
        // 7.4's words, whether the address is not in the network (or AR) or already used.
        throw new ApiError(ErrorCode.INTERNAL, HOLD_REFUSED);
      }
      await tx.commit();
      return oid;
    },
  }),
  method({
    name: 'one.vn.release',
    params: ['i', 's'],
    run: async (req, [oid, text]) => {
      const vnet = authorizedVnet(req, oid, AuthOp.MANAGE);
      const lease = leaseArg(text);
      const tx = req.transaction();
      action(() => req.core.vnets.release(tx, vnet, lease));
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
      // Codes and messages as 7.4's: ACTION for a wrong request, INTERNAL for a taken name.
      const t = parseTemplate(text, ErrorCode.ACTION);
      const size = intAttr(t.get('SIZE'), 'SIZE', ErrorCode.ACTION);
      if (size === undefined || size < 1) throw new ApiError(ErrorCode.ACTION, 'Reservation SIZE must be a greater than 0');
      const request = {
        size,
        arId: intAttr(t.get('AR_ID'), 'AR_ID', ErrorCode.ACTION),
        ip: t.get('IP') || t.get('IP6') || undefined,
        mac: t.get('MAC') || undefined,
      };
      const targetId = intAttr(t.get('NETWORK_ID'), 'NETWORK_ID', ErrorCode.ACTION);
      let target: VirtualNetwork;
      const tx = req.transaction();
      if (targetId !== undefined) {
        if (targetId === oid) throw new ApiError(ErrorCode.ACTION, 'Cannot add a reservation from the same network');
        target = authorizedVnet(req, targetId, AuthOp.MANAGE);
        if (!target.isReservation) throw new ApiError(ErrorCode.ACTION, 'Cannot add reservations to a non-reservation VNET');
        if (target.fields.parentId !== oid) throw new ApiError(ErrorCode.ACTION, `New reservations for virtual network ${targetId} have to be from network ${target.fields.parentId}`);
      } else {
        const name = t.get('NAME') ?? '';
        if (name === '') throw new ApiError(ErrorCode.ACTION, 'NAME for reservation has to be set');
        if (parent.isReservation) throw new ApiError(ErrorCode.ACTION, `Cannot reserve addresses from a reserved VNET: virtual network ${oid} is a reservation of ${parent.fields.parentId}.`);
        req.authorizeCreate('NET');
        checkNameFree(vnets, name, req.caller.uid, ErrorCode.INTERNAL);
        checkName(name, ErrorCode.INTERNAL);
        target = newNetwork(req, name, { ...parent.fields, parentId: oid, templateId: -1 }, parent.template.clone());
        for (const cid of parent.clusterIds) target.clusters.add(cid);
      }
      // The quota is charged first (it changes nothing when refused) and given back if no room is found.
      const usage = reservationQuotaUsage(oid, size);
      try {
        chargeQuotas(tx, req.core, target.owner.uid, target.owner.gid, usage);
      } catch (err) {
        // A quota refuses as 7.4's quota checks do: AUTHORIZATION.
        if (err instanceof QuotaExceededError) throw new ApiError(ErrorCode.AUTHORIZATION, `Cannot reserve: ${err.message}.`);
        throw err;
      }
      try {
        vnets.reserveLeases(tx, parent, target, request);
      } catch (err) {
        releaseQuotas(tx, req.core, target.owner.uid, target.owner.gid, usage);
        throw new ApiError(ErrorCode.ACTION, (err as Error).message);
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
