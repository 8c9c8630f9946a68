/**
 * Checks a service template body before anything is stored or created: its shape (OneFlow's
 * schema: name, deployment, roles with name, cardinality, vm_template, parents, min_vms,
 * max_vms, cooldown, elasticity policies), role names unique, parents known and without
 * cycles, cardinality within min/max, elasticity expressions that parse. Every problem is a
 * ValidationError (HTTP 400) naming the field.
 */
import { ExpressionError, parseExpression } from './expression.js';
import type { ElasticityPolicy, RoleBody, TemplateBody } from './model.js';

export class ValidationError extends Error {}

const POLICY_TYPES = ['CHANGE', 'CARDINALITY', 'PERCENTAGE_CHANGE'];
const SHUTDOWN_ACTIONS = ['terminate', 'terminate-hard', 'shutdown', 'shutdown-hard'];
/** Role names end up in VM names and URLs: words, dashes and dots. */
const ROLE_NAME = /^[\w.-]+$/;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function wholeNumber(v: unknown, where: string, min = 0): number {
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min) throw new ValidationError(`${where} must be a whole number${min > 0 ? ` of at least ${min}` : ''}, not ${JSON.stringify(v)}`);
  return n;
}

function optionalWhole(o: Record<string, unknown>, key: string, where: string, min = 0): void {
  if (o[key] !== undefined && o[key] !== null) o[key] = wholeNumber(o[key], `${where}/${key}`, min);
}

function policy(p: unknown, where: string): ElasticityPolicy {
  if (!isObject(p)) throw new ValidationError(`${where} must be an object`);
  if (typeof p.type !== 'string' || !POLICY_TYPES.includes(p.type.toUpperCase())) throw new ValidationError(`${where}/type must be one of ${POLICY_TYPES.join(', ')}, not ${JSON.stringify(p.type)}`);
  p.type = p.type.toUpperCase();
  const adjust = typeof p.adjust === 'string' && /^-?\d+$/.test(p.adjust) ? Number(p.adjust) : p.adjust;
  if (typeof adjust !== 'number' || !Number.isInteger(adjust)) throw new ValidationError(`${where}/adjust must be a whole number, not ${JSON.stringify(p.adjust)}`);
  p.adjust = adjust;
  if (typeof p.expression !== 'string') throw new ValidationError(`${where}/expression must be a string such as "CPU > 80"`);
  try {
    parseExpression(p.expression);
  } catch (err) {
    if (err instanceof ExpressionError) throw new ValidationError(`${where}/expression "${p.expression}": ${err.message}`);
    throw err;
  }
  optionalWhole(p, 'period_number', where, 1);
  optionalWhole(p, 'period', where, 1);
  optionalWhole(p, 'cooldown', where);
  optionalWhole(p, 'min_adjust_step', where, 1);
  return p as unknown as ElasticityPolicy;
}

function role(r: unknown, i: number): RoleBody {
  const where = `roles[${i}]`;
  if (!isObject(r)) throw new ValidationError(`${where} must be an object`);
  if (typeof r.name !== 'string' || !ROLE_NAME.test(r.name)) throw new ValidationError(`${where}/name must be a name of letters, digits, "_", "-" or ".", not ${JSON.stringify(r.name)}`);
  const at = `role ${r.name}`;
  r.cardinality = r.cardinality === undefined ? 1 : wholeNumber(r.cardinality, `${at}: cardinality`);
  r.vm_template = wholeNumber(r.vm_template ?? r.template_id, `${at}: vm_template`);
  if (r.vm_template_contents !== undefined && typeof r.vm_template_contents !== 'string') throw new ValidationError(`${at}: vm_template_contents must be a string of template attributes`);
  if (r.parents !== undefined && (!Array.isArray(r.parents) || !r.parents.every((p) => typeof p === 'string'))) throw new ValidationError(`${at}: parents must be a list of role names`);
  optionalWhole(r, 'min_vms', at);
  optionalWhole(r, 'max_vms', at);
  optionalWhole(r, 'cooldown', at);
  const card = r.cardinality as number;
  if (typeof r.min_vms === 'number' && typeof r.max_vms === 'number' && r.min_vms > r.max_vms) throw new ValidationError(`${at}: min_vms (${r.min_vms}) is above max_vms (${r.max_vms})`);
  if (typeof r.min_vms === 'number' && card < r.min_vms) throw new ValidationError(`${at}: cardinality ${card} is below min_vms ${r.min_vms}`);
  if (typeof r.max_vms === 'number' && card > r.max_vms) throw new ValidationError(`${at}: cardinality ${card} is above max_vms ${r.max_vms}`);
  if (r.shutdown_action !== undefined && (typeof r.shutdown_action !== 'string' || !SHUTDOWN_ACTIONS.includes(r.shutdown_action))) throw new ValidationError(`${at}: shutdown_action must be one of ${SHUTDOWN_ACTIONS.join(', ')}`);
  if (r.elasticity_policies !== undefined) {
    if (!Array.isArray(r.elasticity_policies)) throw new ValidationError(`${at}: elasticity_policies must be a list`);
    r.elasticity_policies.forEach((p, j) => policy(p, `${at}: elasticity_policies[${j}]`));
  }
  if (r.scheduled_policies !== undefined && !Array.isArray(r.scheduled_policies)) throw new ValidationError(`${at}: scheduled_policies must be a list`);
  return r as unknown as RoleBody;
}

/**
 * The roles in deployment order (parents before children); a parent that is not a role, a role
 * that is its own parent or a cycle is a ValidationError naming the roles involved.
 */
export function deploymentOrder(roles: readonly RoleBody[]): RoleBody[] {
  const byName = new Map(roles.map((r) => [r.name, r]));
  for (const r of roles) {
    for (const p of r.parents ?? []) {
      if (!byName.has(p)) throw new ValidationError(`role ${r.name}: parent role "${p}" does not exist`);
      if (p === r.name) throw new ValidationError(`role ${r.name} cannot be its own parent`);
    }
  }
  const order: RoleBody[] = [];
  const mark = new Map<string, 'visiting' | 'done'>();
  const visit = (r: RoleBody, path: string[]) => {
    const m = mark.get(r.name);
    if (m === 'done') return;
    if (m === 'visiting') {
      const cycle = [...path.slice(path.indexOf(r.name)), r.name];
      throw new ValidationError(`the roles' parents make a cycle: ${cycle.join(' -> ')}`);
    }
    mark.set(r.name, 'visiting');
    for (const p of r.parents ?? []) visit(byName.get(p)!, [...path, r.name]);
    mark.set(r.name, 'done');
    order.push(r);
  };
  for (const r of roles) visit(r, []);
  return order;
}

/** Checks (and normalizes: numbers from strings, defaults) a template body; throws ValidationError. */
export function validateTemplate(body: unknown): TemplateBody {
  if (!isObject(body)) throw new ValidationError('The service template must be a JSON object');
  if (typeof body.name !== 'string' || body.name.trim() === '') throw new ValidationError('name must be a non-empty string');
  body.deployment ??= 'none';
  if (body.deployment !== 'straight' && body.deployment !== 'none') throw new ValidationError(`deployment must be "straight" or "none", not ${JSON.stringify(body.deployment)}`);
  if (body.shutdown_action !== undefined && (typeof body.shutdown_action !== 'string' || !SHUTDOWN_ACTIONS.includes(body.shutdown_action))) throw new ValidationError(`shutdown_action must be one of ${SHUTDOWN_ACTIONS.join(', ')}`);
  for (const k of ['ready_status_gate', 'on_hold', 'automatic_deletion']) {
    if (body[k] !== undefined && typeof body[k] !== 'boolean') throw new ValidationError(`${k} must be true or false`);
  }
  if (!Array.isArray(body.roles) || body.roles.length === 0) throw new ValidationError('roles must be a non-empty list');
  const roles = body.roles.map(role);
  const seen = new Set<string>();
  for (const r of roles) {
    if (seen.has(r.name)) throw new ValidationError(`role name "${r.name}" is used twice`);
    seen.add(r.name);
  }
  deploymentOrder(roles);
  return body as unknown as TemplateBody;
}

/** The body as stored in a template document: what the user gave, without the engine's fields. */
export function templateOnly(body: TemplateBody): TemplateBody {
  const out: TemplateBody = { ...body, roles: body.roles.map((r) => {
    const { state: _s, nodes: _n, last_vmname: _l, cooldown_end: _c, ...rest } = r;
    return rest as RoleBody;
  }) };
  for (const k of ['state', 'start_time', 'log', 'template_id', 'delete_when_done']) delete out[k];
  return out;
}
