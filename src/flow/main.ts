#!/usr/bin/env node
/**
 * `oneflow-server [--port N] [--host ADDR] [--conf FILE]`: OneFlow, the services of nebula-ts.
 * Reads `$ONE_LOCATION/etc/oneflow-server.conf`, finds oned through ONE_XMLRPC (or
 * `one_xmlrpc`), acts with the first credentials oned accepts of the conf's `one_auth`,
 * serveradmin's `$ONE_LOCATION/.one/oneflow_auth` and ONE_AUTH, prints its URL and serves until stopped.
 */
import { resolve } from 'node:path';
import { runServerMain } from '../common/server-main.js';
import { chooseServerSession, serverAuthCandidates } from './auth.js';
import { ConfigError, configPath, loadConfig } from './config.js';
import { startOneFlow } from './index.js';

const oneLocation = resolve(process.env.ONE_LOCATION || resolve(import.meta.dirname, '../../../var'));

runServerMain({
  name: 'oneflow-server',
  usage: 'usage: oneflow-server [--port N] [--host ADDRESS] [--conf FILE]',
  configError: ConfigError,
  load: (file) => loadConfig(file ?? configPath(oneLocation)),
  async start(config, endpoint) {
    const { session, file, skipped } = await chooseServerSession(endpoint, serverAuthCandidates(oneLocation, config.one_auth));
    for (const s of skipped) console.error(`oneflow-server: oned refused the credentials of ${s}`);
    const flow = await startOneFlow(config, endpoint, session);
    console.log(`oneflow-server: OneFlow is at ${flow.url} (oned at ${endpoint}, acting as ${session.slice(0, session.indexOf(':'))} from ${file})`);
    return flow;
  },
});
