/**
 * Authorization of every API operation, as OpenNebula decides it: oneadmin and the oneadmin
 * group may do anything (locks still apply); otherwise the object's permission bits for the
 * caller's class (owner, group, other), then the ACL rules.
 */
import { ObjectType, type ObjectTypeName } from '../common/object-type.js';
import type { AclManager } from '../acl/index.js';
import { lockBlocks, type PoolObject } from '../pool/index.js';
import type { Caller } from './caller.js';
import { checksLock, rightOf, type AuthOpValue } from './operation.js';

const RIGHT_NAMES: Record<number, string> = { 1: 'USE', 2: 'MANAGE', 4: 'ADMIN', 8: 'CREATE' };

/** What a failed check was about: permissions, or a lock. */
export type Denial = { readonly kind: 'denied' | 'locked'; readonly message: string };

export class Authorizer {
  constructor(private readonly acl: AclManager) {}

  /**
   * Checks an operation on an existing object; `clusterIds` for objects in clusters. Returns
   * null when allowed.
   */
  check(caller: Caller, obj: PoolObject, op: AuthOpValue, clusterIds?: readonly number[]): Denial | null {
    const right = rightOf(op);
    if (obj.lock && checksLock(op) && lockBlocks(obj.lock.level, right)) {
      return { kind: 'locked', message: `${obj.type} is locked. [${obj.oid}]` };
    }
    if (caller.isAdmin || this.bitsAllow(caller, obj, right)) return null;
    const granted = this.acl.authorize({
      uid: caller.uid,
      gids: caller.gids,
      objectType: ObjectType[obj.type],
      oid: obj.oid,
      objectGid: obj.owner.gid,
      clusterIds,
      right,
    });
    return granted ? null : this.denied(obj.type, right, obj.oid);
  }

  /**
   * Checks a right over a whole object type rather than one object, from ACLs only: CREATE (8)
   * for allocations (`objectGid`: the group the new object will be in), MANAGE on ACL for rule
   * changes.
   */
  checkType(caller: Caller, type: ObjectTypeName, right: number, objectGid = -1, clusterIds?: readonly number[]): Denial | null {
    if (caller.isAdmin) return null;
    const granted = this.acl.authorize({
      uid: caller.uid,
      gids: caller.gids,
      objectType: ObjectType[type],
      oid: -1,
      objectGid,
      clusterIds,
      right,
    });
    return granted ? null : this.denied(type, right, -1);
  }

  /**
   * A visibility test for pool listings: the objects the caller may USE, by permission bits or
   * ACLs. The ACL part is worked out once per listing, not once per object. `clustersOf` gives
   * the clusters of an object of a type that lives in clusters, for `TYPE/%cid` rules.
   */
  visibility(caller: Caller, type: ObjectTypeName, clustersOf?: (obj: PoolObject) => readonly number[]): ((obj: PoolObject) => boolean) | undefined {
    if (caller.isAdmin) return undefined;
    const acl = this.acl.reverseSearch(caller.uid, caller.gids, ObjectType[type], 1);
    if (acl.all) return undefined;
    const oids = new Set(acl.oids);
    const gids = new Set(acl.gids);
    const cids = new Set(acl.cids);
    const inCluster = clustersOf && cids.size > 0 ? (obj: PoolObject) => clustersOf(obj).some((cid) => cids.has(cid)) : () => false;
    return (obj) => this.bitsAllow(caller, obj, 1) || oids.has(obj.oid) || gids.has(obj.owner.gid) || inCluster(obj);
  }

  /**
   * What a listing of `type` by `caller` depends on, as text: two callers with the same key see
   * the same objects through `visibility`. 'all' when the caller sees every object (admins,
   * `TYPE/*` rules); else the caller, its groups (the bits) and the ACL grants.
   */
  viewKey(caller: Caller, type: ObjectTypeName): string {
    if (caller.isAdmin) return 'all';
    const acl = this.acl.reverseSearch(caller.uid, caller.gids, ObjectType[type], 1);
    if (acl.all) return 'all';
    return `${caller.uid}:${[...caller.gids].sort((a, b) => a - b).join(',')}:#${acl.oids.join(',')}:@${acl.gids.join(',')}:%${acl.cids.join(',')}`;
  }

  private bitsAllow(caller: Caller, obj: PoolObject, right: number): boolean {
    if (right > 4) return false;
    if (obj.owner.uid === caller.uid && obj.perms.allows(0, right)) return true;
    if (caller.gids.has(obj.owner.gid) && obj.perms.allows(1, right)) return true;
    return obj.perms.allows(2, right);
  }

  private denied(type: ObjectTypeName, right: number, oid: number): Denial {
    const target = oid >= 0 ? `${type} [${oid}]` : type;
    return { kind: 'denied', message: `Not authorized to perform ${RIGHT_NAMES[right]} ${target}` };
  }
}
