/** `onetemplate`: VM templates: create, list, show, instantiate, clone, delete, update, permissions. */
import { OneObject, type Oca } from '../../oca/index.js';
import { CliError, type CliContext, type CommandDef } from '../command.js';
import { printList, type Column } from '../output.js';
import {
  showSubcommand,
  chmodSubcommand,
  chownSubcommand,
  renameSubcommand,
  rangeArg,
  updateSubcommand,
} from '../subcommands.js';
import { eachId, readTemplateFile } from '../actions.js';
import { dateTime } from '../format.js';
import { arg, chgrpSubcommand, printId, publishSubcommands } from './common-subcommands.js';
import { pairs, permissionRows, section, templateText } from './show-sections.js';
import { hasTemplateOptions, HOLD, multiple, MULTIPLE, templateFromOptions, VM_TEMPLATE_OPTIONS } from './vm-template-options.js';

const templates = (one: Oca) => one.templates;

/** `onetemplate list` columns. */
export const templateColumns: Column<OneObject>[] = [
  { name: 'ID', width: 4, value: (t) => String(t.id) },
  { name: 'USER', width: 12, left: true, value: (t) => t.uname },
  { name: 'GROUP', width: 12, left: true, value: (t) => t.gname },
  { name: 'NAME', width: 30, left: true, value: (t) => t.name },
  { name: 'REGTIME', width: 14, value: (t) => dateTime(t.int('REGTIME')) },
];

/** The sections of `onetemplate show`. */
export function templateShowText(t: OneObject): string {
  return [
    section(`TEMPLATE ${t.id} INFORMATION`, pairs([['ID', String(t.id)], ['NAME', t.name], ['USER', t.uname], ['GROUP', t.gname], ['LOCK', t.get('LOCK/LOCKED') ? 'Yes' : 'None'], ['REGISTER TIME', dateTime(t.int('REGTIME'))]])),
    section('PERMISSIONS', pairs(permissionRows(t))),
    section('TEMPLATE CONTENTS', templateText(t.all('TEMPLATE')[0])),
  ].join('\n').trimEnd();
}

async function createTemplate(ctx: CliContext, args: Record<string, string | string[] | undefined>): Promise<void> {
  const file = arg(args, 'FILE');
  if (!file && !hasTemplateOptions(ctx)) throw new CliError('A template FILE or options (--cpu, --memory, --disk, --nic...) are needed: onetemplate create vm.tmpl');
  const text = [file ? readTemplateFile(file) : '', await templateFromOptions(ctx)].filter(Boolean).join('\n');
  printId(ctx, await ctx.one.templates.allocate(text));
}

export const onetemplate: CommandDef = {
  name: 'onetemplate',
  description: 'Manages OpenNebula VM templates',
  subcommands: [
    {
      name: 'create',
      description: 'Registers a template from a FILE and/or options',
      args: [{ name: 'FILE', optional: true }],
      options: VM_TEMPLATE_OPTIONS,
      examples: ['onetemplate create vm.tmpl', 'onetemplate create --name small --cpu 1 --memory 512 --disk ubuntu --nic private'],
      run: createTemplate,
    },
    {
      name: 'list',
      description: 'Lists the templates',
      args: [],
      examples: ['onetemplate list', 'onetemplate list --json'],
      run: async (ctx) => {
        const xml = await ctx.one.templates.listXml(-2, -1, -1);
        printList(ctx, templateColumns, ctx.one.templates.parseList(xml), xml, 'VMTEMPLATE_POOL');
      },
    },
    showSubcommand('template', 'TEMPLATEID', 'Shows a template', (one) => one.templates, templateShowText, ['onetemplate show 0', 'onetemplate show small --xml']),
    {
      name: 'instantiate',
      description: 'Creates VMs from templates (--name, -m N, --hold)',
      args: [rangeArg('template')],
      options: [{ long: 'name', value: 'NAME', description: 'Name of the VM (with -m: NAME-0, NAME-1...)' }, MULTIPLE, HOLD],
      examples: ['onetemplate instantiate small', 'onetemplate instantiate 0 --name web -m 3', 'onetemplate instantiate 0 --hold'],
      run: async (ctx, args) => {
        const count = multiple(ctx);
        const name = typeof ctx.options['name'] === 'string' ? ctx.options['name'] : '';
        const hold = ctx.options['hold'] === true;
        await eachId(ctx, 'template', args['RANGE'], 'instantiated', async (id) => {
          for (let i = 0; i < count; i++) {
            const vmName = name && count > 1 ? `${name}-${i}` : name;
            printId(ctx, await ctx.one.templates.instantiate(id, vmName, hold), 'VM ID');
          }
        });
      },
    },
    {
      name: 'clone',
      description: 'Copies a template under a new name (--recursive: its images too)',
      args: [{ name: 'TEMPLATEID', kind: 'template' }, { name: 'NAME' }],
      options: [{ long: 'recursive', description: 'Clones the images of the template too' }],
      examples: ['onetemplate clone small small-copy', 'onetemplate clone 0 copy --recursive'],
      run: async (ctx, args) => {
        const id = await ctx.resolve('template', arg(args, 'TEMPLATEID'));
        printId(ctx, await ctx.one.templates.clone(id, arg(args, 'NAME'), ctx.options['recursive'] === true));
      },
    },
    {
      name: 'delete',
      description: 'Deletes templates (--recursive: their images too)',
      args: [rangeArg('template')],
      options: [{ long: 'recursive', description: 'Deletes the images of the template too' }],
      examples: ['onetemplate delete 3', 'onetemplate delete small --recursive'],
      run: async (ctx, args) => {
        await eachId(ctx, 'template', args['RANGE'], 'deleted', (id) => ctx.one.templates.delete(id, ctx.options['recursive'] === true));
      },
    },
    updateSubcommand('template', 'TEMPLATEID', templates, ['onetemplate update 3 new.tmpl', 'onetemplate update 3 extra.tmpl --append']),
    renameSubcommand('template', 'TEMPLATEID', templates, ['onetemplate rename 3 new-name']),
    ...publishSubcommands('template', (one, id, on) => one.templates.publish(id, on), 'onetemplate'),
    chmodSubcommand('template', templates, ['onetemplate chmod 3 640', 'onetemplate chmod 3-5 660']),
    chownSubcommand('template', templates, ['onetemplate chown 3 alice', 'onetemplate chown 3,4 alice users']),
    chgrpSubcommand('template', templates, ['onetemplate chgrp 3 users']),
  ],
};
