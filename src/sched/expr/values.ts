/** What an expression reads, and how a value reads as a number. */

/** What an expression reads: the values of a variable (several for multi-valued ones such as CLUSTER_ID lists
 *  or repeated template attributes), or undefined when the object has no such attribute. */
export interface Attributes {
  lookup(name: string): readonly string[] | undefined;
}

const DECIMAL = /^\s*[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\s*$/;

/** A value as a decimal number, NaN when it is not one (hex, words, the empty string). */
export function numberOf(value: string): number {
  return DECIMAL.test(value) ? Number(value) : NaN;
}

/** The first value of `name`, undefined when there is none. Single-value tests read only this one. */
export function firstValue(attrs: Attributes, name: string): string | undefined {
  return attrs.lookup(name)?.[0];
}

/** Attributes over a plain record: a string is one value, an array several. */
export function attributesOf(record: Readonly<Record<string, string | readonly string[]>>): Attributes {
  const values = new Map<string, readonly string[]>();
  for (const [name, v] of Object.entries(record)) values.set(name, typeof v === 'string' ? [v] : v);
  return { lookup: (name) => values.get(name) };
}
