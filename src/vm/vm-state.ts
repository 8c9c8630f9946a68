/**
 * VM states (spec §3.1), LCM states (§3.2) and the action codes history records carry (§3.10),
 * with OpenNebula's numbers: clients keep tables of them, so they never change.
 */

/** `/VM/STATE`. */
export const VmState = {
  INIT: 0,
  PENDING: 1,
  HOLD: 2,
  ACTIVE: 3,
  STOPPED: 4,
  SUSPENDED: 5,
  DONE: 6,
  POWEROFF: 8,
  UNDEPLOYED: 9,
  CLONING: 10,
  CLONING_FAILURE: 11,
} as const;
export type VmStateValue = (typeof VmState)[keyof typeof VmState];

/** `/VM/LCM_STATE`: meaningful while ACTIVE, else LCM_INIT. */
export const LcmState = {
  LCM_INIT: 0,
  PROLOG: 1,
  BOOT: 2,
  RUNNING: 3,
  MIGRATE: 4,
  SAVE_STOP: 5,
  SAVE_SUSPEND: 6,
  SAVE_MIGRATE: 7,
  PROLOG_MIGRATE: 8,
  PROLOG_RESUME: 9,
  EPILOG_STOP: 10,
  EPILOG: 11,
  SHUTDOWN: 12,
  CLEANUP_RESUBMIT: 15,
  UNKNOWN: 16,
  HOTPLUG: 17,
  SHUTDOWN_POWEROFF: 18,
  BOOT_UNKNOWN: 19,
  BOOT_POWEROFF: 20,
  BOOT_SUSPENDED: 21,
  BOOT_STOPPED: 22,
  CLEANUP_DELETE: 23,
  HOTPLUG_SNAPSHOT: 24,
  HOTPLUG_NIC: 25,
  HOTPLUG_SAVEAS: 26,
  HOTPLUG_SAVEAS_POWEROFF: 27,
  HOTPLUG_SAVEAS_SUSPENDED: 28,
  SHUTDOWN_UNDEPLOY: 29,
  EPILOG_UNDEPLOY: 30,
  PROLOG_UNDEPLOY: 31,
  BOOT_UNDEPLOY: 32,
  HOTPLUG_PROLOG_POWEROFF: 33,
  HOTPLUG_EPILOG_POWEROFF: 34,
  BOOT_MIGRATE: 35,
  BOOT_FAILURE: 36,
  BOOT_MIGRATE_FAILURE: 37,
  PROLOG_MIGRATE_FAILURE: 38,
  PROLOG_FAILURE: 39,
  EPILOG_FAILURE: 40,
  EPILOG_STOP_FAILURE: 41,
  EPILOG_UNDEPLOY_FAILURE: 42,
  PROLOG_MIGRATE_POWEROFF: 43,
  PROLOG_MIGRATE_POWEROFF_FAILURE: 44,
  PROLOG_MIGRATE_SUSPEND: 45,
  PROLOG_MIGRATE_SUSPEND_FAILURE: 46,
  BOOT_UNDEPLOY_FAILURE: 47,
  BOOT_STOPPED_FAILURE: 48,
  PROLOG_RESUME_FAILURE: 49,
  PROLOG_UNDEPLOY_FAILURE: 50,
  DISK_SNAPSHOT_POWEROFF: 51,
  DISK_SNAPSHOT_REVERT_POWEROFF: 52,
  DISK_SNAPSHOT_DELETE_POWEROFF: 53,
  DISK_SNAPSHOT_SUSPENDED: 54,
  DISK_SNAPSHOT_REVERT_SUSPENDED: 55,
  DISK_SNAPSHOT_DELETE_SUSPENDED: 56,
  DISK_SNAPSHOT: 57,
  DISK_SNAPSHOT_DELETE: 59,
  PROLOG_MIGRATE_UNKNOWN: 60,
  PROLOG_MIGRATE_UNKNOWN_FAILURE: 61,
  DISK_RESIZE: 62,
  DISK_RESIZE_POWEROFF: 63,
  DISK_RESIZE_UNDEPLOYED: 64,
  HOTPLUG_NIC_POWEROFF: 65,
  HOTPLUG_RESIZE: 66,
  HOTPLUG_SAVEAS_UNDEPLOYED: 67,
  HOTPLUG_SAVEAS_STOPPED: 68,
  BACKUP: 69,
  BACKUP_POWEROFF: 70,
} as const;
export type LcmStateValue = (typeof LcmState)[keyof typeof LcmState];

const STATE_NAMES = new Map<number, string>(Object.entries(VmState).map(([k, v]) => [v, k]));
const LCM_NAMES = new Map<number, string>(Object.entries(LcmState).map(([k, v]) => [v, k]));

/** The name of a VM state, as OpenNebula prints it ("PENDING"). */
export function stateName(state: number): string {
  return STATE_NAMES.get(state) ?? String(state);
}

/** The name of an LCM state ("PROLOG_FAILURE"). */
export function lcmStateName(lcm: number): string {
  return LCM_NAMES.get(lcm) ?? String(lcm);
}

/** The state name OpenNebula's action errors show: the LCM state while ACTIVE, else the VM state. */
export function displayState(state: number, lcm: number): string {
  return state === VmState.ACTIVE ? lcmStateName(lcm) : stateName(state);
}

/** Whether an LCM state is one of the `*_FAILURE` states. */
export function isFailureState(lcm: number): boolean {
  return lcmStateName(lcm).endsWith('_FAILURE');
}

/** History `ACTION` codes (VMActions). */
export const VmAction = {
  NONE: 0,
  MIGRATE: 1,
  LIVE_MIGRATE: 2,
  UNDEPLOY: 5,
  UNDEPLOY_HARD: 6,
  HOLD: 7,
  RELEASE: 8,
  STOP: 9,
  SUSPEND: 10,
  RESUME: 11,
  DELETE: 13,
  DELETE_RECREATE: 14,
  REBOOT: 15,
  REBOOT_HARD: 16,
  RESCHED: 17,
  UNRESCHED: 18,
  POWEROFF: 19,
  POWEROFF_HARD: 20,
  DISK_ATTACH: 21,
  DISK_DETACH: 22,
  NIC_ATTACH: 23,
  NIC_DETACH: 24,
  TERMINATE: 27,
  TERMINATE_HARD: 28,
  DISK_RESIZE: 29,
  DEPLOY: 30,
  DISK_SAVEAS: 40,
  RECOVER: 42,
  RETRY: 43,
  MONITOR: 44,
  POWEROFF_MIGRATE: 48,
  POWEROFF_HARD_MIGRATE: 49,
  PCI_ATTACH: 58,
  PCI_DETACH: 59,
  BACKUP: 50,
  BACKUP_CANCEL: 52,
} as const;
export type VmActionValue = (typeof VmAction)[keyof typeof VmAction];

/** `one.vm.action` names and the history codes they record. */
export const ACTION_NAMES: ReadonlyMap<string, VmActionValue> = new Map([
  ['terminate', VmAction.TERMINATE],
  ['terminate-hard', VmAction.TERMINATE_HARD],
  ['undeploy', VmAction.UNDEPLOY],
  ['undeploy-hard', VmAction.UNDEPLOY_HARD],
  ['poweroff', VmAction.POWEROFF],
  ['poweroff-hard', VmAction.POWEROFF_HARD],
  ['reboot', VmAction.REBOOT],
  ['reboot-hard', VmAction.REBOOT_HARD],
  ['hold', VmAction.HOLD],
  ['release', VmAction.RELEASE],
  ['stop', VmAction.STOP],
  ['suspend', VmAction.SUSPEND],
  ['resume', VmAction.RESUME],
  ['resched', VmAction.RESCHED],
  ['unresched', VmAction.UNRESCHED],
]);

/** `one.vm.recover` operations. */
export const RecoverOp = { FAILURE: 0, SUCCESS: 1, RETRY: 2, DELETE: 3, DELETE_RECREATE: 4, DELETE_DB: 5 } as const;
