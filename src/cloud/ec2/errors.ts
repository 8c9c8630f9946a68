/**
 * EC2's errors: a code (`InvalidInstanceID.NotFound`), a message and the HTTP status EC2 answers
 * it with. Client errors are 400 as in EC2 (AuthFailure 401, SignatureDoesNotMatch and
 * UnauthorizedOperation 403, a body too large 413), server failures 500, oned unreachable 503.
 */
import { OneConnectionError, OneError, OneErrorCode } from '../../oca/index.js';

export class Ec2Error extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export const missing = (name: string) => new Ec2Error('MissingParameter', `The request must contain the parameter ${name}`);
export const invalid = (name: string, why: string) => new Ec2Error('InvalidParameterValue', `Value for parameter ${name} is invalid: ${why}`);

/** How an error of oned reads in EC2 (`notFound`: the code when the object does not exist). */
export function ec2ErrorOf(err: unknown, notFound?: string): Ec2Error {
  if (err instanceof Ec2Error) return err;
  if (err instanceof OneError) {
    const text = err.message.replace(/^\[[\w.]+\]\s*/, '');
    switch (err.code) {
      case OneErrorCode.AUTHENTICATION:
        return new Ec2Error('AuthFailure', text, 401);
      case OneErrorCode.AUTHORIZATION:
        return new Ec2Error('UnauthorizedOperation', `You are not authorized to perform this operation. ${text}`, 403);
      case OneErrorCode.NO_EXISTS:
        return new Ec2Error(notFound ?? 'InvalidParameterValue', text);
      case OneErrorCode.ACTION:
        return new Ec2Error('IncorrectState', text);
      case OneErrorCode.ALLOCATE:
      case OneErrorCode.XML_RPC_API:
        return /quota/i.test(text) ? new Ec2Error('ResourceLimitExceeded', text) : new Ec2Error('InvalidParameterValue', text);
      default:
        return new Ec2Error('InternalError', text, 500);
    }
  }
  if (err instanceof OneConnectionError) return new Ec2Error('Unavailable', 'The service is unavailable: oned does not answer. Try again later.', 503);
  return new Ec2Error('InternalError', 'An internal error has occurred.', 500);
}
