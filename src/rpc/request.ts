/**
 * One API call being served: the method, the authenticated caller, and helpers that turn
 * common outcomes (missing object, denied operation) into OpenNebula's errors.
 */
import { OBJECT_NAMES, type ObjectTypeName } from '../common/object-type.js';
import type { Caller } from '../auth/caller.js';
import type { AuthOpValue } from '../auth/operation.js';
import type { PoolObject, Pool } from '../pool/index.js';
import { Transaction } from '../pool/index.js';
import type { Denial } from '../auth/authorizer.js';
import { ApiError, ErrorCode } from './api-error.js';
import type { Core } from './core.js';

export class Request {
  constructor(
    readonly core: Core,
    readonly method: string,
    readonly caller: Caller,
    readonly id: number,
    /** Recovery epoch the call started in (see Transaction). */
    private readonly epoch: number,
  ) {}

  /** The object, or NO_EXISTS "Error getting <type> [id]." */
  get<T extends PoolObject>(pool: Pool<T>, oid: number): T {
    const obj = pool.get(oid);
    if (!obj) throw new ApiError(ErrorCode.NO_EXISTS, `Error getting ${OBJECT_NAMES[pool.options.type]} [${oid}].`, oid);
    return obj;
  }

  /** The object, authorized for `op`; NO_EXISTS or AUTHORIZATION (denied or locked) otherwise. */
  authorized<T extends PoolObject>(pool: Pool<T>, oid: number, op: AuthOpValue): T {
    const obj = this.get(pool, oid);
    this.authorize(obj, op);
    return obj;
  }

  /** Throws unless the caller may perform `op` on `obj`; `clusterIds` for objects in clusters (`%cid` ACL rules). */
  authorize(obj: PoolObject, op: AuthOpValue, clusterIds?: readonly number[]): void {
    const denial = this.core.authz.check(this.caller, obj, op, clusterIds);
    if (denial) throw this.denied(denial, obj.oid);
  }

  /** Throws unless the caller may create objects of this type in group `gid` (default: the caller's). */
  authorizeCreate(type: ObjectTypeName, gid = this.caller.gid): void {
    const denial = this.core.authz.checkType(this.caller, type, 8, gid);
    if (denial) throw this.denied(denial, -1);
  }

  /**
   * Throws unless the caller may create a `type` object in `container` (ADMIN on it, e.g. the
   * cluster of a new host): one AUTHORIZATION error naming every check that failed, joined as
   * OpenNebula joins them ("Not authorized to perform CREATE HOST; Not authorized to perform
   * ADMIN CLUSTER [0].").
   */
  authorizeCreateIn(type: ObjectTypeName, container: PoolObject, op: AuthOpValue): void {
    const denials = [this.core.authz.checkType(this.caller, type, 8, this.caller.gid), this.core.authz.check(this.caller, container, op)].filter((d) => d !== null);
    const locked = denials.find((d) => d.kind === 'locked');
    if (locked) throw this.denied(locked, -1);
    if (denials.length > 0) throw this.denied({ kind: 'denied', message: denials.map((d) => d.message).join('; ') }, -1);
  }

  /** Throws unless the caller is oneadmin or in the oneadmin group. */
  requireAdmin(what: string): void {
    if (!this.caller.isAdmin) throw new ApiError(ErrorCode.AUTHORIZATION, `User [${this.caller.uid}] : Not authorized to ${what}.`);
  }

  denied(denial: Denial, oid: number): ApiError {
    // A lock refuses as a denial does (AUTHORIZATION, no object id), as OpenNebula 7.4 answers.
    return denial.kind === 'locked'
      ? new ApiError(ErrorCode.AUTHORIZATION, `User [${this.caller.uid}] : ${denial.message}.`, -1)
      : new ApiError(ErrorCode.AUTHORIZATION, `User [${this.caller.uid}] : ${denial.message}.`, oid);
  }

  /** A new unit of work against oned's database. */
  transaction(): Transaction {
    return new Transaction(this.core.db, this.epoch);
  }
}
