/**
 * econe-server's configuration, `econe.conf` (YAML, keys with or without OpenNebula's leading
 * colon): `$ONE_LOCATION/etc/econe.conf` when the site has one, else the shipped
 * share/etc/econe.conf; then the command line. Every key has a default (see share/etc/econe.conf
 * for each key's meaning).
 */
import { yamlConfEntries } from '../../common/yaml-conf.js';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What an EC2 instance type is made of: a VM template (by name or id) and the sizes it overrides. */
export interface InstanceType {
  /** The VM template the instances start from (name or numeric id); none: a template built from the sizes alone. */
  template?: string | number;
  cpu?: number;
  vcpu?: number;
  /** MB. */
  memory?: number;
  /** Free text shown by DescribeInstanceTypes (optional). */
  description?: string;
}

export interface EconeConfig {
  host: string;
  port: number;
  one_xmlrpc?: string;
  /** The server's own `user:password` file (default `$ONE_LOCATION/.one/ec2_auth`, else ONE_AUTH). */
  one_auth?: string;
  /** The image datastore of registered images and volumes. */
  datastore_id: number;
  /** The region name clients sign for and DescribeRegions lists. */
  region: string;
  instance_types: Record<string, InstanceType>;
  /** The type of RunInstances without InstanceType. */
  default_instance_type: string;
  /** NIC of every instance (a network id); none: the instance type's template decides. */
  network_id?: number;
  /** The network elastic IPs are leased from. */
  elasticips_vnet_id?: number;
  associate_script?: string;
  disassociate_script?: string;
  /** File system of new volumes (CreateVolume). */
  ebs_fstype: string;
  /** HTTPS: PEM certificate and key files. */
  ssl_cert?: string;
  ssl_key?: string;
  /** The largest form body accepted, in bytes (larger: 413). */
  max_body_size: number;
  /** The largest multipart upload (UploadImage), in bytes. */
  max_upload_size: number;
  /** Largest allowed clock difference of a signed request, seconds. */
  max_clock_skew: number;
}

export const DEFAULT_INSTANCE_TYPES: Record<string, InstanceType> = {
  't2.nano': { cpu: 0.1, vcpu: 1, memory: 512, description: '1 vCPU, 0.5 GiB' },
  't2.micro': { cpu: 0.25, vcpu: 1, memory: 1024, description: '1 vCPU, 1 GiB' },
  't2.small': { cpu: 0.5, vcpu: 1, memory: 2048, description: '1 vCPU, 2 GiB' },
  'm1.small': { cpu: 1, vcpu: 1, memory: 1740, description: '1 vCPU, 1.7 GiB' },
  'm1.medium': { cpu: 1, vcpu: 1, memory: 3840, description: '1 vCPU, 3.75 GiB' },
  'm1.large': { cpu: 2, vcpu: 2, memory: 7680, description: '2 vCPU, 7.5 GiB' },
  'm1.xlarge': { cpu: 4, vcpu: 4, memory: 15360, description: '4 vCPU, 15 GiB' },
};

export const DEFAULTS: EconeConfig = {
  host: '127.0.0.1',
  port: 4567,
  datastore_id: 1,
  region: 'one',
  instance_types: DEFAULT_INSTANCE_TYPES,
  default_instance_type: 'm1.small',
  ebs_fstype: 'ext4',
  max_body_size: 1024 * 1024,
  max_upload_size: 1024 * 1024 * 1024,
  max_clock_skew: 900,
};

export class ConfigError extends Error {}

/** The package root (holding share/). */
const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

/** The site's econe.conf, else the shipped one. */
export function configPath(oneLocation: string): string {
  const site = join(oneLocation, 'etc', 'econe.conf');
  return existsSync(site) ? site : join(PACKAGE_ROOT, 'share', 'etc', 'econe.conf');
}

const STRINGS = ['host', 'one_xmlrpc', 'one_auth', 'region', 'default_instance_type', 'associate_script', 'disassociate_script', 'ebs_fstype', 'ssl_cert', 'ssl_key'] as const;
const COUNTS = ['port', 'datastore_id', 'network_id', 'elasticips_vnet_id', 'max_body_size', 'max_upload_size', 'max_clock_skew'] as const;

function instanceTypes(file: string, value: unknown): Record<string, InstanceType> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigError(`${file}: instance_types must map type names to { template, cpu, vcpu, memory }`);
  const out: Record<string, InstanceType> = {};
  for (const [name, raw] of Object.entries(value as Record<string, unknown>)) {
    if (!/^[A-Za-z0-9][\w.-]*$/.test(name)) throw new ConfigError(`${file}: instance type name "${name}" is not valid (letters, digits, . _ -)`);
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError(`${file}: instance type ${name} must be a mapping`);
    const t: InstanceType = {};
    for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
      const key = k.replace(/^:/, '').toLowerCase();
      if (key === 'template') {
        if (!((typeof v === 'string' && v !== '') || (typeof v === 'number' && Number.isInteger(v) && v >= 0))) throw new ConfigError(`${file}: ${name}.template must be a template name or id`);
        t.template = v;
      } else if (key === 'cpu' || key === 'vcpu' || key === 'memory') {
        if (typeof v !== 'number' || !(v > 0) || (key !== 'cpu' && !Number.isInteger(v))) throw new ConfigError(`${file}: ${name}.${key} must be a positive ${key === 'cpu' ? 'number' : 'whole number'}`);
        t[key] = v;
      } else if (key === 'description') {
        if (typeof v !== 'string') throw new ConfigError(`${file}: ${name}.description must be text`);
        t.description = v;
      } else throw new ConfigError(`${file}: unknown key "${key}" in instance type ${name} (known: template, cpu, vcpu, memory, description)`);
    }
    if (t.template === undefined && (t.cpu === undefined || t.memory === undefined)) throw new ConfigError(`${file}: instance type ${name} needs a template, or cpu and memory`);
    out[name] = t;
  }
  if (Object.keys(out).length === 0) throw new ConfigError(`${file}: instance_types is empty`);
  return out;
}

/** Reads the conf file (if any) over the defaults, checking each value. */
export function loadConfig(file: string | undefined): EconeConfig {
  const conf: EconeConfig = { ...DEFAULTS };
  if (!file || !existsSync(file)) return conf;
  const set = conf as unknown as Record<string, unknown>;
  for (const [k, value, key] of yamlConfEntries(file, (m) => new ConfigError(m))) {
    if ((STRINGS as readonly string[]).includes(k)) {
      if (typeof value !== 'string' || value === '') throw new ConfigError(`${file}: ${k} must be a non-empty string`);
      set[k] = value;
    } else if ((COUNTS as readonly string[]).includes(k)) {
      const min = k === 'port' || k.endsWith('_id') ? 0 : 1;
      if (typeof value !== 'number' || !Number.isInteger(value) || value < min || (k === 'port' && value > 65535))
        throw new ConfigError(`${file}: ${k} must be a whole number${min ? ' above 0' : ''}${k === 'port' ? ' below 65536' : ''}, not ${JSON.stringify(value)}`);
      set[k] = value;
    } else if (k === 'instance_types') {
      conf.instance_types = instanceTypes(file, value);
    } else throw new ConfigError(`${file}: unknown key "${key}" (known: ${[...STRINGS, ...COUNTS, 'instance_types'].join(', ')})`);
  }
  if (!conf.instance_types[conf.default_instance_type]) throw new ConfigError(`${file}: default_instance_type ${conf.default_instance_type} is not one of instance_types`);
  if (!!conf.ssl_cert !== !!conf.ssl_key) throw new ConfigError(`${file}: ssl_cert and ssl_key go together`);
  if (!/^[a-z0-9][a-z0-9-]*$/.test(conf.region)) throw new ConfigError(`${file}: region must be lower-case letters, digits and dashes, not ${JSON.stringify(conf.region)}`);
  return conf;
}
