/**
 * Errors of occi-server as HTTP answers: a status and a one-line text body. oned's refusals map
 * as OpenNebula's OCCI server mapped them (authentication 401, authorization 403, no such
 * object 404, others 500); the client's own mistakes are 4xx with what was wrong.
 */
import { httpStatusOf, OneConnectionError, OneError } from '../../oca/index.js';

export type OcciStatus = 400 | 401 | 403 | 404 | 405 | 406 | 409 | 415 | 500 | 502;

export class OcciError extends Error {
  constructor(
    readonly status: OcciStatus,
    message: string,
  ) {
    super(message);
  }
}

/** A request the client got wrong (400). */
export function badRequest(message: string): OcciError {
  return new OcciError(400, message);
}

/** The status and message of any failure. */
export function statusOf(err: unknown): { status: OcciStatus; message: string } {
  if (err instanceof OcciError) return { status: err.status, message: err.message };
  if (err instanceof OneError) return { status: httpStatusOf(err), message: err.message };
  if (err instanceof OneConnectionError) return { status: 502, message: err.message };
  return { status: 500, message: err instanceof Error ? err.message : String(err) };
}
