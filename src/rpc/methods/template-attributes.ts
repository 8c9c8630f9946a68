/**
 * The RESTRICTED / ENCRYPTED attribute rules of oned.conf applied to API calls, with OpenNebula
 * 7.4's errors: only admins (oneadmin, or members of the oneadmin group) may set a restricted
 * attribute; updates and instantiations by others may keep its value but not change it.
 */
import type { EncryptedKind, RestrictedKind } from '../../common/attribute-policy.js';
import type { Template } from '../../common/template/index.js';
import type { PoolObject } from '../../pool/index.js';
import { EscapedString } from '../xmlrpc/index.js';
import { ApiError, ErrorCode } from '../api-error.js';
import type { Request } from '../request.js';

/**
 * Allocate-style check of a whole template by a non-admin: AUTHORIZATION "`what` includes a
 * restricted attribute X" (X the vector key, e.g. BRIDGE, or the single attribute's name).
 * `what` is "VM Template" (vm.allocate, template.allocate), "Template" (image.allocate), "NIC"
 * or "DISK" (attach).
 */
export function checkRestrictedSet(req: Request, kind: RestrictedKind, t: Template, what: string, oid = -1): void {
  if (req.caller.isAdmin) return;
  const attr = req.core.attributes.restricted(kind).firstSet(t);
  if (attr !== null) throw new ApiError(ErrorCode.AUTHORIZATION, `User [${req.caller.uid}] : ${what} includes a restricted attribute ${attr}.`, oid);
}

/**
 * The extra template of an instantiation by a non-admin, against the template it extends:
 * restricted values may repeat the template's but not differ (AUTHORIZATION "User Template
 * includes a restricted attribute NIC").
 */
export function checkRestrictedExtra(req: Request, kind: RestrictedKind, extra: Template, base: Template, oid = -1): void {
  if (req.caller.isAdmin) return;
  const attr = req.core.attributes.restricted(kind).firstChanged(extra, base, true);
  if (attr !== null) throw new ApiError(ErrorCode.AUTHORIZATION, `User [${req.caller.uid}] : User Template includes a restricted attribute ${attr}.`, oid);
}

/**
 * `update(id, template, type)` by a non-admin: replacing (type 0) must leave every restricted
 * value as it was, and a restricted single attribute the new template leaves out is kept;
 * merging (type 1) must not change one it names. INTERNAL, as OpenNebula answers.
 */
export function checkRestrictedUpdate(req: Request, kind: RestrictedKind, t: Template, base: Template, append: boolean, oid: number): void {
  if (req.caller.isAdmin) return;
  const attr = req.core.attributes.restricted(kind).firstChanged(t, base, append);
  if (attr === null) return;
  const why = append ? `User Template includes a restricted attribute ${attr}` : `Tried to change restricted attribute: ${attr}`;
  throw new ApiError(ErrorCode.INTERNAL, `Cannot update template. ${why}`, oid);
}

/** Encrypts the values oned.conf lists for `kind` (call before storing a new or updated template). */
export function encryptAttributes(req: Request, kind: EncryptedKind, ...templates: Template[]): void {
  req.core.attributes.encrypt(kind, ...templates);
}

/**
 * The answer of `<object>.info`: the object's XML, with the encrypted attributes in clear only
 * when `decrypt` is asked by an admin (as OpenNebula: others get the stored values).
 */
export function infoAnswer(req: Request, kind: EncryptedKind, obj: PoolObject, decrypt: boolean, templates: readonly Template[]): EscapedString {
  return decryptedAnswer(req, kind, new EscapedString(obj.toEscapedXml()), decrypt, templates);
}

/**
 * An info answer already built (with quotas...), decrypted as infoAnswer does; `ownEntries`: the
 * entries a non-admin asking for itself also gets in clear (a user's own EC2 secret key).
 */
export function decryptedAnswer(req: Request, kind: EncryptedKind, answer: EscapedString, decrypt: boolean, templates: readonly Template[], ownEntries?: readonly string[]): EscapedString {
  if (decrypt && !req.caller.isAdmin && ownEntries) {
    return new EscapedString(req.core.attributes.decryptedEntriesEscapedXml(kind, answer.escaped, ownEntries, ...templates));
  }
  if (!decrypt || !req.caller.isAdmin) return answer;
  return new EscapedString(req.core.attributes.decryptedEscapedXml(kind, answer.escaped, ...templates));
}
