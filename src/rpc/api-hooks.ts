/**
 * What api hooks (one.hook objects of TYPE api) get of a call: its parameters and response as
 * XML text, and for allocate calls the new object's XML (CALL_INFO/EXTRA).
 */
import { xmlEscapeText } from '../common/xml.js';
import type { ApiCallInfo } from '../hm/index.js';
import type { Pool, PoolObject } from '../pool/index.js';
import type { Core } from './core.js';
import { EscapedBytes, EscapedString, type XmlRpcValue } from './xmlrpc/index.js';

/** A value as text inside `<VALUE>`: escaped, XML answers kept as they travel. */
function valueText(v: XmlRpcValue): string {
  if (v instanceof EscapedString) return v.escaped;
  if (v instanceof EscapedBytes) return v.bytes.toString('utf8');
  if (typeof v === 'string') return xmlEscapeText(v);
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return v.map(valueText).join(' ');
  return xmlEscapeText(String(v));
}

/**
 * The pool an `<prefix>.allocate` call adds to. Users are left out: their XML carries the
 * password hash and login token, which must not travel in hook arguments.
 */
function allocatedPool(core: Core, method: string): Pool<PoolObject> | undefined {
  const prefix = method.slice(0, -'.allocate'.length);
  const pools: Record<string, () => Pool<PoolObject>> = {
    'one.vm': () => core.vms as unknown as Pool<PoolObject>,
    'one.host': () => core.hosts as unknown as Pool<PoolObject>,
    'one.image': () => core.images as unknown as Pool<PoolObject>,
    'one.vn': () => core.vnets as unknown as Pool<PoolObject>,
    'one.template': () => core.templates as unknown as Pool<PoolObject>,
    'one.group': () => core.groups as unknown as Pool<PoolObject>,
    'one.datastore': () => core.datastores as unknown as Pool<PoolObject>,
    'one.cluster': () => core.clusters as unknown as Pool<PoolObject>,
    'one.document': () => core.documents as unknown as Pool<PoolObject>,
    'one.backupjob': () => core.backupJobs as unknown as Pool<PoolObject>,
    'one.hook': () => core.hookPool as unknown as Pool<PoolObject>,
  };
  return method.endsWith('.allocate') ? pools[prefix]?.() : undefined;
}

/**
 * Tells the hook manager a call ended, when an api hook watches its method (a map lookup
 * otherwise). `secrets` are masked as in the log; the session shows its user name only.
 */
export function notifyApiHooks(core: Core, method: string, session: string, args: readonly XmlRpcValue[], secrets: readonly number[], response: readonly XmlRpcValue[], secretResult = false): void {
  if (core.hookPool.apiHooks(method).length === 0) return;
  const success = response[0] === true;
  let extraXml: string | undefined;
  if (success && typeof response[1] === 'number') extraXml = allocatedPool(core, method)?.get(response[1])?.toXml();
  const call: ApiCallInfo = {
    method,
    success,
    // Secret arguments masked, and the values of encrypted attributes in template arguments.
    params: [xmlEscapeText(`${session.split(':', 1)[0]}:****`), ...args.map((a, i) => (secrets.includes(i) ? '****' : typeof a === 'string' ? xmlEscapeText(core.attributes.secretMask.mask(a)) : valueText(a)))],
    out: response.map((v, i) => (secretResult && success && i === 1 ? '****' : valueText(v))),
    extraXml,
  };
  core.hooks.apiCalled(call);
}
