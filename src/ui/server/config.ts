/**
 * sunstone-server's configuration: `$ONE_LOCATION/etc/sunstone-server.conf` (YAML, as
 * OpenNebula's), then the command line. Every key has a default, so a missing file is fine.
 */
import { yamlConfEntries } from '../../common/yaml-conf.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export interface SunstoneConfig {
  /** Address to bind (127.0.0.1 unless configured). */
  host: string;
  port: number;
  /** oned's endpoint (default: ONE_XMLRPC, as every client). */
  one_xmlrpc?: string;
  /** Seconds a login lasts (also the validity of the oned token it holds). */
  session_expiration: number;
  /** HTTPS: PEM certificate and key files; plain HTTP when unset. */
  tls_cert?: string;
  tls_key?: string;
  /** Seconds between polls of oned's pools while a browser watches them. */
  poll_interval: number;
  /** Seconds a console token stays usable before its first use. */
  console_token_expiration: number;
  /** Where images uploaded from the browser are stored until oned copies them (a directory oned may read). */
  upload_dir: string;
  /** The largest upload, in MB. */
  upload_limit_mb: number;
  /** oneflow-server's URL: the Services pages reach it through this server, with the user's login. */
  oneflow_server: string;
}

export const DEFAULTS: SunstoneConfig = {
  host: '127.0.0.1',
  port: 9869,
  session_expiration: 36000,
  poll_interval: 2,
  console_token_expiration: 60,
  upload_dir: '/var/tmp/nebula-upload',
  upload_limit_mb: 20480,
  oneflow_server: 'http://127.0.0.1:2474',
};

export class ConfigError extends Error {}

export function configPath(oneLocation: string): string {
  return join(oneLocation, 'etc', 'sunstone-server.conf');
}

/** Reads the conf file (if any) over the defaults, checking each value. */
export function loadConfig(file: string | undefined): SunstoneConfig {
  const conf: SunstoneConfig = { ...DEFAULTS };
  if (!file || !existsSync(file)) return conf;
  for (const [k, value, key] of yamlConfEntries(file, (m) => new ConfigError(m))) {
    switch (k) {
      case 'host':
      case 'upload_dir':
      case 'one_xmlrpc':
      case 'tls_cert':
      case 'tls_key':
      case 'oneflow_server':
        if (typeof value !== 'string' || value === '') throw new ConfigError(`${file}: ${k} must be a non-empty string`);
        conf[k] = value;
        break;
      case 'port':
      case 'session_expiration':
      case 'poll_interval':
      case 'console_token_expiration':
      case 'upload_limit_mb':
        if (typeof value !== 'number' || !(value > 0) || (k === 'port' && (!Number.isInteger(value) || value > 65535)))
          throw new ConfigError(`${file}: ${k} must be a positive number${k === 'port' ? ' below 65536' : ''}, not ${JSON.stringify(value)}`);
        conf[k] = value;
        break;
      default:
        throw new ConfigError(`${file}: unknown key "${key}" (known: ${Object.keys(DEFAULTS).concat('one_xmlrpc', 'tls_cert', 'tls_key').join(', ')})`);
    }
  }
  if (!/^https?:\/\/[^/]+/.test(conf.oneflow_server)) throw new ConfigError(`${file}: oneflow_server must be an http:// or https:// URL, not ${JSON.stringify(conf.oneflow_server)}`);
  if (!!conf.tls_cert !== !!conf.tls_key) throw new ConfigError(`${file}: tls_cert and tls_key go together`);
  return conf;
}
