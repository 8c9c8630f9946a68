/**
 * The Hook Manager: runs the commands of VM_HOOK and HOST_HOOK entries through the hook driver
 * (HM_MAD, `one_hm`) when VMs and hosts change state. Callers report events after the change is
 * committed; hooks run in the background and their outcome goes to oned.log, so a slow hook never
 * delays the API or the state machine.
 */
import type { Logger } from '../common/log.js';
import { xmlElement } from '../common/xml.js';
import type { Driver } from '../mad/index.js';
import { splitArguments } from '../mad/index.js';
import { hookArguments, vmHookMatches, type HostHook, type HostHookEvent, type Hook, type VmHook, type VmHookSubject } from './hook.js';
import type { HookObject, HookPool, HookResource } from './hook-object.js';
import type { HookExecution, HookLog } from './hook-log.js';

/**
 * An API call as api hooks see it; every value already escaped as XML text. `params` are the
 * call's parameters from the session on (secrets masked), `out` the response's values.
 */
export interface ApiCallInfo {
  readonly method: string;
  readonly success: boolean;
  readonly params: readonly string[];
  readonly out: readonly string[];
  /** `<EXTRA>` content: the XML of the object an allocate call made. */
  readonly extraXml?: string;
}

/** `<CALL_INFO>`: RESULT (1 success, 0 failure), PARAMETERS (IN then OUT, positions from 1), EXTRA. */
export function callInfoXml(call: ApiCallInfo): string {
  let xml = `<CALL_INFO><RESULT>${call.success ? 1 : 0}</RESULT><PARAMETERS>`;
  call.params.forEach((v, i) => (xml += `<PARAMETER><POSITION>${i + 1}</POSITION><TYPE>IN</TYPE><VALUE>${v}</VALUE></PARAMETER>`));
  call.out.forEach((v, i) => (xml += `<PARAMETER><POSITION>${i + 1}</POSITION><TYPE>OUT</TYPE><VALUE>${v}</VALUE></PARAMETER>`));
  return `${xml}</PARAMETERS><EXTRA>${call.extraXml ?? ''}</EXTRA></CALL_INFO>`;
}

/** The hook objects (one.hook.*) and their execution log. */
export interface HookObjects {
  readonly pool: HookPool;
  readonly log: HookLog;
}

/** Host events of HOST_HOOK and the host STATE state hooks see for them. */
const HOST_EVENT_STATES: Readonly<Record<HostHookEvent, string>> = { CREATE: 'INIT', ERROR: 'ERROR', DISABLE: 'DISABLED' };

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
  /** Hook objects; absent in cores without a database (unit tests). */
  readonly objects?: HookObjects;
}

export class HookManager {
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly o: HookManagerOptions) {}

  /** Whether any hook is configured (callers skip building subjects otherwise). */
  get hasVmHooks(): boolean {
    return this.o.vmHooks.length > 0 || (this.o.objects?.pool.watches('VM') ?? false);
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
    this.stateChanged('VM', vm.oid, vm.xml, vm.state, vm.lcmState, vm.hostname);
  }

  /** A host was created, went ERROR or was disabled. */
  hostEvent(event: HostHookEvent, host: HostHookSubject): void {
    this.stateChanged('HOST', host.oid, host.xml, HOST_EVENT_STATES[event], undefined, host.name);
    for (const h of this.o.hostHooks) {
      if (h.on !== event) continue;
      const template = Buffer.from(host.xml).toString('base64');
      const id = String(host.oid);
      this.execute(h, host.oid, hookArguments(h, { ID: id, HID: id, TEMPLATE: template, NAME: host.name }), h.remote ? host.name : undefined);
    }
  }

  /** An object entered a state: its state hooks run with $TEMPLATE (its XML, base64). */
  stateChanged(resource: HookResource, oid: number, xml: string, state: string, lcmState: string | undefined, host: string | undefined): void {
    const objects = this.o.objects;
    if (!objects) return;
    const hooks = objects.pool.stateHooks(resource, state, lcmState);
    if (hooks.length === 0) return;
    const values = { TEMPLATE: Buffer.from(xml).toString('base64'), ID: String(oid) };
    for (const h of hooks) {
      const remote = h.remote && (resource === 'VM' || resource === 'HOST');
      if (remote && !host) {
        this.o.log.warn('HKM', `Hook ${h.name} (${h.oid}) is REMOTE but ${resource} ${oid} has no host: not run`);
        continue;
      }
      this.track(this.runLogged(h, objectHookArguments(h, values), remote ? host : undefined, false));
    }
  }

  /** An API call ended: the api hooks of its method run with $API (its CALL_INFO, base64). */
  apiCalled(call: ApiCallInfo): void {
    const hooks = this.o.objects?.pool.apiHooks(call.method);
    if (!hooks || hooks.length === 0) return;
    const values = { API: Buffer.from(callInfoXml(call)).toString('base64') };
    for (const h of hooks) this.track(this.runLogged(h, objectHookArguments(h, values), undefined, false));
  }

  /** Runs an execution of a hook again, with its arguments and host; resolves once it is logged. */
  async retry(hook: HookObject, execution: HookExecution): Promise<HookExecution | undefined> {
    const run = this.runLogged(hook, execution.args, execution.remoteHost, true);
    this.track(run.then(() => undefined));
    return run;
  }

  /** Runs a hook object through the hook driver and logs the outcome (a failure is a logged rc, never thrown). */
  private async runLogged(h: HookObject, args: readonly string[], host: string | undefined, retry: boolean): Promise<HookExecution | undefined> {
    const objects = this.o.objects!;
    let resultXml: string;
    let rc: number;
    const driver = this.o.driver;
    if (!driver) {
      ({ resultXml, rc } = failedResult(h.command, 'No hook driver: HM_MAD is not configured in oned.conf'));
    } else {
      let data = `<HOOK_DRIVER_ACTION_DATA>${xmlElement('NAME', h.name)}${xmlElement('COMMAND', h.command)}<ARGUMENTS>`;
      if (!h.argumentsStdin) for (const a of args) data += xmlElement('ARG', a);
      data += '</ARGUMENTS>';
      if (h.argumentsStdin) data += `<STDIN>${Buffer.from(args.join(' ')).toString('base64')}</STDIN>`;
      if (host) data += xmlElement('HOST', host);
      if (h.timeoutSec > 0) data += `<TIMEOUT>${h.timeoutSec}</TIMEOUT>`;
      data += '<LOG>YES</LOG></HOOK_DRIVER_ACTION_DATA>';
      try {
        const reply = await driver.request('EXECUTE', h.oid, [Buffer.from(data).toString('base64')]);
        const xml = Buffer.from(reply.info, 'base64').toString('utf8');
        const code = /^<EXECUTION_RESULT>[\s\S]*<CODE>(-?\d+)<\/CODE><\/EXECUTION_RESULT>$/.exec(xml)?.[1];
        ({ resultXml, rc } = code === undefined ? failedResult(h.command, reply.info) : { resultXml: xml, rc: Number(code) });
      } catch (err) {
        ({ resultXml, rc } = failedResult(h.command, (err as Error).message));
      }
    }
    if (rc === 0) this.o.log.info('HKM', `Success executing Hook ${h.oid} (${h.name})`);
    else this.o.log.error('HKM', `Error executing Hook ${h.oid} (${h.name}): return code ${rc}`);
    if (!objects.pool.get(h.oid)) return undefined; // deleted meanwhile
    try {
      return await objects.log.add(h.oid, { args, resultXml, rc, remoteHost: host, retry });
    } catch (err) {
      this.o.log.error('HKM', `Cannot store the execution of Hook ${h.oid}: ${(err as Error).message}`);
      return undefined;
    }
  }

  private track(p: Promise<unknown>): void {
    const tracked: Promise<void> = p.then(
      () => undefined,
      () => undefined,
    ).finally(() => this.running.delete(tracked));
    this.running.add(tracked);
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
    this.track(run);
  }
}

/** A hook object's argv: ARGUMENTS split into words, $API / $TEMPLATE / $ID replaced in each. */
export function objectHookArguments(h: HookObject, values: Readonly<Record<string, string>>): string[] {
  let words: string[];
  try {
    words = splitArguments(h.template.get('ARGUMENTS') ?? '');
  } catch {
    words = (h.template.get('ARGUMENTS') ?? '').split(/\s+/).filter((w) => w !== '');
  }
  return words.map((w) => w.replace(/\$([A-Z_]+)/g, (whole, name: string) => values[name] ?? whole));
}

/** The result logged when the command could not be run at all. */
function failedResult(command: string, message: string): { resultXml: string; rc: number } {
  const stderr = Buffer.from(`${message}\n`).toString('base64');
  return { resultXml: `<EXECUTION_RESULT>${xmlElement('COMMAND', command)}<STDOUT></STDOUT><STDERR>${stderr}</STDERR><CODE>-1</CODE></EXECUTION_RESULT>`, rc: -1 };
}
