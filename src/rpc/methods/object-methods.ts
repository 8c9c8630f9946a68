/**
 * The methods every owned object type shares, written once: `<prefix>.info`, `update`,
 * `chmod`, `chown`, `rename`, `lock` and `unlock` (OpenNebula's generic Request classes).
 */
import type { Template } from '../../common/template/index.js';
import { AuthOp, type AuthOpValue } from '../../auth/operation.js';
import { LockLevel, type LockLevelValue, type Ownership, type Pool, type PoolObject, type PermissionChange, type Transaction } from '../../pool/index.js';
import { ApiError, ErrorCode } from '../api-error.js';
import { EscapedString } from '../xmlrpc/index.js';
import { method, type MethodDef } from '../request-manager.js';
import type { Request } from '../request.js';
import type { Core } from '../core.js';
import { checkName, checkNameFree, parseTemplate } from './common.js';
import type { EncryptedKind, RestrictedKind } from '../../common/attribute-policy.js';
import { checkRestrictedUpdate, encryptAttributes, infoAnswer } from './template-attributes.js';

/** An object with a user-editable template. */
export interface TemplatedObject extends PoolObject {
  template: Template;
}

export interface ObjectKind<T extends TemplatedObject> {
  /** Method prefix, e.g. `one.document`. */
  readonly prefix: string;
  readonly pool: (core: Core) => Pool<T>;
  /** Whether the object's template is in replace mode (setting a name drops the old ones). */
  readonly replaceMode?: boolean;
  /** Whether no two objects of an owner share a name (default); VM names may repeat. */
  readonly namesUnique?: boolean;
  /** The clusters an object is in, for objects `%cid` ACL rules can name. */
  readonly clustersOf?: (obj: T) => readonly number[];
  /**
   * Runs in chown's transaction before the owner changes (VMs move their quota usage to the new
   * owner); it may throw an ApiError before changing anything.
   */
  readonly beforeChown?: (req: Request, tx: Transaction, obj: T, owner: Ownership) => void;
  /** Its oned.conf `<KIND>_RESTRICTED_ATTR` list, checked on update for non-admins. */
  readonly restricted?: RestrictedKind;
  /** Its oned.conf `<KIND>_ENCRYPTED_ATTR` list: encrypted on update, clear with info's decrypt. */
  readonly encrypted?: EncryptedKind;
  /** The templates encrypted values are in (default: the object's template). */
  readonly templatesOf?: (obj: T) => Template[];
  /** Whether info is `(id, extended, decrypt)` (VM templates) rather than `(id, decrypt)`. */
  readonly infoExtended?: boolean;
}

/** The object, authorized for `op` (with its clusters, when the kind has them). */
function authorizedObject<T extends TemplatedObject>(req: Request, kind: ObjectKind<T>, oid: number, op: AuthOpValue): T {
  const obj = req.get(kind.pool(req.core), oid);
  req.authorize(obj, op, kind.clustersOf?.(obj));
  return obj;
}

/** `update(id, template, type)`: 0 replaces the template, 1 merges into it. */
export function updateMethod<T extends TemplatedObject>(kind: ObjectKind<T>): MethodDef {
  return method({
    name: `${kind.prefix}.update`,
    params: ['i', 's', { opt: 'i', def: 0 }],
    run: async (req, [oid, text, type]) => {
      if (type !== 0 && type !== 1) throw new ApiError(ErrorCode.XML_RPC_API, `Wrong update type ${type}: use 0 (replace) or 1 (merge).`, oid);
      const pool = kind.pool(req.core);
      const obj = authorizedObject(req, kind, oid, AuthOp.MANAGE);
      const tmpl = parseTemplate(text, ErrorCode.ACTION, { replaceMode: kind.replaceMode }, oid);
      if (kind.restricted) checkRestrictedUpdate(req, kind.restricted, tmpl, obj.template, type === 1, oid);
      const tx = req.transaction();
      tx.touch(pool, obj);
      if (type === 0) obj.template = tmpl;
      else obj.template.merge(tmpl);
      if (kind.encrypted) encryptAttributes(req, kind.encrypted, obj.template);
      await tx.commit();
      return oid;
    },
  });
}

export function objectMethods<T extends TemplatedObject>(kind: ObjectKind<T>): MethodDef[] {
  const p = kind.prefix;
  return [
    method({
      name: `${p}.info`,
      params: ['i', { opt: 'b', def: false }, { opt: 'b', def: false }],
      // As in OpenNebula, reading an object is never blocked by its lock.
      run: (req, [oid, second, third]) => {
        const obj = authorizedObject(req, kind, oid, AuthOp.USE_NO_LCK);
        const decrypt = kind.infoExtended ? third : second;
        if (!kind.encrypted) return new EscapedString(obj.toEscapedXml());
        return infoAnswer(req, kind.encrypted, obj, decrypt, kind.templatesOf?.(obj) ?? [obj.template]);
      },
    }),
    updateMethod(kind),
    method({
      name: `${p}.chmod`,
      params: ['i', 'i', 'i', 'i', 'i', 'i', 'i', 'i', 'i', 'i'],
      run: async (req, [oid, ...bits]) => {
        const pool = kind.pool(req.core);
        const change = bits as unknown as PermissionChange;
        // Granting or revoking ADMIN rights needs ADMIN on the object.
        const op = change[2] !== -1 || change[5] !== -1 || change[8] !== -1 ? AuthOp.ADMIN : AuthOp.MANAGE;
        const obj = authorizedObject(req, kind, oid, op);
        if (!req.caller.isAdmin && !req.core.config.bool('ENABLE_OTHER_PERMISSIONS', false) && (change[6] > 0 || change[7] > 0 || change[8] > 0)) {
          throw new ApiError(ErrorCode.AUTHORIZATION, `User [${req.caller.uid}] : Not authorized to set OTHER permissions (ENABLE_OTHER_PERMISSIONS is off).`, oid);
        }
        let perms;
        try {
          perms = obj.perms.change(change);
        } catch (err) {
          throw new ApiError(ErrorCode.XML_RPC_API, (err as Error).message, oid);
        }
        const tx = req.transaction();
        tx.touch(pool, obj).perms = perms;
        await tx.commit();
        return oid;
      },
    }),
    method({
      name: `${p}.chown`,
      params: ['i', 'i', 'i'],
      run: (req, [oid, uid, gid]) => chown(req, kind, oid, uid, gid),
    }),
    method({
      name: `${p}.rename`,
      params: ['i', 's'],
      run: async (req, [oid, name]) => {
        const pool = kind.pool(req.core);
        const obj = authorizedObject(req, kind, oid, AuthOp.MANAGE);
        checkName(name, ErrorCode.ACTION, '', oid);
        checkNameFree(pool, name, obj.owner.uid, ErrorCode.ACTION, oid);
        const tx = req.transaction();
        tx.touch(pool, obj);
        pool.rename(obj, name);
        await tx.commit();
        return oid;
      },
    }),
    method({
      name: `${p}.lock`,
      params: ['i', 'i', { opt: 'b', def: false }],
      run: async (req, [oid, level, test]) => {
        if (level < 1 || level > 4) throw new ApiError(ErrorCode.ACTION, `Wrong lock level specified (${level}): use 1 (use), 2 (manage), 3 (admin) or 4 (all).`, oid);
        const pool = kind.pool(req.core);
        const obj = authorizedObject(req, kind, oid, AuthOp.MANAGE_NO_LCK);
        if (obj.lock && test) throw new ApiError(ErrorCode.ACTION, `The resource is already locked (level ${obj.lock.level}).`, oid);
        const tx = req.transaction();
        // As OpenNebula 7.4, level 4 (all) is stored as 1: a USE lock blocks every operation.
        tx.touch(pool, obj).lock = { level: (level === 4 ? LockLevel.USE : level) as LockLevelValue, owner: req.caller.uid, time: Math.floor(Date.now() / 1000), reqId: req.id };
        await tx.commit();
        return oid;
      },
    }),
    method({
      name: `${p}.unlock`,
      params: ['i'],
      run: async (req, [oid]) => {
        const pool = kind.pool(req.core);
        const obj = authorizedObject(req, kind, oid, AuthOp.MANAGE_NO_LCK);
        if (!obj.lock) return oid;
        if (obj.lock.owner !== req.caller.uid && !req.caller.isAdmin) {
          throw new ApiError(ErrorCode.AUTHORIZATION, `User [${req.caller.uid}] : the lock belongs to user [${obj.lock.owner}].`, oid);
        }
        const tx = req.transaction();
        tx.touch(pool, obj).lock = null;
        await tx.commit();
        return oid;
      },
    }),
  ];
}

/**
 * `chown(id, uid, gid)`, -1 leaving either unchanged: MANAGE on the object, MANAGE on the new
 * owner and USE on the new group, as OpenNebula checks.
 */
async function chown<T extends TemplatedObject>(req: Request, kind: ObjectKind<T>, oid: number, uid: number, gid: number): Promise<number> {
  const pool = kind.pool(req.core);
  const obj = authorizedObject(req, kind, oid, AuthOp.MANAGE);
  const { users, groups } = req.core;
  const newUser = uid >= 0 ? req.get(users, uid) : undefined;
  const newGroup = gid >= 0 ? req.get(groups, gid) : undefined;
  if (newUser) req.authorize(newUser, AuthOp.MANAGE);
  if (newGroup) req.authorize(newGroup, AuthOp.USE);
  if (!newUser && !newGroup) return oid;
  const owner = {
    uid: newUser?.oid ?? obj.owner.uid,
    uname: newUser?.name ?? obj.owner.uname,
    gid: newGroup?.oid ?? obj.owner.gid,
    gname: newGroup?.name ?? obj.owner.gname,
  };
  if (newUser && kind.namesUnique !== false) checkNameFree(pool, obj.name, owner.uid, ErrorCode.ACTION, oid);
  const tx = req.transaction();
  kind.beforeChown?.(req, tx, obj, owner);
  tx.touch(pool, obj);
  pool.setOwner(obj, owner);
  await tx.commit();
  return oid;
}
