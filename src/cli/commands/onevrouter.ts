/**
 * `onevrouter`: virtual routers, as OpenNebula's: create, list, show, update, rename, chmod,
 * chown, chgrp, delete, lock, unlock, instantiate (its VMs from a router VM template),
 * nic-attach and nic-detach (on the router and every VM of it).
 */
import type { Oca, OneObject } from '../../oca/index.js';
import { readTemplateFile } from '../actions.js';
import type { CommandDef } from '../command.js';
import { printList, type Column } from '../output.js';
import { chmodSubcommand, chownSubcommand, deleteSubcommand, idArg, lockSubcommands, renameSubcommand, showSubcommand, updateSubcommand } from '../subcommands.js';
import { arg, chgrpSubcommand, NIC_ATTACH_OPTIONS, nicFromOptions, printId, wholeNumber } from './common-subcommands.js';
import { pairs, permissionRows, section, subTable, templateText } from './show-sections.js';
import { HOLD, multiple, MULTIPLE } from './vm-template-options.js';

const routers = (one: Oca) => one.vrouters;

/** `onevrouter list` columns (OpenNebula's default: ID USER GROUP NAME). */
export const vrouterColumns: Column<OneObject>[] = [
  { name: 'ID', width: 4, value: (r) => String(r.id) },
  { name: 'USER', width: 15, left: true, value: (r) => r.uname },
  { name: 'GROUP', width: 15, left: true, value: (r) => r.gname },
  { name: 'NAME', width: 27, left: true, value: (r) => r.name },
];

/** The VIRTUAL ROUTER NICS table: each NIC's network, whether it is for management, its floating address. */
function nicsTable(r: OneObject): string {
  const rows = r.all('TEMPLATE/NIC').map((n) => {
    const get = (k: string) => n.children.find((c) => c.name === k)?.text ?? '';
    const floating = /^yes$/i.test(get('FLOATING_IP'));
    return [get('NIC_ID'), get('NETWORK') || '-', get('VROUTER_MANAGEMENT') || 'NO', floating ? get('VROUTER_IP') || get('IP') || '-' : '-'];
  });
  return subTable([['ID', 3], ['NETWORK', 20, 'left'], ['MANAGEMENT', 10, 'left'], ['IP', 15, 'left']], rows);
}

/** The TEMPLATE without its NICs (shown in their own table), as OpenNebula's show without --all. */
function templateWithoutNics(r: OneObject) {
  const t = r.all('TEMPLATE')[0];
  return t && { ...t, children: t.children.filter((c) => c.name !== 'NIC') };
}

export function vrouterShowText(r: OneObject): string {
  const parts = [
    section(`VIRTUAL ROUTER ${r.id} INFORMATION`, pairs([
      ['ID', String(r.id)],
      ['NAME', r.name],
      ['USER', r.uname],
      ['GROUP', r.gname],
      ['LOCK', r.get('LOCK/LOCKED') ? 'Yes' : 'None'],
    ])),
    section('PERMISSIONS', pairs(permissionRows(r))),
  ];
  if (r.all('TEMPLATE/NIC').length > 0) parts.push(section('VIRTUAL ROUTER NICS', nicsTable(r)));
  parts.push(section('TEMPLATE CONTENTS', templateText(templateWithoutNics(r))));
  parts.push(section('VIRTUAL MACHINES', r.ids('VMS').join('\n')));
  return parts.join('\n').trimEnd();
}

export const onevrouter: CommandDef = {
  name: 'onevrouter',
  description: 'Manages OpenNebula virtual routers',
  subcommands: [
    {
      name: 'create',
      description: 'Creates a virtual router from a template file (NAME, NIC = [ NETWORK_ID, FLOATING_IP = YES ]..., KEEPALIVED_ID, KEEPALIVED_PASSWORD)',
      args: [{ name: 'FILE' }],
      examples: ['onevrouter create edge.tmpl'],
      run: async (ctx, args) => printId(ctx, await ctx.one.vrouters.allocate(readTemplateFile(arg(args, 'FILE')))),
    },
    {
      name: 'list',
      description: 'Lists virtual routers',
      args: [],
      examples: ['onevrouter list'],
      async run(ctx) {
        const xml = await ctx.one.vrouters.listXml(-2, -1, -1);
        printList(ctx, vrouterColumns, ctx.one.vrouters.parseList(xml), xml, 'VROUTER');
      },
    },
    showSubcommand('vrouter', 'VROUTERID', 'Shows a virtual router: its NICs, template and VMs', routers, vrouterShowText, ['onevrouter show edge']),
    updateSubcommand('vrouter', 'VROUTERID', routers, ['onevrouter update edge edge.tmpl', 'onevrouter update edge --append more.tmpl']),
    renameSubcommand('vrouter', 'VROUTERID', routers, ['onevrouter rename 3 edge2']),
    chmodSubcommand('vrouter', routers, ['onevrouter chmod edge 640']),
    chownSubcommand('vrouter', routers, ['onevrouter chown edge alice']),
    chgrpSubcommand('vrouter', routers, ['onevrouter chgrp edge users']),
    deleteSubcommand('vrouter', 'Deletes virtual routers: their VMs are terminated, their leases given back', routers, ['onevrouter delete edge']),
    ...lockSubcommands('vrouter', routers, ['onevrouter lock 3', 'onevrouter lock 3-5 --admin'], ['onevrouter unlock 3']),
    {
      name: 'instantiate',
      description: 'Creates the VMs of a virtual router from a VM template with VROUTER = YES (--name with %i, -m N, --hold)',
      args: [idArg('vrouter', 'VROUTERID'), { name: 'TEMPLATEID', kind: 'template' }],
      options: [{ long: 'name', value: 'NAME', description: 'Name of the VMs, %i the number of each (default vr-<router>-%i)' }, MULTIPLE, HOLD],
      examples: ['onevrouter instantiate edge vr-template', 'onevrouter instantiate edge 3 -m 2 --name "edge-%i"'],
      run: async (ctx, args) => {
        const id = await ctx.resolve('vrouter', arg(args, 'VROUTERID'));
        const tid = await ctx.resolve('template', arg(args, 'TEMPLATEID'));
        const name = typeof ctx.options['name'] === 'string' ? ctx.options['name'] : '';
        printId(ctx, await ctx.one.vrouters.instantiate(id, multiple(ctx), tid, name, ctx.options['hold'] === true));
      },
    },
    {
      name: 'nic-attach',
      description: 'Attaches a NIC to a virtual router and its VMs (--network, --ip, --float, or a NIC template in --file)',
      args: [idArg('vrouter', 'VROUTERID')],
      options: [...NIC_ATTACH_OPTIONS, { long: 'float', description: 'Makes this IP request a floating one' }],
      examples: ['onevrouter nic-attach edge --network public --float', 'onevrouter nic-attach edge --network private --ip 10.0.0.1 --float'],
      run: async (ctx, args) => {
        const nic = await nicFromOptions(ctx, ctx.options['float'] === true ? ', FLOATING_IP = "YES"' : '');
        await ctx.one.vrouters.attachNic(await ctx.resolve('vrouter', arg(args, 'VROUTERID')), nic);
      },
    },
    {
      name: 'nic-detach',
      description: 'Detaches a NIC from a virtual router and its VMs',
      args: [idArg('vrouter', 'VROUTERID'), { name: 'NICID' }],
      examples: ['onevrouter nic-detach edge 1'],
      run: async (ctx, args) => {
        const id = await ctx.resolve('vrouter', arg(args, 'VROUTERID'));
        await ctx.one.vrouters.detachNic(id, wholeNumber(arg(args, 'NICID'), 'NICID'));
      },
    },
  ],
};

