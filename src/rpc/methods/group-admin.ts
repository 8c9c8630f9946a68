/**
 * Group administrators, as OpenNebula makes them: ACL rules giving the user full rights (and
 * creation) over the group's users, and use and manage of the group's objects.
 */
import { AclRule } from '../../acl/index.js';
import type { Request } from '../request.js';

function adminRules(gid: number, uid: number): AclRule[] {
  return [
    AclRule.parse(`#${uid} USER/@${gid} USE+MANAGE+ADMIN+CREATE *`),
    AclRule.parse(`#${uid} VM+NET+IMAGE+TEMPLATE+DOCUMENT+SECGROUP+VROUTER+VMGROUP+BACKUPJOB/@${gid} USE+MANAGE *`),
  ];
}

export async function grantAdminRules(req: Request, gid: number, uid: number): Promise<void> {
  for (const rule of adminRules(gid, uid)) if (!req.core.acl.find(rule)) await req.core.acl.addRule(rule);
}

export async function revokeAdminRules(req: Request, gid: number, uid: number): Promise<void> {
  for (const rule of adminRules(gid, uid)) {
    const stored = req.core.acl.find(rule);
    if (stored) await req.core.acl.delRule(stored.oid);
  }
}
