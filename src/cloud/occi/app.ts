/**
 * occi-server's HTTP application: HTTP basic auth (an OpenNebula user name and password, or
 * login token, used as that user's session with oned for everything the request does), then
 * OpenNebula's OCCI XML API at the root and OGF OCCI 1.2 under `/occi1.2/` (its query interface
 * also at `/-/` and `/.well-known/org/ogf/occi/-/`). Failures are a status with a text body.
 */
import { Hono } from 'hono';
import { basicSession } from '../../common/basic-auth.js';
import type { ClientCache, Oca } from '../../oca/index.js';
import type { OcciConfig } from './config.js';
import { statusOf } from './errors.js';
import { ogfApi } from './ogf/routes.js';
import { xmlApi } from './xml-api/routes.js';

export type OcciEnv = { Variables: { one: Oca; base: string } };

const REALM = 'Basic realm="OpenNebula OCCI"';

export function buildApp(config: OcciConfig, clients: ClientCache): Hono<OcciEnv> {
  const app = new Hono<OcciEnv>();
  app.onError((err, c) => {
    const { status, message } = statusOf(err);
    if (status === 401) c.header('WWW-Authenticate', REALM);
    if (status >= 500 && status !== 502) console.error(`occi-server: ${c.req.method} ${c.req.path}: ${message}`);
    return c.text(`${message}\n`, status);
  });
  app.notFound((c) => c.text(`No such resource: ${c.req.method} ${c.req.path}\n`, 404));
  app.use('*', async (c, next) => {
    const session = basicSession(c.req.header('authorization'));
    if (!session) {
      c.header('WWW-Authenticate', REALM);
      return c.text('Authentication required: give an OpenNebula user name and password (HTTP basic auth)\n', 401);
    }
    c.set('one', clients.get(session));
    c.set('base', new URL(c.req.url).origin);
    await next();
  });
  ogfApi(app, config);
  xmlApi(app, config);
  return app;
}
