/** `onehost`: hosts, as OpenNebula's onehost (create, enable/disable/offline, list, show, top...). */
import { child, childText, type XmlNode } from '../../common/xml-tree.js';
import type { Host, NamedResource, OneObject } from '../../oca/index.js';
import { delaySeconds, eachId, refresh } from '../actions.js';
import { CliError, type CliContext, type CommandDef } from '../command.js';
import { dateTime, percent, size } from '../format.js';
import { syncHosts } from '../host-sync.js';
import { deleteSubcommand, rangeArg, renameSubcommand, showSubcommand, updateSubcommand, type ResourceOf } from '../subcommands.js';
import { printList, showField, showHeader, templateLines, type Column } from '../output.js';

/** Host states (`/HOST/STATE`) as list (short) and show (long) print them. */
const STATES: readonly (readonly [string, string])[] = [
  ['init', 'INIT'],
  ['update', 'MONITORING_MONITORED'],
  ['on', 'MONITORED'],
  ['err', 'ERROR'],
  ['dsbl', 'DISABLED'],
  ['retry', 'MONITORING_ERROR'],
  ['init', 'MONITORING_INIT'],
  ['dsbl', 'MONITORING_DISABLED'],
  ['off', 'OFFLINE'],
];

/** `one.host.status` values. */
const Status = { ENABLED: 0, DISABLED: 1, OFFLINE: 2 } as const;

export function hostStateShort(state: number): string {
  return STATES[state]?.[0] ?? '-';
}
export function hostStateName(state: number): string {
  return STATES[state]?.[1] ?? `UNKNOWN (${state})`;
}

function allocated(h: Host, usage: string, max: string, unit: (n: number) => string): string {
  const used = h.int(`HOST_SHARE/${usage}`);
  const total = h.int(`HOST_SHARE/${max}`);
  return total > 0 ? `${unit(used)} / ${unit(total)} (${percent(used, total)})` : '-';
}

/** onehost list's columns (OpenNebula's, the default ones fit 80 columns). */
export const HOST_COLUMNS: Column<Host>[] = [
  { name: 'ID', width: 4, value: (h) => String(h.id) },
  { name: 'NAME', width: 15, left: true, value: (h) => h.name },
  { name: 'CLUSTER', width: 9, left: true, value: (h) => (h.clusterId >= 0 ? h.get('CLUSTER') : '-') },
  { name: 'TVM', width: 3, value: (h) => h.get('HOST_SHARE/RUNNING_VMS') || '0' },
  { name: 'ALLOCATED_CPU', width: 18, value: (h) => allocated(h, 'CPU_USAGE', 'MAX_CPU', String) },
  { name: 'ALLOCATED_MEM', width: 18, value: (h) => allocated(h, 'MEM_USAGE', 'MAX_MEM', (n) => size(n)) },
  { name: 'STAT', width: 4, left: true, value: (h) => hostStateShort(h.state) },
  { name: 'IM_MAD', width: 8, left: true, default: false, value: (h) => h.imMad },
  { name: 'VM_MAD', width: 8, left: true, default: false, value: (h) => h.vmMad },
];

async function list(ctx: CliContext): Promise<void> {
  const xml = await ctx.one.hosts.listXml();
  printList(ctx, HOST_COLUMNS, ctx.one.hosts.parseList(xml), xml, 'HOST');
}

/** Fixed-width columns: `[text, width, right-aligned?]` per cell, the last one unpadded. */
function row(cells: readonly (readonly [string, number, boolean?])[]): string {
  return cells.map(([text, width, right], i) => (i === cells.length - 1 ? text : right ? text.padStart(width) : text.padEnd(width))).join(' ').trimEnd();
}

/** The PCI DEVICES section (none when the host has no PCI devices): the VM holding each one, address, type, name. */
export function pciLines(h: Host): string[] {
  const devices = h.all('HOST_SHARE/PCI_DEVICES/PCI');
  if (devices.length === 0) return [];
  const line = (vm: string, addr: string, type: string, name: string) => row([[vm, 5, true], [addr, 7], [type, 14], [name, 0]]);
  const lines = ['', showHeader('PCI DEVICES'), '', line('VM', 'ADDR', 'TYPE', 'NAME')];
  for (const d of devices) {
    const vm = childText(d, 'VMID');
    lines.push(line(vm === '-1' || vm === '' ? '' : vm, childText(d, 'SHORT_ADDRESS'), childText(d, 'TYPE'), childText(d, 'DEVICE_NAME')));
  }
  return lines;
}

/**
 * The NUMA sections (none without NUMA nodes): each node's cores (a character per CPU: `-`
 * free, `X` used by a VM, `r` reserved), memory and huge pages, what VMs were allocated next
 * to what the last monitoring measured.
 */
export function numaLines(h: Host): string[] {
  const nodes = h.all('HOST_SHARE/NUMA_NODES/NODE');
  if (nodes.length === 0) return [];
  const measured = new Map<string, XmlNode>(h.all('MONITORING/NUMA_NODE').map((n) => [childText(n, 'NODE_ID'), n]));
  const kb = (text: string) => (text === '' ? '-' : size(Number(text)));
  const coreRows: [string, string, number, number][] = [];
  const memory = ['', showHeader('NUMA MEMORY'), '', row([['NODE_ID', 7, true], ['TOTAL', 8], ['USED_REAL', 10], ['USED_ALLOCATED', 15], ['FREE', 0]])];
  const pages = ['', showHeader('NUMA HUGEPAGES'), '', row([['NODE_ID', 7, true], ['SIZE', 8], ['TOTAL', 8], ['FREE', 8], ['USED', 0]])];
  for (const n of nodes) {
    const id = childText(n, 'NODE_ID');
    let used = 0;
    let free = 0;
    const groups: string[] = [];
    for (const core of n.children.filter((c) => c.name === 'CORE')) {
      free += Number(childText(core, 'FREE')) || 0;
      let group = '';
      for (const cpu of childText(core, 'CPUS').split(',').filter((c) => c !== '')) {
        const vm = Number(cpu.split(':')[1] ?? -1);
        group += vm === -2 ? 'r' : vm >= 0 ? 'X' : '-';
        if (vm >= 0) used++;
      }
      groups.push(group);
    }
    coreRows.push([id, groups.join(' '), used, free]);
    const mem = child(n, 'MEMORY');
    const real = measured.get(id);
    const realMem = real ? child(real, 'MEMORY') : undefined;
    memory.push(
      row([[id, 7, true], [kb(mem ? childText(mem, 'TOTAL') : ''), 8], [kb(realMem ? childText(realMem, 'USED') : ''), 10], [kb(mem ? childText(mem, 'USAGE') : ''), 15], [kb(realMem ? childText(realMem, 'FREE') : ''), 0]]),
    );
    for (const p of n.children.filter((c) => c.name === 'HUGEPAGE')) {
      const sizeKb = childText(p, 'SIZE');
      const realPages = real?.children.find((c) => c.name === 'HUGEPAGE' && childText(c, 'SIZE') === sizeKb);
      pages.push(row([[id, 7, true], [kb(sizeKb), 8], [childText(p, 'PAGES'), 8], [realPages ? childText(realPages, 'FREE') : '-', 8], [childText(p, 'USAGE'), 0]]));
    }
  }
  const width = Math.max(5, ...coreRows.map((r) => r[1].length));
  const cores = ['', showHeader('NUMA NODES'), '', row([['ID', 3, true], ['CORES', width], ['USED', 5, true], ['FREE', 0]])];
  for (const [id, groups, used, free] of coreRows) cores.push(row([[id, 3, true], [groups, width], [String(used), 5, true], [String(free), 0]]));
  return [...cores, ...memory, ...(pages.length > 4 ? pages : [])];
}

function showText(h: Host): string {
  const f = (n: string, v: string | number) => showField(n, v, 22);
  const vms = h.ids('VMS');
  // What the last monitoring measured ('-' before the first sample).
  const measured = (name: string, unit: (n: number) => string) => {
    const v = h.int(`MONITORING/CAPACITY/${name}`);
    return Number.isNaN(v) ? '-' : unit(v);
  };
  const lines = [
    showHeader(`HOST ${h.id} INFORMATION`),
    f('ID', h.id),
    f('NAME', h.name),
    f('CLUSTER', h.clusterId >= 0 ? h.get('CLUSTER') : '-'),
    f('STATE', hostStateName(h.state)),
    f('IM_MAD', h.imMad),
    f('VM_MAD', h.vmMad),
    f('LAST MONITORING TIME', dateTime(h.int('MONITORING/TIMESTAMP'))),
    '',
    showHeader('HOST SHARES'),
    f('RUNNING VMS', h.get('HOST_SHARE/RUNNING_VMS') || '0'),
    'MEMORY',
    f('  TOTAL', size(h.int('HOST_SHARE/TOTAL_MEM'))),
    f('  TOTAL +/- RESERVED', size(h.int('HOST_SHARE/MAX_MEM'))),
    f('  USED (REAL)', measured('USED_MEMORY', (n) => size(n))),
    f('  USED (ALLOCATED)', size(h.int('HOST_SHARE/MEM_USAGE'))),
    'CPU',
    f('  TOTAL', h.get('HOST_SHARE/TOTAL_CPU') || '0'),
    f('  TOTAL +/- RESERVED', h.get('HOST_SHARE/MAX_CPU') || '0'),
    f('  USED (REAL)', measured('USED_CPU', String)),
    f('  USED (ALLOCATED)', h.get('HOST_SHARE/CPU_USAGE') || '0'),
    '',
    showHeader('MONITORING INFORMATION'),
    ...templateLines(child(h.node, 'TEMPLATE')),
    ...pciLines(h),
    ...numaLines(h),
    '',
    showHeader('VIRTUAL MACHINES'),
    vms.length ? vms.join(',') : '-',
  ];
  return lines.join('\n');
}

function setStatus(ctx: CliContext, range: string | string[] | undefined, status: number, done: string): Promise<void> {
  return eachId(ctx, 'host', range, done, (id) => ctx.one.hosts.status(id, status));
}

const hosts: ResourceOf<NamedResource<OneObject>> = (one) => one.hosts;
const RANGE = rangeArg('host');

export const onehost: CommandDef = {
  name: 'onehost',
  description: 'Manages OpenNebula hosts',
  subcommands: [
    {
      name: 'create',
      description: 'Creates a new host, monitored with the IM driver and run with the VMM driver',
      args: [{ name: 'NAME' }],
      options: [
        { long: 'im', short: 'i', value: 'MAD', description: 'Information Manager driver (IM_MAD)' },
        { long: 'vm', short: 'v', value: 'MAD', description: 'Virtual Machine Manager driver (VM_MAD)' },
        { long: 'cluster', short: 'c', value: 'CLUSTER', description: 'Cluster id or name (default: the default cluster)' },
      ],
      examples: ['onehost create node01 --im kvm --vm kvm', 'onehost create node02 -i kvm -v kvm --cluster production'],
      async run(ctx, args) {
        const { im, vm, cluster } = ctx.options;
        if (typeof im !== 'string' || typeof vm !== 'string') throw new CliError('onehost create needs --im MAD and --vm MAD (such as --im kvm --vm kvm)', 1);
        const cid = typeof cluster === 'string' ? await ctx.resolve('cluster', cluster) : -1;
        ctx.print(`ID: ${await ctx.one.hosts.allocate(args.NAME as string, im, vm, cid)}`);
      },
    },
    deleteSubcommand('host', 'Deletes hosts (they must have no VMs)', hosts, ['onehost delete node01', 'onehost delete 1,3-5']),
    {
      name: 'enable',
      description: 'Enables hosts: monitored, and the scheduler places VMs on them',
      args: [RANGE],
      examples: ['onehost enable node01'],
      run: (ctx, args) => setStatus(ctx, args.RANGE, Status.ENABLED, 'enabled'),
    },
    {
      name: 'disable',
      description: 'Disables hosts: still monitored, the scheduler skips them',
      args: [RANGE],
      examples: ['onehost disable node01'],
      run: (ctx, args) => setStatus(ctx, args.RANGE, Status.DISABLED, 'disabled'),
    },
    {
      name: 'offline',
      description: 'Takes hosts offline: not monitored, no VM may be deployed there',
      args: [RANGE],
      examples: ['onehost offline node01,node02'],
      run: (ctx, args) => setStatus(ctx, args.RANGE, Status.OFFLINE, 'offline'),
    },
    {
      name: 'flush',
      description: 'Disables hosts and reschedules their VMs elsewhere',
      args: [RANGE],
      examples: ['onehost flush node01'],
      run: (ctx, args) =>
        eachId(ctx, 'host', args.RANGE, 'flushed', async (id) => {
          await ctx.one.hosts.status(id, Status.DISABLED);
          const refused: string[] = [];
          for (const vm of (await ctx.one.hosts.info(id)).ids('VMS')) {
            try {
              await ctx.one.vms.action('resched', vm);
            } catch (err) {
              refused.push(`VM ${vm}: ${(err as Error).message}`);
            }
          }
          if (refused.length) throw new CliError(`host ${id} is disabled, but some VMs were not rescheduled: ${refused.join('; ')}`, 1);
        }),
    },
    {
      name: 'list',
      description: 'Lists hosts',
      args: [],
      examples: ['onehost list', 'onehost list --filter STAT=on --list ID,NAME', 'onehost list --json'],
      run: list,
    },
    showSubcommand('host', 'HOSTID', 'Shows a host: state, shares, monitoring, VMs', (one) => one.hosts, showText, ['onehost show node01', 'onehost show 0 --json']),
    updateSubcommand('host', 'HOSTID', hosts, ['onehost update node01 extra.tmpl', 'onehost update node01 --append extra.tmpl']),
    renameSubcommand('host', 'HOSTID', hosts, ['onehost rename 3 node03']),
    {
      name: 'sync',
      description: "Copies the front-end's remotes to the hosts whose copy is not current",
      args: [{ name: 'RANGE', kind: 'host', range: true, optional: true, variadic: true }],
      options: [
        { long: 'force', short: 'f', description: 'Copies to the hosts even if current' },
        { long: 'cluster', short: 'c', value: 'CLUSTER', description: 'Only the hosts of this cluster (id or name)' },
      ],
      examples: ['onehost sync', 'onehost sync node01,node02 --force', 'onehost sync --cluster production'],
      async run(ctx, args) {
        const ids = args.RANGE === undefined ? [] : await ctx.resolveRange('host', args.RANGE);
        const { cluster } = ctx.options;
        await syncHosts(ctx, { ids, force: ctx.options.force === true, cluster: typeof cluster === 'string' ? await ctx.resolve('cluster', cluster) : undefined });
      },
    },
    {
      name: 'top',
      description: 'Lists hosts again every few seconds, until Ctrl-C',
      args: [],
      options: [{ long: 'delay', short: 'd', value: 'SECONDS', description: 'Seconds between refreshes (default 1)' }],
      examples: ['onehost top', 'onehost top -d 5 --filter STAT=err'],
      async run(ctx) {
        await refresh(ctx, delaySeconds(ctx.options.delay), () => list(ctx));
      },
    },
  ],
};
