#!/usr/bin/env node
/**
 * `occi-server [--port N] [--host ADDR] [--conf FILE]`: OpenNebula's OCCI API and OGF OCCI 1.2.
 * Reads `$ONE_LOCATION/etc/occi-server.conf`, finds oned through `one_xmlrpc` or ONE_XMLRPC,
 * prints its URL and serves until stopped. It has no account of its own: every request acts
 * as the user its HTTP basic credentials name.
 */
import { resolve } from 'node:path';
import { runServerMain } from '../../../common/server-main.js';
import { ConfigError, configPath, loadConfig, startOcciServer } from '../index.js';

const oneLocation = resolve(process.env.ONE_LOCATION || resolve(import.meta.dirname, '../../../../../var'));

runServerMain({
  name: 'occi-server',
  usage: 'usage: occi-server [--port N] [--host ADDRESS] [--conf FILE]',
  configError: ConfigError,
  load: (file) => loadConfig(file ?? configPath(oneLocation)),
  async start(config, endpoint) {
    const server = await startOcciServer(config, endpoint);
    console.log(`occi-server: OCCI is at ${server.url} (OGF OCCI 1.2 at ${server.url}occi1.2/, oned at ${endpoint})`);
    return server;
  },
});
