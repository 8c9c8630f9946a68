/** `one.acl.addrule`, `one.acl.delrule` and `one.acl.info`. */
import { AclError, AclRule } from '../../acl/index.js';
import { ApiError, ErrorCode } from '../api-error.js';
import { method, type MethodDef } from '../request-manager.js';
import type { Request } from '../request.js';

/** Managing ACL rules needs MANAGE on the ACL type (oneadmin, or granted by a rule). */
function authorizeAcl(req: Request): void {
  const denial = req.core.authz.checkType(req.caller, 'ACL', 2);
  if (denial) throw req.denied(denial, -1);
}

/** OpenNebula answers every refusal of the ACL manager (malformed, duplicate, unknown rule) with INTERNAL. */
function aclFailure(err: unknown, oid = -1): never {
  if (err instanceof AclError) throw new ApiError(ErrorCode.INTERNAL, err.message, oid);
  throw err;
}

export const aclMethods: MethodDef[] = [
  method({
    name: 'one.acl.addrule',
    params: ['s', 's', 's', { opt: 's', def: '' }],
    run: async (req, [user, resource, rights, zone]) => {
      authorizeAcl(req);
      try {
        return await req.core.acl.addRule(AclRule.fromHex(user, resource, rights, zone === '' ? undefined : zone, req.core.acl.zoneId));
      } catch (err) {
        return aclFailure(err);
      }
    },
  }),
  method({
    name: 'one.acl.delrule',
    params: ['i'],
    run: async (req, [oid]) => {
      authorizeAcl(req);
      try {
        await req.core.acl.delRule(oid);
      } catch (err) {
        aclFailure(err, oid);
      }
      return oid;
    },
  }),
  method({
    name: 'one.acl.info',
    params: [],
    run: (req) => {
      authorizeAcl(req);
      return req.core.acl.toXml();
    },
  }),
];
