/**
 * The Hook Manager: runs the commands of VM_HOOK and HOST_HOOK entries through the hook driver
 * (HM_MAD, `one_hm`) when VMs and hosts change state. Callers report events after the change is
 * committed; hooks run in the background and their outcome goes to oned.log, so a slow hook never
 * delays the API or the state machine.
 */
import type { Logger } from '../common/log.js';
import { xmlElement } from '../common/xml.js';
import type { Driver } from '../mad/index.js';
import { hookArguments, vmHookMatches, type HostHook, type HostHookEvent, type Hook, type VmHook, type VmHookSubject } from './hook.js';

/** A host as a hook sees it. */
export interface HostHookSubject {
  readonly oid: number;
  readonly name: string;
  /** `<HOST>` XML, passed base64-encoded as $TEMPLATE. */
  readonly xml: string;
}

export interface HookManagerOptions {
  /** HM_MAD; oned refuses to start with hooks but no HM_MAD. */
  readonly driver: Driver | undefined;
  readonly log: Logger;
  readonly vmHooks: readonly VmHook[];
  readonly hostHooks: readonly HostHook[];
}

export class HookManager {
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly o: HookManagerOptions) {}

  /** Whether any hook is configured (callers skip building subjects otherwise). */
  get hasVmHooks(): boolean {
    return this.o.vmHooks.length > 0;
  }
  get hasHostHooks(): boolean {
    return this.o.hostHooks.length > 0;
  }

  /** A VM was created (`ON = CREATE`). */
  vmCreated(vm: VmHookSubject): void {
    for (const h of this.o.vmHooks) if (h.on === 'CREATE') this.runVmHook(h, vm);
  }

  /** A VM entered a new STATE/LCM_STATE. */
  vmStateChanged(vm: VmHookSubject): void {
    for (const h of this.o.vmHooks) if (vmHookMatches(h, vm)) this.runVmHook(h, vm);
  }

  /** A host was created, went ERROR or was disabled. */
  hostEvent(event: HostHookEvent, host: HostHookSubject): void {
    for (const h of this.o.hostHooks) {
      if (h.on !== event) continue;
      const template = Buffer.from(host.xml).toString('base64');
      const id = String(host.oid);
      this.execute(h, host.oid, hookArguments(h, { ID: id, HID: id, TEMPLATE: template, NAME: host.name }), h.remote ? host.name : undefined);
    }
  }

  /** Waits for the hooks still running (oned stopping). */
  async stop(): Promise<void> {
    await Promise.all(this.running);
  }

  private runVmHook(h: VmHook, vm: VmHookSubject): void {
    if (h.remote && !vm.hostname) {
      this.o.log.warn('HKM', `Hook ${h.name} of VM ${vm.oid} is REMOTE but the VM has no host: not run`);
      return;
    }
    const id = String(vm.oid);
    const values = {
      ID: id,
      VMID: id,
      TEMPLATE: Buffer.from(vm.xml).toString('base64'),
      PREV_STATE: String(vm.prevState),
      PREV_LCM_STATE: String(vm.prevLcmState),
    };
    this.execute(h, vm.oid, hookArguments(h, values), h.remote ? vm.hostname : undefined);
  }

  private execute(h: Hook<string>, oid: number, args: readonly string[], host: string | undefined): void {
    const driver = this.o.driver;
    if (!driver) return;
    let data = `<HOOK_DRIVER_ACTION_DATA>${xmlElement('NAME', h.name)}${xmlElement('COMMAND', h.command)}<ARGUMENTS>`;
    for (const a of args) data += xmlElement('ARG', a);
    data += `</ARGUMENTS>${host ? xmlElement('HOST', host) : ''}</HOOK_DRIVER_ACTION_DATA>`;
    const run = driver.request('EXECUTE', oid, [Buffer.from(data).toString('base64')]).then((reply) => {
      if (reply.ok) this.o.log.info('HKM', `Success executing Hook: ${h.name}: ${reply.info}`);
      else this.o.log.error('HKM', `Error executing Hook: ${h.name}: ${reply.info}`);
    });
    const tracked = run.finally(() => this.running.delete(tracked));
    this.running.add(tracked);
  }
}
