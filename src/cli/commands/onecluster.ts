/** `onecluster`: clusters and the hosts, datastores and networks in them, as OpenNebula's onecluster. */
import { child, childText, type XmlNode } from '../../common/xml-tree.js';
import type { NamedResource, OneObject } from '../../oca/index.js';
import type { ArgDef, CliContext, CommandDef, ResourceKind, SubcommandDef } from '../command.js';
import { deleteSubcommand, renameSubcommand, showSubcommand, updateSubcommand, type ResourceOf } from '../subcommands.js';
import { printList, showField, showHeader, templateLines, type Column } from '../output.js';

/** onecluster list's columns. */
export const CLUSTER_COLUMNS: Column<OneObject>[] = [
  { name: 'ID', width: 4, value: (c) => String(c.id) },
  { name: 'NAME', width: 25, left: true, value: (c) => c.name },
  { name: 'HOSTS', width: 5, value: (c) => String(c.ids('HOSTS').length) },
  { name: 'VNETS', width: 5, value: (c) => String(c.ids('VNETS').length) },
  { name: 'DATASTORES', width: 10, value: (c) => String(c.ids('DATASTORES').length) },
];

function showText(c: OneObject): string {
  const ids = (path: string) => {
    const l = c.ids(path);
    return l.length ? l.map(String) : ['-'];
  };
  return [
    showHeader(`CLUSTER ${c.id} INFORMATION`),
    showField('ID', c.id),
    showField('NAME', c.name),
    '',
    showHeader('CLUSTER TEMPLATE'),
    ...templateLines(child(c.node, 'TEMPLATE')),
    '',
    showHeader('HOSTS'),
    ...ids('HOSTS'),
    '',
    showHeader('VNETS'),
    ...ids('VNETS'),
    '',
    showHeader('DATASTORES'),
    ...ids('DATASTORES'),
    ...planLines(c),
  ].join('\n');
}

const PLAN_STATES = ['READY', 'APPLYING', 'DONE', 'ERROR', 'TIMEOUT'];
const planState = (n: string) => PLAN_STATES[Number(n)] ?? (n === '-1' ? 'NONE' : n);

/** The PLAN section of `onecluster show`: the plan's state and one line per action. */
function planLines(c: OneObject): string[] {
  const plan = child(c.node, 'PLAN');
  if (!plan) return [];
  const text = (n: XmlNode, name: string) => childText(n, name);
  const rows = plan.children.filter((n) => n.name === 'ACTION');
  return [
    '',
    showHeader(`PLAN (${planState(text(plan, 'STATE'))})`),
    `${'ID'.padStart(3)} ${'VM'.padStart(5)} ${'OPERATION'.padEnd(10)} ${'HOST'.padStart(5)} ${'DS'.padStart(4)} STATE`,
    ...rows.map((a) => `${text(a, 'ID').padStart(3)} ${text(a, 'VM_ID').padStart(5)} ${text(a, 'OPERATION').padEnd(10)} ${text(a, 'HOST_ID').padStart(5)} ${text(a, 'DS_ID').padStart(4)} ${planState(text(a, 'STATE'))}`),
  ];
}

/** optimize / planexecute / plandelete: one call on one cluster. */
function planSubcommand(name: string, description: string, call: (ctx: CliContext, cid: number) => Promise<number>): SubcommandDef {
  return {
    name,
    description,
    args: [CLUSTER],
    examples: [`onecluster ${name} production`],
    async run(ctx, args) {
      await call(ctx, await ctx.resolve('cluster', args.CLUSTERID as string));
    },
  };
}

const clusters: ResourceOf<NamedResource<OneObject>> = (one) => one.clusters;
const CLUSTER: ArgDef = { name: 'CLUSTERID', kind: 'cluster' };

/** `addhost`/`delhost` and their datastore and network twins, from one description. */
function membership(verb: 'add' | 'del', kind: ResourceKind, what: string, call: (ctx: CliContext, cid: number, id: number) => Promise<number>): SubcommandDef {
  const arg = `${what.toUpperCase()}ID`;
  return {
    name: `${verb}${what}`,
    description: verb === 'add' ? `Puts a ${what} in a cluster (taking it out of its previous one)` : `Takes a ${what} out of a cluster`,
    args: [CLUSTER, { name: arg, kind }],
    examples: [`onecluster ${verb}${what} production ${what === 'host' ? 'node01' : what === 'vnet' ? 'private' : 'default'}`],
    async run(ctx, args) {
      const cid = await ctx.resolve('cluster', args.CLUSTERID as string);
      await call(ctx, cid, await ctx.resolve(kind, args[arg] as string));
    },
  };
}

export const onecluster: CommandDef = {
  name: 'onecluster',
  description: 'Manages OpenNebula clusters',
  subcommands: [
    {
      name: 'create',
      description: 'Creates a new cluster',
      args: [{ name: 'NAME' }],
      examples: ['onecluster create production'],
      async run(ctx, args) {
        ctx.print(`ID: ${await ctx.one.clusters.allocate(args.NAME as string)}`);
      },
    },
    deleteSubcommand('cluster', 'Deletes clusters (they must be empty)', clusters, ['onecluster delete production', 'onecluster delete 100-102']),
    {
      name: 'list',
      description: 'Lists clusters',
      args: [],
      examples: ['onecluster list', 'onecluster list --csv'],
      async run(ctx) {
        const xml = await ctx.one.clusters.listXml();
        printList(ctx, CLUSTER_COLUMNS, ctx.one.clusters.parseList(xml), xml, 'CLUSTER');
      },
    },
    showSubcommand('cluster', 'CLUSTERID', 'Shows a cluster: its template, hosts, networks and datastores', (one) => one.clusters, showText, ['onecluster show production', 'onecluster show 0 --xml']),
    membership('add', 'host', 'host', (ctx, cid, id) => ctx.one.clusters.addHost(cid, id)),
    membership('del', 'host', 'host', (ctx, cid, id) => ctx.one.clusters.delHost(cid, id)),
    membership('add', 'datastore', 'datastore', (ctx, cid, id) => ctx.one.clusters.addDatastore(cid, id)),
    membership('del', 'datastore', 'datastore', (ctx, cid, id) => ctx.one.clusters.delDatastore(cid, id)),
    membership('add', 'vnet', 'vnet', (ctx, cid, id) => ctx.one.clusters.addVnet(cid, id)),
    membership('del', 'vnet', 'vnet', (ctx, cid, id) => ctx.one.clusters.delVnet(cid, id)),
    renameSubcommand('cluster', 'CLUSTERID', clusters, ['onecluster rename 100 staging']),
    updateSubcommand('cluster', 'CLUSTERID', clusters, ['onecluster update production cluster.tmpl', 'onecluster update production --append extra.tmpl']),
    planSubcommand('optimize', 'Plans VM migrations that balance the hosts (ONE_DRS); show lists it', (ctx, cid) => ctx.one.clusters.optimize(cid)),
    planSubcommand('planexecute', 'Applies the plan of a cluster: oned migrates its VMs', (ctx, cid) => ctx.one.clusters.planExecute(cid)),
    planSubcommand('plandelete', 'Drops the plan of a cluster', (ctx, cid) => ctx.one.clusters.planDelete(cid)),
  ],
};
