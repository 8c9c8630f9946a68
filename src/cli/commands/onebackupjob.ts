/**
 * `onebackupjob`: backup jobs, as OpenNebula's: create, list, show, update, rename, chmod,
 * chown, delete, backup, cancel, retry, priority.
 */
import type { OneObject, OwnedResource } from '../../oca/index.js';
import { eachId, readTemplateFile } from '../actions.js';
import { CliError, type CommandDef } from '../command.js';
import { dateTime } from '../format.js';
import { printList, type Column } from '../output.js';
import { chmodSubcommand, chownSubcommand, deleteSubcommand, idArg, rangeArg, renameSubcommand, showSubcommand, updateSubcommand, type ResourceOf } from '../subcommands.js';
import { arg, printId, wholeNumber } from './common-subcommands.js';
import { pairs, permissionRows, section, templateText } from './show-sections.js';

const jobs: ResourceOf<OwnedResource<OneObject>> = (one) => one.backupJobs;
const list = (j: OneObject, name: string) => j.ids(name).join(',') || '-';

/** `onebackupjob list` columns. */
export const backupJobColumns: Column<OneObject>[] = [
  { name: 'ID', width: 4, value: (j) => String(j.id) },
  { name: 'USER', width: 10, left: true, value: (j) => j.uname },
  { name: 'GROUP', width: 8, left: true, value: (j) => j.gname },
  { name: 'PRIO', width: 4, value: (j) => j.get('PRIORITY') },
  { name: 'NAME', width: 15, left: true, value: (j) => j.name },
  { name: 'LAST', width: 14, left: true, value: (j) => (j.int('LAST_BACKUP_TIME') > 0 ? dateTime(j.int('LAST_BACKUP_TIME')) : '-') },
  { name: 'VMS', width: 15, left: true, value: (j) => j.get('TEMPLATE/BACKUP_VMS') },
];

function showText(j: OneObject): string {
  return [
    section(`BACKUP JOB ${j.id} INFORMATION`, pairs([
      ['ID', String(j.id)],
      ['NAME', j.name],
      ['USER', j.uname],
      ['GROUP', j.gname],
      ['LOCK', j.get('LOCK/LOCKED') ? 'Yes' : 'None'],
      ['PRIORITY', j.get('PRIORITY')],
      ['LAST BACKUP TIME', j.int('LAST_BACKUP_TIME') > 0 ? dateTime(j.int('LAST_BACKUP_TIME')) : '-'],
      ['LAST BACKUP DURATION', `${j.int('LAST_BACKUP_DURATION') || 0}s`],
    ])),
    section('PERMISSIONS', pairs(permissionRows(j))),
    section('VIRTUAL MACHINE BACKUP STATUS', pairs([
      ['UPDATED', list(j, 'UPDATED_VMS')],
      ['OUTDATED', list(j, 'OUTDATED_VMS')],
      ['ONGOING', list(j, 'BACKING_UP_VMS')],
      ['ERROR', list(j, 'ERROR_VMS')],
    ])),
    section('TEMPLATE CONTENTS', templateText(j.all('TEMPLATE')[0])),
  ].join('\n').trimEnd();
}

export const onebackupjob: CommandDef = {
  name: 'onebackupjob',
  description: 'Manages OpenNebula backup jobs',
  subcommands: [
    {
      name: 'create',
      description: 'Creates a backup job from a template file (NAME, BACKUP_VMS, DATASTORE_ID, EXECUTION, MODE...)',
      args: [{ name: 'FILE' }],
      examples: ['onebackupjob create nightly.tmpl'],
      run: async (ctx, args) => printId(ctx, await ctx.one.backupJobs.allocate(readTemplateFile(arg(args, 'FILE')))),
    },
    {
      name: 'list',
      description: 'Lists backup jobs',
      args: [],
      examples: ['onebackupjob list'],
      async run(ctx) {
        const xml = await ctx.one.backupJobs.listXml(-2, -1, -1);
        printList(ctx, backupJobColumns, ctx.one.backupJobs.parseList(xml), xml, 'BACKUPJOB');
      },
    },
    showSubcommand('backupjob', 'BACKUPJOBID', 'Shows a backup job: its VMs and how their last backup went', jobs, showText, ['onebackupjob show nightly']),
    updateSubcommand('backupjob', 'BACKUPJOBID', jobs, ['onebackupjob update nightly job.tmpl', 'onebackupjob update nightly --append more.tmpl']),
    renameSubcommand('backupjob', 'BACKUPJOBID', jobs, ['onebackupjob rename 3 weekly']),
    chmodSubcommand('backupjob', jobs, ['onebackupjob chmod nightly 640']),
    chownSubcommand('backupjob', jobs, ['onebackupjob chown nightly alice']),
    deleteSubcommand('backupjob', 'Deletes backup jobs (not while they run)', jobs, ['onebackupjob delete nightly']),
    {
      name: 'backup',
      description: 'Runs backup jobs now (every VM of each is backed up), or at --schedule TIME',
      args: [rangeArg('backupjob')],
      options: [{ long: 'schedule', value: 'TIME', description: 'When: epoch seconds, or +SECONDS from now (a scheduled run)' }],
      examples: ['onebackupjob backup nightly', 'onebackupjob backup nightly --schedule +3600'],
      run: (ctx, args) => {
        const when = ctx.options['schedule'];
        if (typeof when !== 'string') return eachId(ctx, 'backupjob', args['RANGE'], 'backing up', (id) => ctx.one.backupJobs.backup(id));
        if (!/^\+?\d+$/.test(when)) throw new CliError(`--schedule must be epoch seconds or +SECONDS, not "${when}"`);
        return eachId(ctx, 'backupjob', args['RANGE'], 'scheduling', (id) => ctx.one.backupJobs.schedAdd(id, `SCHED_ACTION = [ ACTION = "backup", TIME = "${when}" ]`));
      },
    },
    {
      name: 'sched-delete',
      description: 'Deletes a scheduled run of a backup job',
      args: [idArg('backupjob', 'BACKUPJOBID'), { name: 'SCHED_ID' }],
      examples: ['onebackupjob sched-delete nightly 3'],
      run: async (ctx, args) => {
        const id = await ctx.resolve('backupjob', arg(args, 'BACKUPJOBID'));
        await ctx.one.backupJobs.schedDelete(id, wholeNumber(arg(args, 'SCHED_ID'), 'SCHED_ID'));
      },
    },
    {
      name: 'cancel',
      description: 'Stops running backup jobs',
      args: [rangeArg('backupjob')],
      examples: ['onebackupjob cancel nightly'],
      run: (ctx, args) => eachId(ctx, 'backupjob', args['RANGE'], 'cancelling', (id) => ctx.one.backupJobs.cancel(id)),
    },
    {
      name: 'retry',
      description: 'Backs up again the VMs whose backup failed in the last run',
      args: [rangeArg('backupjob')],
      examples: ['onebackupjob retry nightly'],
      run: (ctx, args) => eachId(ctx, 'backupjob', args['RANGE'], 'retrying', (id) => ctx.one.backupJobs.retry(id)),
    },
    {
      name: 'priority',
      description: 'Sets the priority of a backup job (0-95; above 50 only admins)',
      args: [idArg('backupjob', 'BACKUPJOBID'), { name: 'PRIORITY' }],
      examples: ['onebackupjob priority nightly 40'],
      run: async (ctx, args) => {
        const id = await ctx.resolve('backupjob', arg(args, 'BACKUPJOBID'));
        await ctx.one.backupJobs.priority(id, wholeNumber(arg(args, 'PRIORITY'), 'PRIORITY'));
      },
    },
  ],
};
