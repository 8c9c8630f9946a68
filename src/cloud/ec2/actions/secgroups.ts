/**
 * EC2 security groups are OpenNebula security groups (`sg-00000100` is group 100). A group made
 * by CreateSecurityGroup starts, as in a VPC, with one rule letting all traffic out.
 * Authorize/RevokeSecurityGroupIngress/Egress rewrite the group's RULEs (sg-rules.ts converts);
 * OpenNebula then sends the new rules to the hosts of the group's running VMs. Users change only
 * their own groups; DescribeSecurityGroups also lists the groups shared with them (such as
 * OpenNebula's `default`, sg-00000000). A group VMs or networks still use cannot be deleted
 * (DependencyViolation).
 */
import { PoolFilter, UpdateMode, type OneObject } from '../../../oca/index.js';
import type { Vector } from '../../../common/template/index.js';
import type { Ec2Action, Ec2Context } from '../context.js';
import { Ec2Error, ec2ErrorOf, invalid, missing } from '../errors.js';
import { formatId, parseId } from '../ids.js';
import { applyFilters, isTagFilter, paginate, tagFilterValues } from '../paging.js';
import { serialized, templateXml } from '../records.js';
import { registerTaggedKind, tagsOf, tagsSpec, type TaggedKind } from '../tags.js';
import { el, itemSet, tagSet } from '../xml.js';
import { ALLOW_ALL_EGRESS, authorizeRules, permissionsFrom, revokeRules, rulesToPermissions, type Direction, type IpPermission } from './sg-rules.js';
import { removal } from './storage.js';

/** Security groups as a taggable kind (CreateTags on `sg-` ids). */
export const SECGROUP_KIND: TaggedKind = {
  prefix: 'sg',
  resourceType: 'security-group',
  templatePath: 'TEMPLATE',
  info: (one, id) => one.secGroups.info(id),
  update: (one, id, template) => one.secGroups.update(id, template, UpdateMode.MERGE),
  list: async (one, uid) => (await listGroups(one)).filter((g) => g.uid === uid),
};
registerTaggedKind(SECGROUP_KIND);

async function listGroups(one: Ec2Context['one']): Promise<OneObject[]> {
  return one.secGroups.parseList(await one.secGroups.listXml(PoolFilter.ALL, -1, -1)).sort((a, b) => a.id - b.id);
}

function notFoundGroup(text: string): Ec2Error {
  return new Ec2Error('InvalidGroup.NotFound', `The security group '${text}' does not exist`);
}

/** The rules of a group read with `info`. */
function rulesOf(g: OneObject): Vector[] {
  return g.all('TEMPLATE/RULE').map((n) => new Map(n.children.map((c) => [c.name, c.text.trim()])));
}

/** The group named by GroupId (sg-...) or GroupName among those the caller can see. */
async function findGroup(ctx: Ec2Context): Promise<{ group: OneObject; text: string }> {
  const idText = ctx.params.optional('GroupId');
  const name = ctx.params.optional('GroupName');
  if (idText) {
    const id = parseId('sg', idText);
    if (id === undefined) throw new Ec2Error('InvalidGroupId.Malformed', `Invalid id: "${idText}" (expecting "sg-" and eight or more digits)`);
    try {
      return { group: await ctx.one.secGroups.info(id), text: idText };
    } catch (err) {
      const e = ec2ErrorOf(err);
      if (e.status >= 500) throw e;
      throw notFoundGroup(idText);
    }
  }
  if (!name) throw missing('GroupId');
  const groups = await listGroups(ctx.one);
  const group = groups.find((g) => g.name === name && g.uid === ctx.user.id) ?? groups.find((g) => g.name === name);
  if (!group) throw notFoundGroup(name);
  return { group: await ctx.one.secGroups.info(group.id), text: name };
}

/** The group, if the caller owns it (a shared one, like `default`, is an administrator's to change). */
async function ownGroup(ctx: Ec2Context): Promise<{ group: OneObject; text: string }> {
  const found = await findGroup(ctx);
  if (found.group.uid !== ctx.user.id) {
    throw new Ec2Error('UnauthorizedOperation', `The security group '${found.text}' (${found.group.name}) belongs to ${found.group.uname}: only its owner or an administrator may change it`, 403);
  }
  return found;
}

function permissionXml(p: IpPermission): string {
  return (
    el('ipProtocol', p.ipProtocol) +
    el('fromPort', p.fromPort) +
    el('toPort', p.toPort) +
    '<groups/>' +
    itemSet('ipRanges', p.ipRanges.map((r) => el('cidrIp', r.cidrIp) + el('description', r.description))) +
    '<ipv6Ranges/><prefixListIds/>'
  );
}

function groupXml(g: OneObject): string {
  const rules = rulesOf(g);
  return (
    el('ownerId', String(g.uid)) +
    el('groupId', formatId('sg', g.id)) +
    el('groupName', g.name) +
    el('groupDescription', g.get('TEMPLATE/DESCRIPTION')) +
    itemSet('ipPermissions', rulesToPermissions(rules, 'inbound').map(permissionXml)) +
    itemSet('ipPermissionsEgress', rulesToPermissions(rules, 'outbound').map(permissionXml)) +
    tagSet(tagsOf(g, 'TEMPLATE'))
  );
}

/** The values of an `ip-permission.*` / `egress.ip-permission.*` filter. */
function permissionValues(g: OneObject, dir: Direction, field: string): string[] {
  return rulesToPermissions(rulesOf(g), dir).flatMap((p) => {
    switch (field) {
      case 'protocol': return [p.ipProtocol];
      case 'from-port': return p.fromPort === undefined ? [] : [String(p.fromPort)];
      case 'to-port': return p.toPort === undefined ? [] : [String(p.toPort)];
      case 'cidr': return p.ipRanges.flatMap((r) => (r.cidrIp ? [r.cidrIp] : []));
      default: return [];
    }
  });
}

const GROUP_FILTERS = ['group-id', 'group-name', 'description', 'owner-id'];
const PERMISSION_FILTER = /^(egress\.)?ip-permission\.(protocol|from-port|to-port|cidr)$/;

const describeSecurityGroups: Ec2Action = async (ctx) => {
  const ids = ctx.params.list('GroupId');
  const names = ctx.params.list('GroupName');
  let groups = await listGroups(ctx.one);
  for (const t of ids) if (parseId('sg', t) === undefined) throw new Ec2Error('InvalidGroupId.Malformed', `Invalid id: "${t}"`);
  for (const t of ids) if (!groups.some((g) => formatId('sg', g.id) === t || parseId('sg', t) === g.id)) throw notFoundGroup(t);
  for (const n of names) if (!groups.some((g) => g.name === n)) throw notFoundGroup(n);
  if (ids.length || names.length) groups = groups.filter((g) => ids.some((t) => parseId('sg', t) === g.id) || names.includes(g.name));
  // Listings carry each group's template with its rules: no info call per group.
  const shown = applyFilters(groups, ctx.params.filters(), (f) => GROUP_FILTERS.includes(f) || PERMISSION_FILTER.test(f) || isTagFilter(f), (g, f) => {
    const m = PERMISSION_FILTER.exec(f);
    if (m) return permissionValues(g, m[1] ? 'outbound' : 'inbound', m[2]!);
    switch (f) {
      case 'group-id': return [formatId('sg', g.id)];
      case 'group-name': return [g.name];
      case 'description': return [g.get('TEMPLATE/DESCRIPTION')];
      case 'owner-id': return [String(g.uid)];
      default: return tagFilterValues(tagsOf(g, 'TEMPLATE'), f) ?? [];
    }
  });
  const page = paginate(shown, ctx.params, ids.length + names.length > 0);
  return itemSet('securityGroupInfo', page.items.map(groupXml)) + el('nextToken', page.nextToken);
};

/** An EC2 group name or description: 1 to 255 characters of what EC2 allows. */
function checkedText(ctx: Ec2Context, param: string): string {
  const v = ctx.params.str(param);
  if (v.length > 255) throw invalid(param, 'at most 255 characters');
  if (!/^[\w .:/()#,@[\]+=&;{}!$*-]+$/.test(v)) throw invalid(param, 'letters, digits, spaces and ._-:/()#,@[]+=&;{}!$* only');
  return v;
}

const createSecurityGroup: Ec2Action = async (ctx) => {
  const name = checkedText(ctx, 'GroupName');
  const desc = checkedText(ctx, 'GroupDescription');
  if (/^sg-/i.test(name)) throw invalid('GroupName', 'a group name cannot start with "sg-"');
  const tags = ctx.params.tagsFor('security-group');
  const groups = await listGroups(ctx.one);
  if (groups.some((g) => g.uid === ctx.user.id && g.name === name)) throw new Ec2Error('InvalidGroup.Duplicate', `The security group '${name}' already exists`);
  let id: number;
  try {
    id = await ctx.one.secGroups.allocate(templateXml({ NAME: name, DESCRIPTION: desc, RULE: Object.fromEntries(ALLOW_ALL_EGRESS), EC2_TAGS: tagsSpec(tags) }));
  } catch (err) {
    const e = ec2ErrorOf(err);
    throw /already taken/i.test(e.message) ? new Ec2Error('InvalidGroup.Duplicate', `The security group '${name}' already exists`) : e;
  }
  return el('return', true) + el('groupId', formatId('sg', id)) + tagSet(tags);
};

/** Authorize or revoke: the group's rules rewritten in one MERGE update (all RULEs replaced). */
function changeRules(dir: Direction, change: typeof authorizeRules): Ec2Action {
  return async (ctx) => {
    const perms = permissionsFrom(ctx.params);
    const { group } = await ownGroup(ctx);
    await serialized(`sg:${group.id}`, async () => {
      const fresh = await ctx.one.secGroups.info(group.id);
      const rules = change(rulesOf(fresh), perms, dir);
      const update = rules.length ? templateXml({ RULE: rules.map((r) => Object.fromEntries(r)) }) : removal('RULE');
      await ctx.one.secGroups.update(group.id, update, UpdateMode.MERGE);
    });
    return el('return', true);
  };
}

const deleteSecurityGroup: Ec2Action = async (ctx) => {
  const { group, text } = await ownGroup(ctx);
  try {
    await ctx.one.secGroups.delete(group.id);
  } catch (err) {
    const e = ec2ErrorOf(err);
    if (e.code === 'IncorrectState') throw new Ec2Error('DependencyViolation', `resource ${text} has a dependent object: ${e.message}`);
    throw e;
  }
  return el('return', true) + el('groupId', formatId('sg', group.id));
};

export const securityGroupActions: Record<string, Ec2Action> = {
  CreateSecurityGroup: createSecurityGroup,
  DescribeSecurityGroups: describeSecurityGroups,
  DeleteSecurityGroup: deleteSecurityGroup,
  AuthorizeSecurityGroupIngress: changeRules('inbound', authorizeRules),
  AuthorizeSecurityGroupEgress: changeRules('outbound', authorizeRules),
  RevokeSecurityGroupIngress: changeRules('inbound', revokeRules),
  RevokeSecurityGroupEgress: changeRules('outbound', revokeRules),
};
