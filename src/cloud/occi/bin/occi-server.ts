#!/usr/bin/env node
/**
 * `occi-server [--port N] [--host ADDR] [--conf FILE]`: OpenNebula's OCCI API and OGF OCCI 1.2.
 * Reads `$ONE_LOCATION/etc/occi-server.conf`, finds oned through `one_xmlrpc` or ONE_XMLRPC,
 * prints its URL and serves until stopped. It has no account of its own: every request acts
 * as the user its HTTP basic credentials name.
 */
import { resolve } from 'node:path';
import { endpointFromEnvironment } from '../../../oca/credentials.js';
import { parseServerArgs } from '../../../common/server-args.js';
import { ConfigError, configPath, loadConfig, startOcciServer } from '../index.js';

const USAGE = 'usage: occi-server [--port N] [--host ADDRESS] [--conf FILE]';

async function main(argv: string[]): Promise<number> {
  const oneLocation = resolve(process.env.ONE_LOCATION || resolve(import.meta.dirname, '../../../../../var'));
  const args = parseServerArgs(argv, USAGE, (m) => new ConfigError(m));
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  const config = loadConfig(args.conf ?? configPath(oneLocation));
  if (args.port !== undefined) config.port = args.port;
  if (args.host !== undefined) config.host = args.host;
  const endpoint = config.one_xmlrpc ?? endpointFromEnvironment();
  const server = await startOcciServer(config, endpoint);
  console.log(`occi-server: OCCI is at ${server.url} (OGF OCCI 1.2 at ${server.url}occi1.2/, oned at ${endpoint})`);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void server.close().then(() => process.exit(0)));
  return -1;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err) => {
    console.error(`occi-server: ${(err as Error).message}`);
    process.exit(err instanceof ConfigError ? 2 : 1);
  },
);
