#!/usr/bin/env node
/**
 * `econe-server [--port N] [--host ADDR] [--conf FILE]`: the EC2 Query API of nebula-ts.
 * Reads econe.conf (`$ONE_LOCATION/etc/econe.conf`, else the shipped one), finds oned through
 * ONE_XMLRPC (or `one_xmlrpc`), acts as the first server account oned accepts of the conf's
 * `one_auth`, serveradmin's `$ONE_LOCATION/.one/ec2_auth` and ONE_AUTH, prints its URL and
 * serves until stopped.
 */
import { resolve } from 'node:path';
import { endpointFromEnvironment } from '../../oca/credentials.js';
import { chooseServerSession } from '../../flow/auth.js';
import { parseServerArgs } from '../../common/server-args.js';
import { serverAuthCandidates } from './auth.js';
import { ConfigError, configPath, loadConfig } from './config.js';
import { startEconeServer } from './index.js';

const USAGE = 'usage: econe-server [--port N] [--host ADDRESS] [--conf FILE]';

async function main(argv: string[]): Promise<number> {
  const oneLocation = resolve(process.env.ONE_LOCATION || resolve(import.meta.dirname, '../../../../var'));
  const args = parseServerArgs(argv, USAGE, (m) => new ConfigError(m));
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  const file = args.conf ?? configPath(oneLocation);
  const conf = loadConfig(file);
  if (args.port !== undefined) conf.port = args.port;
  if (args.host !== undefined) conf.host = args.host;
  const endpoint = conf.one_xmlrpc ?? endpointFromEnvironment();
  const { session, file: authFile, skipped } = await chooseServerSession(endpoint, serverAuthCandidates(oneLocation, conf.one_auth));
  for (const s of skipped) console.error(`econe-server: oned refused the credentials of ${s}`);
  const server = await startEconeServer(conf, endpoint, session);
  console.log(`econe-server: the EC2 API is at ${server.url} (region ${conf.region}; oned at ${endpoint}, acting as ${session.slice(0, session.indexOf(':'))} from ${authFile}; conf ${file})`);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void server.close().then(() => process.exit(0)));
  return -1;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err) => {
    console.error(`econe-server: ${(err as Error).message}`);
    process.exit(err instanceof ConfigError ? 2 : 1);
  },
);
