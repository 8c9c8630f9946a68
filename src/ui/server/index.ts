/**
 * sunstone-server, the operations center: `startSunstone` serves the built app and its JSON API
 * on HTTP or HTTPS (a certificate in the conf), a client of oned through the client library.
 */
import { readFileSync, existsSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { serve } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import { buildApp, COOKIE } from './app.js';
import { ConsoleTokens, mountConsoleApi } from './console.js';
import { attachConsoleProxy } from './console-proxy.js';
import type { SunstoneConfig } from './config.js';
import { PoolHub } from './events.js';
import { SessionStore } from './sessions.js';

/** The built browser app (`vite build` writes it there). */
export const APP_DIR = resolve(import.meta.dirname, '../../../ui/app');

export interface Sunstone {
  readonly url: string;
  readonly server: Server;
  readonly hub: PoolHub;
  readonly sessions: SessionStore;
  close(): Promise<void>;
}

export async function startSunstone(config: SunstoneConfig, endpoint: string, appDir = APP_DIR): Promise<Sunstone> {
  const https = !!(config.tls_cert && config.tls_key);
  const sessions = new SessionStore();
  const hub = new PoolHub(endpoint, Math.round(config.poll_interval * 1000));
  const app = buildApp({ config, endpoint, https, sessions, hub });
  const consoles = new ConsoleTokens(config.console_token_expiration);
  mountConsoleApi(app, hub, consoles);
  if (!existsSync(resolve(appDir, 'index.html'))) console.error(`sunstone-server: the browser app is not built (${appDir}/index.html missing): run npm run build`);
  const root = appDir;
  app.use('/assets/*', serveStatic({ root, onFound: (_p, c) => c.header('Cache-Control', 'public, max-age=31536000, immutable') }));
  app.use('/*', serveStatic({ root, rewriteRequestPath: (p) => (/\.[a-z0-9]+$/i.test(p) ? p : '/index.html') }));
  app.get('*', (c) => c.text('The browser app is not built: run npm run build', 500));

  const server = await new Promise<Server>((res, rej) => {
    const s = serve(
      {
        fetch: app.fetch,
        port: config.port,
        hostname: config.host,
        ...(https ? { createServer: createHttpsServer, serverOptions: { cert: readFileSync(config.tls_cert!), key: readFileSync(config.tls_key!) } } : {}),
      },
      () => res(s as Server),
    ) as Server;
    s.once('error', rej);
  });
  attachConsoleProxy(server, consoles, sessions, COOKIE);
  const port = (server.address() as AddressInfo).port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return {
    url: `${https ? 'https' : 'http'}://${host}:${port}/`,
    server,
    hub,
    sessions,
    close: () =>
      new Promise<void>((res) => {
        hub.stop();
        server.closeAllConnections?.();
        server.close(() => res());
      }),
  };
}
