/**
 * EC2 instance states of OpenNebula VMs, by the VM's short state (spec §7.1): init, pend, hold,
 * prol → 0 pending; boot, runn, migr → 16 running; epil, shut, clea → 32 shutting-down; done,
 * fail, unkn → 48 terminated; save → 64 stopping; stop, susp → 80 stopped. States the table
 * predates: clon (cloning images) pending; hotp, snap, drsz, back, rest (work on a running or
 * powered-off VM) running; poff and unde stopped. A VM on its way to STOPPED, POWEROFF or
 * UNDEPLOYED (EPILOG_STOP, SHUTDOWN_POWEROFF, SHUTDOWN_UNDEPLOY, EPILOG_UNDEPLOY) is stopping,
 * not shutting-down: it comes back with StartInstances.
 */
import { vmShortState } from '../../cli/commands/states.js';

export interface InstanceState {
  readonly code: number;
  readonly name: 'pending' | 'running' | 'shutting-down' | 'terminated' | 'stopping' | 'stopped';
}

const PENDING: InstanceState = { code: 0, name: 'pending' };
const RUNNING: InstanceState = { code: 16, name: 'running' };
const SHUTTING_DOWN: InstanceState = { code: 32, name: 'shutting-down' };
const TERMINATED: InstanceState = { code: 48, name: 'terminated' };
const STOPPING: InstanceState = { code: 64, name: 'stopping' };
const STOPPED: InstanceState = { code: 80, name: 'stopped' };

const BY_SHORT: Record<string, InstanceState> = {
  init: PENDING, pend: PENDING, hold: PENDING, prol: PENDING, clon: PENDING,
  boot: RUNNING, runn: RUNNING, migr: RUNNING, hotp: RUNNING, snap: RUNNING, drsz: RUNNING, back: RUNNING, rest: RUNNING,
  epil: SHUTTING_DOWN, shut: SHUTTING_DOWN, clea: SHUTTING_DOWN,
  done: TERMINATED, fail: TERMINATED, unkn: TERMINATED,
  save: STOPPING,
  stop: STOPPED, susp: STOPPED, poff: STOPPED, unde: STOPPED,
};

/** LCM states (of an ACTIVE VM) on the way to a stopped state. */
const TOWARDS_STOPPED = new Set([10 /* EPILOG_STOP */, 18 /* SHUTDOWN_POWEROFF */, 29 /* SHUTDOWN_UNDEPLOY */, 30 /* EPILOG_UNDEPLOY */]);

export const ACTIVE = 3;

export function instanceState(state: number, lcmState: number): InstanceState {
  if (state === ACTIVE && TOWARDS_STOPPED.has(lcmState)) return STOPPING;
  return BY_SHORT[vmShortState(state, lcmState)] ?? PENDING;
}

export const INSTANCE_STATE_NAMES = ['pending', 'running', 'shutting-down', 'terminated', 'stopping', 'stopped'];
