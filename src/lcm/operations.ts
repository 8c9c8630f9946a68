/**
 * What each LCM state stands for: the driver operation a transient state waits for (spec §4.2),
 * and the twin failure state of each (recover retry / success go back through it).
 */
import type { TransferOp } from '../tm/index.js';
import type { VmmAction } from '../vmm/index.js';
import { LcmState, pendingSnapshot, vectors, VmAction, type LcmStateValue, type VirtualMachine } from '../vm/index.js';

/** A transient state's twin failure state, and back (recover retry / success). */
export const FAILURE_OF: ReadonlyMap<number, LcmStateValue> = new Map<number, LcmStateValue>([
  [LcmState.PROLOG, LcmState.PROLOG_FAILURE],
  [LcmState.PROLOG_RESUME, LcmState.PROLOG_RESUME_FAILURE],
  [LcmState.PROLOG_UNDEPLOY, LcmState.PROLOG_UNDEPLOY_FAILURE],
  [LcmState.PROLOG_MIGRATE, LcmState.PROLOG_MIGRATE_FAILURE],
  [LcmState.PROLOG_MIGRATE_POWEROFF, LcmState.PROLOG_MIGRATE_POWEROFF_FAILURE],
  [LcmState.PROLOG_MIGRATE_SUSPEND, LcmState.PROLOG_MIGRATE_SUSPEND_FAILURE],
  [LcmState.PROLOG_MIGRATE_UNKNOWN, LcmState.PROLOG_MIGRATE_UNKNOWN_FAILURE],
  [LcmState.BOOT, LcmState.BOOT_FAILURE],
  [LcmState.BOOT_MIGRATE, LcmState.BOOT_MIGRATE_FAILURE],
  [LcmState.BOOT_UNDEPLOY, LcmState.BOOT_UNDEPLOY_FAILURE],
  [LcmState.BOOT_STOPPED, LcmState.BOOT_STOPPED_FAILURE],
  [LcmState.EPILOG, LcmState.EPILOG_FAILURE],
  [LcmState.EPILOG_STOP, LcmState.EPILOG_STOP_FAILURE],
  [LcmState.EPILOG_UNDEPLOY, LcmState.EPILOG_UNDEPLOY_FAILURE],
]);
export const RETRY_OF: ReadonlyMap<number, LcmStateValue> = new Map([...FAILURE_OF].map(([t, f]) => [f, t as LcmStateValue]));

/** States waiting for a VMM DEPLOY or RESTORE: a VM monitoring finds running has booted. */
export const BOOT_STATES: ReadonlySet<number> = new Set([
  LcmState.BOOT, LcmState.BOOT_UNKNOWN, LcmState.BOOT_POWEROFF, LcmState.BOOT_SUSPENDED, LcmState.BOOT_STOPPED, LcmState.BOOT_UNDEPLOY, LcmState.BOOT_MIGRATE,
]);

/** The non-failure state a `*_FAILURE` state retries, if `lcm` is one. */
export function retryStateOf(lcm: number): LcmStateValue | undefined {
  return RETRY_OF.get(lcm);
}

/** The driver operation a transient LCM state stands for. */
export type Operation = { kind: 'tm'; op: TransferOp } | { kind: 'vmm'; action: VmmAction; on: 'host' | 'previous' };

/** The operation of `lcm` for `vm`; undefined for states with nothing pending (RUNNING, failures...). */
export function operationOf(vm: VirtualMachine): Operation | undefined {
  const last = vm.lastHistory;
  const action = last?.action;
  const prevAction = vm.previousHistory?.action;
  const hard = action === VmAction.TERMINATE_HARD || action === VmAction.POWEROFF_HARD || action === VmAction.UNDEPLOY_HARD;
  switch (vm.lcmState) {
    case LcmState.PROLOG:
      return { kind: 'tm', op: 'prolog' };
    case LcmState.PROLOG_RESUME:
    case LcmState.PROLOG_UNDEPLOY:
      return { kind: 'tm', op: 'resume' };
    case LcmState.PROLOG_MIGRATE:
    case LcmState.PROLOG_MIGRATE_POWEROFF:
    case LcmState.PROLOG_MIGRATE_SUSPEND:
    case LcmState.PROLOG_MIGRATE_UNKNOWN:
      return { kind: 'tm', op: 'migrate' };
    case LcmState.EPILOG:
      return { kind: 'tm', op: 'epilog' };
    case LcmState.EPILOG_STOP:
    case LcmState.EPILOG_UNDEPLOY:
      return { kind: 'tm', op: 'stop' };
    case LcmState.BOOT:
    case LcmState.BOOT_UNKNOWN:
    case LcmState.BOOT_POWEROFF:
    case LcmState.BOOT_UNDEPLOY:
      return { kind: 'vmm', action: 'DEPLOY', on: 'host' };
    case LcmState.BOOT_SUSPENDED:
    case LcmState.BOOT_STOPPED:
    case LcmState.BOOT_MIGRATE:
      return { kind: 'vmm', action: 'RESTORE', on: 'host' };
    case LcmState.SHUTDOWN:
    case LcmState.SHUTDOWN_POWEROFF:
    case LcmState.SHUTDOWN_UNDEPLOY:
      return { kind: 'vmm', action: hard ? 'CANCEL' : 'SHUTDOWN', on: 'host' };
    case LcmState.SAVE_STOP:
    case LcmState.SAVE_SUSPEND:
      return { kind: 'vmm', action: 'SAVE', on: 'host' };
    case LcmState.SAVE_MIGRATE:
      // Cold migration: save (mode 0) or power off (modes 1, 2) on the source host.
      if (prevAction === VmAction.POWEROFF_MIGRATE) return { kind: 'vmm', action: 'SHUTDOWN', on: 'previous' };
      if (prevAction === VmAction.POWEROFF_HARD_MIGRATE) return { kind: 'vmm', action: 'CANCEL', on: 'previous' };
      return { kind: 'vmm', action: 'SAVE', on: 'previous' };
    case LcmState.MIGRATE:
      return { kind: 'vmm', action: 'MIGRATE', on: 'previous' };
    case LcmState.CLEANUP_DELETE:
    case LcmState.CLEANUP_RESUBMIT:
      return { kind: 'vmm', action: 'CLEANUP', on: 'host' };
    case LcmState.HOTPLUG_PROLOG_POWEROFF:
      return { kind: 'tm', op: 'prolog_attach' };
    case LcmState.HOTPLUG_EPILOG_POWEROFF:
      return { kind: 'tm', op: 'epilog_detach' };
    case LcmState.HOTPLUG: {
      // A disk hot-plug marks its DISK with ATTACH=YES; without one, the live updateconf of a new CONTEXT.
      const disks = vectors(vm.template, 'DISK').filter((d) => d.get('ATTACH') === 'YES');
      if (disks.length === 0) return { kind: 'vmm', action: 'UPDATECONF', on: 'host' };
      return { kind: 'vmm', action: disks.some((d) => d.get('DETACH') === 'YES') ? 'DETACHDISK' : 'ATTACHDISK', on: 'host' };
    }
    case LcmState.HOTPLUG_RESIZE:
      return { kind: 'vmm', action: 'RESIZE', on: 'host' };
    case LcmState.DISK_RESIZE:
      return { kind: 'vmm', action: 'RESIZEDISK', on: 'host' };
    case LcmState.DISK_RESIZE_POWEROFF:
    case LcmState.DISK_RESIZE_UNDEPLOYED:
      return { kind: 'tm', op: 'disk_resize' };
    case LcmState.HOTPLUG_SAVEAS:
    case LcmState.HOTPLUG_SAVEAS_POWEROFF:
    case LcmState.HOTPLUG_SAVEAS_SUSPENDED:
    case LcmState.HOTPLUG_SAVEAS_UNDEPLOYED:
    case LcmState.HOTPLUG_SAVEAS_STOPPED:
      return { kind: 'tm', op: 'disk_saveas' };
    case LcmState.HOTPLUG_NIC:
      return { kind: 'vmm', action: vectors(vm.template, 'NIC').some((n) => n.get('ATTACH') === 'YES' && n.get('DETACH') === 'YES') ? 'DETACHNIC' : 'ATTACHNIC', on: 'host' };
    case LcmState.BACKUP_POWEROFF:
      return { kind: 'vmm', action: 'BACKUP', on: 'host' };
    case LcmState.DISK_SNAPSHOT:
      return { kind: 'vmm', action: 'DISKSNAPSHOTCREATE', on: 'host' };
    case LcmState.DISK_SNAPSHOT_POWEROFF:
    case LcmState.DISK_SNAPSHOT_REVERT_POWEROFF:
    case LcmState.DISK_SNAPSHOT_DELETE_POWEROFF:
    case LcmState.DISK_SNAPSHOT_SUSPENDED:
    case LcmState.DISK_SNAPSHOT_REVERT_SUSPENDED:
    case LcmState.DISK_SNAPSHOT_DELETE_SUSPENDED:
    case LcmState.DISK_SNAPSHOT_DELETE:
      return { kind: 'tm', op: 'disk_snapshot' };
    case LcmState.HOTPLUG_SNAPSHOT: {
      const p = pendingSnapshot(vm.template);
      return p ? { kind: 'vmm', action: `SNAPSHOT${p.action}`, on: 'host' } : undefined;
    }
    default:
      return undefined;
  }
}
