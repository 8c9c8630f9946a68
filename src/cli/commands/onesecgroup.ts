/**
 * `onesecgroup`: security groups, as OpenNebula's: create, list, show, update, delete, clone,
 * chgrp, chown, chmod, rename, commit; and `onevm sg-attach` / `sg-detach` (sgSubcommands).
 */
import { childText } from '../../common/xml-tree.js';
import type { OneObject, OwnedResource } from '../../oca/index.js';
import { eachId, readTemplateFile } from '../actions.js';
import type { CommandDef, SubcommandDef } from '../command.js';
import { printList, type Column } from '../output.js';
import { chmodSubcommand, chownSubcommand, deleteSubcommand, idArg, rangeArg, renameSubcommand, showSubcommand, updateSubcommand, type ResourceOf } from '../subcommands.js';
import { arg, chgrpSubcommand, printId, wholeNumber } from './common-subcommands.js';
import { pairs, permissionRows, section, templateText } from './show-sections.js';

const groups: ResourceOf<OwnedResource<OneObject>> = (one) => one.secGroups;
const ids = (g: OneObject, name: string) => g.ids(name).join(',') || '-';

/** `onesecgroup list` columns (OpenNebula's: the number of VMs in each state of their rules). */
export const secGroupColumns: Column<OneObject>[] = [
  { name: 'ID', width: 4, value: (g) => String(g.id) },
  { name: 'USER', width: 10, left: true, value: (g) => g.uname },
  { name: 'GROUP', width: 10, left: true, value: (g) => g.gname },
  { name: 'NAME', width: 14, left: true, value: (g) => g.name },
  { name: 'UPDATED', width: 7, value: (g) => String(g.ids('UPDATED_VMS').length) },
  { name: 'OUTDATED', width: 8, value: (g) => String(g.ids('OUTDATED_VMS').length + g.ids('UPDATING_VMS').length) },
  { name: 'ERROR', width: 5, value: (g) => String(g.ids('ERROR_VMS').length) },
];

/** One line per RULE: TYPE PROTOCOL NETWORK RANGE. */
function rulesText(g: OneObject): string {
  const rules = g.all('TEMPLATE/RULE');
  if (rules.length === 0) return '';
  const rows = rules.map((node) => {
    const r = (name: string) => childText(node, name);
    const net = r('NETWORK_ID') !== '' ? `vnet ${r('NETWORK_ID')}` : r('IP') !== '' ? `${r('IP')} (${r('SIZE')})` : 'Any';
    const range = r('RANGE') || r('ICMP_TYPE') || r('ICMPv6_TYPE') || 'Any';
    return [r('RULE_TYPE').toUpperCase(), r('PROTOCOL').toUpperCase(), net, range];
  });
  const head = ['TYPE', 'PROTOCOL', 'NETWORK', 'RANGE'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [head, ...rows].map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join(' ').trimEnd()).join('\n');
}

function showText(g: OneObject): string {
  return [
    section(`SECURITY GROUP ${g.id} INFORMATION`, pairs([
      ['ID', String(g.id)],
      ['NAME', g.name],
      ['USER', g.uname],
      ['GROUP', g.gname],
    ])),
    section('PERMISSIONS', pairs(permissionRows(g))),
    section('VIRTUAL MACHINES', pairs([
      ['UPDATED', ids(g, 'UPDATED_VMS')],
      ['OUTDATED', ids(g, 'OUTDATED_VMS')],
      ['UPDATING', ids(g, 'UPDATING_VMS')],
      ['ERROR', ids(g, 'ERROR_VMS')],
    ])),
    section('RULES', rulesText(g)),
    section('TEMPLATE CONTENTS', templateText(g.all('TEMPLATE')[0])),
  ].join('\n').trimEnd();
}

export const onesecgroup: CommandDef = {
  name: 'onesecgroup',
  description: 'Manages OpenNebula security groups',
  subcommands: [
    {
      name: 'create',
      description: 'Creates a security group from a template file (NAME, RULE = [ PROTOCOL, RULE_TYPE, RANGE, IP, SIZE, NETWORK_ID... ])',
      args: [{ name: 'FILE' }],
      examples: ['onesecgroup create web.tmpl'],
      run: async (ctx, args) => printId(ctx, await ctx.one.secGroups.allocate(readTemplateFile(arg(args, 'FILE')))),
    },
    {
      name: 'list',
      description: 'Lists security groups',
      args: [],
      examples: ['onesecgroup list'],
      async run(ctx) {
        const xml = await ctx.one.secGroups.listXml(-2, -1, -1);
        printList(ctx, secGroupColumns, ctx.one.secGroups.parseList(xml), xml, 'SECURITY_GROUP');
      },
    },
    showSubcommand('secgroup', 'SECGROUPID', 'Shows a security group: its rules and the VMs using it', groups, showText, ['onesecgroup show web']),
    updateSubcommand('secgroup', 'SECGROUPID', groups, ['onesecgroup update web web.tmpl', 'onesecgroup update web --append more-rules.tmpl']),
    {
      name: 'clone',
      description: 'Creates a copy of a security group',
      args: [idArg('secgroup', 'SECGROUPID'), { name: 'NAME' }],
      examples: ['onesecgroup clone web web-copy'],
      run: async (ctx, args) => printId(ctx, await ctx.one.secGroups.clone(await ctx.resolve('secgroup', arg(args, 'SECGROUPID')), arg(args, 'NAME'))),
    },
    {
      name: 'commit',
      description: 'Sends the rules of security groups to the hosts of their VMs again (--recover: only the VMs outdated or in error)',
      args: [rangeArg('secgroup')],
      options: [{ long: 'recover', description: 'Only the VMs whose update is outdated or failed' }],
      examples: ['onesecgroup commit web', 'onesecgroup commit web --recover'],
      run: (ctx, args) => eachId(ctx, 'secgroup', args['RANGE'], 'committed', (id) => ctx.one.secGroups.commit(id, ctx.options['recover'] === true)),
    },
    renameSubcommand('secgroup', 'SECGROUPID', groups, ['onesecgroup rename 100 web-servers']),
    chgrpSubcommand('secgroup', groups, ['onesecgroup chgrp web users']),
    chownSubcommand('secgroup', groups, ['onesecgroup chown web alice']),
    chmodSubcommand('secgroup', groups, ['onesecgroup chmod web 644']),
    deleteSubcommand('secgroup', 'Deletes security groups (not while VMs or networks use them; never 0)', groups, ['onesecgroup delete web']),
  ],
};

/** `onevm sg-attach VMID NICID SECGROUPID` and `sg-detach`. */
export const sgSubcommands: SubcommandDef[] = (['attach', 'detach'] as const).map((what) => ({
  name: `sg-${what}`,
  description: what === 'attach' ? 'Adds a security group to a NIC of a VM (a running VM gets the rules at once)' : 'Takes a security group off a NIC of a VM',
  args: [{ name: 'VMID', kind: 'vm' as const }, { name: 'NICID' }, idArg('secgroup', 'SECGROUPID')],
  examples: [`onevm sg-${what} 3 0 web`],
  run: async (ctx, args) => {
    const vm = await ctx.resolve('vm', arg(args, 'VMID'));
    const nic = wholeNumber(arg(args, 'NICID'), 'NICID');
    const sg = await ctx.resolve('secgroup', arg(args, 'SECGROUPID'));
    await (what === 'attach' ? ctx.one.vms.attachSg(vm, nic, sg) : ctx.one.vms.detachSg(vm, nic, sg));
  },
}));
