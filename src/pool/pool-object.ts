/**
 * The generic pool object every OpenNebula object type is built on: a numeric id, a name, an
 * owner and group, permission bits, an optional lock and a template. Each object keeps its
 * rendered XML until it changes, so listings and info calls copy strings instead of
 * serializing (see design.md: this must scale to 100,000 objects).
 */
import type { ObjectTypeName } from '../common/object-type.js';
import type { Row } from '../db/database.js';
import type { XmlNode } from '../common/xml-tree.js';
import { child, childInt, childText } from '../common/xml-tree.js';
import { Permissions } from './permissions.js';
import { xmlElement, xmlEscapeText } from '../common/xml.js';
import { flat } from '../common/flat-string.js';

/** Lock levels of `one.<obj>.lock`: what the lock blocks. ALL (4) behaves as USE. */
export const LockLevel = { USE: 1, MANAGE: 2, ADMIN: 3, ALL: 4 } as const;
export type LockLevelValue = (typeof LockLevel)[keyof typeof LockLevel];

export interface Lock {
  readonly level: LockLevelValue;
  /** Uid of the user who locked the object. */
  readonly owner: number;
  /** Epoch seconds. */
  readonly time: number;
  readonly reqId: number;
}

/** Whether a lock at `level` blocks an operation needing `right` (1 use, 2 manage, 4 admin). */
export function lockBlocks(level: LockLevelValue, right: number): boolean {
  if (right > 4) return false; // CREATE is never blocked by a lock on another object
  const threshold = level === LockLevel.MANAGE ? 2 : level === LockLevel.ADMIN ? 4 : 1;
  return right >= threshold;
}

/** Who owns an object. */
export interface Ownership {
  uid: number;
  gid: number;
  uname: string;
  gname: string;
}

export abstract class PoolObject {
  /** The object type, as used in ACLs and error messages. */
  abstract readonly type: ObjectTypeName;
  private xml: string | null = null;
  private escaped: string | null = null;

  protected constructor(
    readonly oid: number,
    public name: string,
    public owner: Ownership,
    public perms: Permissions,
    public lock: Lock | null = null,
  ) {}

  /** The object's XML element, rendered once per change. */
  toXml(): string {
    return (this.xml ??= flat(this.renderXml()));
  }

  /**
   * The XML escaped as text (xmlEscapeText), as it travels inside an XML-RPC string: kept too,
   * so listings of thousands of objects are a join, not megabytes of escaping per call.
   */
  toEscapedXml(): string {
    return (this.escaped ??= flat(xmlEscapeText(this.toXml())));
  }

  /**
   * Marks the object as changed so its XML is rendered again. Call it before mutating (the
   * pool's Transaction does this for you in `touch`).
   */
  changed(): void {
    this.xml = null;
    this.escaped = null;
  }

  /** The row stored in the object's pool table. */
  toRow(): Row {
    return {
      oid: this.oid,
      name: this.name,
      body: this.toBody(),
      uid: this.owner.uid,
      gid: this.owner.gid,
      owner_u: this.perms.ownerU,
      group_u: this.perms.groupU,
      other_u: this.perms.otherU,
    };
  }

  /**
   * The stored body: the object's XML, plus anything kept only in the database row (objects
   * override it to add such parts). Loading and rollback read it back with the pool's fromXml.
   */
  toBody(): string {
    return this.toXml();
  }

  protected abstract renderXml(): string;

  /** `<ID>…</ID><UID>…</UID><GID>…</GID><UNAME>…</UNAME><GNAME>…</GNAME>`: how owned objects' XML opens. */
  protected idAndOwnerXml(): string {
    const o = this.owner;
    return `<ID>${this.oid}</ID><UID>${o.uid}</UID><GID>${o.gid}</GID>${xmlElement('UNAME', o.uname)}${xmlElement('GNAME', o.gname)}`;
  }

  /** Reads the UID, GID, UNAME and GNAME idAndOwnerXml wrote. */
  protected static ownerFromXml(node: XmlNode): Ownership {
    return { uid: childInt(node, 'UID'), gid: childInt(node, 'GID'), uname: childText(node, 'UNAME'), gname: childText(node, 'GNAME') };
  }

  /** `<LOCK>` element, or '' when unlocked. */
  protected lockXml(): string {
    const l = this.lock;
    if (!l) return '';
    return `<LOCK><LOCKED>${l.level}</LOCKED><OWNER>${l.owner}</OWNER><TIME>${l.time}</TIME><REQ_ID>${l.reqId}</REQ_ID></LOCK>`;
  }

  /** Reads a `<LOCK>` element written by lockXml. */
  protected static lockFromXml(node: XmlNode): Lock | null {
    const l = child(node, 'LOCK');
    if (!l) return null;
    const level = childInt(l, 'LOCKED');
    if (level < 1 || level > 4) return null;
    return { level: level as LockLevelValue, owner: childInt(l, 'OWNER'), time: childInt(l, 'TIME'), reqId: childInt(l, 'REQ_ID', -1) };
  }
}

/** Characters OpenNebula forbids in object names. */
const INVALID_NAME_CHARS = '&|:\\";/\'#{}$<>';

/** Max length of an object name, in bytes (UTF-8) as OpenNebula counts it. */
const MAX_NAME_LENGTH = 128;

/**
 * Checks an object name as OpenNebula does; `extraChars` are also forbidden (users forbid
 * blanks and ':'). Returns the error message, or null when the name is valid.
 */
export function nameError(name: string, extraChars = ''): string | null {
  if (name.length === 0) return 'Invalid NAME, it cannot be empty';
  for (const c of name) {
    if (INVALID_NAME_CHARS.includes(c) || extraChars.includes(c) || c < ' ') {
      return `Invalid NAME, char '${c}' is not allowed`;
    }
  }
  if (Buffer.byteLength(name) > MAX_NAME_LENGTH) return `Invalid NAME, max length is ${MAX_NAME_LENGTH} chars`;
  return null;
}
