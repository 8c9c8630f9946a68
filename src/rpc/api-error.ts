/**
 * OpenNebula's API error codes and the error that carries one out of a method. The request
 * manager turns it into the failure envelope `[false, "[method] message", code, object id]`.
 */
export const ErrorCode = {
  SUCCESS: 0x0000,
  AUTHENTICATION: 0x0100,
  AUTHORIZATION: 0x0200,
  NO_EXISTS: 0x0400,
  ACTION: 0x0800,
  XML_RPC_API: 0x1000,
  INTERNAL: 0x2000,
  ALLOCATE: 0x4000,
  LOCKED: 0x8000,
} as const;

export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];

export class ApiError extends Error {
  constructor(
    readonly code: ErrorCodeValue,
    message: string,
    /** Id of the object involved, -1 if none. */
    readonly oid = -1,
  ) {
    super(message);
  }
}
