/** `onedatastore`: datastores, as OpenNebula's onedatastore. */
import { child } from '../../common/xml-tree.js';
import type { Datastore, OneObject, OwnedResource } from '../../oca/index.js';
import { eachId, readTemplateFile } from '../actions.js';
import type { CommandDef } from '../command.js';
import { percent, permissionTriples, size } from '../format.js';
import { printList, showField, showHeader, templateLines, type Column } from '../output.js';
import { chmodSubcommand, chownSubcommand, deleteSubcommand, rangeArg, renameSubcommand, showSubcommand, updateSubcommand, type ResourceOf } from '../subcommands.js';

/** `/DATASTORE/TYPE`: list abbreviation and show name. */
const TYPES: readonly (readonly [string, string])[] = [
  ['img', 'IMAGE'],
  ['sys', 'SYSTEM'],
  ['fil', 'FILE'],
  ['bck', 'BACKUP'],
];
/** `/DATASTORE/STATE`. */
const STATES: readonly (readonly [string, string])[] = [
  ['on', 'READY'],
  ['off', 'DISABLED'],
];
/** `/DATASTORE/DISK_TYPE`. */
const DISK_TYPES = ['FILE', 'BLOCK', 'RBD', 'GLUSTER', 'SHEEPDOG'];

const typeOf = (d: Datastore) => TYPES[d.int('TYPE')] ?? ['-', 'UNKNOWN'];
const stateOf = (d: Datastore) => STATES[d.int('STATE')] ?? ['-', 'UNKNOWN'];
const clustersOf = (d: Datastore) => d.ids('CLUSTERS').join(',') || '-';

/** onedatastore list's columns. */
export const DATASTORE_COLUMNS: Column<Datastore>[] = [
  { name: 'ID', width: 4, value: (d) => String(d.id) },
  { name: 'NAME', width: 15, left: true, value: (d) => d.name },
  { name: 'SIZE', width: 6, value: (d) => (d.totalMb > 0 ? size(d.totalMb, 'M') : '-') },
  { name: 'AVAIL', width: 5, left: true, value: (d) => percent(d.freeMb, d.totalMb) },
  { name: 'CLUSTERS', width: 12, left: true, value: clustersOf },
  { name: 'IMAGES', width: 6, value: (d) => String(d.ids('IMAGES').length) },
  { name: 'TYPE', width: 4, left: true, value: (d) => typeOf(d)[0] },
  { name: 'DS', width: 7, left: true, value: (d) => d.get('DS_MAD') || '-' },
  { name: 'TM', width: 7, left: true, value: (d) => d.get('TM_MAD') || '-' },
  { name: 'STAT', width: 4, left: true, value: (d) => stateOf(d)[0] },
  { name: 'USER', width: 8, left: true, default: false, value: (d) => d.uname },
  { name: 'GROUP', width: 8, left: true, default: false, value: (d) => d.gname },
];

function showText(d: Datastore): string {
  const [owner, group, other] = permissionTriples(d.permissions);
  const images = d.ids('IMAGES');
  return [
    showHeader(`DATASTORE ${d.id} INFORMATION`),
    showField('ID', d.id),
    showField('NAME', d.name),
    showField('USER', d.uname),
    showField('GROUP', d.gname),
    showField('CLUSTERS', clustersOf(d)),
    showField('TYPE', typeOf(d)[1]),
    showField('DS_MAD', d.get('DS_MAD') || '-'),
    showField('TM_MAD', d.get('TM_MAD') || '-'),
    showField('BASE PATH', d.get('BASE_PATH')),
    showField('DISK_TYPE', DISK_TYPES[d.int('DISK_TYPE')] ?? '-'),
    showField('STATE', stateOf(d)[1]),
    '',
    showHeader('DATASTORE CAPACITY'),
    showField('TOTAL:', size(d.totalMb, 'M')),
    showField('FREE:', size(d.freeMb, 'M')),
    showField('USED:', size(d.int('USED_MB'), 'M')),
    '',
    showHeader('PERMISSIONS'),
    showField('OWNER', owner),
    showField('GROUP', group),
    showField('OTHER', other),
    '',
    showHeader('DATASTORE TEMPLATE'),
    ...templateLines(child(d.node, 'TEMPLATE')),
    '',
    showHeader('IMAGES'),
    ...(images.length ? images.map(String) : ['-']),
  ].join('\n');
}

const datastores: ResourceOf<OwnedResource<OneObject>> = (one) => one.datastores;

export const onedatastore: CommandDef = {
  name: 'onedatastore',
  description: 'Manages OpenNebula datastores',
  subcommands: [
    {
      name: 'create',
      description: 'Creates a new datastore from a template file (NAME, DS_MAD, TM_MAD, TYPE...)',
      args: [{ name: 'FILE' }],
      options: [{ long: 'cluster', short: 'c', value: 'CLUSTER', description: 'Cluster id or name (default: the default cluster)' }],
      examples: ['onedatastore create ds.tmpl', 'onedatastore create ds.tmpl --cluster production'],
      async run(ctx, args) {
        const template = readTemplateFile(args.FILE as string);
        const cluster = ctx.options.cluster;
        const cid = typeof cluster === 'string' ? await ctx.resolve('cluster', cluster) : -1;
        ctx.print(`ID: ${await ctx.one.datastores.allocate(template, cid)}`);
      },
    },
    deleteSubcommand('datastore', 'Deletes datastores (they must hold no images)', datastores, ['onedatastore delete images2']),
    {
      name: 'list',
      description: 'Lists datastores',
      args: [],
      examples: ['onedatastore list', 'onedatastore list --filter TYPE=img --list ID,NAME,AVAIL'],
      async run(ctx) {
        const xml = await ctx.one.datastores.listXml();
        printList(ctx, DATASTORE_COLUMNS, ctx.one.datastores.parseList(xml), xml, 'DATASTORE');
      },
    },
    showSubcommand('datastore', 'DATASTOREID', 'Shows a datastore: drivers, capacity, permissions, template, images', (one) => one.datastores, showText, ['onedatastore show default', 'onedatastore show 1 --yaml']),
    updateSubcommand('datastore', 'DATASTOREID', datastores, ['onedatastore update default ds.tmpl', 'onedatastore update default --append extra.tmpl']),
    renameSubcommand('datastore', 'DATASTOREID', datastores, ['onedatastore rename 100 images-ssd']),
    chmodSubcommand('datastore', datastores, ['onedatastore chmod default 644']),
    chownSubcommand('datastore', datastores, ['onedatastore chown default alice', 'onedatastore chown 100-102 alice users']),
    {
      name: 'enable',
      description: 'Enables datastores: they take new images and VMs again',
      args: [rangeArg('datastore')],
      examples: ['onedatastore enable default'],
      run: (ctx, args) => eachId(ctx, 'datastore', args.RANGE, 'enabled', (id) => ctx.one.datastores.enable(id, true)),
    },
    {
      name: 'disable',
      description: 'Disables datastores: no new images or VMs are placed there',
      args: [rangeArg('datastore')],
      examples: ['onedatastore disable default'],
      run: (ctx, args) => eachId(ctx, 'datastore', args.RANGE, 'disabled', (id) => ctx.one.datastores.enable(id, false)),
    },
  ],
};
