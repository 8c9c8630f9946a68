/** OpenNebula's names and CLI abbreviations of VM, LCM and image states and image types. */

/** VM STATE names (index = code). */
export const VM_STATES = ['INIT', 'PENDING', 'HOLD', 'ACTIVE', 'STOPPED', 'SUSPENDED', 'DONE', 'FAILED', 'POWEROFF', 'UNDEPLOYED', 'CLONING', 'CLONING_FAILURE'] as const;
const VM_SHORT = ['init', 'pend', 'hold', 'actv', 'stop', 'susp', 'done', 'fail', 'poff', 'unde', 'clon', 'fail'];

/** LCM_STATE names (index = code). */
export const LCM_STATES = [
  'LCM_INIT', 'PROLOG', 'BOOT', 'RUNNING', 'MIGRATE', 'SAVE_STOP', 'SAVE_SUSPEND', 'SAVE_MIGRATE', 'PROLOG_MIGRATE',
  'PROLOG_RESUME', 'EPILOG_STOP', 'EPILOG', 'SHUTDOWN', 'CANCEL', 'FAILURE', 'CLEANUP_RESUBMIT', 'UNKNOWN', 'HOTPLUG',
  'SHUTDOWN_POWEROFF', 'BOOT_UNKNOWN', 'BOOT_POWEROFF', 'BOOT_SUSPENDED', 'BOOT_STOPPED', 'CLEANUP_DELETE',
  'HOTPLUG_SNAPSHOT', 'HOTPLUG_NIC', 'HOTPLUG_SAVEAS', 'HOTPLUG_SAVEAS_POWEROFF', 'HOTPLUG_SAVEAS_SUSPENDED',
  'SHUTDOWN_UNDEPLOY', 'EPILOG_UNDEPLOY', 'PROLOG_UNDEPLOY', 'BOOT_UNDEPLOY', 'HOTPLUG_PROLOG_POWEROFF',
  'HOTPLUG_EPILOG_POWEROFF', 'BOOT_MIGRATE', 'BOOT_FAILURE', 'BOOT_MIGRATE_FAILURE', 'PROLOG_MIGRATE_FAILURE',
  'PROLOG_FAILURE', 'EPILOG_FAILURE', 'EPILOG_STOP_FAILURE', 'EPILOG_UNDEPLOY_FAILURE', 'PROLOG_MIGRATE_POWEROFF',
  'PROLOG_MIGRATE_POWEROFF_FAILURE', 'PROLOG_MIGRATE_SUSPEND', 'PROLOG_MIGRATE_SUSPEND_FAILURE', 'BOOT_UNDEPLOY_FAILURE',
  'BOOT_STOPPED_FAILURE', 'PROLOG_RESUME_FAILURE', 'PROLOG_UNDEPLOY_FAILURE', 'DISK_SNAPSHOT_POWEROFF',
  'DISK_SNAPSHOT_REVERT_POWEROFF', 'DISK_SNAPSHOT_DELETE_POWEROFF', 'DISK_SNAPSHOT_SUSPENDED', 'DISK_SNAPSHOT_REVERT_SUSPENDED',
  'DISK_SNAPSHOT_DELETE_SUSPENDED', 'DISK_SNAPSHOT', 'DISK_SNAPSHOT_REVERT', 'DISK_SNAPSHOT_DELETE', 'PROLOG_MIGRATE_UNKNOWN',
  'PROLOG_MIGRATE_UNKNOWN_FAILURE', 'DISK_RESIZE', 'DISK_RESIZE_POWEROFF', 'DISK_RESIZE_UNDEPLOYED', 'HOTPLUG_NIC_POWEROFF',
  'HOTPLUG_RESIZE', 'HOTPLUG_SAVEAS_UNDEPLOYED', 'HOTPLUG_SAVEAS_STOPPED', 'BACKUP', 'BACKUP_POWEROFF', 'RESTORE',
] as const;

/** The four-letter abbreviation of an LCM state, from its name. */
function lcmShort(name: string): string {
  if (name.endsWith('_FAILURE') || name === 'FAILURE') return 'fail';
  if (name === 'LCM_INIT') return 'init';
  if (name === 'RUNNING') return 'runn';
  if (name === 'UNKNOWN') return 'unkn';
  if (name === 'CANCEL' || name.startsWith('SHUTDOWN')) return 'shut';
  if (name.startsWith('HOTPLUG_SNAPSHOT') || name.startsWith('DISK_SNAPSHOT')) return 'snap';
  if (name.startsWith('HOTPLUG')) return 'hotp';
  if (name.startsWith('DISK_RESIZE')) return 'drsz';
  if (name === 'MIGRATE' || name.startsWith('PROLOG_MIGRATE')) return 'migr';
  if (name.startsWith('SAVE')) return 'save';
  if (name.startsWith('PROLOG')) return 'prol';
  if (name.startsWith('EPILOG')) return 'epil';
  if (name.startsWith('BOOT')) return 'boot';
  if (name.startsWith('CLEANUP')) return 'clea';
  if (name.startsWith('BACKUP')) return 'back';
  if (name === 'RESTORE') return 'rest';
  return name.slice(0, 4).toLowerCase();
}

/** `runn`, `pend`, `poff`...: the LCM state's for ACTIVE VMs, the VM state's otherwise. */
export function vmShortState(state: number, lcmState: number): string {
  if (state === 3) return lcmShort(LCM_STATES[lcmState] ?? '');
  return VM_SHORT[state] ?? '-';
}

/** The state name a `show` prints (`ACTIVE` / `RUNNING`). */
export function vmStateName(state: number): string {
  return VM_STATES[state] ?? String(state);
}
export function lcmStateName(lcm: number): string {
  return LCM_STATES[lcm] ?? String(lcm);
}

export const IMAGE_TYPES = ['OS', 'CDROM', 'DATABLOCK', 'KERNEL', 'RAMDISK', 'CONTEXT', 'BACKUP', 'FILESYSTEM'] as const;
const IMAGE_TYPE_SHORT = ['OS', 'CD', 'DB', 'KL', 'RD', 'CX', 'BK', 'FS'];
const IMAGE_STATE_SHORT = ['init', 'rdy', 'used', 'disa', 'lock', 'err', 'clon', 'dele', 'used', 'lock', 'lock'];

export function imageTypeShort(type: number): string {
  return IMAGE_TYPE_SHORT[type] ?? '-';
}
export function imageTypeName(type: number): string {
  return IMAGE_TYPES[type] ?? String(type);
}
export function imageStateShort(state: number): string {
  return IMAGE_STATE_SHORT[state] ?? '-';
}

/** History ACTION names (index = code; '' for removed codes). */
const VM_ACTIONS = [
  'none', 'migrate', 'live-migrate', '', '', 'undeploy', 'undeploy-hard', 'hold', 'release', 'stop', 'suspend', 'resume', '',
  'delete', 'delete-recreate', 'reboot', 'reboot-hard', 'resched', 'unresched', 'poweroff', 'poweroff-hard', 'disk-attach',
  'disk-detach', 'nic-attach', 'nic-detach', 'disk-snapshot-create', 'disk-snapshot-delete', 'terminate', 'terminate-hard',
  'disk-resize', 'deploy', 'chown', 'chmod', 'updateconf', 'rename', 'resize', 'update', 'snapshot-create', 'snapshot-delete',
  'snapshot-revert', 'disk-saveas', 'disk-snapshot-revert', 'recover', 'retry', 'monitor', 'disk-snapshot-rename',
  'alias-attach', 'alias-detach', 'poweroff-migrate', 'poweroff-hard-migrate', 'backup', 'nic-update', 'backup-cancel',
  'sched-add', 'sched-update', 'sched-delete', 'sg-attach', 'sg-detach', 'pci-attach', 'pci-detach', 'restore', 'exec',
  'exec-retry', 'exec-cancel', 'vmgroup-add', 'vmgroup-del',
] as const;

/** The name of a history record's ACTION (`live-migrate`), or its number when unknown. */
export function vmActionName(code: number): string {
  return VM_ACTIONS[code] || String(code);
}
