/**
 * oneflow-server: the REST API of services and service templates and the service engine,
 * started together; `startOneFlow` returns its URL and a close that stops both.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { buildApp } from './app.js';
import { ClientCache, OwnerClients } from './auth.js';
import type { FlowConfig } from './config.js';
import { ServiceEngine } from './engine.js';

export interface OneFlowServer {
  readonly url: string;
  readonly engine: ServiceEngine;
  close(): Promise<void>;
}

/** Serves OneFlow at the configured address, talking to oned at `endpoint`, with the server's own `session`. */
export async function startOneFlow(config: FlowConfig, endpoint: string, session: string): Promise<OneFlowServer> {
  const clients = new ClientCache(endpoint);
  const server = clients.get(session);
  const owners = new OwnerClients(server, clients, config.token_validity);
  const engine = new ServiceEngine({
    server,
    owner: (user) => owners.of(user),
    config,
    log: (line) => console.error(`oneflow-server: ${line}`),
  });
  const app = buildApp({ clients, engine });
  const http = await new Promise<Server>((res, rej) => {
    const s = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () => res(s as Server)) as Server;
    s.once('error', rej);
  });
  engine.start();
  const port = (http.address() as AddressInfo).port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return {
    url: `http://${host}:${port}/`,
    engine,
    close: async () => {
      await engine.stop();
      await new Promise<void>((res) => {
        http.closeAllConnections?.();
        http.close(() => res());
      });
      clients.close();
    },
  };
}
