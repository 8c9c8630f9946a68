/**
 * The nine permission bits of a pool object (owner, group, other × use, manage, admin).
 */
import type { XmlNode } from '../common/xml-tree.js';
import { childInt } from '../common/xml-tree.js';

/** Order of the bits, as in the API's chmod arguments and the `<PERMISSIONS>` element. */
export const PERMISSION_NAMES = [
  'OWNER_U', 'OWNER_M', 'OWNER_A',
  'GROUP_U', 'GROUP_M', 'GROUP_A',
  'OTHER_U', 'OTHER_M', 'OTHER_A',
] as const;

export type Bit = 0 | 1;

/** A chmod request: one entry per bit in PERMISSION_NAMES order; -1 leaves a bit unchanged. */
export type PermissionChange = readonly [number, number, number, number, number, number, number, number, number];

export class Permissions {
  /** Bits in PERMISSION_NAMES order. */
  private constructor(private readonly bits: readonly Bit[]) {}

  /** From an octal mode such as 0o640 (owner, group, other; 4 use, 2 manage, 1 admin). */
  static fromOctal(mode: number): Permissions {
    const bits: Bit[] = [];
    for (const shift of [6, 3, 0]) {
      const digit = (mode >> shift) & 7;
      bits.push(digit & 4 ? 1 : 0, digit & 2 ? 1 : 0, digit & 1 ? 1 : 0);
    }
    return new Permissions(bits);
  }

  /**
   * Permissions of a new object: the base mode (0777 for oneadmin's objects, 0660 otherwise, 0666
   * when other permissions are enabled) masked by the creator's umask, as OpenNebula does.
   */
  static forNewObject(uid: number, gid: number, umask: number, enableOther = false): Permissions {
    const base = uid === 0 || gid === 0 ? 0o777 : enableOther ? 0o666 : 0o660;
    return Permissions.fromOctal(base & ~umask);
  }

  static fromXml(node: XmlNode | undefined): Permissions {
    if (!node) return Permissions.fromOctal(0);
    return new Permissions(PERMISSION_NAMES.map((n) => (childInt(node, n) ? 1 : 0)));
  }

  get ownerU(): Bit { return this.bits[0]!; }
  get groupU(): Bit { return this.bits[3]!; }
  get otherU(): Bit { return this.bits[6]!; }

  /** Whether `class` (0 owner, 1 group, 2 other) has `right` (1 use, 2 manage, 4 admin). */
  allows(cls: 0 | 1 | 2, right: number): boolean {
    const offset = right === 1 ? 0 : right === 2 ? 1 : right === 4 ? 2 : -1;
    return offset >= 0 && this.bits[cls * 3 + offset] === 1;
  }

  /** The result of a chmod; throws RangeError when a value is not -1, 0 or 1. */
  change(change: PermissionChange): Permissions {
    return new Permissions(
      this.bits.map((bit, i) => {
        const v = change[i]!;
        if (v !== -1 && v !== 0 && v !== 1) throw new RangeError('New permission values must be -1, 0 or 1');
        return v === -1 ? bit : v;
      }),
    );
  }

  /** Octal mode, e.g. 0o640. */
  toOctal(): number {
    let mode = 0;
    for (const b of this.bits) mode = (mode << 1) | b;
    return mode;
  }

  toXml(): string {
    let xml = '<PERMISSIONS>';
    PERMISSION_NAMES.forEach((n, i) => (xml += `<${n}>${this.bits[i]}</${n}>`));
    return `${xml}</PERMISSIONS>`;
  }
}
