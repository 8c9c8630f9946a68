/** `onevnet`: virtual networks: create, list, show, address ranges, leases on hold, reservations. */
import { childText } from '../../common/xml-tree.js';
import { VirtualNetwork, type Oca } from '../../oca/index.js';
import { CliError, type CliContext, type CommandDef } from '../command.js';
import { printList, type Column } from '../output.js';
import {
  showSubcommand,
  chmodSubcommand,
  chownSubcommand,
  deleteSubcommand,
  renameSubcommand,
  lockSubcommands,
  updateSubcommand,
} from '../subcommands.js';
import { readTemplateFile } from '../actions.js';
import { arg, chgrpSubcommand, printId, publishSubcommands, wholeNumber } from './common-subcommands.js';
import { pairs, permissionRows, section, subTable, templateText } from './show-sections.js';

const vnets = (one: Oca) => one.vnets;

/** `onevnet list` columns. */
export const vnetColumns: Column<VirtualNetwork>[] = [
  { name: 'ID', width: 4, value: (n) => String(n.id) },
  { name: 'USER', width: 10, left: true, value: (n) => n.uname },
  { name: 'GROUP', width: 10, left: true, value: (n) => n.gname },
  { name: 'NAME', width: 19, left: true, value: (n) => n.name },
  { name: 'CLUSTERS', width: 10, left: true, value: (n) => n.ids('CLUSTERS').join(',') || '-' },
  { name: 'BRIDGE', width: 10, left: true, value: (n) => n.bridge },
  { name: 'LEASES', width: 6, value: (n) => String(n.usedLeases || 0) },
];

/** `/VNET/STATE` names, by value. */
const VNET_STATES = ['INIT', 'READY', 'LOCK_CREATE', 'LOCK_DELETE', 'DONE', 'ERROR', 'UPDATE_FAILURE'];

/** The sections of `onevnet show`. */
export function vnetShowText(n: VirtualNetwork): string {
  const ars = n.all('AR_POOL/AR');
  const leases = ars.flatMap((ar) =>
    (ar.children.find((c) => c.name === 'LEASES')?.children ?? []).map((l) => [
      childText(ar, 'AR_ID'),
      childText(l, 'VM') && childText(l, 'VM') !== '-1' ? `V:${childText(l, 'VM')}` : childText(l, 'VNET') ? `N:${childText(l, 'VNET')}` : 'H',
      childText(l, 'MAC'),
      childText(l, 'IP') || '-',
    ]),
  );
  const out = [
    section(
      `VIRTUAL NETWORK ${n.id} INFORMATION`,
      pairs([
        ['ID', String(n.id)],
        ['NAME', n.name],
        ['USER', n.uname],
        ['GROUP', n.gname],
        ['LOCK', n.get('LOCK/LOCKED') ? 'Yes' : 'None'],
        ['CLUSTERS', n.ids('CLUSTERS').join(',') || '-'],
        ['BRIDGE', n.bridge || '-'],
        ['VN_MAD', n.get('VN_MAD') || '-'],
        ['PHYSICAL DEVICE', n.get('PHYDEV') || '-'],
        ['STATE', VNET_STATES[Number(n.get('STATE') || 1)] ?? n.get('STATE')],
        ['VLAN ID', n.get('VLAN_ID') || '-'],
        ['AUTOMATIC VLAN ID', n.get('VLAN_ID_AUTOMATIC') === '1' ? 'YES' : 'NO'],
        ['OUTER VLAN ID', n.get('OUTER_VLAN_ID') || '-'],
        ['AUTOMATIC OUTER VLAN ID', n.get('OUTER_VLAN_ID_AUTOMATIC') === '1' ? 'YES' : 'NO'],
        ['USED LEASES', String(n.usedLeases || 0)],
      ]),
    ),
    section('PERMISSIONS', pairs(permissionRows(n))),
    section('VIRTUAL NETWORK TEMPLATE', templateText(n.all('TEMPLATE')[0])),
  ];
  if (ars.length) {
    const rows = ars.map((ar) => [childText(ar, 'AR_ID'), childText(ar, 'TYPE'), childText(ar, 'SIZE'), childText(ar, 'USED_LEASES') || '0', childText(ar, 'MAC'), childText(ar, 'IP') || '-']);
    out.push(section('ADDRESS RANGE POOL', subTable([['AR', 3], ['TYPE', 6, 'left'], ['SIZE', 6], ['LEASES', 6], ['MAC', 17, 'left'], ['IP', 15, 'left']], rows)));
  }
  if (leases.length) out.push(section('LEASES', subTable([['AR', 3], ['OWNER', 8, 'left'], ['MAC', 17, 'left'], ['IP', 15, 'left']], leases)));
  return out.join('\n').trimEnd();
}

/** The AR template the options of addar describe (`--ip 10.0.0.1 --size 10`, `--mac ...`). */
function arFromOptions(ctx: CliContext): string {
  const o = ctx.options;
  if (typeof o['size'] !== 'string' || !/^[1-9]\d*$/.test(o['size'])) throw new CliError('An address range needs --size, a positive number of addresses (or a FILE)');
  const attrs = [`TYPE = "${typeof o['ip'] === 'string' ? 'IP4' : 'ETHER'}"`, `SIZE = ${o['size']}`];
  if (typeof o['ip'] === 'string') attrs.push(`IP = "${o['ip']}"`);
  if (typeof o['mac'] === 'string') attrs.push(`MAC = "${o['mac']}"`);
  return `AR = [ ${attrs.join(', ')} ]`;
}

/** A lease of `hold`/`release`: `LEASES = [ IP = ..., AR_ID = ... ]` (an address with a colon is a MAC). */
function leaseTemplate(ctx: CliContext, address: string): string {
  const key = address.includes(':') ? 'MAC' : 'IP';
  const ar = typeof ctx.options['address_range'] === 'string' ? `, AR_ID = ${wholeNumber(ctx.options['address_range'], '--address_range')}` : '';
  return `LEASES = [ ${key} = "${address}"${ar} ]`;
}

/** `one.vn.recover` operations, by option. */
const RECOVER: ReadonlyArray<readonly [string, 0 | 1 | 2 | 3, string]> = [
  ['failure', 0, 'Fails the pending driver operation: the network goes to ERROR'],
  ['success', 1, 'Takes the pending driver operation as done: READY (or deleted, if it was being deleted)'],
  ['delete', 2, 'Deletes the network'],
  ['retry', 3, 'Retries updating the VMs of a network in UPDATE_FAILURE'],
];

const AR_OPTION = { long: 'address_range', short: 'a', value: 'AR_ID', description: 'The address range of the lease' };

export const onevnet: CommandDef = {
  name: 'onevnet',
  description: 'Manages OpenNebula virtual networks',
  subcommands: [
    {
      name: 'create',
      description: 'Creates a network from a template FILE',
      args: [{ name: 'FILE' }],
      options: [{ long: 'cluster', value: 'CLUSTER', description: 'Cluster (id or name) to add the network to' }],
      examples: ['onevnet create private.net', 'onevnet create private.net --cluster production'],
      run: async (ctx, args) => {
        const text = readTemplateFile(arg(args, 'FILE'));
        const cluster = typeof ctx.options['cluster'] === 'string' ? await ctx.resolve('cluster', ctx.options['cluster']) : -1;
        printId(ctx, await ctx.one.vnets.allocate(text, cluster));
      },
    },
    {
      name: 'list',
      description: 'Lists the networks',
      args: [],
      examples: ['onevnet list', 'onevnet list --no-header --list ID,NAME'],
      run: async (ctx) => {
        const xml = await ctx.one.vnets.listXml(-2, -1, -1);
        printList(ctx, vnetColumns, ctx.one.vnets.parseList(xml), xml, 'VNET_POOL');
      },
    },
    showSubcommand('vnet', 'VNETID', 'Shows a network, its address ranges and leases', (one) => one.vnets, vnetShowText, ['onevnet show 0', 'onevnet show private --json']),
    deleteSubcommand('vnet', 'Deletes vnets', vnets, ['onevnet delete 3', 'onevnet delete 3-5']),
    {
      name: 'addar',
      description: 'Adds an address range, from a FILE or options (--ip/--mac and --size)',
      args: [{ name: 'VNETID', kind: 'vnet' }, { name: 'FILE', optional: true }],
      options: [
        { long: 'ip', value: 'IP', description: 'First IPv4 address (an IP4 range)' },
        { long: 'mac', value: 'MAC', description: 'First MAC address' },
        { long: 'size', short: 's', value: 'SIZE', description: 'Number of addresses' },
      ],
      examples: ['onevnet addar private --ip 10.0.1.1 --size 50', 'onevnet addar 0 ar.tmpl'],
      run: async (ctx, args) => {
        const file = arg(args, 'FILE');
        const ar = file ? readTemplateFile(file) : arFromOptions(ctx);
        await ctx.one.vnets.addAr(await ctx.resolve('vnet', arg(args, 'VNETID')), ar);
      },
    },
    {
      name: 'rmar',
      description: 'Removes an address range (--force: even with leases in use)',
      args: [{ name: 'VNETID', kind: 'vnet' }, { name: 'AR_ID' }],
      options: [{ long: 'force', description: 'Removes it even when some of its leases are in use' }],
      examples: ['onevnet rmar private 1'],
      run: async (ctx, args) => {
        const ar = wholeNumber(arg(args, 'AR_ID'), 'AR_ID');
        await ctx.one.vnets.rmAr(await ctx.resolve('vnet', arg(args, 'VNETID')), ar, ctx.options['force'] === true);
      },
    },
    {
      name: 'hold',
      description: 'Puts an address on hold: no VM gets it',
      args: [{ name: 'VNETID', kind: 'vnet' }, { name: 'ADDRESS' }],
      options: [AR_OPTION],
      examples: ['onevnet hold private 10.0.0.5', 'onevnet hold 0 02:00:0a:00:00:05 -a 0'],
      run: async (ctx, args) => {
        await ctx.one.vnets.hold(await ctx.resolve('vnet', arg(args, 'VNETID')), leaseTemplate(ctx, arg(args, 'ADDRESS')));
      },
    },
    {
      name: 'release',
      description: 'Releases an address on hold',
      args: [{ name: 'VNETID', kind: 'vnet' }, { name: 'ADDRESS' }],
      options: [AR_OPTION],
      examples: ['onevnet release private 10.0.0.5'],
      run: async (ctx, args) => {
        await ctx.one.vnets.release(await ctx.resolve('vnet', arg(args, 'VNETID')), leaseTemplate(ctx, arg(args, 'ADDRESS')));
      },
    },
    {
      name: 'addleases',
      description: 'Adds an address (and its MAC) to a FIXED network, as OpenNebula 3.x did',
      args: [{ name: 'VNETID', kind: 'vnet' }, { name: 'IP' }, { name: 'MAC', optional: true }],
      examples: ['onevnet addleases fixed 10.0.0.9', 'onevnet addleases 2 10.0.0.9 02:00:0a:00:00:99'],
      run: async (ctx, args) => {
        const mac = arg(args, 'MAC');
        await ctx.one.vnets.addLeases(await ctx.resolve('vnet', arg(args, 'VNETID')), `LEASES = [ IP = "${arg(args, 'IP')}"${mac ? `, MAC = "${mac}"` : ''} ]`);
      },
    },
    {
      name: 'rmleases',
      description: 'Removes an unused address from a FIXED network, as OpenNebula 3.x did',
      args: [{ name: 'VNETID', kind: 'vnet' }, { name: 'IP' }],
      examples: ['onevnet rmleases fixed 10.0.0.9'],
      run: async (ctx, args) => {
        await ctx.one.vnets.rmLeases(await ctx.resolve('vnet', arg(args, 'VNETID')), `LEASES = [ IP = "${arg(args, 'IP')}" ]`);
      },
    },
    ...publishSubcommands('vnet', (one, id, on) => one.vnets.publish(id, on), 'onevnet'),
    {
      name: 'reserve',
      description: 'Reserves addresses of a network into a new network (or one given with --vnet)',
      args: [{ name: 'VNETID', kind: 'vnet' }, { name: 'NAME', optional: true }],
      options: [
        { long: 'size', short: 's', value: 'SIZE', description: 'Number of addresses (required)' },
        { long: 'address_range', short: 'a', value: 'AR_ID', description: 'Address range to take them from' },
        { long: 'addr', value: 'ADDRESS', description: 'First address (IP or MAC) to reserve' },
        { long: 'vnet', value: 'VNET', description: 'An existing reservation to add them to' },
      ],
      examples: ['onevnet reserve private mine --size 10', 'onevnet reserve 0 --size 2 --vnet 3'],
      run: async (ctx, args) => {
        const o = ctx.options;
        if (typeof o['size'] !== 'string' || !/^[1-9]\d*$/.test(o['size'])) throw new CliError('A reservation needs --size, a positive number of addresses');
        const name = arg(args, 'NAME');
        if (!name && typeof o['vnet'] !== 'string') throw new CliError('Give the NAME of the new reservation, or --vnet to add to an existing one');
        const lines = [`SIZE = ${o['size']}`];
        if (name) lines.push(`NAME = "${name.replace(/"/g, '\\"')}"`);
        if (typeof o['address_range'] === 'string') lines.push(`AR_ID = ${wholeNumber(o['address_range'], '--address_range')}`);
        if (typeof o['addr'] === 'string') lines.push(`${o['addr'].includes(':') ? 'MAC' : 'IP'} = "${o['addr']}"`);
        if (typeof o['vnet'] === 'string') lines.push(`NETWORK_ID = ${await ctx.resolve('vnet', o['vnet'])}`);
        const id = await ctx.one.vnets.reserve(await ctx.resolve('vnet', arg(args, 'VNETID')), lines.join('\n'));
        printId(ctx, id, 'Reservation VNET ID');
      },
    },
    {
      name: 'recover',
      description: 'Recovers a network a driver left in LOCK_CREATE, LOCK_DELETE, ERROR or UPDATE_FAILURE (give one of its options)',
      args: [{ name: 'VNETID', kind: 'vnet' }],
      options: RECOVER.map(([long, , description]) => ({ long, description })),
      examples: ['onevnet recover 3 --success', 'onevnet recover 3 --delete'],
      run: async (ctx, args) => {
        const chosen = RECOVER.filter(([long]) => ctx.options[long] === true);
        if (chosen.length !== 1) throw new CliError('Give exactly one of --failure, --success, --delete, --retry');
        await ctx.one.vnets.recover(await ctx.resolve('vnet', arg(args, 'VNETID')), chosen[0]![1]);
      },
    },
    updateSubcommand('vnet', 'VNETID', vnets, ['onevnet update 3 new.tmpl', 'onevnet update 3 extra.tmpl --append']),
    renameSubcommand('vnet', 'VNETID', vnets, ['onevnet rename 3 new-name']),
    chmodSubcommand('vnet', vnets, ['onevnet chmod 3 640', 'onevnet chmod 3-5 660']),
    chownSubcommand('vnet', vnets, ['onevnet chown 3 alice', 'onevnet chown 3,4 alice users']),
    chgrpSubcommand('vnet', vnets, ['onevnet chgrp 3 users']),
    ...lockSubcommands('vnet', vnets, ['onevnet lock 3', 'onevnet lock 3-5 --admin'], ['onevnet unlock 3']),
  ],
};
