/**
 * Which servers an https:// XML-RPC client trusts, from the environment as OpenNebula's clients
 * read it: the system's roots, every certificate file in `ONE_CERT_DIR` (the directory OpenNebula's
 * Ruby client adds to its store), and node's own `NODE_EXTRA_CA_CERTS`. `ONE_DISABLE_SSL_VERIFY`
 * (any value but "", 0, no, false) turns verification off, as in OpenNebula; for tests only.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';

export interface ClientTls {
  /** The trusted CAs; undefined: node's defaults (system roots plus NODE_EXTRA_CA_CERTS). */
  readonly ca?: string[];
  readonly rejectUnauthorized: boolean;
}

let cached: { key: string; tls: ClientTls } | undefined;

export function clientTls(env: NodeJS.ProcessEnv = process.env): ClientTls {
  const dir = env.ONE_CERT_DIR ?? '';
  const extra = env.NODE_EXTRA_CA_CERTS ?? '';
  const off = /^(|0|no|false)$/i.test((env.ONE_DISABLE_SSL_VERIFY ?? '').trim()) === false;
  const key = `${dir}\0${extra}\0${off}`;
  if (cached?.key === key) return cached.tls;
  let tls: ClientTls = { rejectUnauthorized: !off };
  if (dir !== '') {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch (err) {
      throw new Error(`ONE_CERT_DIR ${dir}: cannot read the trusted certificates (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    }
    const files = names
      .map((f) => join(dir, f))
      .filter((f) => statSync(f).isFile());
    const own = files.map((f) => readFileSync(f, 'utf8')).filter((pem) => pem.includes('-----BEGIN CERTIFICATE-----'));
    // Giving `ca` replaces node's store, NODE_EXTRA_CA_CERTS included: both are added back.
    const extras = extra !== '' ? [readFileSync(extra, 'utf8')] : [];
    tls = { ca: [...rootCertificates, ...extras, ...own], rejectUnauthorized: !off };
  }
  cached = { key, tls };
  return tls;
}
