import { AclRule } from '../common/acl/acl-rule.js';

/**
 * The rules OpenNebula (HEAD) creates on a fresh install, in id order (0, 1, 2). Rules that give
 * the "users" group hosts, networks and datastores are not among them: those come with the default
 * VDC, whose engine adds them.
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
