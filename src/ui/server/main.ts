#!/usr/bin/env node
/**
 * `sunstone-server [--port N] [--host ADDR] [--conf FILE]`: the web operations center. Finds
 * oned through ONE_XMLRPC (or `one_xmlrpc` in the conf), reads
 * `$ONE_LOCATION/etc/sunstone-server.conf`, prints its URL and serves until stopped.
 */
import { resolve } from 'node:path';
import { OneClient } from '../../oca/client.js';
import { sessionFromEnvironment } from '../../oca/credentials.js';
import { ConfigError, configPath, loadConfig } from './config.js';
import type { PoolHub } from './events.js';
import { startSunstone } from './index.js';
import { xmlToJson } from './xml-json.js';
import { runServerMain } from '../../common/server-main.js';

const oneLocation = resolve(process.env.ONE_LOCATION || resolve(import.meta.dirname, '../../../../var'));

runServerMain({
  name: 'sunstone-server',
  usage: 'usage: sunstone-server [--port N] [--host ADDRESS] [--conf FILE]',
  configError: ConfigError,
  load: (file) => loadConfig(file ?? configPath(oneLocation)),
  async start(config, endpoint) {
    const sunstone = await startSunstone(config, endpoint);
    console.log(`sunstone-server: the operations center is at ${sunstone.url} (oned at ${endpoint})`);
    void checkOned(endpoint, sunstone.hub);
    return sunstone;
  },
});

/**
 * Says at start whether oned answers, with the server's own credentials (ONE_AUTH, as the CLI
 * finds them) when it has some. Users log in with their own; this is the admin's first hint and,
 * when those credentials are of the oneadmin group, a first read of the VM and host pools the
 * admins' lists share (so the first admin to log in does not wait for 20,000 VMs to be read).
 */
async function checkOned(endpoint: string, hub: PoolHub): Promise<void> {
  let session: string;
  try {
    session = sessionFromEnvironment();
  } catch {
    return;
  }
  const client = new OneClient({ endpoint, session, timeoutMs: 10_000 });
  try {
    console.log(`sunstone-server: oned ${String(await client.call('one.system.version'))} answers`);
    const me = xmlToJson(await client.call('one.user.info', -1)) as { USER: { ID: string; GID: string; NAME: string; GROUPS?: { ID: string | string[] } } };
    const groups = ([] as string[]).concat(me.USER.GROUPS?.ID ?? me.USER.GID);
    if (groups.includes('0')) {
      hub.prewarm({ id: '', user: me.USER.NAME, uid: Number(me.USER.ID), oneSession: session, csrf: '', admin: true, expiresAt: Number.MAX_SAFE_INTEGER }, ['vm', 'host']);
    }
  } catch (err) {
    console.error(`sunstone-server: warning: ${(err as Error).message} (users see a banner until it answers)`);
  } finally {
    client.close();
  }
}
