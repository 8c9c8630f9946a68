/**
 * Sizes of EC2 instance types (vCPUs and MB), for a host's capacity: `CAPACITY = [ M1_SMALL = 2 ]`
 * is two m1.small. The host template may add or correct sizes: `INSTANCE_TYPE_SIZE = [ M7I_LARGE = "2 8192" ]`.
 */
import type { Settings } from '../hybrid/settings.js';
import type { HostCapacity } from '../hybrid/cloud.js';

const SIZES: Readonly<Record<string, readonly [number, number]>> = {
  't2.nano': [1, 512], 't2.micro': [1, 1024], 't2.small': [1, 2048], 't2.medium': [2, 4096], 't2.large': [2, 8192], 't2.xlarge': [4, 16384],
  't3.nano': [2, 512], 't3.micro': [2, 1024], 't3.small': [2, 2048], 't3.medium': [2, 4096], 't3.large': [2, 8192], 't3.xlarge': [4, 16384],
  'm1.small': [1, 1740], 'm1.medium': [1, 3840], 'm1.large': [2, 7680], 'm1.xlarge': [4, 15360],
  'm5.large': [2, 8192], 'm5.xlarge': [4, 16384], 'm5.2xlarge': [8, 32768], 'm5.4xlarge': [16, 65536],
  'c5.large': [2, 4096], 'c5.xlarge': [4, 8192], 'c5.2xlarge': [8, 16384],
  'r5.large': [2, 16384], 'r5.xlarge': [4, 32768],
};

/** `m1.small` → `M1_SMALL`, the name in CAPACITY. */
export function capacityKey(type: string): string {
  return type.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

/** `M1_SMALL` → `m1.small` (the first `_` is the family's dot, as AWS names types). */
export function typeOfKey(key: string): string {
  return key.toLowerCase().replace('_', '.');
}

/** vCPUs and MB of a type. @throws Error for a type of unknown size */
export function typeSize(type: string, overrides: Settings | undefined): HostCapacity {
  const own = overrides?.get(capacityKey(type));
  if (own !== undefined) {
    const [cpu, mem] = own.trim().split(/\s+/).map(Number);
    if (!(cpu! > 0) || !(mem! > 0)) throw new Error(`INSTANCE_TYPE_SIZE ${capacityKey(type)} must be "<vCPUs> <memory MB>", not "${own}"`);
    return { cpu: cpu!, memoryMb: mem! };
  }
  const known = SIZES[type];
  if (!known) throw new Error(`The size of instance type ${type} is not known: give it in the host template (INSTANCE_TYPE_SIZE = [ ${capacityKey(type)} = "<vCPUs> <memory MB>" ])`);
  return { cpu: known[0], memoryMb: known[1] };
}

/** The instance types of CAPACITY with their counts. @throws Error on a count that is not a whole number >= 0 */
export function capacityCounts(capacity: Settings | undefined): Map<string, number> {
  const out = new Map<string, number>();
  for (const [key, value] of capacity ?? []) {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new Error(`CAPACITY ${key} must be a whole number of instances, not "${value}"`);
    out.set(typeOfKey(key), n);
  }
  return out;
}
