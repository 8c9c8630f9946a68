/**
 * econe-server: OpenNebula's EC2 Query API for today's AWS tools. `startEconeServer` serves it
 * at the configured address (HTTPS with `ssl_cert`/`ssl_key`), talking to oned at `endpoint`
 * as the server account `serverSession` (serveradmin), which acts for each request's user with
 * server sessions.
 */
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { ServerCipher } from '../../common/server-cipher.js';
import { ClientCache } from '../../flow/auth.js';
import { ACTIONS } from './actions/index.js';
import { buildApp } from './app.js';
import { SecretStore } from './auth.js';
import type { EconeConfig } from './config.js';

export { buildApp, DEFAULT_VERSION } from './app.js';
export { authenticate, SecretStore, serverAuthCandidates, type Ec2User } from './auth.js';
export { ConfigError, configPath, DEFAULTS, loadConfig, type EconeConfig, type InstanceType } from './config.js';
export type { Ec2Action, Ec2Context } from './context.js';
export { Ec2Error, ec2ErrorOf, invalid, missing } from './errors.js';
export { formatId, notFound, notFoundCode, parseId, requireId, type IdPrefix } from './ids.js';
export { applyFilters, isTagFilter, paginate, wildcard, type Page } from './paging.js';
export { Params, type Filter, type Tag, type TagSpecification } from './params.js';
export { el, errorXml, isoTime, itemSet, responseXml, tagSet, wrap } from './xml.js';
export { ACTIONS } from './actions/index.js';
export { instanceState, INSTANCE_STATE_NAMES, type InstanceState } from './instance-state.js';
export { numberedUpdate, readNumbered, serialized, templateNode, templateXml, type TemplateSpec } from './records.js';
export { changeTags, INSTANCE_KIND, ownObject, registerTaggedKind, taggedKinds, tagsOf, tagsSpec, tagsUpdate, withoutTags, withTags, type TaggedKind } from './tags.js';

export interface EconeServer {
  readonly url: string;
  close(): Promise<void>;
}

export async function startEconeServer(conf: EconeConfig, endpoint: string, serverSession: string, log = (line: string) => console.error(`econe-server: ${line}`)): Promise<EconeServer> {
  const clients = new ClientCache(endpoint, 256);
  const admin = clients.get(serverSession);
  const cipher = new ServerCipher(serverSession);
  const app = buildApp({ conf, actions: ACTIONS, secrets: new SecretStore(admin), cipher, clients, admin, log });
  const https = !!(conf.ssl_cert && conf.ssl_key);
  const http = await new Promise<Server>((res, rej) => {
    const s = serve(
      {
        fetch: app.fetch,
        port: conf.port,
        hostname: conf.host,
        ...(https ? { createServer: createHttpsServer, serverOptions: { cert: readFileSync(conf.ssl_cert!), key: readFileSync(conf.ssl_key!) } } : {}),
      },
      () => res(s as Server),
    ) as Server;
    s.once('error', rej);
  });
  const port = (http.address() as AddressInfo).port;
  const host = conf.host.includes(':') ? `[${conf.host}]` : conf.host;
  return {
    url: `${https ? 'https' : 'http'}://${host}:${port}/`,
    close: async () => {
      await new Promise<void>((res) => {
        http.closeAllConnections?.();
        http.close(() => res());
      });
      clients.close();
    },
  };
}
