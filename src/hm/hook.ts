/**
 * Hook definitions of oned.conf, as OpenNebula 3.x-5.x write them:
 *
 *     VM_HOOK   = [ NAME = "mail", ON = "RUNNING", COMMAND = "notify/email",
 *                   ARGUMENTS = "$ID $TEMPLATE", REMOTE = "NO" ]
 *     VM_HOOK   = [ NAME = "boot_unknown", ON = "CUSTOM", STATE = "ACTIVE",
 *                   LCM_STATE = "BOOT_UNKNOWN", COMMAND = "log.sh", ARGUMENTS = "$ID $PREV_STATE" ]
 *     HOST_HOOK = [ NAME = "error", ON = "ERROR", COMMAND = "ft/host_error", ARGUMENTS = "$ID -r" ]
 *
 * ARGUMENTS are split into words like a shell would (quotes, backslashes) before the variables
 * are replaced, so a value never adds or splits arguments: commands get argv, never a shell line.
 */
import type { ConfigReader } from '../common/config.js';
import type { Vector } from '../common/template/index.js';
import { splitArguments } from '../mad/index.js';

/** When VM hooks run (`ON`). */
export const VM_HOOK_EVENTS = ['CREATE', 'PROLOG', 'RUNNING', 'UNKNOWN', 'SHUTDOWN', 'STOP', 'DONE', 'FAILED', 'CUSTOM'] as const;
export type VmHookEvent = (typeof VM_HOOK_EVENTS)[number];

/** When host hooks run (`ON`). */
export const HOST_HOOK_EVENTS = ['CREATE', 'ERROR', 'DISABLE'] as const;
export type HostHookEvent = (typeof HOST_HOOK_EVENTS)[number];

export interface Hook<E extends string> {
  readonly name: string;
  readonly on: E;
  readonly command: string;
  /** ARGUMENTS split into words, variables not yet replaced. */
  readonly args: readonly string[];
  /** Run on the object's host rather than on the front-end. */
  readonly remote: boolean;
  /** CUSTOM hooks: the STATE and (optional) LCM_STATE names that trigger them. */
  readonly state?: string;
  readonly lcmState?: string;
}

export type VmHook = Hook<VmHookEvent>;
export type HostHook = Hook<HostHookEvent>;

/** A hook definition oned.conf gets wrong: oned refuses to start, naming it. */
export class HookConfigError extends Error {}

/** The state names CUSTOM hooks may use, to catch typos at start. */
export interface VmStateNames {
  readonly states: readonly string[];
  readonly lcmStates: readonly string[];
}

function parseHook<E extends string>(section: string, v: Vector, index: number, events: readonly E[]): Hook<E> {
  const name = v.get('NAME') || `${section.toLowerCase()}_${index}`;
  const on = (v.get('ON') ?? '').trim().toUpperCase() as E;
  // OpenNebula's failover documents write ON = "FAILURE" for the FAILED event.
  const event = (on === ('FAILURE' as E) ? 'FAILED' : on) as E;
  if (!events.includes(event)) throw new HookConfigError(`${section} "${name}": ON = "${v.get('ON') ?? ''}" is not one of ${events.join(', ')}`);
  const command = (v.get('COMMAND') ?? '').trim();
  if (command === '') throw new HookConfigError(`${section} "${name}": COMMAND is missing`);
  const hook: Hook<E> = {
    name,
    on: event,
    command,
    args: splitArguments(v.get('ARGUMENTS') ?? ''),
    remote: /^(yes|true|1)$/i.test(v.get('REMOTE') ?? ''),
  };
  if (event !== 'CUSTOM') return hook;
  const state = (v.get('STATE') ?? '').trim().toUpperCase();
  const lcmState = (v.get('LCM_STATE') ?? '').trim().toUpperCase();
  if (state === '') throw new HookConfigError(`${section} "${name}": ON = "CUSTOM" needs a STATE`);
  return { ...hook, state, lcmState: lcmState === '' ? undefined : lcmState };
}

function vectors(config: ConfigReader, section: string): Vector[] {
  return config.template.getAll(section).map((a) => {
    if (typeof a.value === 'string') throw new HookConfigError(`${section} must be a vector attribute: ${section} = [ ON = ..., COMMAND = ... ]`);
    return a.value;
  });
}

/** The VM_HOOK and HOST_HOOK entries of oned.conf. @throws HookConfigError naming a bad entry. */
export function hooksFromConfig(config: ConfigReader, names: VmStateNames): { vm: VmHook[]; host: HostHook[] } {
  const vm = vectors(config, 'VM_HOOK').map((v, i) => parseHook('VM_HOOK', v, i, VM_HOOK_EVENTS));
  for (const h of vm) {
    if (h.state !== undefined && !names.states.includes(h.state)) throw new HookConfigError(`VM_HOOK "${h.name}": unknown STATE "${h.state}"`);
    if (h.lcmState !== undefined && !names.lcmStates.includes(h.lcmState)) throw new HookConfigError(`VM_HOOK "${h.name}": unknown LCM_STATE "${h.lcmState}"`);
  }
  const host = vectors(config, 'HOST_HOOK').map((v, i) => parseHook('HOST_HOOK', v, i, HOST_HOOK_EVENTS));
  return { vm, host };
}

/** A VM as a hook sees it when its state changed. */
export interface VmHookSubject {
  readonly oid: number;
  /** STATE and LCM_STATE names (`ACTIVE`, `RUNNING`). */
  readonly state: string;
  readonly lcmState: string;
  readonly prevState: number;
  readonly prevLcmState: number;
  /** The host of its current history record, for REMOTE hooks. */
  readonly hostname?: string;
  /** `<VM>` XML, passed base64-encoded as $TEMPLATE. */
  readonly xml: string;
}

/** Whether a VM hook's event is the state the VM just entered. */
export function vmHookMatches(hook: VmHook, vm: VmHookSubject): boolean {
  switch (hook.on) {
    case 'CREATE':
      return false; // fired by allocation, not by a state change
    case 'PROLOG':
    case 'RUNNING':
    case 'UNKNOWN':
      return vm.state === 'ACTIVE' && vm.lcmState === hook.on;
    case 'SHUTDOWN':
      // "after the VM is shut down": the epilog that follows a shutdown.
      return vm.state === 'ACTIVE' && vm.lcmState === 'EPILOG';
    case 'STOP':
      return vm.state === 'STOPPED';
    case 'DONE':
      return vm.state === 'DONE';
    case 'FAILED':
      return vm.lcmState.endsWith('_FAILURE') || vm.state === 'CLONING_FAILURE';
    case 'CUSTOM':
      return vm.state === hook.state && (hook.lcmState === undefined || vm.lcmState === hook.lcmState);
  }
}

/** The hook's argv with `$ID`, `$VMID`/`$HID`, `$TEMPLATE`, `$PREV_STATE`, `$PREV_LCM_STATE` replaced. */
export function hookArguments(hook: Hook<string>, values: Readonly<Record<string, string>>): string[] {
  return hook.args.map((word) => word.replace(/\$([A-Z_]+)/g, (whole, name: string) => values[name] ?? whole));
}
