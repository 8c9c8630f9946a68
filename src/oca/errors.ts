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
