/**
 * `/api/flow/...`: the Services pages' way to oneflow-server. The browser never talks to it: this
 * server forwards the user's request (service templates and services only) to the configured
 * `oneflow_server` with the user's own login as OneFlow takes it (HTTP basic authentication, the
 * user's name and oned login token as the password), and answers OneFlow's JSON. OneFlow's
 * refusals come back with their status and message; an unreachable oneflow-server is a 502 that
 * says so (the pages show it; it is not oned being down).
 */
import type { Context, Hono } from 'hono';
import type { Session } from './sessions.js';

/** The resources of OneFlow's API the pages use, and their sub-paths (ids, actions, roles). */
const FLOW_PATH = /^\/(service_template|service)(\/[A-Za-z0-9_.-]+)*$/;

export interface FlowProxyOptions {
  /** oneflow-server's base URL (`http://127.0.0.1:2474`). */
  readonly url: string;
  readonly timeoutMs?: number;
  /** Called after a change went through (the pools of oned's objects it touched are read again). */
  readonly changed?: (s: Session) => void;
}

/** The `Authorization` header of a session: `user:token` as basic credentials. */
export function flowAuthorization(s: Session): string {
  return `Basic ${Buffer.from(s.oneSession).toString('base64')}`;
}

/** OneFlow's error body (`{"error": {"message": ...}}`, or plain text) as one message. */
export function flowErrorMessage(status: number, text: string): string {
  try {
    const j = JSON.parse(text) as { error?: { message?: string } | string; message?: string };
    const m = typeof j.error === 'string' ? j.error : (j.error?.message ?? j.message);
    if (m) return String(m);
  } catch {
    /* not JSON */
  }
  return text.trim() || `oneflow-server answered ${status}`;
}

export function registerFlowProxy(app: Hono<{ Variables: { session: Session } }>, opts: FlowProxyOptions): void {
  const base = opts.url.replace(/\/+$/, '');
  app.all('/api/flow/*', async (c: Context<{ Variables: { session: Session } }>) => {
    const s = c.get('session');
    const path = c.req.path.slice('/api/flow'.length);
    if (!FLOW_PATH.test(path)) return c.json({ error: `Not a path of OneFlow's API: ${path}` }, 404);
    const method = c.req.method;
    if (!['GET', 'POST', 'PUT', 'DELETE'].includes(method)) return c.json({ error: `Method ${method} is not forwarded to oneflow-server` }, 405);
    const body = method === 'GET' || method === 'DELETE' ? undefined : await c.req.text();
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, {
        method,
        headers: { Authorization: flowAuthorization(s), Accept: 'application/json', ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
        body,
        signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000),
      });
    } catch (err) {
      const why = (err as Error).name === 'TimeoutError' ? 'did not answer in time' : 'does not answer';
      return c.json({ error: `oneflow-server (${base}) ${why}: the Services pages need it running (oneflow-server, or oneflow_server in sunstone-server.conf)`, oneflow: 'down' }, 502);
    }
    const text = await res.text();
    if (!res.ok) {
      const status = res.status === 401 || res.status === 403 || res.status === 404 ? res.status : res.status >= 500 ? 502 : 400;
      return c.json({ error: flowErrorMessage(res.status, text), oneflow: 'up' }, status as 400);
    }
    if (method !== 'GET') opts.changed?.(s);
    if (!text.trim()) return c.json({ ok: true });
    try {
      return c.json(JSON.parse(text) as object);
    } catch {
      return c.json({ result: text });
    }
  });
}
