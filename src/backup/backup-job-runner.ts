/**
 * Runs backup jobs: `one.backupjob.backup` puts every VM of the job in OUTDATED_VMS; VMs then
 * start backing up (BACKING_UP_VMS) one at a time for a SEQUENTIAL job, or as many as allowed for
 * a PARALLEL one, never more than oned.conf's MAX_BACKUPS over all jobs, jobs of higher PRIORITY
 * first; each ends in UPDATED_VMS or ERROR_VMS. A VM that cannot be backed up now (not
 * POWEROFF, a bad BACKUP_CONFIG) goes to ERROR_VMS at once. `cancel` stops a run, `retry`
 * runs the ERROR_VMS again.
 */
import type { Logger } from '../common/log.js';
import { Template } from '../common/template/index.js';
import type { Database } from '../db/database.js';
import type { DatastorePool } from '../datastore/index.js';
import type { LifeCycleManager } from '../lcm/index.js';
import { Transaction } from '../pool/index.js';
import { LcmState, VmState, type VirtualMachinePool } from '../vm/index.js';
import type { BackupJob, BackupJobPool } from './backup-job.js';
import { checkBackupDatastore, type BackupManager } from './backup-manager.js';
import { hasDue, takeDue } from './backup-job-schedule.js';

export interface BackupJobRunnerOptions {
  readonly jobs: BackupJobPool;
  readonly vms: VirtualMachinePool;
  readonly datastores: DatastorePool;
  readonly db: Database;
  readonly log: Logger;
  readonly backups: BackupManager;
  readonly lcm: LifeCycleManager;
  /** oned.conf MAX_BACKUPS: backups running at once, over all jobs. */
  readonly maxBackups: number;
}

/** BACKUP_CONFIG keys a job sets for its VMs. */
const JOB_KEYS = ['MODE', 'KEEP_LAST', 'BACKUP_VOLATILE', 'FS_FREEZE'];

const now = () => Math.floor(Date.now() / 1000);

export class BackupJobRunner {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly o: BackupJobRunnerOptions) {}

  /** Starts the clock of scheduled runs: each second, the jobs' due SCHED_ACTIONs (jobs are few). */
  startClock(): void {
    this.timer ??= setInterval(() => void this.tick().catch((e: Error) => this.o.log.error('BJM', e.message)), 1000);
    this.timer.unref();
  }

  stopClock(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Runs the jobs whose scheduled backup is due (a job still running skips that run). */
  async tick(): Promise<void> {
    const t = now();
    for (const job of [...this.o.jobs.all()]) {
      if (!hasDue(job, t)) continue;
      const wasRunning = job.running;
      const tx = new Transaction(this.o.db);
      tx.touch(this.o.jobs, job);
      const due = takeDue(job, t);
      await tx.commit();
      this.o.log.info('BJM', `Backup job ${job.oid}: scheduled backup ${due.map((s) => s.get('ID')).join(',')}${wasRunning ? ' skipped (still running)' : ''}`);
      if (!wasRunning) await this.start(job);
    }
  }

  /** A new run of the job: every VM outdated. */
  async start(job: BackupJob): Promise<void> {
    const tx = new Transaction(this.o.db);
    tx.touch(this.o.jobs, job);
    job.outdated = job.vmIds.filter((id) => !job.backingUp.includes(id));
    job.updated = [];
    job.errors = [];
    job.runStart = now();
    job.template.remove('ERROR');
    await tx.commit();
    await this.pump();
  }

  /** Stops the run: waiting VMs are dropped, running backups cancelled (they end in ERROR_VMS). */
  async cancel(job: BackupJob): Promise<void> {
    const tx = new Transaction(this.o.db);
    tx.touch(this.o.jobs, job);
    job.outdated = [];
    for (const vid of job.backingUp) {
      const vm = this.o.vms.get(vid);
      if (vm && vm.state === VmState.ACTIVE && vm.lcmState === LcmState.BACKUP_POWEROFF) this.o.lcm.cancelBackup(tx, vm);
    }
    await tx.commit();
  }

  /** Runs the VMs that failed again. */
  async retry(job: BackupJob): Promise<void> {
    const tx = new Transaction(this.o.db);
    tx.touch(this.o.jobs, job);
    job.outdated = [...job.outdated, ...job.errors.filter((id) => !job.outdated.includes(id))];
    job.errors = [];
    if (job.runStart === 0) job.runStart = now();
    await tx.commit();
    await this.pump();
  }

  /** A VM's backup ended (BackupManager's `onFinished`). */
  finished(vmId: number, ok: boolean): void {
    setImmediate(() => void this.end(vmId, ok).catch((e: Error) => this.o.log.error('BJM', e.message)));
  }

  private async end(vmId: number, ok: boolean): Promise<void> {
    const job = [...this.o.jobs.all()].find((j) => j.backingUp.includes(vmId));
    if (!job) return;
    const tx = new Transaction(this.o.db);
    tx.touch(this.o.jobs, job);
    job.backingUp = job.backingUp.filter((id) => id !== vmId);
    if (ok) job.updated = [...job.updated, vmId];
    else job.errors = [...job.errors, vmId];
    this.closeIfDone(job);
    await tx.commit();
    await this.pump();
  }

  private closeIfDone(job: BackupJob): void {
    if (job.running || job.runStart === 0) return;
    job.lastBackupTime = job.runStart;
    job.lastBackupDuration = now() - job.runStart;
    job.runStart = 0;
  }

  /** Starts the backups that may start now. */
  async pump(): Promise<void> {
    const jobs = [...this.o.jobs.all()];
    let running = jobs.reduce((n, j) => n + j.backingUp.length, 0);
    const waiting = jobs.filter((j) => j.outdated.length > 0).sort((a, b) => b.priority - a.priority || a.oid - b.oid);
    for (const job of waiting) {
      const parallel = (job.template.get('EXECUTION') ?? 'SEQUENTIAL').toUpperCase() === 'PARALLEL';
      while (job.outdated.length > 0 && running < this.o.maxBackups && (parallel || job.backingUp.length === 0)) {
        const vid = job.outdated[0]!;
        const tx = new Transaction(this.o.db);
        tx.touch(this.o.jobs, job);
        job.outdated = job.outdated.slice(1);
        const error = this.startVm(tx, job, vid);
        if (error === null) {
          job.backingUp = [...job.backingUp, vid];
          running++;
        } else {
          job.errors = [...job.errors, vid];
          this.o.log.error('BJM', `Backup job ${job.oid}: VM ${vid}: ${error}`);
          job.template.set('ERROR', `VM ${vid}: ${error}`);
          this.closeIfDone(job);
        }
        await tx.commit();
      }
    }
  }

  /** Starts the backup of a VM of the job in `tx`; the reason when it cannot. */
  private startVm(tx: Transaction, job: BackupJob, vid: number): string | null {
    const vm = this.o.vms.get(vid);
    if (!vm) return 'the VM does not exist';
    if (vm.state !== VmState.POWEROFF) return 'only POWEROFF VMs are backed up (live backups are not supported)';
    const dsId = Number(job.template.get('DATASTORE_ID') ?? vm.backups.get('LAST_DATASTORE_ID') ?? -1);
    const ds = this.o.datastores.get(dsId);
    if (!ds) return `no backup datastore ${dsId}`;
    try {
      checkBackupDatastore(ds);
      const config = new Map<string, string>();
      for (const k of JOB_KEYS) {
        const v = job.template.get(k);
        if (v !== undefined) config.set(k, v);
      }
      const jobConfig = new Template();
      if (config.size > 0) jobConfig.add('BACKUP_CONFIG', config);
      tx.touch(this.o.vms, vm);
      vm.backups.set('BACKUP_JOB_ID', job.oid);
      this.o.backups.start(vm, ds, (job.template.get('RESET') ?? '').toUpperCase() === 'YES', jobConfig);
    } catch (e) {
      return (e as Error).message;
    }
    this.o.lcm.enter(tx, vm, VmState.ACTIVE, LcmState.BACKUP_POWEROFF);
    return null;
  }
}
