/**
 * Hooks as API objects (OpenNebula 5.10+ / 7.4 `HOOK`, `one.hook.*`), beside the VM_HOOK and
 * HOST_HOOK entries of oned.conf. Two types:
 *
 *     TYPE = api,   CALL = "one.vm.allocate"            runs after every such call
 *     TYPE = state, RESOURCE = VM, ON = RUNNING          runs when a VM enters ACTIVE/RUNNING
 *     TYPE = state, RESOURCE = HOST, STATE = ERROR       runs when a host enters ERROR
 *
 * with COMMAND, ARGUMENTS ($API: the call's CALL_INFO; $TEMPLATE: the object's XML; both base64),
 * ARGUMENTS_STDIN (YES: the arguments go to stdin instead), REMOTE (YES: state hooks of hosts and
 * VMs run on the host) and TIMEOUT (seconds). Hooks belong to oneadmin; their XML is
 * `<HOOK><ID/><NAME/><TYPE/><LOCK/>?<TEMPLATE/></HOOK>`, and one.hook.info adds its HOOKLOG.
 */
import type { XmlNode } from '../common/xml-tree.js';
import { child, childInt, childText } from '../common/xml-tree.js';
import { xmlElement } from '../common/xml.js';
import type { Template } from '../common/template/index.js';
import type { Write } from '../db/database.js';
import { Pool, PoolObject, Permissions, templateFromNode, type Lock } from '../pool/index.js';

export const HOOK_TYPES = ['api', 'state'] as const;
export type HookType = (typeof HOOK_TYPES)[number];

/** RESOURCE of state hooks (NET is OpenNebula's name of virtual networks; VNET is taken too). */
export const HOOK_RESOURCES = ['VM', 'HOST', 'IMAGE', 'NET'] as const;
export type HookResource = (typeof HOOK_RESOURCES)[number];

/** Calls API hooks cannot name: reading calls, as OpenNebula refuses them. */
export function hookableCall(call: string): boolean {
  return !/\.info$|pool\.info(extended)?$|quota\.info$|^one\.hooklog\.info$/.test(call);
}

/** `ON` values of VM state hooks and the STATE / LCM_STATE they stand for. */
const VM_ON: Readonly<Record<string, readonly [string, string]>> = {
  PROLOG: ['ACTIVE', 'PROLOG'],
  RUNNING: ['ACTIVE', 'RUNNING'],
  SHUTDOWN: ['ACTIVE', 'EPILOG'],
  STOP: ['STOPPED', 'LCM_INIT'],
  DONE: ['DONE', 'LCM_INIT'],
  UNKNOWN: ['ACTIVE', 'UNKNOWN'],
};

/** The state names a state hook may use, per resource. */
export interface HookStateNames {
  readonly vm: readonly string[];
  readonly lcm: readonly string[];
  readonly host: readonly string[];
  readonly image: readonly string[];
  readonly net: readonly string[];
}

/** What checking a hook template needs to know. */
export interface HookCheckContext {
  /** Whether oned serves a method of that name. */
  readonly methodExists: (name: string) => boolean;
  readonly states: HookStateNames;
}

const ONEADMIN = { uid: 0, gid: 0, uname: 'oneadmin', gname: 'oneadmin' };
/** Hooks are oneadmin's: only the oneadmin group (or an ACL rule on HOOK) reaches them. */
const HOOK_PERMS = Permissions.fromOctal(0o600);

const yes = (v: string | undefined) => /^(yes|true|1)$/i.test((v ?? '').trim());

/**
 * Checks and normalizes a hook template in place: COMMAND required, REMOTE and ARGUMENTS_STDIN
 * as YES/NO, CALL of api hooks an existing method, RESOURCE and states of state hooks known
 * (VM ON = PROLOG... turned into STATE and LCM_STATE). @throws Error with OpenNebula-like text.
 */
export function checkHookTemplate(type: HookType, t: Template, ctx: HookCheckContext): void {
  const command = (t.get('COMMAND') ?? '').trim();
  if (command === '') throw new Error('No COMMAND in template for Hook.');
  t.set('COMMAND', command);
  t.set('REMOTE', yes(t.get('REMOTE')) ? 'YES' : 'NO');
  if (t.has('ARGUMENTS_STDIN')) t.set('ARGUMENTS_STDIN', yes(t.get('ARGUMENTS_STDIN')) ? 'YES' : 'NO');
  const timeout = t.get('TIMEOUT');
  if (timeout !== undefined && !/^\d+$/.test(timeout.trim())) throw new Error(`TIMEOUT must be a number of seconds, got "${timeout}".`);
  if (type === 'api') {
    const call = (t.get('CALL') ?? '').trim();
    if (!ctx.methodExists(call) || !hookableCall(call)) throw new Error(`API call does not exist or is not supported: ${call}`);
    t.set('CALL', call);
    return;
  }
  const given = (t.get('RESOURCE') ?? '').trim().toUpperCase();
  if (given === '') throw new Error('RESOURCE attribute is required for STATE hooks.');
  const resource = given === 'VNET' ? 'NET' : given;
  if (!(HOOK_RESOURCES as readonly string[]).includes(resource)) throw new Error(`Invalid resource type: ${t.get('RESOURCE')} (use VM, HOST, IMAGE or NET).`);
  t.set('RESOURCE', resource);
  if (resource === 'VM') return checkVmStates(t, ctx.states);
  const names = resource === 'HOST' ? ctx.states.host : resource === 'IMAGE' ? ctx.states.image : ctx.states.net;
  const state = (t.get('STATE') ?? '').trim().toUpperCase();
  if (!names.includes(state)) throw new Error(`Wrong STATE: "${t.get('STATE') ?? ''}" is not a ${resource} state (${names.join(', ')}).`);
  t.set('STATE', state);
}

function checkVmStates(t: Template, names: HookStateNames): void {
  const on = (t.get('ON') ?? '').trim().toUpperCase();
  t.remove('ON');
  let state: string;
  let lcm: string;
  if (on === 'CUSTOM' || on === '') {
    state = (t.get('STATE') ?? '').trim().toUpperCase();
    lcm = (t.get('LCM_STATE') ?? '').trim().toUpperCase() || 'LCM_INIT';
    if (on === '' && state === '') throw new Error(`Unknown state condition: ON is missing (use ${[...Object.keys(VM_ON), 'CUSTOM'].join(', ')}).`);
    if (!names.vm.includes(state)) throw new Error(`Wrong STATE: "${t.get('STATE') ?? ''}" is not a VM state.`);
    if (!names.lcm.includes(lcm)) throw new Error(`Wrong LCM_STATE: "${t.get('LCM_STATE') ?? ''}" is not a VM LCM state.`);
  } else {
    const pair = VM_ON[on];
    if (!pair) throw new Error(`Unknown state condition: ${on} (use ${[...Object.keys(VM_ON), 'CUSTOM'].join(', ')}).`);
    [state, lcm] = pair;
  }
  t.set('STATE', state);
  t.set('LCM_STATE', lcm);
}

export class HookObject extends PoolObject {
  readonly type = 'HOOK' as const;

  constructor(oid: number, name: string, public hookType: HookType, public template: Template, lock: Lock | null = null) {
    super(oid, name, { ...ONEADMIN }, HOOK_PERMS, lock);
  }

  get command(): string {
    return this.template.get('COMMAND') ?? '';
  }
  /** CALL of an api hook. */
  get call(): string | undefined {
    return this.hookType === 'api' ? this.template.get('CALL') : undefined;
  }
  /** RESOURCE of a state hook. */
  get resource(): string | undefined {
    return this.hookType === 'state' ? this.template.get('RESOURCE') : undefined;
  }
  get remote(): boolean {
    return this.template.get('REMOTE') === 'YES';
  }
  get argumentsStdin(): boolean {
    return this.template.get('ARGUMENTS_STDIN') === 'YES';
  }
  get timeoutSec(): number {
    return Number(this.template.get('TIMEOUT') ?? 0) || 0;
  }

  /** Whether a state hook of `resource` fires for an object now in `state` (and `lcmState`, VMs). */
  firesOn(resource: HookResource, state: string, lcmState?: string): boolean {
    if (this.hookType !== 'state' || this.resource !== resource || this.template.get('STATE') !== state) return false;
    return resource !== 'VM' || this.template.get('LCM_STATE') === lcmState;
  }

  protected renderXml(): string {
    return `<HOOK><ID>${this.oid}</ID>${xmlElement('NAME', this.name)}<TYPE>${this.hookType}</TYPE>${this.lockXml()}${this.template.toXml()}</HOOK>`;
  }

  static fromXml(node: XmlNode): HookObject {
    const type = childText(node, 'TYPE') === 'state' ? 'state' : 'api';
    return new HookObject(childInt(node, 'ID'), childText(node, 'NAME'), type, templateFromNode(child(node, 'TEMPLATE')), PoolObject.lockFromXml(node));
  }
}

/** The hook pool: table `hook_pool`, names unique in the pool; the api hooks indexed by CALL. */
export class HookPool extends Pool<HookObject> {
  private byCall = new Map<string, HookObject[]>();
  private states: HookObject[] = [];
  private indexedAt = -1;

  constructor() {
    super({ table: 'hook_pool', type: 'HOOK', root: 'HOOK_POOL', nameScope: 'pool' });
  }

  protected fromXml(node: XmlNode): HookObject {
    return HookObject.fromXml(node);
  }

  /** A deleted hook takes its execution log along (one transaction). */
  override rowWrites(obj: HookObject, deleted = false): Write[] {
    const writes = super.rowWrites(obj, deleted);
    if (deleted) writes.push({ kind: 'delete', table: 'hook_log', where: { hkid: obj.oid } });
    return writes;
  }

  /** The api hooks of a method (a map lookup; rebuilt only after the pool changed). */
  apiHooks(call: string): readonly HookObject[] {
    this.reindex();
    return this.byCall.get(call) ?? NONE;
  }

  /** The state hooks of a resource that fire for this state. */
  stateHooks(resource: HookResource, state: string, lcmState?: string): HookObject[] {
    this.reindex();
    return this.states.length === 0 ? [] : this.states.filter((h) => h.firesOn(resource, state, lcmState));
  }

  /** Whether any state hook watches this resource (callers skip building subjects otherwise). */
  watches(resource: HookResource): boolean {
    this.reindex();
    return this.states.some((h) => h.resource === resource);
  }

  private reindex(): void {
    if (this.indexedAt === this.generation) return;
    this.indexedAt = this.generation;
    this.byCall = new Map();
    this.states = [];
    for (const h of this.all()) {
      const call = h.call;
      if (call !== undefined) this.byCall.set(call, [...(this.byCall.get(call) ?? []), h]);
      else this.states.push(h);
    }
  }
}

const NONE: readonly HookObject[] = [];
