/**
 * What the REST side does to services beyond reading them: instantiate a template, scale a
 * role, recover, undeploy (shutdown) and delete, change owner, permissions and name. Each runs as
 * the requesting user (oned authorizes every read and write of the document and every VM call)
 * and under the engine's lock of the service; checks come first, so a refused request changes
 * nothing.
 */
import type { Oca } from '../oca/index.js';
import { OneError } from '../oca/index.js';
import type { ServiceEngine } from './engine.js';
import { setRoleState, setState, vmFailed } from './engine.js';
import { HttpError } from './errors.js';
import { addLog, nodesOf, S, SERVICE_DOCUMENT, serviceStateName, type ServiceBody, type TemplateBody } from './model.js';
import { createDoc, readDoc, writeBody } from './store.js';
import { templateOnly, validateTemplate, ValidationError } from './validate.js';

type Params = Record<string, unknown>;

function refuse(body: ServiceBody, what: string): never {
  throw new HttpError(405, `${what}: wrong state ${serviceStateName(body.state)}`);
}

/** Reads, changes and writes a service as `one`, under the engine's lock; then wakes the engine. */
export async function changeService(engine: ServiceEngine, one: Oca, id: number, change: (body: ServiceBody) => void | Promise<void>): Promise<void> {
  await engine.withLock(id, async () => {
    const { body } = await readDoc<ServiceBody>(one, id, SERVICE_DOCUMENT, 'Service');
    await change(body);
    await writeBody(one, id, body);
  });
  engine.kick();
}

/** A new service from a template body (already read as the user), merged with `merge`. */
export async function instantiate(one: Oca, templateId: number, template: TemplateBody, merge: unknown): Promise<number> {
  if (merge !== undefined && (typeof merge !== 'object' || merge === null || Array.isArray(merge))) throw new HttpError(400, 'merge_template must be a JSON object');
  const m = (merge ?? {}) as Params;
  const merged: Params = { ...templateOnly(template), ...m };
  if (Array.isArray(m.roles)) {
    // Roles of merge_template change the template's roles of the same name.
    const byName = new Map((m.roles as Params[]).map((r) => [r.name, r]));
    merged.roles = template.roles.map((r) => ({ ...r, ...(byName.get(r.name) ?? {}) }));
  }
  let checked: TemplateBody;
  try {
    checked = validateTemplate(structuredClone(merged));
  } catch (err) {
    if (err instanceof ValidationError) throw new HttpError(400, err.message);
    throw err;
  }
  const now = Math.floor(Date.now() / 1000);
  const body: ServiceBody = {
    ...checked,
    state: S.PENDING,
    start_time: now,
    template_id: templateId,
    log: [],
    roles: checked.roles.map((r) => ({ ...r, state: S.PENDING, nodes: [], last_vmname: 0 })),
  };
  const base = typeof m.name === 'string' && m.name !== '' ? m.name : template.name;
  addLog(body, `New state: PENDING (from service template ${templateId})`);
  for (let i = 0; ; i++) {
    const name = i === 0 ? base : `${base}-${i}`;
    try {
      return await createDoc(one, SERVICE_DOCUMENT, name, { ...body, name });
    } catch (err) {
      if (!(err instanceof OneError && /already taken/i.test(err.message)) || i >= 50) throw err;
    }
  }
}

/** `scale`: a role to `cardinality` VMs (min_vms/max_vms hold unless `force`). */
export function scale(body: ServiceBody, roleName: unknown, cardinality: unknown, force: boolean): void {
  if (typeof roleName !== 'string') throw new HttpError(400, 'role_name must be given');
  const role = body.roles.find((r) => r.name === roleName);
  if (!role) throw new HttpError(400, `Role "${roleName}" does not exist in the service`);
  const n = typeof cardinality === 'string' && /^\d+$/.test(cardinality) ? Number(cardinality) : cardinality;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw new HttpError(400, `cardinality must be a whole number, not ${JSON.stringify(cardinality)}`);
  if (!force && role.min_vms !== undefined && n < role.min_vms) throw new HttpError(400, `Role ${role.name}: the cardinality ${n} is below min_vms ${role.min_vms}`);
  if (!force && role.max_vms !== undefined && n > role.max_vms) throw new HttpError(400, `Role ${role.name}: the cardinality ${n} is above max_vms ${role.max_vms}`);
  if (body.state !== S.RUNNING && !(force && body.state === S.COOLDOWN)) refuse(body, 'Scale');
  if (n === role.cardinality) return;
  addLog(body, `Role ${role.name} scaling ${n > role.cardinality ? 'up' : 'down'} from ${role.cardinality} to ${n} nodes`);
  role.cardinality = n;
  setRoleState(body, role, S.SCALING);
  setState(body, S.SCALING);
}

/** `shutdown` (and DELETE, which also removes the document once DONE): VMs go, children first. */
export function undeploy(body: ServiceBody, deleteAfter: boolean): void {
  if (body.state === S.DONE) {
    if (deleteAfter) body.delete_when_done = true;
    else refuse(body, 'Undeploy');
    return;
  }
  if (body.state === S.UNDEPLOYING) {
    if (deleteAfter) body.delete_when_done = true;
    return;
  }
  if (deleteAfter) body.delete_when_done = true;
  setState(body, S.UNDEPLOYING);
}

/** `recover`: a failed step is tried again (failed VMs are dropped first); `delete` undeploys whatever the state. */
export async function recover(one: Oca, body: ServiceBody, del: boolean): Promise<void> {
  if (del) {
    body.delete_when_done = true;
    for (const r of body.roles) if (r.state !== S.DONE) r.state = S.RUNNING;
    setState(body, S.UNDEPLOYING);
    return;
  }
  const dropFailed = async (state: number, next: number) => {
    for (const role of body.roles) {
      if (role.state !== state) continue;
      const vms = nodesOf(role).map((n) => n.deploy_id);
      const alive = vms.length ? await one.vms.infoSet(vms, false) : [];
      const ok = new Set(alive.filter((v) => !vmFailed(v)).map((v) => v.id));
      for (const n of nodesOf(role)) if (!ok.has(n.deploy_id)) await one.vms.action('terminate-hard', n.deploy_id).catch(() => undefined);
      role.nodes = nodesOf(role).filter((n) => ok.has(n.deploy_id));
      setRoleState(body, role, next);
    }
  };
  switch (body.state) {
    case S.FAILED_DEPLOYING:
      await dropFailed(S.FAILED_DEPLOYING, S.PENDING);
      return setState(body, S.DEPLOYING);
    case S.FAILED_SCALING:
      await dropFailed(S.FAILED_SCALING, S.SCALING);
      return setState(body, S.SCALING);
    case S.FAILED_UNDEPLOYING:
      for (const r of body.roles) if (r.state === S.FAILED_UNDEPLOYING) setRoleState(body, r, S.RUNNING);
      return setState(body, S.UNDEPLOYING);
    case S.COOLDOWN:
      for (const r of body.roles) if (r.state === S.COOLDOWN) setRoleState(body, r, S.RUNNING);
      return setState(body, S.RUNNING);
    case S.WARNING:
      await dropFailed(S.RUNNING, S.SCALING);
      return setState(body, S.SCALING);
    default:
      refuse(body, 'Recover');
  }
}

/** The VM ids of a service. */
export function serviceVms(body: ServiceBody): number[] {
  return body.roles.flatMap((r) => nodesOf(r).map((n) => n.deploy_id));
}
