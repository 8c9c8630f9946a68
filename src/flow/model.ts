/**
 * What OneFlow keeps in oned: service templates and services are documents (TYPE 101 and 100,
 * as OpenNebula's OneFlow) whose TEMPLATE/BODY is JSON. These are the shapes of those bodies,
 * the state numbers of services and roles, and small readers shared by the server and the CLI.
 */

/** Document types (`one.document.allocate(template, type)`). */
export const SERVICE_DOCUMENT = 100;
export const TEMPLATE_DOCUMENT = 101;

/** Service states, by number (OneFlow's). */
export const SERVICE_STATES = [
  'PENDING', 'DEPLOYING', 'RUNNING', 'UNDEPLOYING', 'WARNING', 'DONE', 'FAILED_UNDEPLOYING', 'FAILED_DEPLOYING',
  'SCALING', 'FAILED_SCALING', 'COOLDOWN', 'DEPLOYING_NETS', 'UNDEPLOYING_NETS', 'FAILED_DEPLOYING_NETS', 'FAILED_UNDEPLOYING_NETS', 'HOLD',
] as const;
/** Role states, by number (OneFlow's). */
export const ROLE_STATES = [
  'PENDING', 'DEPLOYING', 'RUNNING', 'UNDEPLOYING', 'WARNING', 'DONE', 'FAILED_UNDEPLOYING', 'FAILED_DEPLOYING',
  'SCALING', 'FAILED_SCALING', 'COOLDOWN', 'HOLD',
] as const;

export type StateName = (typeof SERVICE_STATES)[number];

/** The number of a state name (the same for services and roles where both have it). */
export const S = Object.fromEntries(SERVICE_STATES.map((n, i) => [n, i])) as Record<StateName, number>;

export function serviceStateName(n: number): string {
  return SERVICE_STATES[n] ?? String(n);
}
export function roleStateName(n: number): string {
  return ROLE_STATES[n] ?? String(n);
}

export interface ElasticityPolicy {
  type: 'CHANGE' | 'CARDINALITY' | 'PERCENTAGE_CHANGE';
  adjust: number;
  min_adjust_step?: number;
  expression: string;
  /** Consecutive true evaluations before scaling (default 1). */
  period_number?: number;
  /** Seconds between evaluations (default 60). */
  period?: number;
  cooldown?: number;
  /** Kept by the engine: evaluations in a row that held, and when the last one ran (epoch s). */
  true_evals?: number;
  last_eval?: number;
  /** Kept by the engine: the expression with the values it saw, as OneFlow shows it. */
  expression_evaluated?: string;
}

export interface RoleNode {
  deploy_id: number;
  vm_info?: { VM: Record<string, string> };
  /** Set on nodes a scale-up made until they run. */
  scale_up?: boolean;
}

export interface RoleBody {
  name: string;
  cardinality: number;
  vm_template: number;
  vm_template_contents?: string;
  parents?: string[];
  min_vms?: number;
  max_vms?: number;
  cooldown?: number;
  shutdown_action?: string;
  elasticity_policies?: ElasticityPolicy[];
  scheduled_policies?: unknown[];
  /** Service only. */
  state?: number;
  nodes?: RoleNode[];
  last_vmname?: number;
  /** Epoch seconds when the role's cooldown ends. */
  cooldown_end?: number;
  [key: string]: unknown;
}

export interface LogEntry {
  timestamp: number;
  severity: 'I' | 'E' | 'D';
  message: string;
}

export interface TemplateBody {
  name: string;
  description?: string;
  deployment: 'straight' | 'none';
  shutdown_action?: string;
  ready_status_gate?: boolean;
  on_hold?: boolean;
  automatic_deletion?: boolean;
  roles: RoleBody[];
  [key: string]: unknown;
}

export interface ServiceBody extends TemplateBody {
  state: number;
  start_time: number;
  log: LogEntry[];
  /** The template the service was made from. */
  template_id?: number;
  /** Set by DELETE: the document goes once the service is DONE. */
  delete_when_done?: boolean;
}

/** The most log entries a service keeps (OneFlow keeps 50). */
export const MAX_LOG = 50;

export function addLog(body: ServiceBody, message: string, severity: LogEntry['severity'] = 'I', now = Date.now()): void {
  body.log ??= [];
  body.log.push({ timestamp: Math.floor(now / 1000), severity, message });
  if (body.log.length > MAX_LOG) body.log.splice(0, body.log.length - MAX_LOG);
}

/** The role's nodes (its VMs), made present. */
export function nodesOf(role: RoleBody): RoleNode[] {
  return (role.nodes ??= []);
}
