/**
 * Errors of occi-server as HTTP answers: a status and a one-line text body. oned's refusals map
 * as OpenNebula's OCCI server mapped them (authentication 401, authorization 403, no such
 * object 404), except two that are the client's doing, not the server's: an action the
 * object's state does not allow is 409 Conflict, and a creation oned refuses (a bad template,
 * a name taken, a network or image that does not exist, a quota) is 400. Anything else is 500.
 */
import { httpStatusOf, OneConnectionError, OneError, OneErrorCode } from '../../oca/index.js';

export type OcciStatus = 400 | 401 | 403 | 404 | 405 | 406 | 409 | 413 | 415 | 500 | 502;

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

/** The calls that make (or attach) objects from what the client sent. */
const CREATIONS = /\.(allocate|instantiate|clone|attach|attachnic|detach|detachnic|disksaveas)$/;

/** The status and message of any failure. */
export function statusOf(err: unknown): { status: OcciStatus; message: string } {
  if (err instanceof OcciError) return { status: err.status, message: err.message };
  if (err instanceof OneError) {
    const status = httpStatusOf(err);
    if (status !== 500) return { status, message: err.message };
    if (err.code === OneErrorCode.ACTION) return { status: 409, message: err.message };
    if (CREATIONS.test(err.method)) return { status: 400, message: err.message };
    return { status, message: err.message };
  }
  if (err instanceof OneConnectionError) return { status: 502, message: err.message };
  return { status: 500, message: err instanceof Error ? err.message : String(err) };
}
