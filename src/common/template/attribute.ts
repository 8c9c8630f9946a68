/** A vector attribute's value: ordered key → value. Keys are normalized names (see {@link normalizeName}). */
export type Vector = Map<string, string>;

/** One template attribute: a single string value or a one-level vector. */
export interface Attribute {
  readonly name: string;
  readonly value: string | Vector;
}

/** Receives parsed attributes in document order; names and vector keys are already normalized. */
export type AttributeSink = (name: string, value: string | Vector) => void;

/**
 * OpenNebula's name fix-up, applied to attribute names and vector keys: upper-case, then prefix
 * `ONE_` when the name would not be a valid (non-reserved) XML element name — it does not start
 * with a letter or `_`, or it starts with `XML`.
 */
export function normalizeName(name: string): string {
  const upper = name.toUpperCase();
  const first = upper.charCodeAt(0);
  const startsWell = (first >= 65 && first <= 90) || first === 95; // A-Z or _
  return startsWell && !upper.startsWith('XML') ? upper : 'ONE_' + upper;
}

/**
 * Normalizes a name given by code (not by a parser) and rejects names that would make the
 * template's XML malformed: empty, or holding a character no XML name may contain.
 */
export function checkedName(name: string): string {
  if (name.length === 0) throw new RangeError('template attribute name must not be empty');
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    const ok =
      (c >= 48 && c <= 58) || // 0-9 and ':'
      (c >= 65 && c <= 90) ||
      (c >= 97 && c <= 122) ||
      c === 95 || c === 45 || c === 46 || // _ - .
      c >= 0x80;
    if (!ok) throw new RangeError(`invalid character ${JSON.stringify(name[i])} in template attribute name ${JSON.stringify(name)}`);
  }
  return normalizeName(name);
}

/**
 * Normalizes a value given by code: vector keys go through {@link checkedName}; when two keys
 * normalize to the same name the first wins, as in the text syntax. Returns the same Map when
 * its keys are already normalized.
 */
export function checkedValue(value: string | Vector): string | Vector {
  if (typeof value === 'string') return value;
  for (const key of value.keys()) {
    if (checkedName(key) !== key) return renormalized(value);
  }
  return value;
}

function renormalized(vector: Vector): Vector {
  const out: Vector = new Map();
  for (const [key, v] of vector) {
    const name = checkedName(key);
    if (!out.has(name)) out.set(name, v);
  }
  return out;
}

/** A deep copy of an attribute value (vectors are mutable Maps). */
export function copyValue(value: string | Vector): string | Vector {
  return typeof value === 'string' ? value : new Map(value);
}
