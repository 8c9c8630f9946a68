/**
 * A backup job (OpenNebula 6.10 / 7.4 `BACKUPJOB`): a set of VMs (TEMPLATE/BACKUP_VMS) backed up
 * together into one backup datastore (TEMPLATE/DATASTORE_ID), SEQUENTIAL or PARALLEL
 * (TEMPLATE/EXECUTION), with a PRIORITY, and the state of its last run: UPDATED_VMS (backed up),
 * OUTDATED_VMS (waiting), BACKING_UP_VMS (running), ERROR_VMS (failed), LAST_BACKUP_TIME and
 * LAST_BACKUP_DURATION. An owned object with permissions and a lock.
 */
import type { XmlNode } from '../common/xml-tree.js';
import { child, childInt, childText } from '../common/xml-tree.js';
import { xmlElement } from '../common/xml.js';
import type { Template } from '../common/template/index.js';
import { Pool, PoolObject, Permissions, templateFromNode, type Lock, type Ownership } from '../pool/index.js';

/** Priorities users may give; above 50 only admins. */
export const MAX_PRIORITY = 95;
export const USER_MAX_PRIORITY = 50;

function idsXml(root: string, ids: readonly number[]): string {
  return ids.length === 0 ? `<${root}/>` : `<${root}>${ids.map((i) => `<ID>${i}</ID>`).join('')}</${root}>`;
}

export class BackupJob extends PoolObject {
  readonly type = 'BACKUPJOB' as const;
  priority = 50;
  lastBackupTime = 0;
  lastBackupDuration = 0;
  updated: number[] = [];
  outdated: number[] = [];
  backingUp: number[] = [];
  errors: number[] = [];
  /** When the current run started (epoch seconds), 0 when none runs. */
  runStart = 0;

  constructor(oid: number, name: string, owner: Ownership, perms: Permissions, public template: Template, lock: Lock | null = null) {
    super(oid, name, owner, perms, lock);
  }

  /** TEMPLATE/BACKUP_VMS as ids, in the order given. */
  get vmIds(): number[] {
    return (this.template.get('BACKUP_VMS') ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
  }

  get running(): boolean {
    return this.outdated.length > 0 || this.backingUp.length > 0;
  }

  /** `<SCHED_ACTIONS>`: the ids of TEMPLATE/SCHED_ACTION. */
  private schedActionIdsXml(): string {
    let ids = '';
    for (const a of this.template.getAll('SCHED_ACTION')) if (typeof a.value !== 'string') ids += `<ID>${a.value.get('ID') ?? ''}</ID>`;
    return ids ? `<SCHED_ACTIONS>${ids}</SCHED_ACTIONS>` : '<SCHED_ACTIONS/>';
  }

  protected renderXml(): string {
    return (
      `<BACKUPJOB>${this.idAndOwnerXml()}${xmlElement('NAME', this.name)}${this.lockXml()}${this.perms.toXml()}` +
      `<PRIORITY>${this.priority}</PRIORITY><LAST_BACKUP_TIME>${this.lastBackupTime}</LAST_BACKUP_TIME><LAST_BACKUP_DURATION>${this.lastBackupDuration}</LAST_BACKUP_DURATION>` +
      `${this.schedActionIdsXml()}${idsXml('UPDATED_VMS', this.updated)}${idsXml('OUTDATED_VMS', this.outdated)}${idsXml('BACKING_UP_VMS', this.backingUp)}${idsXml('ERROR_VMS', this.errors)}` +
      `<RUN_START>${this.runStart}</RUN_START>${this.template.toXml()}</BACKUPJOB>`
    );
  }

  static fromXml(node: XmlNode): BackupJob {
    const ids = (name: string) => (child(node, name)?.children ?? []).map((c) => Number(c.text));
    const j = new BackupJob(childInt(node, 'ID'), childText(node, 'NAME'), PoolObject.ownerFromXml(node), Permissions.fromXml(child(node, 'PERMISSIONS')), templateFromNode(child(node, 'TEMPLATE')), PoolObject.lockFromXml(node));
    j.priority = childInt(node, 'PRIORITY', 50);
    j.lastBackupTime = childInt(node, 'LAST_BACKUP_TIME');
    j.lastBackupDuration = childInt(node, 'LAST_BACKUP_DURATION');
    j.updated = ids('UPDATED_VMS');
    j.outdated = ids('OUTDATED_VMS');
    j.backingUp = ids('BACKING_UP_VMS');
    j.errors = ids('ERROR_VMS');
    j.runStart = childInt(node, 'RUN_START');
    return j;
  }
}

/** The backup job pool: table `backupjob_pool`, names unique per owner. */
export class BackupJobPool extends Pool<BackupJob> {
  constructor() {
    super({ table: 'backupjob_pool', type: 'BACKUPJOB', root: 'BACKUPJOB_POOL', nameScope: 'owner' });
  }

  protected fromXml(node: XmlNode): BackupJob {
    return BackupJob.fromXml(node);
  }
}
