#!/usr/bin/env node
/**
 * `opennebula-exporter [--port N] [--host ADDR] [--conf FILE]`: OpenNebula's Prometheus exporter
 * (port 9925, `/metrics`). Reads opennebula-exporter.conf (`$ONE_LOCATION/etc/`, else the
 * shipped one), finds oned through ONE_XMLRPC (or `one_xmlrpc`), reads the pools as the account
 * of the conf's `one_auth`, else ONE_AUTH, else ~/.one/one_auth, prints its URL and serves until
 * stopped.
 */
import { resolve } from 'node:path';
import { runServerMain } from '../../common/server-main.js';
import { sessionFromEnvironment } from '../../oca/credentials.js';
import { ConfigError, configPath, loadConfig, startExporter } from './index.js';

const oneLocation = resolve(process.env.ONE_LOCATION || resolve(import.meta.dirname, '../../../../var'));
let confFile = '';

runServerMain({
  name: 'opennebula-exporter',
  usage: 'usage: opennebula-exporter [--port N] [--host ADDRESS] [--conf FILE]',
  configError: ConfigError,
  load: (file) => loadConfig((confFile = file ?? configPath(oneLocation))),
  async start(conf, endpoint) {
    const session = sessionFromEnvironment(conf.one_auth ? { ...process.env, ONE_AUTH: conf.one_auth } : process.env);
    const server = await startExporter(conf, endpoint, session);
    console.log(
      `opennebula-exporter: the metrics are at ${server.url} (oned at ${endpoint}, reading as ${session.slice(0, session.indexOf(':'))}; ` +
        `cached ${conf.cache_ttl} s; conf ${confFile})`,
    );
    return server;
  },
});
