/**
 * occi-server's configuration: `$ONE_LOCATION/etc/occi-server.conf` (YAML; keys with or without
 * OpenNebula's leading colon), then the command line. Every key has a default.
 *
 *     :host: 127.0.0.1
 *     :port: 4568
 *     :one_xmlrpc: http://localhost:2633/RPC2   # default: ONE_XMLRPC
 *     :datastore_id: 1          # where /storage creates images
 *     :tmpdir: /var/tmp/nebula-occi   # uploaded files wait here for the datastore driver
 *     :vn_mad: dummy            # network driver and bridge of networks made through /network
 *     :bridge: br0
 *     :ssl_cert: /path/cert.pem # both given: the server speaks HTTPS
 *     :ssl_key: /path/key.pem
 *     :instance_types:
 *       :small:  { :cpu: 1, :memory: 1024 }
 *       :medium: { :cpu: 4, :memory: 4096 }
 *       :large:  { :cpu: 8, :memory: 8192 }
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

export interface InstanceType {
  readonly name: string;
  /** CPU share (OpenNebula's CPU). */
  readonly cpu: number;
  /** Virtual CPUs (default: CPU rounded up). */
  readonly vcpu: number;
  /** MB. */
  readonly memory: number;
  readonly description: string;
}

export interface OcciConfig {
  host: string;
  port: number;
  one_xmlrpc?: string;
  datastore_id: number;
  tmpdir: string;
  vn_mad: string;
  bridge: string;
  ssl_cert?: string;
  ssl_key?: string;
  instance_types: InstanceType[];
}

function type(name: string, cpu: number, memory: number): InstanceType {
  return { name, cpu, vcpu: Math.ceil(cpu), memory, description: `${cpu} CPU, ${memory} MB` };
}

export const DEFAULT_INSTANCE_TYPES: readonly InstanceType[] = [type('small', 1, 1024), type('medium', 4, 4096), type('large', 8, 8192)];

export function defaults(): OcciConfig {
  return {
    host: '127.0.0.1',
    port: 4568,
    datastore_id: 1,
    tmpdir: '/var/tmp/nebula-occi',
    vn_mad: 'dummy',
    bridge: 'br0',
    instance_types: [...DEFAULT_INSTANCE_TYPES],
  };
}

export class ConfigError extends Error {}

export function configPath(oneLocation: string): string {
  return join(oneLocation, 'etc', 'occi-server.conf');
}

/** `{":cpu": 1}` → `{cpu: 1}`, at every level. */
function uncolon(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(uncolon);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k.replace(/^:/, ''), uncolon(x)]));
  return v;
}

const STRINGS = ['host', 'one_xmlrpc', 'tmpdir', 'vn_mad', 'bridge', 'ssl_cert', 'ssl_key'] as const;

function positive(file: string, what: string, v: unknown): number {
  if (typeof v !== 'number' || !(v > 0)) throw new ConfigError(`${file}: ${what} must be a positive number, not ${JSON.stringify(v)}`);
  return v;
}

function instanceTypes(file: string, raw: unknown): InstanceType[] {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(`${file}: instance_types must map type names to { cpu, memory }`);
  const out: InstanceType[] = [];
  for (const [name, spec] of Object.entries(raw as Record<string, unknown>)) {
    if (!/^[a-z][a-z0-9_.-]*$/.test(name)) throw new ConfigError(`${file}: instance type name "${name}" must be lowercase letters, digits, _ . or -, starting with a letter`);
    if (!spec || typeof spec !== 'object') throw new ConfigError(`${file}: instance type ${name} must be a mapping with cpu and memory`);
    const s = spec as Record<string, unknown>;
    const cpu = positive(file, `instance_types.${name}.cpu`, s.cpu);
    const memory = positive(file, `instance_types.${name}.memory`, s.memory);
    const vcpu = s.vcpu === undefined ? Math.ceil(cpu) : positive(file, `instance_types.${name}.vcpu`, s.vcpu);
    const description = typeof s.description === 'string' ? s.description : `${cpu} CPU, ${memory} MB`;
    out.push({ name, cpu, vcpu, memory, description });
  }
  if (out.length === 0) throw new ConfigError(`${file}: instance_types must name at least one type`);
  return out;
}

/** Reads the conf file (if any) over the defaults, checking each value. */
export function loadConfig(file: string | undefined): OcciConfig {
  const conf = defaults();
  if (!file || !existsSync(file)) return conf;
  let raw: unknown;
  try {
    raw = uncolon(parse(readFileSync(file, 'utf8')));
  } catch (err) {
    throw new ConfigError(`${file}: not valid YAML: ${(err as Error).message}`);
  }
  if (raw == null) return conf;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(`${file}: expected a mapping of keys to values`);
  for (const [k, value] of Object.entries(raw as Record<string, unknown>)) {
    if ((STRINGS as readonly string[]).includes(k)) {
      if (typeof value !== 'string' || value === '') throw new ConfigError(`${file}: ${k} must be a non-empty string`);
      (conf as unknown as Record<string, unknown>)[k] = value;
    } else if (k === 'port') {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 65535) throw new ConfigError(`${file}: port must be a port number (0-65535), not ${JSON.stringify(value)}`);
      conf.port = value;
    } else if (k === 'datastore_id') {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw new ConfigError(`${file}: datastore_id must be a datastore id, not ${JSON.stringify(value)}`);
      conf.datastore_id = value;
    } else if (k === 'instance_types') {
      conf.instance_types = instanceTypes(file, value);
    } else throw new ConfigError(`${file}: unknown key "${k}" (known: ${[...STRINGS, 'port', 'datastore_id', 'instance_types'].join(', ')})`);
  }
  if (Boolean(conf.ssl_cert) !== Boolean(conf.ssl_key)) throw new ConfigError(`${file}: ssl_cert and ssl_key go together: give both for HTTPS, or neither`);
  return conf;
}
