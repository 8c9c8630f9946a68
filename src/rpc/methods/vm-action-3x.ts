/**
 * The `one.vm.action` strings of the 3.x API (release 3.8.5) that HEAD renamed or folded into
 * `one.vm.recover`, and the states 3.x allowed each from (spec §1.7, §4.5). The 3.x strings
 * HEAD kept (hold, release, stop, suspend, resume, reboot, resched, unresched, poweroff) need
 * no entry: they are served as HEAD's.
 */
import { AuthOp, type AuthOpValue } from '../../auth/operation.js';
import { LcmState, RecoverOp, VmAction, VmState, type VirtualMachine, type VmActionValue } from '../../vm/index.js';

export interface Action3x {
  /** HEAD's name of the same operation (for docs and errors). */
  readonly head: string;
  /** The HEAD action code it runs, or the `one.vm.recover` operation. */
  readonly code?: VmActionValue;
  readonly recover?: number;
  readonly op: AuthOpValue;
  /** The states 3.x accepted it in; others are refused with the 3.x name. */
  readonly allowed: (vm: VirtualMachine) => boolean;
}

const runningOrUnknown = (vm: VirtualMachine) => vm.state === VmState.ACTIVE && (vm.lcmState === LcmState.RUNNING || vm.lcmState === LcmState.UNKNOWN);

export const ACTIONS_3X: ReadonlyMap<string, Action3x> = new Map<string, Action3x>([
  ['shutdown', { head: 'terminate', code: VmAction.TERMINATE, op: AuthOp.MANAGE, allowed: runningOrUnknown }],
  ['cancel', { head: 'terminate-hard', code: VmAction.TERMINATE_HARD, op: AuthOp.MANAGE, allowed: runningOrUnknown }],
  ['reset', { head: 'reboot-hard', code: VmAction.REBOOT_HARD, op: AuthOp.MANAGE, allowed: (vm) => vm.state === VmState.ACTIVE && vm.lcmState === LcmState.RUNNING }],
  // 3.x restart booted again a VM found powered off or lost: HEAD's resume from POWEROFF / UNKNOWN.
  ['restart', { head: 'resume', code: VmAction.RESUME, op: AuthOp.MANAGE, allowed: (vm) => vm.state === VmState.POWEROFF || (vm.state === VmState.ACTIVE && vm.lcmState === LcmState.UNKNOWN) }],
  ['finalize', { head: 'recover --delete', recover: RecoverOp.DELETE, op: AuthOp.ADMIN, allowed: (vm) => vm.state !== VmState.DONE }],
  [
    'resubmit',
    {
      head: 'recover --recreate',
      recover: RecoverOp.DELETE_RECREATE,
      op: AuthOp.ADMIN,
      allowed: (vm) => vm.state !== VmState.DONE && vm.state !== VmState.POWEROFF && vm.state !== VmState.SUSPENDED,
    },
  ],
]);

/** Action strings of the 4.x API that neither 3.x nor HEAD has, with HEAD's name for each. */
const ACTIONS_4X: ReadonlyMap<string, string> = new Map([
  ['shutdown-hard', 'terminate-hard'],
  ['delete', 'recover with operation 3 (delete)'],
  ['delete-recreate', 'recover with operation 4 (delete-recreate)'],
  ['boot', 'resume'],
]);

/** The message of an action string nobody serves; a 4.x-only one says what to use instead. */
export function unsupportedAction(action: string): string {
  const instead = ACTIONS_4X.get(action);
  return instead === undefined ? `Action "${action}" is not supported` : `Action "${action}" is not supported: it is a 4.x action string, use ${instead}`;
}
