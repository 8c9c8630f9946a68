/**
 * opennebula-exporter's configuration, `opennebula-exporter.conf` (YAML, keys with or without
 * OpenNebula's leading colon): `$ONE_LOCATION/etc/opennebula-exporter.conf` when the site has one,
 * else the shipped share/etc/opennebula-exporter.conf; then the command line (`--port`, `--host`).
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { yamlConfEntries } from '../../common/yaml-conf.js';

export interface ExporterConfig {
  host: string;
  port: number;
  one_xmlrpc?: string;
  /** `user:password` file of the account the exporter reads the pools as (default ONE_AUTH, else ~/.one/one_auth). */
  one_auth?: string;
  /** Seconds a collected scrape is served again before the pools are read anew. */
  cache_ttl: number;
  /** Seconds one pool call may take. */
  timeout: number;
}

export const DEFAULTS: ExporterConfig = { host: '127.0.0.1', port: 9925, cache_ttl: 10, timeout: 60 };

export class ConfigError extends Error {}

/** The package root (holding share/). */
const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

/** The site's opennebula-exporter.conf, else the shipped one. */
export function configPath(oneLocation: string): string {
  const site = join(oneLocation, 'etc', 'opennebula-exporter.conf');
  return existsSync(site) ? site : join(PACKAGE_ROOT, 'share', 'etc', 'opennebula-exporter.conf');
}

const STRINGS = ['host', 'one_xmlrpc', 'one_auth'] as const;
const NUMBERS = ['port', 'cache_ttl', 'timeout'] as const;

/** Reads the conf file (if any) over the defaults, checking each value. */
export function loadConfig(file: string | undefined): ExporterConfig {
  const conf: ExporterConfig = { ...DEFAULTS };
  const set = conf as unknown as Record<string, unknown>;
  for (const [k, value, key] of yamlConfEntries(file, (m) => new ConfigError(m))) {
    if ((STRINGS as readonly string[]).includes(k)) {
      if (typeof value !== 'string' || value === '') throw new ConfigError(`${file}: ${k} must be a non-empty string`);
      set[k] = value;
    } else if (k === 'port') {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 65535) throw new ConfigError(`${file}: port must be a port number (0-65535), not ${JSON.stringify(value)}`);
      conf.port = value;
    } else if (k === 'cache_ttl' || k === 'timeout') {
      if (typeof value !== 'number' || !(value >= (k === 'timeout' ? 1 : 0))) throw new ConfigError(`${file}: ${k} must be a number of seconds${k === 'timeout' ? ' (at least 1)' : ''}, not ${JSON.stringify(value)}`);
      set[k] = value;
    } else throw new ConfigError(`${file}: unknown key "${key}" (known: ${[...STRINGS, ...NUMBERS].join(', ')})`);
  }
  return conf;
}
