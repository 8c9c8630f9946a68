/**
 * The service engine: every `lcm_interval` seconds (and at once when the REST side asks) it walks
 * the services stored in oned and moves each a step on: deploys roles (parents first under
 * `straight`, all together under `none`) and waits for their VMs to run, scales roles to their
 * cardinality, evaluates elasticity policies, ends cooldowns, undeploys children before parents.
 * Its whole state is in the documents, so a restarted server carries on where it stopped.
 */
import type { Oca, VirtualMachine } from '../oca/index.js';
import { OneError, OneErrorCode } from '../oca/index.js';
import type { FlowConfig } from './config.js';
import { evaluate, parseExpression } from './expression.js';
import { addLog, nodesOf, roleStateName, S, SERVICE_DOCUMENT, serviceStateName, type RoleBody, type ServiceBody } from './model.js';
import { listDocs, readDoc, writeBody } from './store.js';
import { deploymentOrder } from './validate.js';

/** VM STATE and LCM_STATE numbers the engine reads. */
const VM_ACTIVE = 3;
const VM_DONE = 6;
const LCM_RUNNING = 3;
/** LCM states of a failed operation (BOOT_FAILURE, PROLOG_FAILURE, EPILOG_FAILURE...). */
const LCM_FAILURES = new Set([36, 37, 38, 39, 40, 41, 42, 44, 46, 47, 48, 49, 50, 60]);

export interface EngineDeps {
  /** The server's own account: reads and writes every service document. */
  readonly server: Oca;
  /** A client acting as the owner of a service. */
  owner(user: string): Promise<Oca>;
  readonly config: FlowConfig;
  readonly log: (line: string) => void;
}

type VmIndex = Map<number, VirtualMachine>;

export class ServiceEngine {
  private readonly locks = new Map<number, Promise<unknown>>();
  private timer: NodeJS.Timeout | undefined;
  private pass: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(private readonly deps: EngineDeps) {}

  start(): void {
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.pass;
  }

  /** A pass soon (after a change made through the REST side). */
  kick(): void {
    if (this.pass) this.again = true;
    else this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.pass = this.walk().finally(() => {
        this.pass = undefined;
        const soon = this.again;
        this.again = false;
        this.schedule(soon ? 0 : this.deps.config.lcm_interval * 1000);
      });
    }, ms);
  }

  /** Runs `fn` with the service's lock: the engine and the REST side never change one service at once. */
  withLock<T>(id: number, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(id) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => undefined);
    this.locks.set(id, tail);
    void tail.then(() => {
      if (this.locks.get(id) === tail) this.locks.delete(id);
    });
    return next;
  }

  private async walk(): Promise<void> {
    let ids: number[];
    try {
      const docs = await listDocs<ServiceBody>(this.deps.server, SERVICE_DOCUMENT);
      ids = docs.filter((d) => d.body.state !== S.DONE || d.body.delete_when_done).map((d) => d.obj.id);
    } catch (err) {
      this.deps.log(`cannot list services: ${(err as Error).message}`);
      return;
    }
    for (const id of ids) {
      if (this.stopped) return;
      try {
        await this.withLock(id, () => this.step(id));
      } catch (err) {
        this.deps.log(`service ${id}: ${(err as Error).message}`);
      }
    }
  }

  /** Moves one service on; writes its document back only when something changed. */
  private async step(id: number): Promise<void> {
    const server = this.deps.server;
    let doc;
    try {
      doc = await readDoc<ServiceBody>(server, id, SERVICE_DOCUMENT, 'Service');
    } catch (err) {
      if (err instanceof OneError && err.code === OneErrorCode.NO_EXISTS) return;
      throw err;
    }
    const body = doc.body;
    const before = JSON.stringify(body);
    const one = await this.deps.owner(doc.obj.uname).catch((err: Error) => {
      this.deps.log(`service ${id}: cannot act as its owner ${doc.obj.uname} (${err.message}); acting as the server's account`);
      return server;
    });
    const vms = await this.vmIndex(one, body);
    await this.advance(id, doc.obj.name, body, one, vms);
    if (body.state === S.DONE && body.delete_when_done) {
      await server.documents.delete(id);
      this.deps.log(`service ${id} undeployed and deleted`);
      return;
    }
    if (JSON.stringify(body) !== before) await writeBody(server, id, body);
  }

  private async vmIndex(one: Oca, body: ServiceBody): Promise<VmIndex> {
    const ids = body.roles.flatMap((r) => [...nodesOf(r).map((n) => n.deploy_id), ...((r.disposed_nodes as number[] | undefined) ?? [])]);
    if (ids.length === 0) return new Map();
    const vms = await one.vms.infoSet(ids, true);
    return new Map(vms.map((v) => [v.id, v]));
  }

  private async advance(id: number, name: string, body: ServiceBody, one: Oca, vms: VmIndex): Promise<void> {
    switch (body.state) {
      case S.PENDING:
        setState(body, S.DEPLOYING);
        return this.deploy(id, name, body, one, vms);
      case S.DEPLOYING:
        return this.deploy(id, name, body, one, vms);
      case S.SCALING:
        return this.scale(id, name, body, one, vms);
      case S.COOLDOWN:
        return this.cooldown(body);
      case S.RUNNING:
      case S.WARNING:
        this.health(body, vms);
        return this.elasticity(body, vms);
      case S.UNDEPLOYING:
        return this.undeploy(body, one, vms);
      default:
        return;
    }
  }

  private async deploy(id: number, name: string, body: ServiceBody, one: Oca, vms: VmIndex): Promise<void> {
    const roles = deploymentOrder(body.roles);
    const byName = new Map(roles.map((r) => [r.name, r]));
    for (const role of roles) {
      if (role.state === S.PENDING) {
        const ready = body.deployment === 'none' || (role.parents ?? []).every((p) => byName.get(p)?.state === S.RUNNING);
        if (!ready) continue;
        setRoleState(body, role, S.DEPLOYING);
        const failure = await this.createVms(id, name, body, role, one, false);
        if (failure) return this.fail(body, role, S.FAILED_DEPLOYING, failure);
        // The new VMs are not in this pass's view of oned: the next pass looks at them.
        continue;
      }
      if (role.state === S.DEPLOYING) {
        const failed = failedNode(role, vms);
        if (failed) return this.fail(body, role, S.FAILED_DEPLOYING, failed);
        if (nodesOf(role).length >= role.cardinality && allRunning(role, body, vms)) setRoleState(body, role, S.RUNNING);
      }
    }
    if (body.roles.every((r) => r.state === S.RUNNING)) setState(body, S.RUNNING);
  }

  private fail(body: ServiceBody, role: RoleBody, state: number, reason: string): void {
    addLog(body, `Role ${role.name}: ${reason}`, 'E');
    setRoleState(body, role, state);
    setState(body, state);
  }

  /** Creates the VMs the role lacks; the reason of a failure, or undefined. */
  private async createVms(id: number, service: string, body: ServiceBody, role: RoleBody, one: Oca, scaleUp: boolean): Promise<string | undefined> {
    const missing = role.cardinality - nodesOf(role).length;
    if (missing <= 0) return undefined;
    const extra = `${role.vm_template_contents ?? ''}\nSERVICE_ID = "${id}"\nROLE_NAME = "${role.name}"\n`;
    for (let i = 0; i < missing; i++) {
      const n = (role.last_vmname ??= 0);
      const vmName = this.deps.config.vm_name_template
        .replaceAll('$SERVICE_ID', String(id))
        .replaceAll('$SERVICE_NAME', service)
        .replaceAll('$ROLE_NAME', role.name)
        .replaceAll('$VM_NUMBER', String(n));
      role.last_vmname = n + 1;
      try {
        const vmId = await one.templates.instantiate(role.vm_template, vmName, role.on_hold === true || body.on_hold === true, extra);
        nodesOf(role).push({ deploy_id: vmId, vm_info: { VM: { ID: String(vmId), NAME: vmName } }, ...(scaleUp ? { scale_up: true } : {}) });
        addLog(body, `Role ${role.name}: VM ${vmId} (${vmName}) created`, 'D');
      } catch (err) {
        return `cannot instantiate VM template ${role.vm_template}: ${(err as Error).message}`;
      }
    }
    return undefined;
  }

  private async scale(id: number, name: string, body: ServiceBody, one: Oca, vms: VmIndex): Promise<void> {
    for (const role of body.roles) {
      if (role.state !== S.SCALING) continue;
      const nodes = nodesOf(role);
      if (nodes.length < role.cardinality) {
        const failure = await this.createVms(id, name, body, role, one, true);
        if (failure) return this.fail(body, role, S.FAILED_SCALING, failure);
        continue;
      } else if (nodes.length > role.cardinality) {
        const surplus = nodes.splice(role.cardinality);
        const disposed = ((role.disposed_nodes as number[] | undefined) ??= []);
        for (const n of surplus) {
          const why = await this.remove(one, n.deploy_id, shutdownAction(role, body, this.deps.config));
          if (why) {
            nodes.push(n);
            return this.fail(body, role, S.FAILED_SCALING, why);
          }
          disposed.push(n.deploy_id);
          addLog(body, `Role ${role.name}: VM ${n.deploy_id} removed`, 'D');
        }
      }
      const failed = failedNode(role, vms);
      if (failed) return this.fail(body, role, S.FAILED_SCALING, failed);
      const disposed = (role.disposed_nodes as number[] | undefined) ?? [];
      const gone = disposed.every((vm) => isGone(vms.get(vm)));
      if (nodes.length === role.cardinality && gone && allRunning(role, body, vms)) {
        delete role.disposed_nodes;
        for (const n of nodes) delete n.scale_up;
        const seconds = typeof role.pending_cooldown === 'number' ? role.pending_cooldown : (role.cooldown ?? this.deps.config.default_cooldown);
        delete role.pending_cooldown;
        role.cooldown_end = Math.floor(Date.now() / 1000) + seconds;
        setRoleState(body, role, S.COOLDOWN);
      }
    }
    if (!body.roles.some((r) => r.state === S.SCALING)) {
      setState(body, S.COOLDOWN);
      this.cooldown(body);
    }
  }

  private cooldown(body: ServiceBody): void {
    const now = Math.floor(Date.now() / 1000);
    for (const role of body.roles) {
      if (role.state === S.COOLDOWN && (role.cooldown_end ?? 0) <= now) {
        delete role.cooldown_end;
        setRoleState(body, role, S.RUNNING);
      }
    }
    if (!body.roles.some((r) => r.state === S.COOLDOWN)) setState(body, S.RUNNING);
  }

  /** RUNNING while every VM runs; WARNING while some VM failed or went away (and back). */
  private health(body: ServiceBody, vms: VmIndex): void {
    const bad = body.roles.flatMap((r) => nodesOf(r).filter((n) => vmFailed(vms.get(n.deploy_id))).map((n) => n.deploy_id));
    if (bad.length && body.state === S.RUNNING) {
      addLog(body, `VMs ${bad.join(', ')} failed or were deleted`, 'E');
      setState(body, S.WARNING);
    } else if (!bad.length && body.state === S.WARNING) setState(body, S.RUNNING);
  }

  /** Evaluates each role's policies whose period is due; scales at most one role per pass. */
  private elasticity(body: ServiceBody, vms: VmIndex): void {
    if (body.state !== S.RUNNING) return;
    const now = Math.floor(Date.now() / 1000);
    for (const role of body.roles) {
      if (role.state !== S.RUNNING) continue;
      for (const p of role.elasticity_policies ?? []) {
        const period = p.period ?? 60;
        if (p.last_eval !== undefined && now - p.last_eval < period) continue;
        p.last_eval = now;
        const running = nodesOf(role).map((n) => vms.get(n.deploy_id)).filter((v): v is VirtualMachine => !!v && v.state === VM_ACTIVE && v.lcmState === LCM_RUNNING);
        const result = evaluate(parseExpression(p.expression), (attr) => average(running, attr));
        p.expression_evaluated = result.shown;
        p.true_evals = result.value ? (p.true_evals ?? 0) + 1 : 0;
        if (p.true_evals < (p.period_number ?? 1)) continue;
        p.true_evals = 0;
        const target = policyTarget(role, p.type, p.adjust, p.min_adjust_step);
        if (target === role.cardinality) continue;
        addLog(body, `Role ${role.name} scaling ${target > role.cardinality ? 'up' : 'down'} from ${role.cardinality} to ${target} nodes (${result.shown})`);
        role.cardinality = target;
        if (p.cooldown !== undefined) role.pending_cooldown = p.cooldown;
        setRoleState(body, role, S.SCALING);
        setState(body, S.SCALING);
        return;
      }
    }
  }

  private async undeploy(body: ServiceBody, one: Oca, vms: VmIndex): Promise<void> {
    const order = deploymentOrder(body.roles).reverse();
    for (const role of order) {
      if (role.state === S.DONE) continue;
      if (role.state !== S.UNDEPLOYING) {
        const childrenDone = body.deployment === 'none' || body.roles.every((r) => !(r.parents ?? []).includes(role.name) || r.state === S.DONE);
        if (!childrenDone) continue;
        setRoleState(body, role, S.UNDEPLOYING);
        for (const n of nodesOf(role)) {
          if (isGone(vms.get(n.deploy_id))) continue;
          const why = await this.remove(one, n.deploy_id, shutdownAction(role, body, this.deps.config));
          if (why) return this.fail(body, role, S.FAILED_UNDEPLOYING, why);
        }
      }
      const all = [...nodesOf(role).map((n) => n.deploy_id), ...((role.disposed_nodes as number[] | undefined) ?? [])];
      if (all.every((vm) => isGone(vms.get(vm)))) {
        role.nodes = [];
        delete role.disposed_nodes;
        setRoleState(body, role, S.DONE);
      }
    }
    if (body.roles.every((r) => r.state === S.DONE)) setState(body, S.DONE);
  }

  /** Terminates a VM (the hard way when the soft one is refused); the reason of a failure, or undefined. */
  private async remove(one: Oca, vm: number, action: string): Promise<string | undefined> {
    try {
      await one.vms.action(action, vm);
      return undefined;
    } catch (err) {
      if (err instanceof OneError && err.code === OneErrorCode.NO_EXISTS) return undefined;
      if (action !== 'terminate-hard') {
        try {
          await one.vms.action('terminate-hard', vm);
          return undefined;
        } catch {
          /* the first reason is the one to show */
        }
      }
      return `cannot terminate VM ${vm}: ${(err as Error).message}`;
    }
  }
}

export function setState(body: ServiceBody, state: number): void {
  if (body.state === state) return;
  body.state = state;
  addLog(body, `New state: ${serviceStateName(state)}`);
}

export function setRoleState(body: ServiceBody, role: RoleBody, state: number): void {
  if (role.state === state) return;
  role.state = state;
  if (state === S.SCALING) for (const p of role.elasticity_policies ?? []) delete p.true_evals;
  addLog(body, `Role ${role.name}: new state ${roleStateName(state)}`);
}

function shutdownAction(role: RoleBody, body: ServiceBody, config: FlowConfig): string {
  const a = role.shutdown_action ?? body.shutdown_action ?? config.shutdown_action;
  return a.startsWith('shutdown') ? a.replace('shutdown', 'terminate') : a;
}

/** A VM that failed or is gone (deleted, DONE). */
export function vmFailed(vm: VirtualMachine | undefined): boolean {
  return isGone(vm) || (vm!.state === VM_ACTIVE && LCM_FAILURES.has(vm!.lcmState));
}

function isGone(vm: VirtualMachine | undefined): boolean {
  return !vm || vm.state === VM_DONE;
}

function isRunning(vm: VirtualMachine | undefined, gate: boolean): boolean {
  if (!vm || vm.state !== VM_ACTIVE || vm.lcmState !== LCM_RUNNING) return false;
  return !gate || vm.get('USER_TEMPLATE/READY').toUpperCase() === 'YES';
}

function allRunning(role: RoleBody, body: ServiceBody, vms: VmIndex): boolean {
  return nodesOf(role).every((n) => isRunning(vms.get(n.deploy_id), body.ready_status_gate === true));
}

/** Why a node of the role failed ('' when none did). */
function failedNode(role: RoleBody, vms: VmIndex): string {
  for (const n of nodesOf(role)) {
    const vm = vms.get(n.deploy_id);
    if (!vm || vm.state === VM_DONE) return `VM ${n.deploy_id} was deleted`;
    if (vm.state === VM_ACTIVE && LCM_FAILURES.has(vm.lcmState)) return `VM ${n.deploy_id} failed (LCM_STATE ${vm.lcmState})`;
  }
  return '';
}

/** The average of an attribute over VMs: USER_TEMPLATE, MONITORING, TEMPLATE, then the VM itself. */
export function average(vms: readonly VirtualMachine[], attr: string): number | undefined {
  const values: number[] = [];
  for (const vm of vms) {
    for (const path of [`USER_TEMPLATE/${attr}`, `MONITORING/${attr}`, `TEMPLATE/${attr}`, attr]) {
      const text = vm.get(path);
      if (text === '') continue;
      const v = Number(text);
      if (Number.isFinite(v)) values.push(v);
      break;
    }
  }
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : undefined;
}

/** The cardinality a policy asks for, within the role's min_vms and max_vms. */
export function policyTarget(role: Pick<RoleBody, 'cardinality' | 'min_vms' | 'max_vms'>, type: string, adjust: number, minStep?: number): number {
  const card = role.cardinality;
  let target: number;
  if (type === 'CARDINALITY') target = adjust;
  else if (type === 'PERCENTAGE_CHANGE') {
    let delta = Math.trunc((card * adjust) / 100);
    if (minStep && Math.abs(delta) < minStep) delta = Math.sign(adjust) * minStep;
    target = card + delta;
  } else target = card + adjust;
  const min = role.min_vms ?? 0;
  const max = role.max_vms ?? Number.MAX_SAFE_INTEGER;
  return Math.max(min, Math.min(max, target));
}
