import { AclRule } from '../common/acl/acl-rule.js';
import { resourceRules, vdcAclRights } from '../vdc/vdc-rules.js';
import { ALL_RESOURCES } from '../vdc/vdc.js';

/** The "users" group, the only member of OpenNebula's default VDC on a fresh install. */
const USERS_GROUP = 1;

/**
 * The rules OpenNebula 7.4 creates on a fresh install, in id order (0, 1, 2); the default VDC's
 * rules for the "users" group (vdcRules(1), ids 3-5) follow them.
 */
export const DEFAULT_RULES: readonly AclRule[] = [
  // Members of the "users" group (gid 1) may create VMs, images, VM templates, documents (e.g.
  // OneFlow services), security groups, VM groups and backup jobs, in every zone.
  AclRule.parse('@1 VM+IMAGE+TEMPLATE+DOCUMENT+SECGROUP+VMGROUP+BACKUPJOB/* CREATE *'),
  // Every user may use every zone: list the federation's zones and work in them.
  AclRule.parse('* ZONE/* USE *'),
  // Every user may use every marketplace and marketplace app: browse and import appliances.
  AclRule.parse('* MARKETPLACE+MARKETPLACEAPP/* USE *'),
];

/**
 * What the default VDC of a fresh install (every cluster of the local zone, src/vdc) gives each
 * group in it: hosts to manage (deploy VMs on them), networks and datastores to use, in zone
 * `zoneId`. "users" is in it from the start.
 */
export function vdcRules(gid: number, zoneId: number): AclRule[] {
  return resourceRules(vdcAclRights(), 'CLUSTER', gid, { zone: zoneId, id: ALL_RESOURCES });
}

/** Every rule a fresh install starts with, in id order. */
export function bootstrapRules(zoneId: number): AclRule[] {
  return [...DEFAULT_RULES, ...vdcRules(USERS_GROUP, zoneId)];
}
