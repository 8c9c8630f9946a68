/**
 * OpenNebula's API error codes and the error that carries one out of a method. The request
 * manager turns it into the failure envelope `[false, "[method] message", code, object id, -1]`.
 */
import { ErrorCode, type ErrorCodeValue } from '../common/error-code.js';

export { ErrorCode, type ErrorCodeValue };

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
