/** Quota limits of users and groups, and the default quotas (`one.userquota.*`, `one.groupquota.*`). */
import { QuotaError, type Quotas } from '../../auth/quotas.js';
import type { Pool, PoolObject } from '../../pool/index.js';
import { ApiError, ErrorCode } from '../api-error.js';
import { EscapedString } from '../xmlrpc/index.js';
import { method, type MethodDef } from '../request-manager.js';
import type { Request } from '../request.js';
import { inListOrder, parseTemplate } from './common.js';

/** Applies a quota template to a user's or group's limits. */
export async function setQuota<T extends PoolObject & { quotas: Quotas }>(req: Request, pool: Pool<T>, obj: T, text: string): Promise<number> {
  const tmpl = parseTemplate(text, ErrorCode.ACTION, undefined, obj.oid);
  const tx = req.transaction();
  tx.touch(pool, obj);
  try {
    obj.quotas.set(tmpl);
  } catch (err) {
    // set() validates everything before changing anything, so the object is untouched.
    if (err instanceof QuotaError) throw new ApiError(ErrorCode.ACTION, err.message, obj.oid);
    throw err;
  }
  await tx.commit();
  return obj.oid;
}

/**
 * A user or group pool listing as OpenNebula 7.4 shapes it: each visible object followed by its
 * `<QUOTAS>` (and `after(obj)`, already escaped), in API_LIST_ORDER, then the default quotas.
 */
export function poolWithQuotas<T extends PoolObject & { quotas: Quotas }>(
  req: Request,
  pool: Pool<T>,
  defaultsRoot: string,
  defaults: Quotas,
  after?: (obj: T) => string,
): EscapedString {
  const visible = req.core.authz.visibility(req.caller, pool.options.type);
  const shown = inListOrder(req, visible ? [...pool.all()].filter(visible) : [...pool.all()]);
  const root = pool.options.root;
  let xml = `&lt;${root}&gt;`;
  for (const o of shown) {
    xml += `${o.toEscapedXml()}&lt;QUOTAS&gt;&lt;ID&gt;${o.oid}&lt;/ID&gt;${o.quotas.toEscapedXml()}&lt;/QUOTAS&gt;`;
    if (after) xml += after(o);
  }
  return new EscapedString(`${xml}&lt;${defaultsRoot}&gt;${defaults.toEscapedXml()}&lt;/${defaultsRoot}&gt;&lt;/${root}&gt;`);
}

/**
 * `one.user.info` / `one.group.info`: the object's XML with its quotas (then `after`, already
 * escaped) and the default quotas inserted before the closing tag, from cached escaped parts.
 */
export function infoWithQuotas(obj: PoolObject & { quotas: Quotas }, root: string, defaultsRoot: string, defaults: Quotas, after = ''): EscapedString {
  const base = obj.toEscapedXml();
  const close = `&lt;/${root}&gt;`;
  return new EscapedString(
    `${base.slice(0, -close.length)}${obj.quotas.toEscapedXml()}${after}&lt;${defaultsRoot}&gt;${defaults.toEscapedXml()}&lt;/${defaultsRoot}&gt;${close}`,
  );
}

/** `one.<kind>quota.info` and `one.<kind>quota.update`. */
export function quotaMethods(kind: 'user' | 'group'): MethodDef[] {
  const root = kind === 'user' ? 'DEFAULT_USER_QUOTAS' : 'DEFAULT_GROUP_QUOTAS';
  const xml = (req: Request) => `<${root}>${req.core.defaultQuotas[kind].toXml()}</${root}>`;
  return [
    method({ name: `one.${kind}quota.info`, params: [], run: (req) => xml(req) }),
    method({
      name: `one.${kind}quota.update`,
      params: ['s'],
      run: async (req, [text]) => {
        req.requireAdmin('change the default quotas');
        const tmpl = parseTemplate(text, ErrorCode.ACTION);
        const quotas = req.core.defaultQuotas[kind];
        try {
          quotas.set(tmpl);
        } catch (err) {
          if (err instanceof QuotaError) throw new ApiError(ErrorCode.ACTION, err.message);
          throw err;
        }
        await req.core.db.write([{ kind: 'upsert', table: 'system_attributes', row: { name: root, body: xml(req) } }]);
        return xml(req);
      },
    }),
  ];
}
