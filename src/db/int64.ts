/**
 * The rule every backend applies to 64-bit integers read back: a number when it is exactly
 * representable, a bigint otherwise (ACL rule components, for one, use the high bits).
 */

const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** A 64-bit integer as number when safe, else unchanged. */
export function fromInt64(value: bigint): number | bigint {
  return value >= MIN_SAFE && value <= MAX_SAFE ? Number(value) : value;
}

/** Parses a 64-bit integer's decimal text (as PostgreSQL and MySQL send it) by the same rule. */
export function parseInt64(text: string): number | bigint {
  const value = Number(text);
  // Any text beyond 2^53 - 1 parses to a number that is no longer a safe integer.
  return Number.isSafeInteger(value) ? value : BigInt(text);
}
