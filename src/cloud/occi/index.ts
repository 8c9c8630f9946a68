/**
 * occi-server: OpenNebula's OCCI XML API and OGF OCCI 1.2 on one HTTP(S) server, a client of
 * oned through OCA that acts as each request's user. `startOcciServer` returns its URL and a
 * close.
 */
import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { ClientCache } from '../../oca/index.js';
import { buildApp } from './app.js';
import { ConfigError, type OcciConfig } from './config.js';

export { buildApp } from './app.js';
export { ConfigError, configPath, defaults, loadConfig, type InstanceType, type OcciConfig } from './config.js';

export interface OcciServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Serves both interfaces at the configured address (HTTPS with ssl_cert/ssl_key), talking to oned at `endpoint`. */
export async function startOcciServer(config: OcciConfig, endpoint: string): Promise<OcciServer> {
  const clients = new ClientCache(endpoint);
  const app = buildApp(config, clients);
  let tls: { key: Buffer; cert: Buffer } | undefined;
  if (config.ssl_cert && config.ssl_key) {
    try {
      tls = { cert: readFileSync(config.ssl_cert), key: readFileSync(config.ssl_key) };
    } catch (err) {
      throw new ConfigError(`Cannot read the TLS certificate or key: ${(err as Error).message}`);
    }
  }
  const http = await new Promise<Server>((res, rej) => {
    const options = { fetch: app.fetch, port: config.port, hostname: config.host, ...(tls ? { createServer: createHttpsServer, serverOptions: tls } : {}) };
    const s = serve(options as Parameters<typeof serve>[0], () => res(s as Server)) as Server;
    s.once('error', rej);
  });
  const port = (http.address() as AddressInfo).port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return {
    url: `${tls ? 'https' : 'http'}://${host}:${port}/`,
    close: async () => {
      await new Promise<void>((res) => {
        http.closeAllConnections?.();
        http.close(() => res());
      });
      clients.close();
    },
  };
}
