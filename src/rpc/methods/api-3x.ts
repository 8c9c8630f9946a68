/**
 * Methods of the 3.x API that HEAD no longer has: `one.template.publish`, `one.image.publish`,
 * `one.vn.publish` (3.0) and `one.vn.addleases` / `one.vn.rmleases` (FIXED networks, 3.x).
 * Each is served on HEAD's objects; a 4.x-only argument gets XML_RPC_API naming it.
 */
import { AuthOp } from '../../auth/operation.js';
import type { Vector } from '../../common/template/index.js';
import type { PermissionChange, Pool, PoolObject } from '../../pool/index.js';
import type { VirtualNetwork } from '../../vnet/index.js';
import { ApiError, ErrorCode } from '../api-error.js';
import type { Core } from '../core.js';
import { method, type MethodDef } from '../request-manager.js';
import type { Request } from '../request.js';
import { parseTemplate } from './common.js';
import { authorizedVnet } from './vnet.js';

/**
 * `<prefix>.publish(id, publish)`: 3.0's sharing switch as the later chmod: GROUP_U, and OTHER_U
 * too when the caller may set OTHER permissions (admins, or ENABLE_OTHER_PERMISSIONS = YES).
 * Unpublishing clears both.
 */
function publishMethod(prefix: string, pool: (core: Core) => Pool<PoolObject>): MethodDef {
  return method({
    name: `${prefix}.publish`,
    params: ['i', 'b'],
    run: async (req, [oid, publish]) => {
      const p = pool(req.core);
      const obj = req.get(p, oid);
      req.authorize(obj, AuthOp.MANAGE, (obj as PoolObject & { clusterIds?: readonly number[] }).clusterIds);
      const mayShareWithOthers = req.caller.isAdmin || req.core.config.bool('ENABLE_OTHER_PERMISSIONS', false);
      const bit = publish ? 1 : 0;
      const change: PermissionChange = [-1, -1, -1, bit, -1, -1, publish && !mayShareWithOthers ? -1 : bit, -1, -1];
      const tx = req.transaction();
      tx.touch(p, obj).perms = obj.perms.change(change);
      await tx.commit();
      return oid;
    },
  });
}

/** Attributes of a 3.x `LEASES = [...]` vector; AR_ID, IP6, SIZE... came with 4.x address ranges. */
const LEASE_ATTRS_3X = new Set(['IP', 'MAC']);

/** The one `LEASES = [IP, MAC]` vector of an addleases / rmleases argument. */
function leases3x(text: string, oid: number): { ip: string; mac: string | undefined } {
  const t = parseTemplate(text, ErrorCode.XML_RPC_API, undefined, oid);
  const all = t.getAll('LEASES');
  if (all.length !== 1 || typeof all[0]!.value === 'string') throw new ApiError(ErrorCode.XML_RPC_API, 'The template must have one LEASES vector: LEASES = [ IP = "...", MAC = "..." ].', oid);
  const v = all[0]!.value as Vector;
  const extra = [...v.keys()].filter((k) => !LEASE_ATTRS_3X.has(k));
  if (extra.length > 0) {
    throw new ApiError(ErrorCode.XML_RPC_API, `LEASES of the 3.x API take IP and MAC only, not ${extra.join(', ')} (address ranges are HEAD's one.vn.add_ar / rm_ar).`, oid);
  }
  const ip = v.get('IP')?.trim() ?? '';
  if (ip === '') throw new ApiError(ErrorCode.XML_RPC_API, 'LEASES needs an IP: LEASES = [ IP = "..." ].', oid);
  return { ip, mac: v.get('MAC')?.trim() || undefined };
}

/** A network 3.x would call FIXED: single-address ranges only (what a FIXED template becomes). */
function fixedNetwork(req: Request, oid: number): VirtualNetwork {
  const vnet = authorizedVnet(req, oid, AuthOp.MANAGE);
  const ranged = [...vnet.ars.values()].find((ar) => ar.size !== 1);
  if (vnet.isReservation || ranged) {
    const why = vnet.isReservation ? 'it is a reservation' : `address range ${ranged!.id} has ${ranged!.size} addresses`;
    throw new ApiError(ErrorCode.ACTION, `Leases can only be added to or removed from FIXED networks; virtual network ${oid} is not one (${why}): use one.vn.add_ar / rm_ar.`, oid);
  }
  return vnet;
}

export const api3xMethods: MethodDef[] = [
  publishMethod('one.template', (core) => core.templates as unknown as Pool<PoolObject>),
  publishMethod('one.image', (core) => core.images as unknown as Pool<PoolObject>),
  publishMethod('one.vn', (core) => core.vnets as unknown as Pool<PoolObject>),
  method({
    name: 'one.vn.addleases',
    params: ['i', 's'],
    run: async (req, [oid, text]) => {
      const { ip, mac } = leases3x(text, oid);
      const vnet = fixedNetwork(req, oid);
      const ar: Vector = new Map([['TYPE', 'IP4'], ['IP', ip], ['SIZE', '1']]);
      if (mac) ar.set('MAC', mac);
      const tx = req.transaction();
      tx.touch(req.core.vnets, vnet);
      try {
        vnet.addAr(ar, req.core.vnets.macPrefix);
      } catch (err) {
        tx.rollback();
        throw new ApiError(ErrorCode.ACTION, `Cannot add lease ${ip} to virtual network ${oid}: ${(err as Error).message}`, oid);
      }
      await tx.commit();
      return oid;
    },
  }),
  method({
    name: 'one.vn.rmleases',
    params: ['i', 's'],
    run: async (req, [oid, text]) => {
      const { ip, mac } = leases3x(text, oid);
      const vnet = fixedNetwork(req, oid);
      const found = vnet.findLease({ ip, mac });
      if (!found) throw new ApiError(ErrorCode.ACTION, `Virtual network ${oid} has no lease ${ip}${mac ? ` with MAC ${mac}` : ''}.`, oid);
      if (found.ar.usedCount > 0) throw new ApiError(ErrorCode.ACTION, `Lease ${ip} of virtual network ${oid} is in use (by a VM or on hold); it cannot be removed.`, oid);
      const tx = req.transaction();
      req.core.vnets.removeAr(tx, vnet, found.ar.id);
      await tx.commit();
      return oid;
    },
  }),
];
