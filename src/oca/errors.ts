/** OpenNebula's API errors as exceptions: what failed, with OpenNebula's code and message. */

/** OpenNebula's error codes (the third element of a failed response). */
export const OneErrorCode = {
  SUCCESS: 0,
  AUTHENTICATION: 0x0100,
  AUTHORIZATION: 0x0200,
  NO_EXISTS: 0x0400,
  ACTION: 0x0800,
  XML_RPC_API: 0x1000,
  INTERNAL: 0x2000,
  ALLOCATE: 0x4000,
  LOCKED: 0x8000,
} as const;

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
