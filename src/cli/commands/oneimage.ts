/** `oneimage`: images: create (from a FILE or options), list, show, clone, state and type changes. */
import { Image, type Oca } from '../../oca/index.js';
import { CliError, type CliContext, type CommandDef, type SubcommandDef } from '../command.js';
import { printList, type Column } from '../output.js';
import {
  showSubcommand,
  chmodSubcommand,
  chownSubcommand,
  deleteSubcommand,
  renameSubcommand,
  rangeArg,
  updateSubcommand,
} from '../subcommands.js';
import { eachId, readTemplateFile } from '../actions.js';
import { dateTime, size } from '../format.js';
import { arg, chgrpSubcommand, printId, publishSubcommands } from './common-subcommands.js';
import { imageSnapshotSection, imageSnapshotSubcommands } from './disk-snapshot.js';
import { pairs, permissionRows, section, templateText } from './show-sections.js';
import { imageRestoreSubcommand, incrementsSection } from './vm-backup.js';
import { IMAGE_TYPES, imageStateShort, imageTypeName, imageTypeShort } from './states.js';

const images = (one: Oca) => one.images;

/** `oneimage list` columns. */
export const imageColumns: Column<Image>[] = [
  { name: 'ID', width: 4, value: (i) => String(i.id) },
  { name: 'USER', width: 10, left: true, value: (i) => i.uname },
  { name: 'GROUP', width: 8, left: true, value: (i) => i.gname },
  { name: 'NAME', width: 12, left: true, value: (i) => i.name },
  { name: 'DATASTORE', width: 10, left: true, value: (i) => i.get('DATASTORE') },
  { name: 'SIZE', width: 7, value: (i) => size(i.sizeMb, 'M') },
  { name: 'TYPE', width: 4, left: true, value: (i) => imageTypeShort(i.type) },
  { name: 'PER', width: 3, left: true, value: (i) => (i.get('PERSISTENT') === '1' ? 'Yes' : 'No') },
  { name: 'STAT', width: 4, left: true, value: (i) => imageStateShort(i.state) },
  { name: 'RVMS', width: 4, value: (i) => i.get('RUNNING_VMS') || '0' },
  { name: 'REGTIME', width: 14, value: (i) => dateTime(i.int('REGTIME')), default: false },
];

/** The sections of `oneimage show`. */
export function imageShowText(i: Image): string {
  const vms = i.ids('VMS');
  return [
    section(
      `IMAGE ${i.id} INFORMATION`,
      pairs([
        ['ID', String(i.id)],
        ['NAME', i.name],
        ['USER', i.uname],
        ['GROUP', i.gname],
        ['LOCK', i.get('LOCK/LOCKED') ? 'Yes' : 'None'],
        ['DATASTORE', i.get('DATASTORE')],
        ['TYPE', imageTypeName(i.type)],
        ['REGISTER TIME', dateTime(i.int('REGTIME'))],
        ['PERSISTENT', i.get('PERSISTENT') === '1' ? 'Yes' : 'No'],
        ['SOURCE', i.get('SOURCE') || '-'],
        ['PATH', i.get('PATH') || '-'],
        ['FSTYPE', i.get('FSTYPE') || '-'],
        ['SIZE', size(i.sizeMb, 'M')],
        ['STATE', imageStateShort(i.state)],
        ['RUNNING_VMS', i.get('RUNNING_VMS') || '0'],
      ]),
    ),
    section('PERMISSIONS', pairs(permissionRows(i))),
    section('IMAGE TEMPLATE', templateText(i.all('TEMPLATE')[0])),
    section('VIRTUAL MACHINES', vms.length ? vms.join(',') : '-'),
    ...[imageSnapshotSection(i)].filter((x) => x !== ''),
    incrementsSection(i),
  ].filter((s) => s !== '').join('\n').trimEnd();
}

/** The image template the options describe. */
function imageTemplateFromOptions(ctx: CliContext): string {
  const o = ctx.options;
  const quote = (v: string) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  const lines: string[] = [];
  for (const [opt, attr] of [['name', 'NAME'], ['path', 'PATH'], ['description', 'DESCRIPTION'], ['prefix', 'DEV_PREFIX']] as const) {
    if (typeof o[opt] === 'string') lines.push(`${attr} = ${quote(o[opt])}`);
  }
  if (typeof o['type'] === 'string') lines.push(`TYPE = ${checkedType(o['type'])}`);
  if (typeof o['size'] === 'string') {
    if (!/^[1-9]\d*$/.test(o['size'])) throw new CliError(`--size must be a whole positive number of MB, not "${o['size']}"`);
    lines.push(`SIZE = ${o['size']}`);
  }
  if (o['persistent'] === true) lines.push('PERSISTENT = YES');
  return lines.join('\n');
}

function checkedType(type: string): string {
  const t = type.toUpperCase();
  if (!(IMAGE_TYPES as readonly string[]).includes(t)) throw new CliError(`Image type must be one of ${IMAGE_TYPES.join(', ')}, not "${type}"`);
  return t;
}

function stateSubcommand(name: string, description: string, run: (one: Oca, id: number) => Promise<number>): SubcommandDef {
  return {
    name,
    description,
    args: [rangeArg('image')],
    examples: [`oneimage ${name} 3`, `oneimage ${name} 3-5`],
    run: async (ctx, args) => {
      await eachId(ctx, 'image', args['RANGE'], name, (id) => run(ctx.one, id));
    },
  };
}

export const oneimage: CommandDef = {
  name: 'oneimage',
  description: 'Manages OpenNebula images',
  subcommands: [
    {
      name: 'create',
      description: 'Registers an image in a datastore (-d), from a FILE and/or options',
      args: [{ name: 'FILE', optional: true }],
      options: [
        { long: 'datastore', short: 'd', value: 'DATASTORE', description: 'Datastore (id or name) to register the image in (required)' },
        { long: 'name', value: 'NAME', description: 'Name of the image' },
        { long: 'path', value: 'PATH', description: 'Path or URL of the image file' },
        { long: 'type', value: 'TYPE', description: `Type: ${IMAGE_TYPES.join(', ')}` },
        { long: 'size', value: 'MB', description: 'Size in MB (an empty DATABLOCK has no path)' },
        { long: 'persistent', description: 'Makes the image persistent' },
        { long: 'description', value: 'TEXT', description: 'A description' },
        { long: 'prefix', value: 'PREFIX', description: 'Device prefix in the guest (hd, sd, vd)' },
      ],
      examples: ['oneimage create -d default --name ubuntu --path /var/tmp/ubuntu.qcow2', 'oneimage create -d 1 --name data --type DATABLOCK --size 1024', 'oneimage create image.tmpl -d default'],
      run: async (ctx, args) => {
        if (typeof ctx.options['datastore'] !== 'string') throw new CliError('Say which datastore: oneimage create -d DATASTORE ...');
        const file = arg(args, 'FILE');
        const text = [file ? readTemplateFile(file) : '', imageTemplateFromOptions(ctx)].filter(Boolean).join('\n');
        if (!text) throw new CliError('A template FILE or options (--name, --path, --type, --size...) are needed');
        const ds = await ctx.resolve('datastore', ctx.options['datastore']);
        printId(ctx, await ctx.one.images.allocate(text, ds));
      },
    },
    {
      name: 'list',
      description: 'Lists the images',
      args: [],
      examples: ['oneimage list', 'oneimage list --filter TYPE=OS --csv'],
      run: async (ctx) => {
        const xml = await ctx.one.images.listXml(-2, -1, -1);
        printList(ctx, imageColumns, ctx.one.images.parseList(xml), xml, 'IMAGE_POOL');
      },
    },
    showSubcommand('image', 'IMAGEID', 'Shows an image', (one) => one.images, imageShowText, ['oneimage show 0', 'oneimage show ubuntu --json']),
    deleteSubcommand('image', 'Deletes images', images, ['oneimage delete 3', 'oneimage delete 3-5']),
    imageRestoreSubcommand,
    {
      name: 'clone',
      description: 'Copies an image under a new name (-d: into another datastore)',
      args: [{ name: 'IMAGEID', kind: 'image' }, { name: 'NAME' }],
      options: [{ long: 'datastore', short: 'd', value: 'DATASTORE', description: 'Datastore (id or name) of the copy' }],
      examples: ['oneimage clone ubuntu ubuntu-copy', 'oneimage clone 0 copy -d 1'],
      run: async (ctx, args) => {
        const id = await ctx.resolve('image', arg(args, 'IMAGEID'));
        const ds = typeof ctx.options['datastore'] === 'string' ? await ctx.resolve('datastore', ctx.options['datastore']) : -1;
        printId(ctx, await ctx.one.images.clone(id, arg(args, 'NAME'), ds));
      },
    },
    stateSubcommand('enable', 'Enables images (READY again)', (one, id) => one.images.enable(id, true)),
    stateSubcommand('disable', 'Disables images: new VMs cannot use them', (one, id) => one.images.enable(id, false)),
    stateSubcommand('persistent', 'Makes images persistent: one VM at a time, changes kept', (one, id) => one.images.persistent(id, true)),
    stateSubcommand('nonpersistent', 'Makes images non-persistent: VMs get copies', (one, id) => one.images.persistent(id, false)),
    {
      name: 'chtype',
      description: `Changes the type of images (${IMAGE_TYPES.join(', ')})`,
      args: [{ name: 'RANGE', kind: 'image', range: true }, { name: 'TYPE' }],
      examples: ['oneimage chtype 3 DATABLOCK'],
      run: async (ctx, args) => {
        const type = checkedType(arg(args, 'TYPE'));
        await eachId(ctx, 'image', args['RANGE'], `type ${type}`, (id) => ctx.one.images.chtype(id, type));
      },
    },
    updateSubcommand('image', 'IMAGEID', images, ['oneimage update 3 new.tmpl', 'oneimage update 3 extra.tmpl --append']),
    renameSubcommand('image', 'IMAGEID', images, ['oneimage rename 3 new-name']),
    ...publishSubcommands('image', (one, id, on) => one.images.publish(id, on), 'oneimage'),
    ...imageSnapshotSubcommands,
    chmodSubcommand('image', images, ['oneimage chmod 3 640', 'oneimage chmod 3-5 660']),
    chownSubcommand('image', images, ['oneimage chown 3 alice', 'oneimage chown 3,4 alice users']),
    chgrpSubcommand('image', images, ['oneimage chgrp 3 users']),
  ],
};
