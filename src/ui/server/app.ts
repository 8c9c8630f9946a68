/**
 * The HTTP side of sunstone-server: login and sessions, the JSON API over the client library
 * (`/api/call` for any of oned's methods with the user's own token, `/api/pool/:kind` for
 * paged, filtered, sorted listings, `/api/events` for the live feed) and the built app.
 */
import { Hono, type Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { streamSSE } from 'hono/streaming';
import { OneClient } from '../../oca/client.js';
import { OneConnectionError, OneError } from '../../oca/errors.js';
import type { XmlRpcValue } from '../../rpc/xmlrpc/index.js';
import type { SunstoneConfig } from './config.js';
import { errorResponse, HttpError } from './errors.js';
import { PoolHub } from './events.js';
import type { PoolQuery } from './pool-watcher.js';
import { csrfMatches, SessionStore, type Session } from './sessions.js';
import { addUploadRoute } from './upload.js';
import { registerSummary } from './summary.js';
import { registerAcl } from './acl.js';
import { xmlToJson } from './xml-json.js';
import { registerVmLogRoutes } from './vm-log.js';
import { registerFlowProxy } from './flow-proxy.js';

export const COOKIE = 'nebula_session';

type Env = { Variables: { session: Session } };

export interface AppDeps {
  readonly config: SunstoneConfig;
  readonly endpoint: string;
  readonly https: boolean;
  readonly sessions: SessionStore;
  readonly hub: PoolHub;
}

/** Methods the browser may call through `/api/call`: oned's API, never the server's own business. */
const METHOD = /^one\.[a-z]+(\.[a-z_]+)?$/;

/** What the app knows of its user. */
function me(s: Session) {
  return { user: s.user, uid: s.uid, admin: s.admin, csrf: s.csrf, expiresAt: s.expiresAt };
}

export function buildApp(deps: AppDeps): Hono<Env> {
  const { config, sessions, hub } = deps;
  const app = new Hono<Env>();

  app.onError((err, c) => errorResponse(c, err));

  app.use('/api/*', async (c, next) => {
    c.header('Cache-Control', 'no-store');
    if (c.req.path === '/api/auth/login' || c.req.path === '/api/health') return next();
    const s = sessions.get(getCookie(c, COOKIE));
    if (!s) return c.json({ error: 'Your session has expired or you are not logged in' }, 401);
    if (c.req.method !== 'GET' && !csrfMatches(s, c.req.header('x-csrf-token'))) return c.json({ error: 'Missing or wrong CSRF token: reload the page' }, 403);
    c.set('session', s);
    await next();
  });

  addUploadRoute(app, { dir: config.upload_dir, limit: config.upload_limit_mb * 1024 * 1024 });

  app.get('/api/health', (c) => c.json({ ok: true, oned: hub.onedUp ? 'up' : 'down' }));

  app.post('/api/auth/login', async (c) => {
    const body = await jsonBody(c);
    const username = typeof body.username === 'string' ? body.username.trim() : '';
    const password = typeof body.password === 'string' ? body.password : '';
    if (!username || !password) throw new HttpError(400, 'Enter a user name and a password');
    if (/[\s:]/.test(username)) throw new HttpError(400, 'A user name has no spaces or colons');
    const seconds = Math.round(config.session_expiration);
    const login = new OneClient({ endpoint: deps.endpoint, session: `${username}:${password}`, timeoutMs: 30_000 });
    let token: string;
    try {
      token = String(await login.call('one.user.login', username, '', seconds, -1));
    } catch (err) {
      if (err instanceof OneError && (err.code === 0x0100 || err.code === 0x0200)) throw new HttpError(401, 'Wrong user name or password');
      throw err;
    } finally {
      login.close();
    }
    const oneSession = `${username}:${token}`;
    const probe = new OneClient({ endpoint: deps.endpoint, session: oneSession, timeoutMs: 30_000 });
    let uid = -1;
    let admin = false;
    try {
      const info = xmlToJson(await probe.call('one.user.info', -1)) as { USER: { ID: string; GID: string; GROUPS: { ID: string | string[] } } };
      uid = Number(info.USER.ID);
      const groups = ([] as string[]).concat(info.USER.GROUPS?.ID ?? info.USER.GID);
      admin = groups.includes('0');
    } finally {
      probe.close();
    }
    const s = sessions.create({ user: username, uid, oneSession, admin, expiresAt: Date.now() + seconds * 1000 });
    hub.prewarm(s, admin ? ['vm', 'host'] : ['vm', 'template']);
    setCookie(c, COOKIE, s.id, { httpOnly: true, sameSite: 'Strict', secure: deps.https, path: '/', maxAge: seconds });
    return c.json(me(s));
  });

  app.get('/api/auth/me', (c) => c.json(me(c.get('session'))));

  app.post('/api/auth/logout', async (c) => {
    const s = c.get('session');
    sessions.drop(s.id);
    // The token dies with the session: oned forgets it (a zero validity revokes a token).
    try {
      await hub.clientFor(s).call('one.user.login', s.user, s.oneSession.slice(s.user.length + 1), 0, -1);
    } catch {
      /* oned down or token gone: the session is dropped anyway */
    }
    hub.forget(s);
    deleteCookie(c, COOKIE, { path: '/' });
    return c.json({ ok: true });
  });

  app.post('/api/call', async (c) => {
    const s = c.get('session');
    const body = await jsonBody(c);
    const method = body.method;
    const params = body.params ?? [];
    if (typeof method !== 'string' || !METHOD.test(method)) throw new HttpError(400, `Not a method of oned's API: ${JSON.stringify(method)}`);
    if (!Array.isArray(params) || !params.every(isXmlRpcValue)) throw new HttpError(400, 'params must be a list of strings, numbers, booleans, lists or objects');
    const value = await hub.clientFor(s).call(method, ...(params as XmlRpcValue[]));
    if (!/\.(info|infoextended|monitoring|log|version|config|showback|accounting)$/.test(method) && !method.endsWith('pool.info')) hub.invalidate(s);
    return c.json({ result: xmlToJson(value) });
  });

  app.get('/api/pool/:kind', async (c) => {
    const s = c.get('session');
    const w = hub.watcher(s, c.req.param('kind'));
    if (!w) throw new HttpError(404, `No such pool: ${c.req.param('kind')}`);
    const q = c.req.query();
    const where: Record<string, string> = {};
    for (const [k, v] of Object.entries(q)) if (/^[A-Z_]+$/.test(k)) where[k] = v;
    const query: PoolQuery = {
      q: q.q,
      sort: q.sort && /^[A-Z_]+$/.test(q.sort) ? q.sort : undefined,
      dir: q.dir === 'desc' ? 'desc' : q.dir === 'asc' ? 'asc' : undefined,
      offset: toInt(q.offset, 'offset'),
      limit: toInt(q.limit, 'limit'),
      where,
    };
    try {
      const page = await w.page(query, 1000);
      hub.setOned(true);
      return c.json(page);
    } catch (err) {
      if (err instanceof OneConnectionError) hub.setOned(false);
      throw err;
    }
  });

  registerVmLogRoutes(app, hub);
  registerSummary(app, hub);
  registerAcl(app, hub);
  registerFlowProxy(app, { url: config.oneflow_server, changed: (s) => hub.invalidate(s) });

  app.get('/api/events', (c) => {
    const s = c.get('session');
    return streamSSE(c, async (stream) => {
      let id = 0;
      const unsubscribe = hub.subscribe({
        session: s,
        send: (event, data) => void stream.writeSSE({ event, data: JSON.stringify(data), id: String(++id) }).catch(() => undefined),
      });
      await new Promise<void>((resolve) => stream.onAbort(resolve));
      unsubscribe();
    });
  });

  return app;
}

function toInt(v: string | undefined, name: string): number | undefined {
  if (v === undefined || v === '') return undefined;
  if (!/^\d+$/.test(v)) throw new HttpError(400, `${name} must be a whole number`);
  return Number(v);
}

async function jsonBody(c: Context): Promise<Record<string, unknown>> {
  try {
    const b = await c.req.json();
    if (b && typeof b === 'object' && !Array.isArray(b)) return b as Record<string, unknown>;
  } catch {
    /* fall through */
  }
  throw new HttpError(400, 'The request body must be a JSON object');
}

function isXmlRpcValue(v: unknown): boolean {
  if (v === null) return false;
  if (['string', 'number', 'boolean'].includes(typeof v)) return typeof v !== 'number' || Number.isFinite(v);
  if (Array.isArray(v)) return v.every(isXmlRpcValue);
  if (typeof v === 'object') return Object.values(v as object).every(isXmlRpcValue);
  return false;
}
