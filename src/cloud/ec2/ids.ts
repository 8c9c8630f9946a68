/**
 * EC2 ids of OpenNebula objects: the prefix and the object's id in decimal, at least eight
 * digits (`i-00000042` is VM 42, `ami-00000003` image 3), as OpenNebula's econe-server wrote them.
 * Parsing is strict: the prefix, then exactly the digits this format writes.
 */
import { Ec2Error } from './errors.js';

export type IdPrefix = 'i' | 'ami' | 'vol' | 'snap' | 'sg' | 'eipalloc' | 'eipassoc' | 'r';

export function formatId(prefix: IdPrefix, id: number): string {
  return `${prefix}-${String(id).padStart(8, '0')}`;
}

/** The OpenNebula id of `text`, or undefined when it is not a `prefix-NNNNNNNN` id. */
export function parseId(prefix: IdPrefix, text: string): number | undefined {
  const m = /^([a-z]+)-(\d{8}|[1-9]\d{8,15})$/.exec(text);
  if (!m || m[1] !== prefix) return undefined;
  return Number(m[2]);
}

/** What EC2 calls each kind in its `Invalid<Kind>.Malformed` / `.NotFound` codes. */
const KIND: Record<IdPrefix, string> = { i: 'InstanceID', ami: 'AMIID', vol: 'Volume', snap: 'Snapshot', sg: 'GroupId', eipalloc: 'AllocationID', eipassoc: 'Association', r: 'ReservationID' };

export function notFoundCode(prefix: IdPrefix): string {
  return `Invalid${KIND[prefix]}.NotFound`;
}

/** The id, or `Invalid<Kind>.Malformed` naming the parameter. */
export function requireId(prefix: IdPrefix, text: string): number {
  const id = parseId(prefix, text);
  if (id === undefined) throw new Ec2Error(`Invalid${KIND[prefix]}.Malformed`, `Invalid id: "${text}" (expecting "${prefix}-" and eight or more digits)`);
  return id;
}

export function notFound(prefix: IdPrefix, text: string): Ec2Error {
  return new Ec2Error(notFoundCode(prefix), `The ${KIND[prefix].replace(/ID$/, ' ID')} '${text}' does not exist`);
}
