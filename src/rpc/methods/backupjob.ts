/**
 * Backup jobs (OpenNebula 6.10 / 7.4): `one.backupjob.allocate`, `delete`, `info`, `update`,
 * `rename`, `chown`, `chmod`, `lock`, `unlock`, `backup`, `cancel`, `retry`, `priority` and
 * `one.backupjobpool.info`. The template names the VMs (BACKUP_VMS = "3,4,5"), the backup
 * datastore (DATASTORE_ID), EXECUTION (SEQUENTIAL or PARALLEL), PRIORITY (0-95, above 50 only
 * for admins) and the BACKUP_CONFIG its VMs take (MODE, KEEP_LAST, BACKUP_VOLATILE, FS_FREEZE,
 * RESET). See src/backup/backup-job-runner.ts for a run.
 */
import { AuthOp } from '../../auth/operation.js';
import { Template } from '../../common/template/index.js';
import { BackupJob, MAX_PRIORITY, USER_MAX_PRIORITY } from '../../backup/backup-job.js';
import { DatastoreType } from '../../datastore/index.js';
import { ApiError, ErrorCode } from '../api-error.js';
import { method, type MethodDef } from '../request-manager.js';
import type { Request } from '../request.js';
import { allocateError, parseTemplate } from './common.js';
import { jobSchedAction, jobSchedActions } from '../../backup/backup-job-schedule.js';
import { objectMethods } from './object-methods.js';
import { createOwned, deleteOwned, ownedPoolXml, templateAndName } from './owned.js';

const kind = { prefix: 'one.backupjob', pool: (core: Request['core']) => core.backupJobs } as const;

/** A plain Error naming what is wrong in a backup job template. */
function checkTemplate(req: Request, t: Template): void {
  const vms = (t.get('BACKUP_VMS') ?? '').trim();
  if (!/^\d+(\s*,\s*\d+)*$/.test(vms)) throw new Error(`BACKUP_VMS must list VM ids separated by commas, got "${vms}".`);
  const exec = (t.get('EXECUTION') ?? 'SEQUENTIAL').trim().toUpperCase();
  if (exec !== 'SEQUENTIAL' && exec !== 'PARALLEL') throw new Error(`EXECUTION must be SEQUENTIAL or PARALLEL, got "${t.get('EXECUTION')}".`);
  const ds = t.get('DATASTORE_ID');
  if (ds !== undefined) {
    const d = /^\d+$/.test(ds.trim()) ? req.core.datastores.get(Number(ds)) : undefined;
    if (!d || d.fields.dsType !== DatastoreType.BACKUP_DS) throw new Error(`DATASTORE_ID ${ds} is not a backup datastore.`);
  }
  const mode = t.get('MODE');
  if (mode !== undefined && !['FULL', 'INCREMENT'].includes(mode.trim().toUpperCase())) throw new Error(`MODE must be FULL or INCREMENT, got "${mode}".`);
}

/** A priority the caller may give, else an ApiError. */
function checkPriority(req: Request, priority: number, oid: number): void {
  if (!Number.isInteger(priority) || priority < 0 || priority > MAX_PRIORITY) throw new ApiError(ErrorCode.ACTION, `PRIORITY must be between 0 and ${MAX_PRIORITY}, got ${priority}.`, oid);
  if (priority > USER_MAX_PRIORITY && !req.caller.isAdmin) throw new ApiError(ErrorCode.AUTHORIZATION, `Only admins may set a PRIORITY above ${USER_MAX_PRIORITY}.`, oid);
}

function runner(req: Request) {
  const r = req.core.backupJobRunner;
  if (!r) throw new ApiError(ErrorCode.INTERNAL, 'Backup jobs cannot run in this oned.', -1);
  return r;
}

function job(req: Request, oid: number): BackupJob {
  return req.authorized(req.core.backupJobs, oid, AuthOp.MANAGE);
}

export const backupJobMethods: MethodDef[] = [
  method({
    name: 'one.backupjob.allocate',
    params: ['s'],
    run: (req, [text]) => {
      const { template, name } = templateAndName(req.core.backupJobs, text, 'Backup job');
      try {
        checkTemplate(req, template);
      } catch (e) {
        throw allocateError(req.core.backupJobs, (e as Error).message);
      }
      const prioText = template.get('PRIORITY');
      const priority = prioText === undefined ? USER_MAX_PRIORITY : Number(prioText);
      checkPriority(req, priority, -1);
      template.remove('PRIORITY');
      return createOwned(req, req.core.backupJobs, name, (oid, owner, perms) => {
        const j = new BackupJob(oid, name, owner, perms, template);
        j.priority = priority;
        return j;
      });
    },
  }),
  method({
    name: 'one.backupjob.delete',
    params: ['i'],
    run: (req, [oid]) => {
      const j = job(req, oid);
      if (j.running) throw new ApiError(ErrorCode.ACTION, `Backup job ${oid} is running: cancel it first.`, oid);
      return deleteOwned(req, req.core.backupJobs, oid);
    },
  }),
  ...objectMethods(kind).map((m) => (m.name === 'one.backupjob.update' ? checkedUpdate(m) : m)),
  method({
    name: 'one.backupjobpool.info',
    params: [{ opt: 'i', def: -2 }, { opt: 'i', def: -1 }, { opt: 'i', def: -1 }],
    run: (req, [filter, start, end]) => ownedPoolXml(req, req.core.backupJobs, filter, start, end),
  }),
  method({
    name: 'one.backupjob.backup',
    params: ['i'],
    run: async (req, [oid]) => {
      const j = job(req, oid);
      if (j.running) throw new ApiError(ErrorCode.ACTION, `Backup job ${oid} is already running.`, oid);
      await runner(req).start(j);
      return oid;
    },
  }),
  method({
    name: 'one.backupjob.cancel',
    params: ['i'],
    run: async (req, [oid]) => {
      const j = job(req, oid);
      if (!j.running) throw new ApiError(ErrorCode.ACTION, `Backup job ${oid} is not running.`, oid);
      await runner(req).cancel(j);
      return oid;
    },
  }),
  method({
    name: 'one.backupjob.retry',
    params: ['i'],
    run: async (req, [oid]) => {
      const j = job(req, oid);
      if (j.errors.length === 0) throw new ApiError(ErrorCode.ACTION, `Backup job ${oid} has no VMs in error to retry.`, oid);
      await runner(req).retry(j);
      return oid;
    },
  }),
  method({
    name: 'one.backupjob.priority',
    params: ['i', 'i'],
    run: async (req, [oid, priority]) => {
      const j = job(req, oid);
      checkPriority(req, priority, oid);
      const tx = req.transaction();
      tx.touch(req.core.backupJobs, j).priority = priority;
      await tx.commit();
      return oid;
    },
  }),
];

/** The SCHED_ACTION of a call's template. */
function givenAction(text: string, oid: number, code: typeof ErrorCode.ACTION | typeof ErrorCode.INTERNAL) {
  const v = parseTemplate(text, code, undefined, oid).getVector('SCHED_ACTION');
  if (!v) throw new ApiError(code, 'No SCHED_ACTION attribute in template', oid);
  return v;
}

function checkedAction(j: BackupJob, given: Map<string, string>, id: number, code: typeof ErrorCode.ACTION | typeof ErrorCode.INTERNAL) {
  try {
    return jobSchedAction(given, j.oid, id, Math.floor(Date.now() / 1000));
  } catch (e) {
    throw new ApiError(code, (e as Error).message, j.oid);
  }
}

function newSchedId(req: Request, j: BackupJob): number {
  if (req.core.schedActions) return req.core.schedActions.allocateId();
  return jobSchedActions(j.template).reduce((m, sa) => Math.max(m, Number(sa.get('ID') ?? -1)), -1) + 1;
}

/** schedadd, schedupdate, scheddelete (error codes as the VMs': schedupdate/scheddelete INTERNAL). */
export const backupJobSchedMethods: MethodDef[] = [
  method({
    name: 'one.backupjob.schedadd',
    params: ['i', 's'],
    run: async (req, [oid, text]) => {
      const j = job(req, oid);
      const sa = checkedAction(j, givenAction(text, oid, ErrorCode.ACTION), newSchedId(req, j), ErrorCode.ACTION);
      const tx = req.transaction();
      tx.touch(req.core.backupJobs, j).template.add('SCHED_ACTION', sa);
      await tx.commit();
      return Number(sa.get('ID'));
    },
  }),
  method({
    name: 'one.backupjob.schedupdate',
    params: ['i', 'i', 's'],
    run: async (req, [oid, saId, text]) => {
      const j = job(req, oid);
      const current = jobSchedActions(j.template).find((s) => s.get('ID') === String(saId));
      if (!current) throw new ApiError(ErrorCode.INTERNAL, `SCHED_ACTION with id = ${saId} doesn't exist in backup job ${oid}`, oid);
      const merged = new Map([...current, ...givenAction(text, oid, ErrorCode.INTERNAL)]);
      merged.delete('DONE');
      merged.delete('MESSAGE');
      const sa = checkedAction(j, merged, saId, ErrorCode.INTERNAL);
      const tx = req.transaction();
      tx.touch(req.core.backupJobs, j);
      current.clear();
      for (const [k, v] of sa) current.set(k, v);
      await tx.commit();
      return saId;
    },
  }),
  method({
    name: 'one.backupjob.scheddelete',
    params: ['i', 'i'],
    run: async (req, [oid, saId]) => {
      const j = job(req, oid);
      const rest = j.template.getAll('SCHED_ACTION').filter((a) => typeof a.value === 'string' || a.value.get('ID') !== String(saId));
      if (rest.length === j.template.getAll('SCHED_ACTION').length) throw new ApiError(ErrorCode.INTERNAL, `SCHED_ACTION with id = ${saId} doesn't exist in backup job ${oid}`, oid);
      const tx = req.transaction();
      tx.touch(req.core.backupJobs, j).template.remove('SCHED_ACTION');
      for (const a of rest) j.template.add('SCHED_ACTION', a.value);
      await tx.commit();
      return saId;
    },
  }),
];

/** `update` with the template checked as allocate checks it (the job stays as it was on a refusal). */
function checkedUpdate(m: MethodDef): MethodDef {
  return {
    ...m,
    run: async (req, args) => {
      const [oid, text, type] = args as [number, string, number];
      const j = job(req, oid);
      let incoming: Template;
      try {
        incoming = Template.parse(text);
      } catch {
        return m.run(req, args); // update reports the syntax error
      }
      const merged = type === 1 ? j.template.clone() : undefined;
      if (merged) merged.merge(incoming);
      try {
        checkTemplate(req, merged ?? incoming);
      } catch (e) {
        throw new ApiError(ErrorCode.ACTION, (e as Error).message, oid);
      }
      return m.run(req, args);
    },
  } as MethodDef;
}
