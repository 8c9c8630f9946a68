/** OpenNebula's API errors as exceptions: what failed, with OpenNebula's code and message. */

import { ErrorCode } from '../common/error-code.js';

/** OpenNebula's error codes (the third element of a failed response), by name. */
export const OneErrorCode = ErrorCode;

export type OneErrorCodeName = keyof typeof OneErrorCode;

/** A call oned refused: `code` is OpenNebula's, `message` its text. */
export class OneError extends Error {
  constructor(
    readonly method: string,
    message: string,
    readonly code: number,
    /** The id of the object involved, when oned names one. */
    readonly objectId?: number,
  ) {
    super(message);
  }

  /** The name of the code (`NO_EXISTS`), or `UNKNOWN`. */
  get codeName(): OneErrorCodeName | 'UNKNOWN' {
    return (Object.keys(OneErrorCode) as OneErrorCodeName[]).find((k) => OneErrorCode[k] === this.code) ?? 'UNKNOWN';
  }
}

/** oned could not be reached or did not answer in time. */
export class OneConnectionError extends Error {}

/**
 * The HTTP status the REST servers (oneflow-server, occi-server) answer a refusal of oned with:
 * authentication 401, authorization 403, no such object 404, anything else 500.
 */
export function httpStatusOf(err: OneError): 401 | 403 | 404 | 500 {
  return err.code === OneErrorCode.AUTHENTICATION ? 401 : err.code === OneErrorCode.AUTHORIZATION ? 403 : err.code === OneErrorCode.NO_EXISTS ? 404 : 500;
}
