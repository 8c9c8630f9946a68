/** Pieces shared by the method families: template arguments, name checks, listing filters. */
import { Template, TemplateSyntaxError, type TemplateOptions } from '../../common/template/index.js';
import { OBJECT_NAMES } from '../../common/object-type.js';
import { nameError, Permissions, type Pool, type PoolObject } from '../../pool/index.js';
import type { Caller } from '../../auth/caller.js';
import { ApiError, ErrorCode, type ErrorCodeValue } from '../api-error.js';
import type { Request } from '../request.js';

/** Parses a template argument (text or XML form); a syntax error becomes `code`. */
export function parseTemplate(text: string, code: ErrorCodeValue, options?: TemplateOptions, oid = -1): Template {
  try {
    return Template.parseTextOrXml(text, options);
  } catch (err) {
    if (err instanceof TemplateSyntaxError) throw new ApiError(code, `Parse error: ${err.message}`, oid);
    throw err;
  }
}

/** Throws `code` when the name is not valid for an object. */
export function checkName(name: string, code: ErrorCodeValue, extraChars = '', oid = -1): void {
  const error = nameError(name, extraChars);
  if (error) throw new ApiError(code, error, oid);
}

/** Throws `code` when another object of the pool (for that owner) already has the name. */
export function checkNameFree<T extends PoolObject>(pool: Pool<T>, name: string, uid: number, code: ErrorCodeValue, oid = -1): void {
  const other = pool.getByName(name, uid);
  if (other && other.oid !== oid) {
    throw new ApiError(code, `NAME is already taken by ${pool.options.type} ${other.oid}.`, oid);
  }
}

/** The failure message of allocate calls: "Error allocating a new <type>. <reason>" */
export function allocateError<T extends PoolObject>(pool: Pool<T>, reason: string): ApiError {
  return new ApiError(ErrorCode.ALLOCATE, `Error allocating a new ${OBJECT_NAMES[pool.options.type]}. ${reason}`);
}

/** Permissions of an object the caller creates, from its umask (user template UMASK or DEFAULT_UMASK). */
export function newObjectPermissions(req: Request): Permissions {
  const c = req.caller;
  const conf = req.core.config;
  const umaskText = c.user.template.get('UMASK') ?? conf.string('DEFAULT_UMASK', '177');
  const umask = /^[0-7]{1,3}$/.test(umaskText.trim()) ? Number.parseInt(umaskText, 8) : 0o177;
  return Permissions.forNewObject(c.uid, c.gid, umask, conf.bool('ENABLE_OTHER_PERMISSIONS', false));
}

/** API_LIST_ORDER = "DESC" (OpenNebula 7.4's default): listings give the newest objects first. */
export function descendingLists(req: Request): boolean {
  return req.core.config.string('API_LIST_ORDER', 'DESC').toUpperCase() === 'DESC';
}

/** A whole listing (id order) in the order API_LIST_ORDER asks for. */
export function inListOrder<T>(req: Request, objs: T[]): T[] {
  return descendingLists(req) ? objs.reverse() : objs;
}

/**
 * The objects a `*pool.info(filter, start, end)` call returns, with OpenNebula's filter flags:
 * -4 the caller's primary group, -3 mine, -2 all, -1 mine and my groups', >= 0 that user's.
 * `end < -1` asks for a page: `start` is the offset and `-end` the page size. `clustersOf`, for
 * objects in clusters, lets `TYPE/%cid` ACL rules show them.
 */
export function listPool<T extends PoolObject>(
  req: Request,
  pool: Pool<T>,
  filter: number,
  start: number,
  end: number,
  extra?: (obj: T) => boolean,
  clustersOf?: (obj: T) => readonly number[],
  source?: Iterable<T>,
): T[] {
  const c: Caller = req.caller;
  if (filter < -4) throw new ApiError(ErrorCode.XML_RPC_API, 'Incorrect filter_flag');
  const visible = req.core.authz.visibility(c, pool.options.type, clustersOf as ((obj: PoolObject) => readonly number[]) | undefined);
  let flag: ((obj: PoolObject) => boolean) | undefined;
  if (filter === -4) flag = (o) => o.owner.gid === c.gid;
  else if (filter === -1) flag = (o) => o.owner.uid === c.uid || c.gids.has(o.owner.gid);
  const tests = [visible, flag, extra as ((obj: PoolObject) => boolean) | undefined].filter((t) => t !== undefined);
  const test = tests.length === 0 ? undefined : tests.length === 1 ? tests[0] : (o: PoolObject) => tests.every((t) => t(o));
  const uid = filter === -3 ? c.uid : filter >= 0 ? filter : undefined;
  const paged = end < -1;
  const desc = descendingLists(req);
  const query = {
    uid,
    // With a uid filter, the owner index is at least as narrow as any other candidate list.
    source: uid === undefined ? source : undefined,
    startId: paged ? -1 : start,
    endId: paged ? -1 : end,
    visible: test,
    offset: paged && !desc ? Math.max(0, start) : undefined,
    limit: paged && !desc ? -end : undefined,
  };
  const objs = pool.list(query);
  if (!desc) return objs;
  objs.reverse();
  return paged ? objs.slice(Math.max(0, start), Math.max(0, start) - end) : objs;
}

/** Renames an object whose name is unique in its whole pool: ACTION for a bad or taken name. */
export async function renameInPool<T extends PoolObject>(req: Request, pool: Pool<T>, obj: T, name: string): Promise<number> {
  checkName(name, ErrorCode.ACTION, '', obj.oid);
  checkNameFree(pool, name, -1, ErrorCode.ACTION, obj.oid);
  const tx = req.transaction();
  tx.touch(pool, obj);
  pool.rename(obj, name);
  await tx.commit();
  return obj.oid;
}
