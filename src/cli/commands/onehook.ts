/**
 * `onehook`: hooks as API objects, as OpenNebula's: create, list, show (--execution for one run's
 * output), update, rename, delete, lock, unlock, retry, and log (the execution log with
 * --since, --until, --hook, --success, --error).
 */
import type { HookResource, OneObject } from '../../oca/index.js';
import { HookLogResult } from '../../oca/index.js';
import { parseXmlTree, select, type XmlNode } from '../../common/xml-tree.js';
import { readTemplateFile } from '../actions.js';
import { CliError, type CommandDef } from '../command.js';
import { dateTime } from '../format.js';
import { printList, printShow, type Column } from '../output.js';
import { deleteSubcommand, idArg, lockSubcommands, renameSubcommand, updateSubcommand, type ResourceOf } from '../subcommands.js';
import { arg, printId, wholeNumber } from './common-subcommands.js';
import { pairs, section, subTable, templateText } from './show-sections.js';

const hooks: ResourceOf<HookResource> = (one) => one.hooks;

/** `onehook list` columns. */
export const hookColumns: Column<OneObject>[] = [
  { name: 'ID', width: 5, value: (h) => String(h.id) },
  { name: 'NAME', width: 25, left: true, value: (h) => h.name },
  { name: 'TYPE', width: 45, left: true, value: (h) => h.get('TYPE') },
];

const text = (n: XmlNode, path: string) => select(n, path)[0]?.text.trim() ?? '';
const decoded = (s: string) => Buffer.from(s, 'base64').toString('utf8');
/** OpenNebula shows the base64 words of ARGUMENTS ($API, $TEMPLATE) decoded. */
function shownArguments(args: string): string {
  return args
    .split(/\s+/)
    .filter((w) => w !== '')
    .map((w) => (/^[A-Za-z0-9+/]{8,}={0,2}$/.test(w) && w.length % 4 === 0 ? decoded(w) : w))
    .join(' ');
}

/** The table of execution records (`withHook`: the HOOK column of `onehook log`). */
export function executionTable(records: readonly XmlNode[], withHook: boolean): string {
  const cols: Array<readonly [string, number, 'left'?]> = [...(withHook ? [['HOOK', 5] as const] : []), ['ID', 5], ['TIMESTAMP', 15, 'left'], ['RC', 4], ['EXECUTION', 9, 'left']];
  const rows = records.map((r) => {
    const code = text(r, 'EXECUTION_RESULT/CODE');
    return [...(withHook ? [text(r, 'HOOK_ID')] : []), text(r, 'EXECUTION_ID'), dateTime(Number(text(r, 'TIMESTAMP'))), code, Number(code) === 0 && code !== '' ? 'SUCCESS' : 'ERROR'];
  });
  return subTable(cols, rows);
}

function showText(h: OneObject, execution: number | undefined): string {
  const info = section(`HOOK ${h.id} INFORMATION`, pairs([
    ['ID', String(h.id)],
    ['NAME', h.name],
    ['TYPE', h.get('TYPE')],
    ['LOCK', h.get('LOCK/LOCKED') ? 'Yes' : 'None'],
  ]));
  const records = h.all('HOOKLOG/HOOK_EXECUTION_RECORD');
  if (execution !== undefined) {
    const r = records.find((x) => text(x, 'EXECUTION_ID') === String(execution));
    if (!r) throw new CliError(`Cannot find execution record ${execution} of hook ${h.id}`);
    return [
      info,
      section('HOOK EXECUTION RECORD', pairs([
        ['EXECUTION ID', text(r, 'EXECUTION_ID')],
        ['TIMESTAMP', dateTime(Number(text(r, 'TIMESTAMP')))],
        ['COMMAND', text(r, 'EXECUTION_RESULT/COMMAND')],
        ['ARGUMENTS', shownArguments(text(r, 'ARGUMENTS'))],
        ['EXIT CODE', text(r, 'EXECUTION_RESULT/CODE')],
        ...(text(r, 'REMOTE_HOST') ? [['REMOTE HOST', text(r, 'REMOTE_HOST')] as [string, string]] : []),
        ...(text(r, 'RETRY') ? [['RETRY', text(r, 'RETRY')] as [string, string]] : []),
      ])),
      section('EXECUTION STDOUT', decoded(text(r, 'EXECUTION_RESULT/STDOUT')).trimEnd()),
      section('EXECUTION STDERR', decoded(text(r, 'EXECUTION_RESULT/STDERR')).trimEnd()),
    ].join('\n').trimEnd();
  }
  const parts = [info, section('HOOK TEMPLATE', templateText(h.all('TEMPLATE')[0]))];
  if (records.length > 0) parts.push(section('EXECUTION LOG', executionTable(records, false)));
  return parts.join('\n').trimEnd();
}

/** --since / --until: epoch seconds or a date (`2026-12-07`, `2026-12-07 10:30`). */
export function logTime(value: string | boolean | string[] | undefined, option: string): number {
  if (typeof value !== 'string') return -1;
  if (/^\d+$/.test(value)) return Number(value);
  const t = Date.parse(value.includes(' ') && !value.includes('T') ? value.replace(' ', 'T') : value);
  if (Number.isNaN(t)) throw new CliError(`--${option} must be a date (2026-12-07, 2026-12-07 10:30) or epoch seconds, not "${value}"`);
  return Math.floor(t / 1000);
}

export const onehook: CommandDef = {
  name: 'onehook',
  description: 'Manages OpenNebula hooks',
  subcommands: [
    {
      name: 'create',
      description: 'Creates a hook from a template file (NAME, TYPE = api|state, COMMAND, ARGUMENTS, CALL or RESOURCE and ON/STATE...)',
      args: [{ name: 'FILE' }],
      examples: ['onehook create vm-allocate.tmpl'],
      run: async (ctx, args) => printId(ctx, await ctx.one.hooks.allocate(readTemplateFile(arg(args, 'FILE')))),
    },
    {
      name: 'list',
      description: 'Lists hooks',
      args: [],
      examples: ['onehook list', 'onehook list --filter TYPE=api'],
      async run(ctx) {
        const xml = await ctx.one.hooks.listXml(-2, -1, -1);
        printList(ctx, hookColumns, ctx.one.hooks.parseList(xml), xml, 'HOOK');
      },
    },
    {
      name: 'show',
      description: 'Shows a hook: its template and its last executions (--execution ID: that run, with its output)',
      args: [idArg('hook', 'HOOKID')],
      options: [{ long: 'execution', short: 'e', value: 'ID', description: 'Shows one execution record: command, arguments, exit code, stdout and stderr' }],
      examples: ['onehook show 0', 'onehook show on-vm-allocate -e 3'],
      async run(ctx, args) {
        const e = ctx.options['execution'];
        const execution = typeof e === 'string' ? wholeNumber(e, 'execution ID') : undefined;
        const h = await ctx.one.hooks.info(await ctx.resolve('hook', arg(args, 'HOOKID')));
        printShow(ctx, h.xml, () => showText(h, execution));
      },
    },
    updateSubcommand('hook', 'HOOKID', hooks, ['onehook update 0 hook.tmpl', 'onehook update 0 --append extra.tmpl']),
    renameSubcommand('hook', 'HOOKID', hooks, ['onehook rename 0 new-name']),
    deleteSubcommand('hook', 'Deletes hooks and their execution log', hooks, ['onehook delete 0']),
    ...lockSubcommands('hook', hooks, ['onehook lock 0', 'onehook lock 0 --manage'], ['onehook unlock 0']),
    {
      name: 'retry',
      description: 'Runs an execution of a hook again, with the same arguments',
      args: [idArg('hook', 'HOOKID'), { name: 'EXECUTIONID' }],
      examples: ['onehook retry 0 3'],
      run: async (ctx, args) => {
        const id = await ctx.resolve('hook', arg(args, 'HOOKID'));
        await ctx.one.hooks.retry(id, wholeNumber(arg(args, 'EXECUTIONID'), 'EXECUTIONID'));
      },
    },
    {
      name: 'log',
      description: 'Shows the execution log of the hooks (oneadmin group)',
      args: [],
      options: [
        { long: 'since', value: 'DATE', description: 'Only executions after DATE (2026-12-07, 2026-12-07 10:30, or epoch seconds)' },
        { long: 'until', value: 'DATE', description: 'Only executions before DATE' },
        { long: 'hook', value: 'ID', description: 'Only the executions of this hook' },
        { long: 'success', description: 'Only successful executions' },
        { long: 'error', description: 'Only failed executions' },
      ],
      examples: ['onehook log', 'onehook log --hook 0 --error', 'onehook log --since 2026-12-07'],
      async run(ctx) {
        const o = ctx.options;
        if (o['success'] === true && o['error'] === true) throw new CliError('--success and --error exclude each other');
        const hookId = typeof o['hook'] === 'string' ? await ctx.resolve('hook', o['hook']) : -1;
        const result = o['success'] === true ? HookLogResult.SUCCEEDED : o['error'] === true ? HookLogResult.FAILED : HookLogResult.ALL;
        const xml = await ctx.one.hooks.logXml({ since: logTime(o['since'], 'since'), until: logTime(o['until'], 'until'), hookId, result });
        const records = parseXmlTree(xml).children.filter((c) => c.name === 'HOOK_EXECUTION_RECORD');
        if (o['xml'] === true || o['json'] === true || o['yaml'] === true) return printShow(ctx, xml, () => '');
        if (records.length > 0) ctx.print(executionTable(records, true));
      },
    },
  ],
};
