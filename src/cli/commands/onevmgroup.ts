/**
 * `onevmgroup`: VM groups, as OpenNebula's: create, list, show, update, rename, chgrp, chown,
 * chmod, lock, unlock, delete, role-add, role-delete, role-update. Roles are named by id or
 * by name.
 */
import { childText, type XmlNode } from '../../common/xml-tree.js';
import type { OneObject, OwnedResource } from '../../oca/index.js';
import { readTemplateFile } from '../actions.js';
import { CliError, type CliContext, type CommandDef } from '../command.js';
import { printList, type Column } from '../output.js';
import { chmodSubcommand, chownSubcommand, deleteSubcommand, idArg, lockSubcommands, renameSubcommand, showSubcommand, updateSubcommand, type ResourceOf } from '../subcommands.js';
import { arg, chgrpSubcommand, printId } from './common-subcommands.js';
import { pairs, permissionRows, section, subTable, templateText } from './show-sections.js';

const groups: ResourceOf<OwnedResource<OneObject>> = (one) => one.vmGroups;
const roles = (g: OneObject) => g.all('ROLES/ROLE');
const vmCount = (g: OneObject) => roles(g).reduce((n, r) => n + childText(r, 'VMS').split(',').filter((s) => s.trim() !== '').length, 0);
const field = (r: XmlNode, name: string) => childText(r, name);

/** `onevmgroup list` columns (OpenNebula's: ID, USER, GROUP, NAME, VMS, ROLES). */
export const vmGroupColumns: Column<OneObject>[] = [
  { name: 'ID', width: 4, value: (g) => String(g.id) },
  { name: 'USER', width: 8, left: true, value: (g) => g.uname },
  { name: 'GROUP', width: 8, left: true, value: (g) => g.gname },
  { name: 'NAME', width: 15, left: true, value: (g) => g.name },
  { name: 'VMS', width: 4, left: true, value: (g) => String(vmCount(g)) },
  { name: 'ROLES', width: 36, left: true, value: (g) => roles(g).map((r) => field(r, 'NAME')).join(', ') },
];

const LOCK_LEVELS: Record<string, string> = { '1': 'Use', '2': 'Manage', '3': 'Admin', '4': 'All' };

function showText(g: OneObject): string {
  const rows = roles(g).map((r) => [field(r, 'ID'), field(r, 'NAME'), field(r, 'POLICY') || '-', field(r, 'HOST_AFFINED') || '-', field(r, 'HOST_ANTI_AFFINED') || '-', field(r, 'VMS')]);
  return [
    section(`VM GROUP ${g.id} INFORMATION`, pairs([
      ['ID', String(g.id)],
      ['NAME', g.name],
      ['USER', g.uname],
      ['GROUP', g.gname],
      ['LOCK', LOCK_LEVELS[g.get('LOCK/LOCKED')] ?? 'None'],
    ])),
    section('PERMISSIONS', pairs(permissionRows(g))),
    section('ROLES', subTable([['ID', 4, 'left'], ['NAME', 8, 'left'], ['POLICY', 12, 'left'], ['AFFINED_HOSTS', 18, 'left'], ['ANTI_AFFINED_HOST', 18, 'left'], ['VIRTUAL_MACHINES', 20, 'left']], rows)),
    section('TEMPLATE CONTENTS', templateText(g.all('TEMPLATE')[0])),
  ].join('\n').trimEnd();
}

/** A role by id, or by its name in the group. */
async function roleId(ctx: CliContext, groupId: number, word: string): Promise<number> {
  if (/^\d+$/.test(word)) return Number(word);
  const g = await ctx.one.vmGroups.info(groupId);
  const found = roles(g).filter((r) => field(r, 'NAME') === word);
  if (found.length !== 1) throw new CliError(`Role "${word}" not found in VM group ${groupId}`);
  return Number(field(found[0]!, 'ID'));
}

/** A ROLE template from FILE, or `ROLE = [ NAME = ..., POLICY = ... ]` built from the options. */
function roleTemplate(ctx: CliContext, file: string | undefined, needName: boolean): string {
  if (file) return readTemplateFile(file);
  const parts: string[] = [];
  for (const [opt, key] of [['name', 'NAME'], ['policy', 'POLICY'], ['host_affined', 'HOST_AFFINED'], ['host_anti_affined', 'HOST_ANTI_AFFINED']] as const) {
    const v = ctx.options[opt];
    if (typeof v === 'string') parts.push(`${key} = "${v.replace(/["\\]/g, '')}"`);
  }
  if (parts.length === 0 || (needName && typeof ctx.options['name'] !== 'string')) throw new CliError('Give a template FILE with ROLE = [ ... ], or --name (and --policy, --host_affined, --host_anti_affined)');
  return `ROLE = [ ${parts.join(', ')} ]`;
}

const ROLE_OPTIONS = [
  { long: 'name', value: 'NAME', description: 'Name of the role' },
  { long: 'policy', value: 'POLICY', description: 'AFFINED, ANTI_AFFINED or NONE: how the VMs of the role are placed' },
  { long: 'host_affined', value: 'HOSTS', description: 'Host ids the VMs of the role must run on ("1,2")' },
  { long: 'host_anti_affined', value: 'HOSTS', description: 'Host ids the VMs of the role must not run on' },
];

export const onevmgroup: CommandDef = {
  name: 'onevmgroup',
  description: 'Manages OpenNebula VM groups: roles of VMs placed together or apart',
  subcommands: [
    {
      name: 'create',
      description: 'Creates a VM group from a template file (NAME, ROLE = [ NAME, POLICY, HOST_AFFINED, HOST_ANTI_AFFINED ]..., AFFINED / ANTI_AFFINED = "role, role")',
      args: [{ name: 'FILE' }],
      examples: ['onevmgroup create app.tmpl'],
      run: async (ctx, args) => printId(ctx, await ctx.one.vmGroups.allocate(readTemplateFile(arg(args, 'FILE')))),
    },
    {
      name: 'list',
      description: 'Lists VM groups',
      args: [],
      examples: ['onevmgroup list'],
      async run(ctx) {
        const xml = await ctx.one.vmGroups.listXml(-2, -1, -1);
        printList(ctx, vmGroupColumns, ctx.one.vmGroups.parseList(xml), xml, 'VM_GROUP');
      },
    },
    showSubcommand('vmgroup', 'VMGROUPID', 'Shows a VM group: its roles, their hosts and VMs, and its rules', groups, showText, ['onevmgroup show app']),
    updateSubcommand('vmgroup', 'VMGROUPID', groups, ['onevmgroup update app rules.tmpl', 'onevmgroup update app --append more.tmpl']),
    renameSubcommand('vmgroup', 'VMGROUPID', groups, ['onevmgroup rename 3 web-tier']),
    chgrpSubcommand('vmgroup', groups, ['onevmgroup chgrp app users']),
    chownSubcommand('vmgroup', groups, ['onevmgroup chown app alice']),
    chmodSubcommand('vmgroup', groups, ['onevmgroup chmod app 640']),
    ...lockSubcommands('vmgroup', groups, ['onevmgroup lock app', 'onevmgroup lock app --manage'], ['onevmgroup unlock app']),
    deleteSubcommand('vmgroup', 'Deletes VM groups (not while VMs are in them)', groups, ['onevmgroup delete app']),
    {
      name: 'role-add',
      description: 'Adds a role, from a FILE with ROLE = [ ... ] or from --name / --policy / --host_affined / --host_anti_affined',
      args: [idArg('vmgroup', 'VMGROUPID'), { name: 'FILE', optional: true }],
      options: ROLE_OPTIONS,
      examples: ['onevmgroup role-add app --name cache --policy ANTI_AFFINED', 'onevmgroup role-add app role.tmpl'],
      run: async (ctx, args) => {
        const id = await ctx.resolve('vmgroup', arg(args, 'VMGROUPID'));
        await ctx.one.vmGroups.roleAdd(id, roleTemplate(ctx, args['FILE'] as string | undefined, true));
      },
    },
    {
      name: 'role-delete',
      description: 'Deletes a role (by id or name) that has no VMs',
      args: [idArg('vmgroup', 'VMGROUPID'), { name: 'ROLE' }],
      examples: ['onevmgroup role-delete app cache'],
      run: async (ctx, args) => {
        const id = await ctx.resolve('vmgroup', arg(args, 'VMGROUPID'));
        await ctx.one.vmGroups.roleDelete(id, await roleId(ctx, id, arg(args, 'ROLE')));
      },
    },
    {
      name: 'role-update',
      description: 'Changes a role (by id or name) that has no VMs, from a FILE with ROLE = [ ... ] or from the options',
      args: [idArg('vmgroup', 'VMGROUPID'), { name: 'ROLE' }, { name: 'FILE', optional: true }],
      options: ROLE_OPTIONS,
      examples: ['onevmgroup role-update app db --policy AFFINED', 'onevmgroup role-update app 0 role.tmpl'],
      run: async (ctx, args) => {
        const id = await ctx.resolve('vmgroup', arg(args, 'VMGROUPID'));
        await ctx.one.vmGroups.roleUpdate(id, await roleId(ctx, id, arg(args, 'ROLE')), roleTemplate(ctx, args['FILE'] as string | undefined, false));
      },
    },
  ],
};
