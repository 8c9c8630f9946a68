#!/usr/bin/env node
/**
 * `econe-server [--port N] [--host ADDR] [--conf FILE]`: the EC2 Query API of nebula-ts.
 * Reads econe.conf (`$ONE_LOCATION/etc/econe.conf`, else the shipped one), finds oned through
 * ONE_XMLRPC (or `one_xmlrpc`), acts as the first server account oned accepts of the conf's
 * `one_auth`, serveradmin's `$ONE_LOCATION/.one/ec2_auth` and ONE_AUTH, prints its URL and
 * serves until stopped.
 */
import { resolve } from 'node:path';
import { chooseServerSession } from '../../oca/server-session.js';
import { runServerMain } from '../../common/server-main.js';
import { serverAuthCandidates } from './auth.js';
import { ConfigError, configPath, loadConfig } from './config.js';
import { startEconeServer } from './index.js';

const oneLocation = resolve(process.env.ONE_LOCATION || resolve(import.meta.dirname, '../../../../var'));
let confFile = '';

runServerMain({
  name: 'econe-server',
  usage: 'usage: econe-server [--port N] [--host ADDRESS] [--conf FILE]',
  configError: ConfigError,
  load: (file) => loadConfig((confFile = file ?? configPath(oneLocation))),
  async start(conf, endpoint) {
    const { session, file: authFile, skipped } = await chooseServerSession(endpoint, serverAuthCandidates(oneLocation, conf.one_auth), 'econe-server');
    for (const s of skipped) console.error(`econe-server: oned refused the credentials of ${s}`);
    const server = await startEconeServer(conf, endpoint, session);
    console.log(`econe-server: the EC2 API is at ${server.url} (region ${conf.region}; oned at ${endpoint}, acting as ${session.slice(0, session.indexOf(':'))} from ${authFile}; conf ${confFile})`);
    return server;
  },
});
