/**
 * The HTTP client of the occi-* commands: requests to occi-server with HTTP basic auth, the
 * answer's status and text. Credentials come from the options, else the ONE_AUTH file
 * (`user:password`, as every OpenNebula client); the URL from the options, else OCCI_URL,
 * else http://127.0.0.1:4568/.
 */
import { sessionFromEnvironment } from '../../../oca/credentials.js';

export const DEFAULT_URL = 'http://127.0.0.1:4568/';

export interface ClientOptions {
  url?: string;
  username?: string;
  password?: string;
  /** Seconds. */
  timeout?: number;
}

export class OcciHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`${status}: ${body.trim()}`);
  }
}

export class OcciClient {
  readonly url: string;
  private readonly auth: string;
  private readonly timeoutMs: number;

  constructor(opts: ClientOptions, env: NodeJS.ProcessEnv = process.env) {
    this.url = (opts.url ?? env.OCCI_URL ?? DEFAULT_URL).replace(/\/+$/, '');
    let session: string;
    if (opts.username !== undefined || opts.password !== undefined) {
      if (!opts.username || opts.password === undefined) throw new Error('Give both --username and --password (or neither, to use ONE_AUTH)');
      session = `${opts.username}:${opts.password}`;
    } else session = sessionFromEnvironment(env);
    this.auth = `Basic ${Buffer.from(session).toString('base64')}`;
    this.timeoutMs = (opts.timeout ?? 60) * 1000;
  }

  /** Sends a request to `path`; the body of a 2xx answer, else OcciHttpError. */
  async request(method: string, path: string, body?: string | FormData, contentType = 'application/xml'): Promise<string> {
    const headers: Record<string, string> = { Authorization: this.auth, Accept: 'application/xml' };
    if (typeof body === 'string') headers['Content-Type'] = contentType;
    let res: Response;
    try {
      res = await fetch(this.url + path, { method, headers, body, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new Error(`Cannot reach occi-server at ${this.url}: ${cause?.code ?? cause?.message ?? (err as Error).message}`);
    }
    const text = await res.text();
    if (!res.ok) throw new OcciHttpError(res.status, text);
    return text;
  }
}
