/**
 * Errors of oneflow-server as HTTP answers: a status and a message, sent as
 * `{ "error": { "message": "..." } }`. oned's refusals map to OneFlow's codes: authentication
 * 401, authorization 403, no such object 404, anything else 500; bad input is 400 and an action
 * the service's state does not allow 405.
 */
import { httpStatusOf, OneConnectionError, OneError } from '../oca/index.js';

export class HttpError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 405 | 500 | 502,
    message: string,
  ) {
    super(message);
  }
}

/** The HTTP status and message of any failure. */
export function httpErrorOf(err: unknown): { status: number; message: string } {
  if (err instanceof HttpError) return { status: err.status, message: err.message };
  if (err instanceof OneError) {
    return { status: httpStatusOf(err), message: err.message };
  }
  if (err instanceof OneConnectionError) return { status: 502, message: err.message };
  return { status: 500, message: err instanceof Error ? err.message : String(err) };
}
