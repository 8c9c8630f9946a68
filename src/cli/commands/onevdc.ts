/**
 * `onevdc`: VDCs as OpenNebula's: create, list, show, update, rename, delete, addgroup/delgroup
 * (a range of groups), and add/del cluster, host, datastore and vnet with OpenNebula's argument
 * order `VDCID ZONEID RESOURCE` (a range of ids or names, or ALL for every one of the zone).
 */
import { existsSync } from 'node:fs';
import type { OneObject, VdcResource, VdcResourceKind } from '../../oca/index.js';
import { VDC_ALL_RESOURCES, vdcResources } from '../../oca/index.js';
import { readTemplateFile } from '../actions.js';
import { CliError, type CliContext, type CommandDef, type ResourceKind, type SubcommandDef } from '../command.js';
import { printList, type Column } from '../output.js';
import { rangeWords } from '../resolve.js';
import { deleteSubcommand, idArg, renameSubcommand, showSubcommand, updateSubcommand, type ResourceOf } from '../subcommands.js';
import { arg, printId, wholeNumber } from './common-subcommands.js';
import { pairs, section, subTable, templateText } from './show-sections.js';

const vdcs: ResourceOf<VdcResource> = (one) => one.vdcs;

/** The resource kinds: the word in subcommand names, the CLI kind resolving names, the show heading. */
const KINDS: ReadonlyArray<{ kind: VdcResourceKind; resolve: ResourceKind; heading: string; column: string }> = [
  { kind: 'cluster', resolve: 'cluster', heading: 'CLUSTERS', column: 'CLUSTERS' },
  { kind: 'host', resolve: 'host', heading: 'HOSTS', column: 'HOSTS' },
  { kind: 'vnet', resolve: 'vnet', heading: 'VNETS', column: 'VNETS' },
  { kind: 'datastore', resolve: 'datastore', heading: 'DATASTORES', column: 'DATASTORES' },
];

/** A resource count as OpenNebula's list shows it: ALL when one of them is every resource of a zone. */
function count(v: OneObject, kind: VdcResourceKind): string {
  const list = vdcResources(v, kind);
  return list.some((r) => r.id === VDC_ALL_RESOURCES) ? 'ALL' : String(list.length);
}

/** `onevdc list` columns. */
export const VDC_COLUMNS: Column<OneObject>[] = [
  { name: 'ID', width: 4, value: (v) => String(v.id) },
  { name: 'NAME', width: 30, left: true, value: (v) => v.name },
  { name: 'GROUPS', width: 6, value: (v) => String(v.ids('GROUPS').length) },
  ...KINDS.map((k) => ({ name: k.column, width: Math.max(k.column.length, 5), value: (v: OneObject) => count(v, k.kind) })),
];

const shownId = (id: number) => (id === VDC_ALL_RESOURCES ? 'ALL' : String(id));

function showText(v: OneObject): string {
  const parts = [
    section(`VDC ${v.id} INFORMATION`, pairs([['ID', String(v.id)], ['NAME', v.name]])),
    section('GROUPS', subTable([['ID', 4]], v.ids('GROUPS').map((g) => [String(g)]))),
  ];
  for (const k of KINDS) {
    const rows = vdcResources(v, k.kind).map((r) => [String(r.zone), shownId(r.id)]);
    parts.push(section(k.heading, subTable([['ZONE', 4], [k.kind.toUpperCase(), 10]], rows)));
  }
  parts.push(section('VDC TEMPLATE', templateText(v.all('TEMPLATE')[0])));
  return parts.join('\n').trimEnd();
}

/** The ids of a resource argument: ALL, or a range of ids and (in the local zone) names. */
async function resourceIds(ctx: CliContext, resolve: ResourceKind, text: string | string[] | undefined): Promise<number[]> {
  const words = rangeWords(text ?? '');
  if (words.length === 1 && words[0]!.toUpperCase() === 'ALL') return [VDC_ALL_RESOURCES];
  const ids: number[] = [];
  for (const w of words) ids.push(await ctx.resolve(resolve, w));
  return ids;
}

/** `addcluster VDCID ZONEID CLUSTERID` and its twins. */
function resourceSubcommand(verb: 'add' | 'del', k: (typeof KINDS)[number]): SubcommandDef {
  const argName = `${k.kind.toUpperCase()}ID`;
  return {
    name: `${verb}${k.kind}`,
    description:
      verb === 'add'
        ? `Gives the VDC's groups ${k.kind}s of a zone (a range of ids or names, or ALL: every ${k.kind} of the zone)`
        : `Takes ${k.kind}s of a zone out of the VDC (ALL: the entry for every ${k.kind} of the zone)`,
    args: [idArg('vdc', 'VDCID'), { name: 'ZONEID' }, { name: argName, kind: k.resolve, range: true }],
    examples: [`onevdc ${verb}${k.kind} web 0 ${k.kind === 'cluster' ? 'production' : '3'}`, `onevdc ${verb}${k.kind} 100 0 ALL`],
    async run(ctx, args) {
      const vdc = await ctx.resolve('vdc', arg(args, 'VDCID'));
      const zone = wholeNumber(arg(args, 'ZONEID'), 'ZONEID');
      for (const id of await resourceIds(ctx, k.resolve, args[argName])) {
        await (verb === 'add' ? ctx.one.vdcs.addResource(k.kind, vdc, zone, id) : ctx.one.vdcs.delResource(k.kind, vdc, zone, id));
      }
    },
  };
}

/** `addgroup VDCID GROUPS` / `delgroup`. */
function groupSubcommand(verb: 'add' | 'del'): SubcommandDef {
  return {
    name: `${verb}group`,
    description: verb === 'add' ? 'Puts groups in the VDC: they get its resources' : 'Takes groups out of the VDC, with the rights it gave them',
    args: [idArg('vdc', 'VDCID'), { name: 'GROUPID', kind: 'group', range: true }],
    examples: [`onevdc ${verb}group web developers`, `onevdc ${verb}group 100 101,102`],
    async run(ctx, args) {
      const vdc = await ctx.resolve('vdc', arg(args, 'VDCID'));
      for (const w of rangeWords(args['GROUPID'] ?? '')) {
        const gid = await ctx.resolve('group', w);
        await (verb === 'add' ? ctx.one.vdcs.addGroup(vdc, gid) : ctx.one.vdcs.delGroup(vdc, gid));
      }
    },
  };
}

export const onevdc: CommandDef = {
  name: 'onevdc',
  description: 'Manages OpenNebula Virtual Data Centers',
  subcommands: [
    {
      name: 'create',
      description: 'Creates a VDC from a name, or from a template file (NAME and any other attributes)',
      args: [{ name: 'NAME' }],
      examples: ['onevdc create web', 'onevdc create web.tmpl'],
      async run(ctx, args) {
        const given = arg(args, 'NAME');
        if (given.trim() === '') throw new CliError('Give the VDC a name');
        const template = existsSync(given) ? readTemplateFile(given) : `NAME = "${given.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
        printId(ctx, await ctx.one.vdcs.allocate(template));
      },
    },
    deleteSubcommand('vdc', 'Deletes VDCs, and the ACL rules they gave their groups', vdcs, ['onevdc delete web', 'onevdc delete 100-102']),
    {
      name: 'list',
      description: 'Lists VDCs',
      args: [],
      examples: ['onevdc list', 'onevdc list --csv'],
      async run(ctx) {
        const xml = await ctx.one.vdcs.listXml();
        printList(ctx, VDC_COLUMNS, ctx.one.vdcs.parseList(xml), xml, 'VDC');
      },
    },
    showSubcommand('vdc', 'VDCID', 'Shows a VDC: its groups, its resources by zone and its template', vdcs, showText, ['onevdc show web', 'onevdc show 0 --xml']),
    updateSubcommand('vdc', 'VDCID', vdcs, ['onevdc update web vdc.tmpl', 'onevdc update web --append extra.tmpl']),
    renameSubcommand('vdc', 'VDCID', vdcs, ['onevdc rename 100 web-team']),
    groupSubcommand('add'),
    groupSubcommand('del'),
    ...KINDS.flatMap((k) => [resourceSubcommand('add', k), resourceSubcommand('del', k)]),
  ],
};
