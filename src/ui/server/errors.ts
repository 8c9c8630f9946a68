/**
 * What the browser is told when a call fails: oned's own message and code (the page shows it as
 * it is), an expired login as 401, oned unreachable as 503 so the app shows its banner and
 * retries. Never a stack trace, never the server's credentials.
 */
import type { Context } from 'hono';
import { OneConnectionError, OneError, OneErrorCode } from '../../oca/errors.js';

export class HttpError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 503,
    message: string,
  ) {
    super(message);
  }
}

export function errorResponse(c: Context, err: unknown): Response {
  if (err instanceof HttpError) return c.json({ error: err.message }, err.status);
  if (err instanceof OneError) {
    const status = err.code === OneErrorCode.AUTHENTICATION ? 401 : err.code === OneErrorCode.AUTHORIZATION ? 403 : err.code === OneErrorCode.NO_EXISTS ? 404 : 400;
    return c.json({ error: err.message, code: err.code, codeName: err.codeName, oned: 'up' }, status);
  }
  if (err instanceof OneConnectionError) return c.json({ error: 'oned is not reachable: the cloud\'s core daemon does not answer. Retrying.', oned: 'down' }, 503);
  console.error(`sunstone-server: ${(err as Error)?.stack ?? err}`);
  return c.json({ error: 'Internal error of the operations center (see its log)' }, 500 as 400);
}
