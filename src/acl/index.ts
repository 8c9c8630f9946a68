/** The ACL engine: rules, their text and hex forms, and authorization against them. */
export { AclError, type AclErrorKind } from '../common/acl/acl-error.js';
export { AclRight, AclRule, AclSelector } from '../common/acl/acl-rule.js';
export {
  AclManager,
  type AclGrants,
  type AclManagerOptions,
  type AclRequest,
  type AclSelectorSwitches,
} from './acl-manager.js';
export { bootstrapRules, DEFAULT_RULES, vdcRules } from './default-rules.js';
