/** Why an ACL operation was refused; the API layer maps each kind to an OpenNebula error code. */
export type AclErrorKind =
  /** The rule text, hex or bits are wrong (OpenNebula: "Rule … is malformed: …"). */
  | 'invalid'
  /** An identical rule is already stored. */
  | 'exists'
  /** No rule has the given id. */
  | 'not_found';

/** A refused ACL operation, with OpenNebula's message. */
export class AclError extends Error {
  override readonly name = 'AclError';

  constructor(
    readonly kind: AclErrorKind,
    message: string,
  ) {
    super(message);
  }
}
