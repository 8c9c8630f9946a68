/**
 * Authorization operations (AuthRequest::Operation). The low nibble is the ACL right bit; the
 * 0x10 bit asks the authorizer not to check locks.
 */
export const AuthOp = {
  USE: 0x1,
  MANAGE: 0x2,
  ADMIN: 0x4,
  CREATE: 0x8,
  USE_NO_LCK: 0x11,
  MANAGE_NO_LCK: 0x12,
  ADMIN_NO_LCK: 0x14,
  CREATE_NO_LCK: 0x18,
} as const;

export type AuthOpValue = (typeof AuthOp)[keyof typeof AuthOp];

/** The ACL right bit an operation needs (USE, MANAGE, ADMIN or CREATE). */
export function rightOf(op: AuthOpValue): number {
  return op & 0xf;
}

/** Whether the operation must fail on a locked object. */
export function checksLock(op: AuthOpValue): boolean {
  return (op & 0x10) === 0;
}
