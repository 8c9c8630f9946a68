/**
 * Hooks as API objects (OpenNebula 5.10+ / 7.4): `one.hook.allocate`, `delete`, `info`,
 * `update`, `rename`, `lock`, `unlock`, `retry`, `one.hookpool.info` and `one.hooklog.info`.
 * See src/hm/hook-object.ts for the template and src/hm/hook-manager.ts for the runs.
 */
import { AuthOp } from '../../auth/operation.js';
import { ObjectType } from '../../common/object-type.js';
import type { Template } from '../../common/template/index.js';
import { xmlEscapeText } from '../../common/xml.js';
import { checkHookTemplate, HOOK_TYPES, HookObject, type HookType } from '../../hm/index.js';
import { ApiError, ErrorCode } from '../api-error.js';
import { EscapedString } from '../xmlrpc/index.js';
import { method, type MethodDef } from '../request-manager.js';
import type { Request } from '../request.js';
import { allocateError, checkName, checkNameFree, listPool, parseTemplate } from './common.js';
import { objectMethods, updateMethod } from './object-methods.js';

const kind = { prefix: 'one.hook', pool: (core: Request['core']) => core.hookPool } as const;

/** The methods objectMethods gives that hooks have (no chmod, chown: hooks are oneadmin's). */
const SHARED = new Set(['one.hook.rename', 'one.hook.lock', 'one.hook.unlock']);

function checked(req: Request, type: HookType, t: Template): string | undefined {
  try {
    checkHookTemplate(type, t, req.core.hookCheck);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

export const hookMethods: MethodDef[] = [
  method({
    name: 'one.hook.allocate',
    params: ['s'],
    run: async (req, [text]) => {
      const pool = req.core.hookPool;
      req.authorizeCreate('HOOK');
      const template = parseTemplate(text, ErrorCode.ALLOCATE);
      const name = (template.get('NAME') ?? '').trim();
      if (name === '') throw allocateError(pool, 'No NAME in template for Hook.');
      template.remove('NAME');
      try {
        checkName(name, ErrorCode.ALLOCATE);
        checkNameFree(pool, name, 0, ErrorCode.ALLOCATE);
      } catch (e) {
        throw allocateError(pool, (e as Error).message);
      }
      const type = (template.get('TYPE') ?? '').trim().toLowerCase() as HookType;
      if (!HOOK_TYPES.includes(type)) throw allocateError(pool, `No TYPE or invalid one in template for Hook: "${template.get('TYPE') ?? ''}" (use api or state).`);
      template.remove('TYPE');
      const problem = checked(req, type, template);
      if (problem) throw allocateError(pool, problem);
      const tx = req.transaction();
      const hook = tx.create(pool, new HookObject(pool.nextOid(), name, type, template));
      await tx.commit();
      return hook.oid;
    },
  }),
  method({
    name: 'one.hook.delete',
    params: ['i'],
    run: async (req, [oid]) => {
      const pool = req.core.hookPool;
      const hook = req.authorized(pool, oid, AuthOp.MANAGE);
      const tx = req.transaction();
      tx.delete(pool, hook);
      await tx.commit();
      req.core.hookLog.forget(oid);
      await req.core.acl.delResourceRules(ObjectType.HOOK, oid);
      return oid;
    },
  }),
  method({
    name: 'one.hook.info',
    params: ['i', { opt: 'b', def: false }],
    run: (req, [oid]) => {
      const hook = req.authorized(req.core.hookPool, oid, AuthOp.USE_NO_LCK);
      const xml = hook.toXml();
      const withLog = `${xml.slice(0, -'</HOOK>'.length)}${req.core.hookLog.hookXml(oid)}</HOOK>`;
      return new EscapedString(xmlEscapeText(withLog));
    },
  }),
  checkedUpdate(updateMethod(kind)),
  ...objectMethods(kind).filter((m) => SHARED.has(m.name)),
  method({
    name: 'one.hook.retry',
    params: ['i', 'i'],
    run: async (req, [oid, exeId]) => {
      const hook = req.authorized(req.core.hookPool, oid, AuthOp.MANAGE);
      const execution = req.core.hookLog.get(oid, exeId);
      if (!execution) throw new ApiError(ErrorCode.NO_EXISTS, `Hook ${oid} has no execution ${exeId} in its log.`, oid);
      void req.core.hooks.retry(hook, execution);
      return oid;
    },
  }),
  method({
    name: 'one.hookpool.info',
    params: [{ opt: 'i', def: -2 }, { opt: 'i', def: -1 }, { opt: 'i', def: -1 }],
    // Clients send filter, start and end; OpenNebula lists every hook the caller may see.
    run: (req) => new EscapedString(req.core.hookPool.toEscapedXml(listPool(req, req.core.hookPool, -2, -1, -1))),
  }),
  method({
    name: 'one.hooklog.info',
    params: ['i', 'i', 'i', 'i'],
    run: (req, [minTs, maxTs, hookId, rc]) => {
      if (!req.caller.isAdmin) throw new ApiError(ErrorCode.AUTHORIZATION, `User [${req.caller.uid}] : Not authorized to read the hook log (oneadmin group only).`);
      return new EscapedString(xmlEscapeText(req.core.hookLog.filteredXml({ minTs, maxTs, hookId, rc })));
    },
  }),
];

/** `update` with the resulting template checked as allocate checks it (the hook stays as it was on a refusal). */
function checkedUpdate(m: MethodDef): MethodDef {
  return {
    ...m,
    run: async (req, args) => {
      const [oid, text, type] = args as [number, string, number];
      const hook = req.authorized(req.core.hookPool, oid, AuthOp.MANAGE);
      if (type !== 0 && type !== 1) return m.run(req, args);
      const incoming = parseTemplate(text, ErrorCode.ACTION, undefined, oid);
      const result = type === 1 ? hook.template.clone() : incoming;
      if (type === 1) result.merge(incoming);
      const problem = checked(req, hook.hookType, result);
      if (problem) throw new ApiError(ErrorCode.ACTION, problem, oid);
      const tx = req.transaction();
      tx.touch(req.core.hookPool, hook).template = result;
      await tx.commit();
      return oid;
    },
  } as MethodDef;
}
