/**
 * Scheduled runs of backup jobs (`one.backupjob.schedadd / schedupdate / scheddelete`):
 * SCHED_ACTION vectors in the job's TEMPLATE, `ACTION = "backup"`, with the TIME, REPEAT, DAYS,
 * END_TYPE and END_VALUE of a VM's scheduled actions (checked by src/sa) and ids unique across
 * VMs and jobs. The runner's clock starts the due ones (see BackupJobRunner.tick).
 */
import type { Template, Vector } from '../common/template/index.js';
import { checkSchedAction, dueTime, isPending, orderedAction, recordRun } from '../sa/index.js';
import type { BackupJob } from './backup-job.js';

/** The job's scheduled actions. */
export function jobSchedActions(t: Template): Vector[] {
  return t.getAll('SCHED_ACTION').filter((a) => typeof a.value !== 'string').map((a) => a.value as Vector);
}

/**
 * A checked copy of a given SCHED_ACTION for job `jobId` with id `id` (throws SchedActionError
 * naming what is wrong). ACTION may only be `backup` (the default).
 */
export function jobSchedAction(given: Vector, jobId: number, id: number, now: number): Vector {
  const copy: Vector = new Map(given);
  for (const k of ['ID', 'PARENT_ID', 'TYPE', 'DONE', 'MESSAGE']) copy.delete(k);
  const action = (copy.get('ACTION') ?? 'backup').trim();
  if (action !== 'backup') throw new Error(`A backup job's scheduled ACTION is "backup", not "${action}".`);
  // The time, repetition and end are checked as a VM action's (a job has no start time: "+N" counts from now).
  copy.set('ACTION', 'hold');
  checkSchedAction(copy, { stime: now, now });
  copy.set('ACTION', 'backup');
  copy.set('ID', String(id));
  copy.set('PARENT_ID', String(jobId));
  copy.set('TYPE', 'BACKUPJOB');
  return orderedAction(copy);
}

/** Whether some scheduled action of the job is due at `now`. */
export function hasDue(job: BackupJob, now: number): boolean {
  return jobSchedActions(job.template).some((sa) => isPending(sa, 0) && dueTime(sa, 0) <= now);
}

/** The scheduled actions of the job due at `now` (marked run: DONE, next TIME of repeating ones). */
export function takeDue(job: BackupJob, now: number): Vector[] {
  const due = jobSchedActions(job.template).filter((sa) => isPending(sa, 0) && dueTime(sa, 0) <= now);
  for (const sa of due) recordRun(sa, 0, now, job.running ? 'The job was still running: this run was skipped' : '');
  return due;
}
