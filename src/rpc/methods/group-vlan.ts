/**
 * `one.group.vlan(gid, template)` and the networks a group's VLAN rules make (our own design,
 * see docs/networks.md "Per-group VLAN networks"). A rule makes networks from a network
 * template, through the same path as one.vntemplate.instantiate: SCOPE = "GROUP" one network for
 * the group (owned by its first administrator, else oneadmin; GROUP USE), SCOPE = "USER" one for
 * each user whose primary group it is, when the rule is set and when a user joins later. Each
 * network records VLAN_RULE = "<gid>:<rule id>", so a rule never makes a second network for
 * the same owner.
 */
import { AuthOp } from '../../auth/operation.js';
import { Permissions, type Ownership } from '../../pool/index.js';
import type { Group } from '../../group/index.js';
import { parseVlanRules, vlanRuleTag, type VlanRule } from '../../group/index.js';
import type { User } from '../../user/index.js';
import { ApiError, ErrorCode } from '../api-error.js';
import { method, type MethodDef } from '../request-manager.js';
import type { Request } from '../request.js';
import { parseTemplate } from './common.js';
import { networkFromTemplate } from './vntemplate.js';

/** GROUP networks: the owner uses and manages it, the group uses it. */
const GROUP_NETWORK_PERMISSIONS = 0o640;
/** USER networks: the owner's alone. */
const USER_NETWORK_PERMISSIONS = 0o600;

/** Whether one of these owners already has a network from rule `tag`. */
function hasRuleNetwork(req: Request, owners: Iterable<number>, tag: string): boolean {
  for (const uid of owners) {
    for (const vnet of req.core.vnets.ownedBy(uid)) if (vnet.template.get('VLAN_RULE') === tag) return true;
  }
  return false;
}

/** Makes the network of `rule` for `owner` unless it has one; the new network's id, or undefined. */
async function ruleNetwork(req: Request, group: Group, rule: VlanRule, owner: Ownership, name: string, perms: number, owners: Iterable<number>): Promise<number | undefined> {
  const tag = vlanRuleTag(group.oid, rule.id);
  if (hasRuleNetwork(req, owners, tag)) return undefined;
  const source = req.core.vnTemplates.get(rule.vnTemplate);
  if (!source) throw new ApiError(ErrorCode.NO_EXISTS, `Network template ${rule.vnTemplate} of VLAN rule ${rule.id} does not exist.`);
  const template = source.template.clone();
  template.set('VLAN_RULE', tag);
  const id = await networkFromTemplate(req, source, template, name, { ...owner, permissions: Permissions.fromOctal(perms) });
  req.core.log.info('ReM', `VLAN rule ${tag}: network ${id} "${name}" for user ${owner.uid}`);
  return id;
}

/** The GROUP network of a rule: owned by the group's first administrator, else oneadmin. */
function groupRuleNetwork(req: Request, group: Group, rule: VlanRule): Promise<number | undefined> {
  const admin = [...group.admins].sort((a, b) => a - b).map((uid) => req.core.users.get(uid)).find((u) => u !== undefined);
  const uid = admin?.oid ?? 0;
  const uname = admin?.name ?? req.core.users.get(0)?.name ?? 'oneadmin';
  const owner = { uid, gid: group.oid, uname, gname: group.name };
  // A group network is the group's: any of its possible owners having it is enough.
  return ruleNetwork(req, group, rule, owner, `${group.name}-vlan-${rule.id}`, GROUP_NETWORK_PERMISSIONS, [0, ...group.admins]);
}

function userRuleNetwork(req: Request, group: Group, rule: VlanRule, user: User): Promise<number | undefined> {
  const owner = { uid: user.oid, gid: group.oid, uname: user.name, gname: group.name };
  return ruleNetwork(req, group, rule, owner, `${user.name}-vlan-${rule.id}`, USER_NETWORK_PERMISSIONS, [user.oid]);
}

/**
 * Makes the networks the group's rules call for that do not exist yet; the reasons of those
 * that could not be made (the others are made all the same).
 */
async function applyGroupRules(req: Request, group: Group): Promise<string[]> {
  const failed: string[] = [];
  const attempt = async (what: string, make: () => Promise<number | undefined>) => {
    try {
      await make();
    } catch (err) {
      failed.push(`${what}: ${(err as Error).message}`);
    }
  };
  for (const rule of group.vlanRules) {
    if (rule.scope === 'GROUP') {
      await attempt(`rule ${rule.id} (group)`, () => groupRuleNetwork(req, group, rule));
      continue;
    }
    for (const uid of [...group.users].sort((a, b) => a - b)) {
      const user = req.core.users.get(uid);
      if (user && user.gid === group.oid) await attempt(`rule ${rule.id} (user ${uid})`, () => userRuleNetwork(req, group, rule, user));
    }
  }
  return failed;
}

/**
 * After a user got `user.gid` as primary group (one.user.allocate, one.user.chgrp): the
 * networks of that group's USER rules. The user's call has succeeded already, so a network that
 * cannot be made is logged, not thrown (setting the rules again retries it).
 */
export async function userJoinedVlanRules(req: Request, user: User): Promise<void> {
  const group = req.core.groups.get(user.gid);
  if (!group) return;
  for (const rule of group.vlanRules) {
    if (rule.scope !== 'USER') continue;
    try {
      await userRuleNetwork(req, group, rule, user);
    } catch (err) {
      req.core.log.warn('ReM', `VLAN rule ${vlanRuleTag(group.oid, rule.id)}: no network for user ${user.oid}: ${(err as Error).message}`);
    }
  }
}

export const groupVlanMethods: MethodDef[] = [
  method({
    name: 'one.group.vlan',
    params: ['i', 's'],
    run: async (req, [gid, text]) => {
      const groups = req.core.groups;
      // As the other group administration calls: ADMIN on the group (the oneadmin group, or an ACL).
      const group = req.authorized(groups, gid, AuthOp.ADMIN);
      const template = parseTemplate(text, ErrorCode.ACTION, undefined, gid);
      let rules: VlanRule[];
      try {
        rules = parseVlanRules(template);
      } catch (err) {
        throw new ApiError(ErrorCode.ACTION, (err as Error).message, gid);
      }
      for (const rule of rules) {
        const source = req.core.vnTemplates.get(rule.vnTemplate);
        if (!source) throw new ApiError(ErrorCode.ACTION, `Network template ${rule.vnTemplate} of RULE ${rule.id} does not exist.`, gid);
        // The networks are made from it in the group's name: the caller must be allowed to use it.
        req.authorize(source, AuthOp.USE);
      }
      const tx = req.transaction();
      tx.touch(groups, group).setVlanRules(rules);
      await tx.commit();
      const failed = await applyGroupRules(req, group);
      if (failed.length > 0) {
        throw new ApiError(ErrorCode.ACTION, `VLAN rules set, but some networks could not be made (set the rules again to retry): ${failed.join('; ')}`, gid);
      }
      return gid;
    },
  }),
];
