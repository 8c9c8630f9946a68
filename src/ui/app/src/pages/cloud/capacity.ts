/**
 * What a template lets its user choose for CPU and MEMORY: OpenNebula templates bound them with
 * USER_INPUTS (`CPU = "M|range-float||0.5..4|1"`, `MEMORY = "M|list||128,256|128"`); without
 * one any positive value goes, and the user's quota bounds it anyway.
 */
export interface Bounds {
  min: number;
  max: number;
  /** Allowed values when the template lists them. */
  options?: number[];
  integer: boolean;
}

export function boundsOf(userInput: unknown, integer: boolean): Bounds {
  const free: Bounds = { min: 0, max: Infinity, integer };
  if (typeof userInput !== 'string') return free;
  const [, type = '', , spec = ''] = userInput.split('|');
  if (type === 'range' || type === 'range-float') {
    const [a, b] = spec.split('..').map(Number);
    if (Number.isFinite(a) && Number.isFinite(b)) return { min: a!, max: b!, integer: type === 'range' || integer };
  }
  if (type === 'list') {
    const options = spec.split(',').map(Number).filter(Number.isFinite);
    if (options.length) return { min: Math.min(...options), max: Math.max(...options), options, integer };
  }
  if (type === 'fixed') {
    const v = Number(spec);
    if (Number.isFinite(v)) return { min: v, max: v, options: [v], integer };
  }
  return free;
}

/** Why `raw` is not a value the user may ask for ('' when it is). */
export function capacityError(raw: string, what: string, unit: string, b: Bounds, left: number): string {
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(v)) return `Enter the ${what} as a number`;
  if (v <= 0) return `The ${what} must be more than 0`;
  if (b.integer && !Number.isInteger(v)) return `The ${what} must be a whole number${unit ? ` of ${unit}` : ''}`;
  if (b.options && !b.options.includes(v)) return `This template offers ${b.options.join(', ')}${unit ? ` ${unit}` : ''}`;
  if (v < b.min || v > b.max) return `This template allows ${b.min} to ${b.max}${unit ? ` ${unit}` : ''}`;
  if (v > left) return `Above your quota: ${fmt(left)} ${unit || what} left`;
  return '';
}

export function fmt(n: number): string {
  return n === Infinity ? 'no limit' : Number.isInteger(n) ? String(n) : n.toFixed(2);
}
