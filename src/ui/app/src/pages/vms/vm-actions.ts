/**
 * The VM actions the page offers and the states they suit (as OpenNebula allows them). oned
 * decides in the end: an action offered in a state that changed meanwhile is refused by oned
 * and its message shows in the dialog.
 */
export const S = { PENDING: 1, HOLD: 2, ACTIVE: 3, STOPPED: 4, SUSPENDED: 5, DONE: 6, FAILED: 7, POWEROFF: 8, UNDEPLOYED: 9 } as const;
const RUNNING = 3;
const UNKNOWN = 16;

export interface VmActionDef {
  /** `one.vm.action`'s name. */
  action: string;
  label: string;
  /** Words for the dialog ("Power off"). */
  verb: string;
  danger?: boolean;
  when: (state: number, lcm: number) => boolean;
}

const running = (s: number, l: number) => s === S.ACTIVE && l === RUNNING;
const runningOrUnknown = (s: number, l: number) => s === S.ACTIVE && (l === RUNNING || l === UNKNOWN);

export const VM_ACTIONS: VmActionDef[] = [
  { action: 'resume', label: 'Resume', verb: 'Resume', when: (s, l) => ([S.POWEROFF, S.SUSPENDED, S.STOPPED, S.UNDEPLOYED] as number[]).includes(s) || (s === S.ACTIVE && l === UNKNOWN) },
  { action: 'release', label: 'Release', verb: 'Release', when: (s) => s === S.HOLD },
  { action: 'hold', label: 'Hold', verb: 'Hold', when: (s) => s === S.PENDING },
  { action: 'reboot', label: 'Reboot', verb: 'Reboot', when: running },
  { action: 'reboot-hard', label: 'Reboot (hard)', verb: 'Hard-reboot', when: runningOrUnknown },
  { action: 'poweroff', label: 'Power off', verb: 'Power off', when: running },
  { action: 'poweroff-hard', label: 'Power off (hard)', verb: 'Hard power off', when: runningOrUnknown },
  { action: 'suspend', label: 'Suspend', verb: 'Suspend', when: running },
  { action: 'stop', label: 'Stop', verb: 'Stop', when: (s, l) => running(s, l) || s === S.SUSPENDED },
  { action: 'undeploy', label: 'Undeploy', verb: 'Undeploy', when: (s, l) => running(s, l) || s === S.POWEROFF },
  { action: 'undeploy-hard', label: 'Undeploy (hard)', verb: 'Hard-undeploy', when: (s, l) => runningOrUnknown(s, l) || s === S.POWEROFF },
  { action: 'resched', label: 'Reschedule', verb: 'Reschedule', when: (s, l) => running(s, l) || s === S.POWEROFF },
  { action: 'unresched', label: 'Cancel reschedule', verb: 'Cancel the rescheduling of', when: (s, l) => running(s, l) || s === S.POWEROFF },
  { action: 'terminate', label: 'Terminate', verb: 'Terminate', danger: true, when: (s) => s !== S.DONE },
  { action: 'terminate-hard', label: 'Terminate (hard)', verb: 'Hard-terminate', danger: true, when: (s) => s !== S.DONE },
];

/** States one.vm.deploy accepts. */
export const deployable = (s: number) => ([S.PENDING, S.HOLD, S.STOPPED, S.UNDEPLOYED] as number[]).includes(s);
/** States a migration starts from (live only while running). */
export const migratable = (s: number, l: number) => running(s, l) || s === S.POWEROFF || s === S.SUSPENDED;
/** Failed or stuck in a transition: one.vm.recover is the way out. */
export const recoverable = (s: number, l: number) => s === S.FAILED || (s === S.ACTIVE && l !== RUNNING);
