/**
 * `onevm` scheduled actions: `--schedule TIME` (with --weekly, --monthly, --yearly, --hourly,
 * --end) on the action subcommands, `sched-update`, `sched-delete`, and the SCHEDULED ACTIONS
 * section of `onevm show`.
 */
import { childText, type XmlNode } from '../../common/xml-tree.js';
import type { VirtualMachine } from '../../oca/index.js';
import { templateFromFileOrEditor } from '../actions.js';
import { CliError, type CliContext, type OptionDef, type SubcommandDef } from '../command.js';
import { dateTime } from '../format.js';
import { arg, wholeNumber } from './common-subcommands.js';
import { section, subTable } from './show-sections.js';

export const SCHEDULE_OPTIONS: OptionDef[] = [
  { long: 'schedule', value: 'TIME', description: 'Schedules the action instead of doing it now: "MM/DD HH:MM", "YYYY-MM-DD HH:MM", epoch seconds, or +SECONDS from now' },
  { long: 'weekly', value: 'DAYS', description: 'With --schedule: repeats on these weekdays (0 Sunday .. 6), e.g. "1,3"' },
  { long: 'monthly', value: 'DAYS', description: 'With --schedule: repeats on these days of the month (1..31)' },
  { long: 'yearly', value: 'DAYS', description: 'With --schedule: repeats on these days of the year (0..365)' },
  { long: 'hourly', value: 'HOURS', description: 'With --schedule: repeats every HOURS hours' },
  { long: 'end', value: 'N|DATE', description: 'With a repeat: stops after N runs, or at DATE (default: never)' },
];

const REPEATS = [['weekly', 0], ['monthly', 1], ['yearly', 2], ['hourly', 3]] as const;
const REPEAT_NAMES = ['Weekly', 'Monthly', 'Yearly', 'Hourly'];

/** Epoch seconds of a CLI time: "+N" (from now), epoch digits, "MM/DD[/YYYY] HH:MM[:SS]" (local), or an ISO date. */
export function scheduleTime(text: string, now = Math.floor(Date.now() / 1000)): number {
  const s = text.trim();
  if (/^\+\d+$/.test(s)) return now + Number(s.slice(1));
  if (/^\d{9,}$/.test(s)) return Number(s);
  const m = /^(\d{1,2})\/(\d{1,2})(?:\/(\d{4}))?(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(s);
  const d = m
    ? new Date(m[3] ? Number(m[3]) : new Date(now * 1000).getFullYear(), Number(m[1]) - 1, Number(m[2]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0))
    : new Date(s);
  const t = d.getTime();
  if (!Number.isFinite(t)) throw new CliError(`Cannot read the time "${text}": use "MM/DD HH:MM", "YYYY-MM-DD HH:MM", epoch seconds or +SECONDS`);
  return Math.floor(t / 1000);
}

/** The SCHED_ACTION template of `--schedule` and its repeat options, or null without --schedule. */
export function scheduleTemplate(ctx: CliContext, action: string): string | null {
  const o = ctx.options;
  const when = o['schedule'];
  const repeats = REPEATS.filter(([name]) => typeof o[name] === 'string');
  if (typeof when !== 'string') {
    if (repeats.length || o['end'] !== undefined) throw new CliError('--weekly, --monthly, --yearly, --hourly and --end need --schedule');
    return null;
  }
  const parts = [`ACTION = "${action}"`, `TIME = "${scheduleTime(when)}"`];
  if (repeats.length > 1) throw new CliError('Give one of --weekly, --monthly, --yearly, --hourly');
  if (repeats.length === 1) {
    const [name, code] = repeats[0]!;
    parts.push(`REPEAT = "${code}"`, `DAYS = "${String(o[name])}"`);
    const end = o['end'];
    if (typeof end !== 'string') parts.push('END_TYPE = "0"');
    else if (/^\d+$/.test(end.trim()) && end.trim().length < 9) parts.push('END_TYPE = "1"', `END_VALUE = "${end.trim()}"`);
    else parts.push('END_TYPE = "2"', `END_VALUE = "${scheduleTime(end)}"`);
  } else if (o['end'] !== undefined) {
    throw new CliError('--end needs one of --weekly, --monthly, --yearly, --hourly');
  }
  return `SCHED_ACTION = [ ${parts.join(', ')} ]`;
}

function actionText(sa: XmlNode): string {
  const body = sa.children.filter((c) => !['ID', 'PARENT_ID', 'TYPE'].includes(c.name)).map((c) => `  ${c.name} = "${c.text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`);
  return `SCHED_ACTION = [\n${body.join(',\n')} ]\n`;
}

export const schedSubcommands: SubcommandDef[] = [
  {
    name: 'sched-update',
    description: 'Changes a scheduled action of a VM with FILE (or what you write in $EDITOR)',
    args: [{ name: 'VMID', kind: 'vm' }, { name: 'SCHED_ID' }, { name: 'FILE', optional: true }],
    examples: ['onevm sched-update 3 0 action.tmpl', 'onevm sched-update myvm 1'],
    run: async (ctx, args) => {
      const id = await ctx.resolve('vm', arg(args, 'VMID'));
      const saId = wholeNumber(arg(args, 'SCHED_ID'), 'SCHED_ID');
      const file = args['FILE'] as string | undefined;
      let current = '';
      if (file === undefined) {
        const sa = (await ctx.one.vms.info(id)).all('TEMPLATE/SCHED_ACTION').find((s) => childText(s, 'ID') === String(saId));
        if (!sa) throw new CliError(`VM ${id} has no scheduled action ${saId}`);
        current = actionText(sa);
      }
      await ctx.one.vms.schedUpdate(id, saId, templateFromFileOrEditor(file, current));
    },
  },
  {
    name: 'sched-delete',
    description: 'Deletes a scheduled action of a VM',
    args: [{ name: 'VMID', kind: 'vm' }, { name: 'SCHED_ID' }],
    examples: ['onevm sched-delete 3 0'],
    run: async (ctx, args) => {
      const id = await ctx.resolve('vm', arg(args, 'VMID'));
      await ctx.one.vms.schedDelete(id, wholeNumber(arg(args, 'SCHED_ID'), 'SCHED_ID'));
    },
  },
];

/** The SCHEDULED ACTIONS section of `onevm show`, or '' when there are none. */
export function schedSection(vm: VirtualMachine): string {
  const sas = vm.all('TEMPLATE/SCHED_ACTION');
  if (!sas.length) return '';
  const stime = vm.int('STIME');
  const rows = sas.map((sa) => {
    const t = childText(sa, 'TIME');
    const at = t.startsWith('+') ? stime + Number(t.slice(1)) : Number(t);
    const repeat = Number(childText(sa, 'REPEAT') || -1);
    const endType = childText(sa, 'END_TYPE');
    const endValue = Number(childText(sa, 'END_VALUE'));
    const end = repeat < 0 ? '-' : endType === '1' ? `${endValue} more` : endType === '2' ? dateTime(endValue) : 'None';
    const done = Number(childText(sa, 'DONE'));
    return [childText(sa, 'ID'), childText(sa, 'ACTION'), dateTime(at), repeat >= 0 ? `${REPEAT_NAMES[repeat]} ${childText(sa, 'DAYS')}` : '-', end, done > 0 ? dateTime(done) : '-', childText(sa, 'MESSAGE') || '-'];
  });
  return section('SCHEDULED ACTIONS', subTable([['ID', 3], ['ACTION', 15, 'left'], ['SCHEDULED', 14, 'left'], ['REPEAT', 14, 'left'], ['END', 14, 'left'], ['DONE', 14, 'left'], ['MESSAGE', 40, 'left']], rows));
}
