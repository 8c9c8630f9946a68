/**
 * `oneflow-template`: service templates, through oneflow-server (as OpenNebula's): list, show,
 * create, update, delete, instantiate, clone, chown, chgrp, chmod, rename. Templates are JSON
 * files in OneFlow's format.
 */
import { readFileSync } from 'node:fs';
import type { FlowClient, FlowDocument } from '../../flow/client.js';
import type { TemplateBody } from '../../flow/model.js';
import { CliError, type CliContext, type CommandDef, type SubcommandDef } from '../command.js';
import { dateTime } from '../format.js';
import { printList, type Column } from '../output.js';
import { arg, printId, wholeNumber } from './common-subcommands.js';
import { docIds, eachDoc, flowClient, flowSubcommand, ownershipSubcommands, permissionText, printedAsJson } from './flow-common.js';
import { pairs, section } from './show-sections.js';

type Template = FlowDocument<TemplateBody & { registration_time?: number }>;

const templates = (c: FlowClient) => c.listTemplates<TemplateBody & { registration_time?: number }>();

/** `oneflow-template list` columns (OpenNebula's). */
export const templateColumns: Column<Template>[] = [
  { name: 'ID', width: 4, value: (t) => t.ID },
  { name: 'USER', width: 12, left: true, value: (t) => t.UNAME },
  { name: 'GROUP', width: 12, left: true, value: (t) => t.GNAME },
  { name: 'NAME', width: 24, left: true, value: (t) => t.NAME },
  { name: 'REGTIME', width: 14, left: true, value: (t) => (t.TEMPLATE.BODY.registration_time ? dateTime(t.TEMPLATE.BODY.registration_time) : '-') },
];

function showText(t: Template): string {
  return [
    section(`SERVICE TEMPLATE ${t.ID} INFORMATION`, pairs([
      ['ID', t.ID],
      ['NAME', t.NAME],
      ['USER', t.UNAME],
      ['GROUP', t.GNAME],
      ['REGISTRATION TIME', t.TEMPLATE.BODY.registration_time ? dateTime(t.TEMPLATE.BODY.registration_time) : '-'],
    ])),
    section('PERMISSIONS', permissionText(t)),
    section('TEMPLATE CONTENTS', JSON.stringify(t.TEMPLATE.BODY, null, 4)),
  ].join('\n').trimEnd();
}

/** A JSON file's contents; a missing file or bad JSON is a CliError naming it. */
function jsonFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(`Cannot read ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new CliError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
}

async function oneId(_ctx: CliContext, c: FlowClient, text: string): Promise<number> {
  return (await docIds(text, 'service template', () => templates(c)))[0]!;
}

export const oneflowTemplate: CommandDef = {
  name: 'oneflow-template',
  description: 'Manages OneFlow service templates',
  subcommands: [
    ...([
      {
        name: 'list',
        description: 'Lists the service templates',
        args: [],
        examples: ['oneflow-template list'],
        async run(ctx) {
          const list = await templates(flowClient(ctx));
          if (!printedAsJson(ctx, list)) printList(ctx, templateColumns, list, '', 'DOCUMENT');
        },
      },
      {
        name: 'show',
        description: 'Shows a service template',
        args: [{ name: 'TEMPLATEID' }],
        examples: ['oneflow-template show 2'],
        async run(ctx, args) {
          const c = flowClient(ctx);
          const t = (await c.template(await oneId(ctx, c, arg(args, 'TEMPLATEID')))) as Template;
          if (!printedAsJson(ctx, { DOCUMENT: t })) ctx.print(showText(t));
        },
      },
      {
        name: 'create',
        description: 'Creates a service template from a JSON file (name, deployment, roles...)',
        args: [{ name: 'FILE' }],
        examples: ['oneflow-template create web.json'],
        async run(ctx, args) {
          printId(ctx, Number((await flowClient(ctx).createTemplate(jsonFile(arg(args, 'FILE')))).ID));
        },
      },
      {
        name: 'update',
        description: 'Replaces a service template with a JSON file (--append: merges its keys)',
        args: [{ name: 'TEMPLATEID' }, { name: 'FILE' }],
        options: [{ long: 'append', short: 'a', description: 'Merges the file\'s keys into the template' }],
        examples: ['oneflow-template update 2 web.json'],
        async run(ctx, args) {
          const c = flowClient(ctx);
          await c.updateTemplate(await oneId(ctx, c, arg(args, 'TEMPLATEID')), jsonFile(arg(args, 'FILE')), ctx.options.append === true);
        },
      },
      {
        name: 'delete',
        description: 'Deletes service templates',
        args: [{ name: 'RANGE', variadic: true }],
        examples: ['oneflow-template delete 2'],
        async run(ctx, args) {
          const c = flowClient(ctx);
          await eachDoc(ctx, await docIds(args.RANGE, 'service template', () => templates(c)), 'SERVICE TEMPLATE', (id) => c.deleteTemplate(id));
        },
      },
      {
        name: 'instantiate',
        description: 'Creates services from a template (a JSON FILE changes its values for them)',
        args: [{ name: 'TEMPLATEID' }, { name: 'FILE', optional: true }],
        options: [
          { long: 'name', value: 'NAME', description: 'The service\'s name' },
          { long: 'multiple', short: 'm', value: 'N', description: 'Makes N services' },
        ],
        examples: ['oneflow-template instantiate 2', 'oneflow-template instantiate 2 --name web-prod', 'oneflow-template instantiate 2 overrides.json'],
        async run(ctx, args) {
          const c = flowClient(ctx);
          const id = await oneId(ctx, c, arg(args, 'TEMPLATEID'));
          const merge = (args.FILE === undefined ? {} : jsonFile(arg(args, 'FILE'))) as Record<string, unknown>;
          if (typeof ctx.options.name === 'string') merge.name = ctx.options.name;
          const n = typeof ctx.options.multiple === 'string' ? wholeNumber(ctx.options.multiple, '--multiple') : 1;
          for (let i = 0; i < n; i++) printId(ctx, Number((await c.instantiate(id, Object.keys(merge).length ? merge : undefined)).ID));
        },
      },
      {
        name: 'clone',
        description: 'Copies a service template under a new name',
        args: [{ name: 'TEMPLATEID' }, { name: 'NAME' }],
        examples: ['oneflow-template clone 2 web-copy'],
        async run(ctx, args) {
          const c = flowClient(ctx);
          printId(ctx, Number((await c.cloneTemplate(await oneId(ctx, c, arg(args, 'TEMPLATEID')), arg(args, 'NAME'))).ID));
        },
      },
    ] as SubcommandDef[]).map(flowSubcommand),
    ...ownershipSubcommands('oneflow-template', 'TEMPLATEID', 'service template', templates, (c, id, perform, params) => c.templateAction(id, perform, params)),
  ],
};
