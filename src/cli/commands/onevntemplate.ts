/**
 * `onevntemplate`: virtual network templates, as OpenNebula's: create, list, show, update,
 * delete, instantiate (a network from the template), clone, chgrp, chown, chmod, rename, lock,
 * unlock.
 */
import type { Oca } from '../../oca/index.js';
import { readTemplateFile } from '../actions.js';
import type { CommandDef } from '../command.js';
import { printList } from '../output.js';
import { chmodSubcommand, chownSubcommand, deleteSubcommand, idArg, lockSubcommands, renameSubcommand, showSubcommand, updateSubcommand } from '../subcommands.js';
import { arg, chgrpSubcommand, printId } from './common-subcommands.js';
import { templateColumns, templateShowText } from './onetemplate.js';

const vnTemplates = (one: Oca) => one.vnTemplates;

export const onevntemplate: CommandDef = {
  name: 'onevntemplate',
  description: 'Manages OpenNebula virtual network templates',
  subcommands: [
    {
      name: 'create',
      description: 'Registers a network template from a FILE (NAME, VN_MAD, BRIDGE, AR = [...], CLUSTER_IDS...)',
      args: [{ name: 'FILE' }],
      examples: ['onevntemplate create private.tmpl'],
      run: async (ctx, args) => printId(ctx, await ctx.one.vnTemplates.allocate(readTemplateFile(arg(args, 'FILE')))),
    },
    {
      name: 'list',
      description: 'Lists the network templates',
      args: [],
      examples: ['onevntemplate list', 'onevntemplate list --json'],
      run: async (ctx) => {
        const xml = await ctx.one.vnTemplates.listXml(-2, -1, -1);
        printList(ctx, templateColumns, ctx.one.vnTemplates.parseList(xml), xml, 'VNTEMPLATE_POOL');
      },
    },
    showSubcommand('vntemplate', 'VNTEMPLATEID', 'Shows a network template', vnTemplates, templateShowText, ['onevntemplate show 0', 'onevntemplate show private --xml']),
    {
      name: 'instantiate',
      description: 'Makes a virtual network from a template, merged with the FILE given (ARs...)',
      args: [idArg('vntemplate', 'VNTEMPLATEID'), { name: 'FILE', optional: true }],
      options: [{ long: 'name', value: 'NAME', description: 'Name of the new network' }],
      examples: ['onevntemplate instantiate private', 'onevntemplate instantiate 0 --name web-net ar.tmpl'],
      run: async (ctx, args) => {
        const file = arg(args, 'FILE');
        const extra = file ? readTemplateFile(file) : '';
        const name = typeof ctx.options['name'] === 'string' ? ctx.options['name'] : '';
        const id = await ctx.resolve('vntemplate', arg(args, 'VNTEMPLATEID'));
        printId(ctx, await ctx.one.vnTemplates.instantiate(id, name, extra), 'VN ID');
      },
    },
    {
      name: 'clone',
      description: 'Copies a network template under a new name',
      args: [idArg('vntemplate', 'VNTEMPLATEID'), { name: 'NAME' }],
      examples: ['onevntemplate clone private private-copy'],
      run: async (ctx, args) => {
        const id = await ctx.resolve('vntemplate', arg(args, 'VNTEMPLATEID'));
        printId(ctx, await ctx.one.vnTemplates.clone(id, arg(args, 'NAME')));
      },
    },
    deleteSubcommand('vntemplate', 'Deletes network templates (their networks stay)', vnTemplates, ['onevntemplate delete private']),
    updateSubcommand('vntemplate', 'VNTEMPLATEID', vnTemplates, ['onevntemplate update 3 new.tmpl', 'onevntemplate update 3 extra.tmpl --append']),
    renameSubcommand('vntemplate', 'VNTEMPLATEID', vnTemplates, ['onevntemplate rename 3 new-name']),
    chmodSubcommand('vntemplate', vnTemplates, ['onevntemplate chmod 3 640']),
    chownSubcommand('vntemplate', vnTemplates, ['onevntemplate chown 3 alice', 'onevntemplate chown 3 alice users']),
    chgrpSubcommand('vntemplate', vnTemplates, ['onevntemplate chgrp 3 users']),
    ...lockSubcommands('vntemplate', vnTemplates, ['onevntemplate lock 3', 'onevntemplate lock 3-5 --admin'], ['onevntemplate unlock 3']),
  ],
};
