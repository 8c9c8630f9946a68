/**
 * Creation, deletion and listing of objects a user owns (documents, VM templates, and later
 * images, networks, VMs): the caller becomes owner, its umask gives the permissions, names are
 * unique per owner, and deleting drops the ACL rules that named the object.
 */
import { AuthOp } from '../../auth/operation.js';
import { ObjectType } from '../../common/object-type.js';
import type { Template } from '../../common/template/index.js';
import type { Ownership, Permissions, Pool, PoolObject, Transaction } from '../../pool/index.js';
import { ErrorCode } from '../api-error.js';
import { EscapedString } from '../xmlrpc/index.js';
import type { Request } from '../request.js';
import { allocateError, checkName, checkNameFree, listPool, newObjectPermissions, parseTemplate } from './common.js';

/** Reads an allocate call's template and takes its NAME out (required, as OpenNebula's documents and templates want). */
export function templateAndName<T extends PoolObject>(pool: Pool<T>, text: string, what: string): { template: Template; name: string } {
  const template = parseTemplate(text, ErrorCode.ALLOCATE);
  const name = template.get('NAME');
  if (name === undefined) throw allocateError(pool, `No NAME in template for ${what}.`);
  template.remove('NAME');
  return { template, name };
}

/**
 * Creates an object owned by the caller, built by `build` with its id, owner and permissions.
 * `nameTaken`: how a name the owner already uses is refused; OpenNebula 7.4 answers VM
 * templates with INTERNAL and the bare message, other objects with ALLOCATE.
 */
export async function createOwned<T extends PoolObject>(
  req: Request,
  pool: Pool<T>,
  name: string,
  build: (oid: number, owner: Ownership, perms: Permissions, tx: Transaction) => T,
  nameTaken: 'allocate' | 'internal' = 'allocate',
  within?: (tx: Transaction, obj: T) => void,
): Promise<number> {
  req.authorizeCreate(pool.options.type);
  const c = req.caller;
  try {
    checkName(name, ErrorCode.ALLOCATE);
  } catch (err) {
    throw allocateError(pool, (err as Error).message);
  }
  if (nameTaken === 'internal') checkNameFree(pool, name, c.uid, ErrorCode.INTERNAL);
  else {
    try {
      checkNameFree(pool, name, c.uid, ErrorCode.ALLOCATE);
    } catch (err) {
      throw allocateError(pool, (err as Error).message);
    }
  }
  const tx = req.transaction();
  let built: T;
  try {
    // build may take more in tx (a virtual router's leases): a refusal gives it back.
    built = build(pool.nextOid(), { uid: c.uid, gid: c.gid, uname: c.uname, gname: c.gname }, newObjectPermissions(req), tx);
  } catch (err) {
    tx.rollback();
    throw err;
  }
  const obj = tx.create(pool, built);
  within?.(tx, obj);
  await tx.commit();
  return obj.oid;
}

/** Deletes an object (MANAGE), then the ACL rules that named it. */
export async function deleteOwned<T extends PoolObject>(req: Request, pool: Pool<T>, oid: number, within?: (tx: Transaction, obj: T) => void): Promise<number> {
  const obj = req.authorized(pool, oid, AuthOp.MANAGE);
  const tx = req.transaction();
  within?.(tx, obj);
  tx.delete(pool, obj);
  await tx.commit();
  await req.core.acl.delResourceRules(ObjectType[pool.options.type], oid);
  return oid;
}

/** A `*pool.info(filter, start, end)` answer. */
export function ownedPoolXml<T extends PoolObject>(req: Request, pool: Pool<T>, filter: number, start: number, end: number, extra?: (obj: T) => boolean): EscapedString {
  return new EscapedString(pool.toEscapedXml(listPool(req, pool, filter, start, end, extra)));
}
