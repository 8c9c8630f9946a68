/**
 * Keeps the ACL rules in step with the VDCs. A rule is added when a VDC first generates it and
 * removed only when no VDC generates it any more: two VDCs that give a group the same cluster
 * share the rule, and taking the cluster out of one leaves the group its rights through the other.
 */
import type { AclRule } from '../common/acl/acl-rule.js';
import { AclError, type AclManager } from '../acl/index.js';
import { ruleKey } from '../acl/rule-index.js';
import { allVdcRules, type VdcAclRights } from './vdc-rules.js';
import type { Vdc } from './vdc.js';

/** Adds the rules that are not there yet. */
export async function grantRules(acl: AclManager, rules: readonly AclRule[]): Promise<void> {
  for (const rule of rules) {
    if (acl.find(rule)) continue;
    try {
      await acl.addRule(rule);
    } catch (err) {
      // Added meanwhile by another call: what was wanted is there.
      if (!(err instanceof AclError && err.kind === 'exists')) throw err;
    }
  }
}

/** Removes the rules no VDC of `vdcs` (their state after the change) generates any more. */
export async function revokeRules(acl: AclManager, rules: readonly AclRule[], rights: VdcAclRights, vdcs: Iterable<Vdc>): Promise<void> {
  if (rules.length === 0) return;
  const still = new Set(allVdcRules(rights, vdcs).map(ruleKey));
  for (const rule of rules) {
    if (still.has(ruleKey(rule))) continue;
    const stored = acl.find(rule);
    if (!stored) continue;
    try {
      await acl.delRule(stored.oid);
    } catch (err) {
      if (!(err instanceof AclError && err.kind === 'not_found')) throw err;
    }
  }
}
