#!/usr/bin/env node
/**
 * `oneflow-server [--port N] [--host ADDR] [--conf FILE]`: OneFlow, the services of nebula-ts.
 * Reads `$ONE_LOCATION/etc/oneflow-server.conf`, finds oned through ONE_XMLRPC (or
 * `one_xmlrpc`), acts with the first credentials oned accepts of the conf's `one_auth`,
 * serveradmin's `$ONE_LOCATION/.one/oneflow_auth` and ONE_AUTH, prints its URL and serves until stopped.
 */
import { resolve } from 'node:path';
import { endpointFromEnvironment } from '../oca/credentials.js';
import { chooseServerSession, serverAuthCandidates } from './auth.js';
import { ConfigError, configPath, loadConfig } from './config.js';
import { startOneFlow } from './index.js';
import { parseServerArgs } from '../common/server-args.js';

const USAGE = 'usage: oneflow-server [--port N] [--host ADDRESS] [--conf FILE]';

async function main(argv: string[]): Promise<number> {
  const oneLocation = resolve(process.env.ONE_LOCATION || resolve(import.meta.dirname, '../../../var'));
  const args = parseServerArgs(argv, USAGE, (m) => new ConfigError(m));
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  const config = loadConfig(args.conf ?? configPath(oneLocation));
  if (args.port !== undefined) config.port = args.port;
  if (args.host !== undefined) config.host = args.host;
  const endpoint = config.one_xmlrpc ?? endpointFromEnvironment();
  const { session, file, skipped } = await chooseServerSession(endpoint, serverAuthCandidates(oneLocation, config.one_auth));
  for (const s of skipped) console.error(`oneflow-server: oned refused the credentials of ${s}`);
  const flow = await startOneFlow(config, endpoint, session);
  console.log(`oneflow-server: OneFlow is at ${flow.url} (oned at ${endpoint}, acting as ${session.slice(0, session.indexOf(':'))} from ${file})`);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void flow.close().then(() => process.exit(0)));
  return -1;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err) => {
    console.error(`oneflow-server: ${(err as Error).message}`);
    process.exit(err instanceof ConfigError ? 2 : 1);
  },
);
