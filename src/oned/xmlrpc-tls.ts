/**
 * `XMLRPC_TLS = [ CERT = ..., KEY = ..., CA_DIR = ... ]` in oned.conf: the XML-RPC endpoint serves
 * https with this certificate (PEM, the chain after it) and key. Relative paths are from
 * `$ONE_LOCATION/etc`. CA_DIR (optional) is a directory of CA certificates that oned's own clients
 * (the scheduler, hooks, hybrid drivers) trust, given to them as ONE_CERT_DIR when oned's
 * environment has none.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { ConfigReader } from '../common/config.js';
import { ConfigError } from '../common/config.js';
import type { Location } from './location.js';

export interface XmlRpcTls {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly caDir?: string;
}

/** The TLS settings, or undefined for plain http. */
export function xmlrpcTls(config: ConfigReader, loc: Location): XmlRpcTls | undefined {
  const section = config.vector('XMLRPC_TLS');
  const cert = section.get('CERT') ?? '';
  const key = section.get('KEY') ?? '';
  const caDir = section.get('CA_DIR') ?? '';
  if (cert === '' && key === '' && caDir === '') return undefined;
  if (cert === '' || key === '') throw new ConfigError('XMLRPC_TLS needs both CERT and KEY (PEM files)');
  const base = dirname(loc.onedConf);
  const read = (what: string, file: string): Buffer => {
    const path = resolve(base, file);
    try {
      return readFileSync(path);
    } catch (err) {
      throw new ConfigError(`XMLRPC_TLS ${what}: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  };
  const tls: XmlRpcTls = { cert: read('CERT', cert), key: read('KEY', key) };
  if (!tls.cert.includes('-----BEGIN CERTIFICATE-----')) throw new ConfigError(`XMLRPC_TLS CERT ${resolve(base, cert)} is not a PEM certificate`);
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(tls.key.toString('latin1'))) throw new ConfigError(`XMLRPC_TLS KEY ${resolve(base, key)} is not a PEM private key`);
  if (caDir === '') return tls;
  const dir = resolve(base, caDir);
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new ConfigError(`XMLRPC_TLS CA_DIR ${dir} is not a directory`);
  return { ...tls, caDir: dir };
}

/** The environment of oned's API clients: https endpoints trust CA_DIR unless ONE_CERT_DIR is set. */
export function clientTrustEnv(tls: XmlRpcTls | undefined): NodeJS.ProcessEnv {
  return tls?.caDir && !process.env.ONE_CERT_DIR ? { ONE_CERT_DIR: tls.caDir } : {};
}
