/**
 * Backup jobs in the client library (`one.backupjob.*`, `one.backupjobpool.info`): the owned
 * object methods (info, update, rename, chown, chmod, lock, unlock, delete, list) and allocate,
 * backup, cancel, retry, priority. Objects are OneObject: `ids('UPDATED_VMS')`,
 * `get('TEMPLATE/BACKUP_VMS')`...
 */
import { OneObject } from './objects.js';
import { OwnedResource } from './resources.js';

export class BackupJobResource extends OwnedResource<OneObject> {
  /** A job from a template (NAME, BACKUP_VMS, DATASTORE_ID, EXECUTION, PRIORITY, MODE...). */
  allocate(template: string): Promise<number> {
    return this.id('one.backupjob.allocate', template);
  }
  /** Starts a run: every VM of the job is backed up. */
  backup(id: number): Promise<number> {
    return this.id('one.backupjob.backup', id);
  }
  /** Stops the running run. */
  cancel(id: number): Promise<number> {
    return this.id('one.backupjob.cancel', id);
  }
  /** Backs up the VMs of the last run that failed again. */
  retry(id: number): Promise<number> {
    return this.id('one.backupjob.retry', id);
  }
  /** `one.backupjob.schedadd`: a scheduled run (`SCHED_ACTION = [ TIME, REPEAT, DAYS... ]`); its id. */
  schedAdd(id: number, template: string): Promise<number> {
    return this.id('one.backupjob.schedadd', id, template);
  }
  schedUpdate(id: number, schedId: number, template: string): Promise<number> {
    return this.id('one.backupjob.schedupdate', id, schedId, template);
  }
  schedDelete(id: number, schedId: number): Promise<number> {
    return this.id('one.backupjob.scheddelete', id, schedId);
  }
  /** 0-95; above 50 only admins. */
  priority(id: number, priority: number): Promise<number> {
    return this.id('one.backupjob.priority', id, priority);
  }
}
