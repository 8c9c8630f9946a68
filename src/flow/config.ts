/**
 * oneflow-server's configuration: `$ONE_LOCATION/etc/oneflow-server.conf` (YAML, keys with or
 * without OpenNebula's leading colon), then the command line. Every key has a default.
 *
 *     :host: 127.0.0.1          # address to bind
 *     :port: 2474
 *     :one_xmlrpc: http://localhost:2633/RPC2   # default: ONE_XMLRPC
 *     :one_auth: /path/to/file  # the server's own "user:password" (default: $ONE_LOCATION/.one/oneflow_auth, else ONE_AUTH)
 *     :lcm_interval: 5          # seconds between passes of the service engine
 *     :default_cooldown: 300    # seconds a role rests after scaling, unless the role or policy says
 *     :shutdown_action: terminate   # how VMs are removed: terminate or terminate-hard
 *     :vm_name_template: '$ROLE_NAME_$VM_NUMBER_(service_$SERVICE_ID)'
 *     :token_validity: 3600     # seconds of the login tokens the server takes to act for owners
 */
import { yamlConfEntries } from '../common/yaml-conf.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export interface FlowConfig {
  host: string;
  port: number;
  one_xmlrpc?: string;
  one_auth?: string;
  lcm_interval: number;
  default_cooldown: number;
  shutdown_action: string;
  vm_name_template: string;
  token_validity: number;
}

export const DEFAULTS: FlowConfig = {
  host: '127.0.0.1',
  port: 2474,
  lcm_interval: 5,
  default_cooldown: 300,
  shutdown_action: 'terminate',
  vm_name_template: '$ROLE_NAME_$VM_NUMBER_(service_$SERVICE_ID)',
  token_validity: 3600,
};

export class ConfigError extends Error {}

export function configPath(oneLocation: string): string {
  return join(oneLocation, 'etc', 'oneflow-server.conf');
}

const STRINGS = ['host', 'one_xmlrpc', 'one_auth', 'shutdown_action', 'vm_name_template'] as const;
const NUMBERS = ['port', 'lcm_interval', 'default_cooldown', 'token_validity'] as const;

/** Reads the conf file (if any) over the defaults, checking each value. */
export function loadConfig(file: string | undefined): FlowConfig {
  const conf: FlowConfig = { ...DEFAULTS };
  if (!file || !existsSync(file)) return conf;
  for (const [k, value, key] of yamlConfEntries(file, (m) => new ConfigError(m))) {
    if ((STRINGS as readonly string[]).includes(k)) {
      if (typeof value !== 'string' || value === '') throw new ConfigError(`${file}: ${k} must be a non-empty string`);
      (conf as unknown as Record<string, unknown>)[k] = value;
    } else if ((NUMBERS as readonly string[]).includes(k)) {
      const ok = typeof value === 'number' && (k === 'default_cooldown' ? value >= 0 : value > 0) && (k !== 'port' || (Number.isInteger(value) && value < 65536));
      if (!ok) throw new ConfigError(`${file}: ${k} must be a ${k === 'default_cooldown' ? 'non-negative' : 'positive'} number${k === 'port' ? ' below 65536' : ''}, not ${JSON.stringify(value)}`);
      (conf as unknown as Record<string, unknown>)[k] = value;
    } else throw new ConfigError(`${file}: unknown key "${key}" (known: ${[...STRINGS, ...NUMBERS].join(', ')})`);
  }
  if (!['terminate', 'terminate-hard'].includes(conf.shutdown_action)) throw new ConfigError(`${file}: shutdown_action must be terminate or terminate-hard`);
  return conf;
}
