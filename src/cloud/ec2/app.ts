/**
 * The EC2 Query endpoint over Hono: `GET /?Action=...` or `POST /` with a form body
 * (application/x-www-form-urlencoded, or multipart/form-data for uploads). Each request is read
 * (within the size limits), authenticated (Signature V4 or V2), then its `Action` runs as the
 * signing user. Answers are EC2's XML with the requested `Version`'s namespace; failures EC2's
 * error XML with its HTTP status; both carry `x-amzn-RequestId`.
 */
import { randomUUID } from 'node:crypto';
import { Hono, type Context } from 'hono';
import type { Oca } from '../../oca/index.js';
import type { ServerCipher } from '../../common/server-cipher.js';
import type { ClientCache } from '../../flow/auth.js';
import { authenticate, type SecretStore } from './auth.js';
import type { EconeConfig } from './config.js';
import type { Ec2Action, Ec2Context } from './context.js';
import { Ec2Error, ec2ErrorOf } from './errors.js';
import { Params } from './params.js';
import { queryPairs, type SignedRequest } from './signed-request.js';
import { errorXml, responseXml } from './xml.js';

/** The API version answered when a request names none (what the AWS SDK v3 and CLI v2 send). */
export const DEFAULT_VERSION = '2016-11-15';

export interface AppDeps {
  readonly conf: EconeConfig;
  readonly actions: Readonly<Record<string, Ec2Action>>;
  readonly secrets: SecretStore;
  readonly cipher: ServerCipher;
  readonly clients: ClientCache;
  readonly admin: Oca;
  readonly log: (line: string) => void;
}

/** The body's bytes; 413 beyond `limit`. */
async function readBody(req: Request, limit: number): Promise<Uint8Array> {
  const declared = Number(req.headers.get('content-length') ?? '0');
  if (declared > limit) throw new Ec2Error('RequestEntityTooLarge', `The request body is larger than ${limit} bytes`, 413);
  if (!req.body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = req.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > limit) {
      await reader.cancel();
      throw new Ec2Error('RequestEntityTooLarge', `The request body is larger than ${limit} bytes`, 413);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/** The request's parameters (query, then the form body's) and uploaded files. */
async function parametersOf(req: Request, rawQuery: string, body: Uint8Array): Promise<{ params: Map<string, string>; files: Map<string, File> }> {
  const params = new Map<string, string>(queryPairs(rawQuery));
  const files = new Map<string, File>();
  const type = (req.headers.get('content-type') ?? '').toLowerCase();
  if (req.method === 'POST' && body.length > 0) {
    if (type.startsWith('application/x-www-form-urlencoded') || type === '') {
      for (const [k, v] of new URLSearchParams(Buffer.from(body).toString('utf8'))) params.set(k, v);
    } else if (type.startsWith('multipart/form-data')) {
      let form: FormData;
      try {
        form = await new Response(body, { headers: { 'content-type': req.headers.get('content-type')! } }).formData();
      } catch {
        throw new Ec2Error('InvalidParameterValue', 'The multipart/form-data body cannot be read');
      }
      for (const [k, v] of form) {
        if (typeof v === 'string') params.set(k, v);
        else files.set(k, v);
      }
    } else throw new Ec2Error('InvalidParameterValue', `Unsupported content type ${type}: send application/x-www-form-urlencoded parameters`);
  }
  return { params, files };
}

function xmlAnswer(c: Context, status: number, requestId: string, xml: string): Response {
  return c.body(xml, status as 200, { 'content-type': 'text/xml;charset=UTF-8', 'x-amzn-RequestId': requestId });
}

export function buildApp(deps: AppDeps): Hono {
  const app = new Hono();
  app.all('*', async (c) => {
    const requestId = randomUUID();
    const started = Date.now();
    let action = '';
    let userName = '-';
    try {
      const req = c.req.raw;
      if (req.method !== 'GET' && req.method !== 'POST') throw new Ec2Error('InvalidAction', `The HTTP method ${req.method} is not supported: use GET or POST`);
      const url = new URL(req.url);
      if (url.pathname !== '/') throw new Ec2Error('InvalidAction', `No such path ${url.pathname}: the EC2 API is at /`);
      const multipart = (req.headers.get('content-type') ?? '').toLowerCase().startsWith('multipart/');
      const body = req.method === 'POST' ? await readBody(req, multipart ? deps.conf.max_upload_size : deps.conf.max_body_size) : new Uint8Array();
      const rawQuery = url.search.replace(/^\?/, '');
      const { params, files } = await parametersOf(req, rawQuery, body);
      const headers = new Map<string, string>();
      req.headers.forEach((v, k) => headers.set(k.toLowerCase(), v));
      const signed: SignedRequest = { method: req.method, path: url.pathname, rawQuery, headers, body, params };
      const user = await authenticate(signed, deps.secrets, { region: deps.conf.region, maxClockSkew: deps.conf.max_clock_skew });
      userName = user.name;
      action = params.get('Action') ?? '';
      if (!action) throw new Ec2Error('MissingAction', 'The request must contain the parameter Action');
      const version = params.get('Version') || DEFAULT_VERSION;
      if (!/^\d{4}-\d{2}-\d{2}$/.test(version)) throw new Ec2Error('InvalidParameterValue', `Value for parameter Version is invalid: "${version}" (YYYY-MM-DD)`);
      const run = Object.hasOwn(deps.actions, action) ? deps.actions[action] : undefined;
      if (!run) throw new Ec2Error('UnsupportedOperation', `The action ${action} is not supported by this endpoint`);
      const ctx: Ec2Context = {
        action,
        version,
        requestId,
        user,
        one: deps.clients.get(deps.cipher.sessionFor(user.name)),
        admin: deps.admin,
        conf: deps.conf,
        params: new Params(params),
        files,
        log: deps.log,
      };
      const inner = await run(ctx);
      return xmlAnswer(c, 200, requestId, responseXml(action, version, requestId, inner));
    } catch (err) {
      const e = ec2ErrorOf(err);
      if (e.status >= 500) deps.log(`${requestId} ${userName} ${action || '-'}: ${e.code} ${(err as Error)?.message ?? String(err)}`);
      return xmlAnswer(c, e.status, requestId, errorXml(e.code, e.message, requestId));
    } finally {
      if (Date.now() - started > 10_000) deps.log(`${requestId} ${userName} ${action || '-'} took ${Date.now() - started} ms`);
    }
  });
  return app;
}
