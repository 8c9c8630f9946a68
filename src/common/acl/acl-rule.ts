/**
 * One ACL rule: four 64-bit components (user, resource, rights, zone), their hex and human text
 * forms, and OpenNebula's checks of what makes a rule well formed.
 */
import { ObjectType, type ObjectTypeName } from '../object-type.js';
import { AclError } from './acl-error.js';

/** The bits (32–35) saying which ids a user, resource or zone component selects. */
export const AclSelector = {
  /** `#id`: one user, one object, one zone. */
  INDIVIDUAL: 0x100000000n,
  /** `@id`: the members of a group (user), the objects of a group (resource). */
  GROUP: 0x200000000n,
  /** `*`: every user, every object of the types, every zone. */
  ALL: 0x400000000n,
  /** `%id`: the objects in a cluster (resource only). */
  CLUSTER: 0x800000000n,
} as const;

/** The rights bits of a rule: the low nibble of an AuthOp. */
export const AclRight = { USE: 0x1n, MANAGE: 0x2n, ADMIN: 0x4n, CREATE: 0x8n } as const;

/**
 * The types a rule's text may name, in the order OpenNebula prints them. ACL and HOOK are absent
 * as in OpenNebula: it neither prints nor parses them (a HOOK bit is refused by validation, an
 * ACL bit passes validation but does not show in the text).
 */
const RULE_TYPES: readonly ObjectTypeName[] = [
  'VM', 'HOST', 'NET', 'IMAGE', 'USER', 'TEMPLATE', 'GROUP', 'DATASTORE', 'CLUSTER', 'DOCUMENT',
  'ZONE', 'SECGROUP', 'VDC', 'VROUTER', 'MARKETPLACE', 'MARKETPLACEAPP', 'VMGROUP', 'VNTEMPLATE',
  'BACKUPJOB',
];

const RULE_TYPE_BITS: ReadonlyMap<string, bigint> = new Map(RULE_TYPES.map((n) => [n, ObjectType[n]]));
const RIGHT_NAMES = Object.keys(AclRight) as (keyof typeof AclRight)[];
const RIGHT_BITS: ReadonlyMap<string, bigint> = new Map(RIGHT_NAMES.map((n) => [n, AclRight[n]]));

const ID_BITS = 0xffffffffn;
const SELECTOR_BITS = 0xf00000000n;
const USER_SELECTOR_BITS = 0x700000000n;
const TYPE_BITS = 0xfffffff000000000n;
/** Bits no rule may carry: HOOK and everything above BACKUPJOB. */
const WRONG_TYPE_BITS = 0xfe80000000000000n;

function typesOf(...names: ObjectTypeName[]): bigint {
  return names.reduce((bits, n) => bits | ObjectType[n], 0n);
}

/** Types a `%cid` selector cannot be used with. */
const NO_CLUSTER_TYPES = typesOf(
  'VM', 'IMAGE', 'USER', 'TEMPLATE', 'GROUP', 'ACL', 'CLUSTER', 'DOCUMENT', 'ZONE', 'SECGROUP', 'VDC',
  'VROUTER', 'MARKETPLACE', 'MARKETPLACEAPP', 'VMGROUP', 'VNTEMPLATE',
);
/** Types a `@gid` selector cannot be used with (they have no group). */
const NO_GROUP_TYPES = typesOf('HOST', 'GROUP', 'CLUSTER', 'ZONE', 'VDC');
/** Types shared by all zones of a federation, the only ones a `#id` rule for every zone may name. */
const FEDERATED_TYPES = typesOf('USER', 'GROUP', 'ZONE', 'ACL', 'VDC');

type IdForms = readonly (readonly [bit: bigint, prefix: string])[];
const { INDIVIDUAL, GROUP, ALL, CLUSTER } = AclSelector;
// Precedence when several selector bits are set (only in malformed rules), as OpenNebula prints.
const USER_FORMS: IdForms = [[GROUP, '@'], [INDIVIDUAL, '#'], [ALL, '*']];
const RESOURCE_FORMS: IdForms = [[GROUP, '@'], [INDIVIDUAL, '#'], [CLUSTER, '%'], [ALL, '*']];
const ZONE_FORMS: IdForms = [[INDIVIDUAL, '#'], [ALL, '*']];

/** The id part of a component: its low 32 bits read as a signed int, as OpenNebula does. */
function idOf(component: bigint): number {
  return Number(BigInt.asIntN(32, component));
}

function idText(component: bigint, forms: IdForms): string {
  for (const [bit, prefix] of forms) {
    if (component & bit) return prefix === '*' ? '*' : prefix + idOf(component);
  }
  return '??';
}

function namesOf<N extends string>(bits: bigint, names: readonly N[], bitOf: (name: N) => bigint): string {
  return names.filter((n) => (bits & bitOf(n)) !== 0n).join('+');
}

/** Lower-case hex without prefix of the unsigned 64-bit value, as OpenNebula's XML shows it. */
function hex(value: bigint): string {
  return value.toString(16);
}

const HEX = /^\s*(?:0x)?([0-9a-f]{1,16})\s*$/i;
const ID_FORM = /^(?:([#@%])(\d{1,10})|\*)$/;
const ID_PREFIX_BITS: Readonly<Record<string, bigint>> = { '#': INDIVIDUAL, '@': GROUP, '%': CLUSTER };

/** `#id`, `@id`, `%id` or `*` as bits, or undefined when malformed. */
function parseIdText(text: string): bigint | undefined {
  const m = ID_FORM.exec(text);
  if (!m) return undefined;
  if (m[1] === undefined) return ALL;
  const id = BigInt(m[2]!);
  return id > ID_BITS ? undefined : ID_PREFIX_BITS[m[1]]! | id;
}

/** An immutable ACL rule. Components are unsigned 64-bit values. */
export class AclRule {
  readonly user: bigint;
  readonly resource: bigint;
  readonly rights: bigint;
  readonly zone: bigint;
  private readonly text: string;

  /**
   * @param oid rule id, -1 while the rule is not stored
   * Components are taken modulo 2^64, so signed values read back from a BIGINT column work too.
   */
  constructor(
    readonly oid: number,
    user: bigint,
    resource: bigint,
    rights: bigint,
    zone: bigint,
  ) {
    this.user = BigInt.asUintN(64, user);
    this.resource = BigInt.asUintN(64, resource);
    this.rights = BigInt.asUintN(64, rights);
    this.zone = BigInt.asUintN(64, zone);
    this.text = [
      idText(this.user, USER_FORMS),
      `${namesOf(this.resource, RULE_TYPES, (n) => ObjectType[n])}/${idText(this.resource, RESOURCE_FORMS)}`,
      namesOf(this.rights, RIGHT_NAMES, (n) => AclRight[n]),
      idText(this.zone, ZONE_FORMS),
    ].join(' ');
    Object.freeze(this);
  }

  /** The zone component `#zoneId`, the default zone of a rule. */
  static zoneComponent(zoneId: number): bigint {
    return INDIVIDUAL | BigInt(zoneId);
  }

  /**
   * A rule from the hex strings of `one.acl.addrule` (with or without `0x`). Without a zone the
   * rule applies in `localZone` only. Throws AclError('invalid') naming every bad argument.
   */
  static fromHex(user: string, resource: string, rights: string, zone?: string, localZone = 0): AclRule {
    const errors: string[] = [];
    const read = (what: string, text: string): bigint => {
      const m = HEX.exec(text);
      if (m) return BigInt('0x' + m[1]);
      errors.push(`[${what}] '${text}' is not a hexadecimal number`);
      return 0n;
    };
    const rule = new AclRule(
      -1,
      read('user', user),
      read('resource', resource),
      read('rights', rights),
      zone === undefined ? AclRule.zoneComponent(localZone) : read('zone', zone),
    );
    if (errors.length > 0) throw new AclError('invalid', errors.join('; '));
    return rule;
  }

  /**
   * A rule from its human text, `<user> <TYPE>[+<TYPE>…]/<id> <RIGHT>[+<RIGHT>…] [<zone>]`, e.g.
   * `@1 VM+NET/* CREATE #0` (names case-insensitive, as the CLI accepts them). Without a zone the
   * rule applies in `localZone` only. Only the syntax is checked here (see `problems`); throws
   * AclError('invalid') with the CLI's messages.
   */
  static parse(text: string, localZone = 0): AclRule {
    const parts = text.trim().split(/\s+/);
    if (parts.length !== 3 && parts.length !== 4) {
      throw new AclError('invalid', 'String needs three components: User, Resource, Rights');
    }
    const [userText, resourceText, rightsText, zoneText] = parts as [string, string, string, string?];
    const errors: string[] = [];
    const ids = (idText: string): bigint => {
      const bits = parseIdText(idText);
      if (bits === undefined) errors.push(`ID string '${idText}' malformed`);
      return bits ?? 0n;
    };
    const names = (list: string, table: ReadonlyMap<string, bigint>, what: string): bigint => {
      let bits = 0n;
      for (const name of list.split('+')) {
        const bit = table.get(name.toUpperCase());
        if (bit === undefined) {
          errors.push(`${what} '${name}' does not exist`);
          return 0n;
        }
        bits |= bit;
      }
      return bits;
    };

    const user = ids(userText);
    const halves = resourceText.split('/');
    let resource = 0n;
    if (halves.length === 2) resource = names(halves[0]!, RULE_TYPE_BITS, 'Resource') | ids(halves[1]!);
    else errors.push(`Resource '${resourceText}' malformed`);
    const rights = names(rightsText, RIGHT_BITS, 'Right');
    const zone = zoneText === undefined ? AclRule.zoneComponent(localZone) : ids(zoneText);

    if (errors.length > 0) throw new AclError('invalid', errors.join(', '));
    return new AclRule(-1, user, resource, rights, zone);
  }

  /** The same rule with another id. */
  withOid(oid: number): AclRule {
    return new AclRule(oid, this.user, this.resource, this.rights, this.zone);
  }

  /** The user or group id of the user component (0 for `*`). */
  get userId(): number {
    return idOf(this.user);
  }

  /** The object, group or cluster id of the resource component (0 for `*`). */
  get resourceId(): number {
    return idOf(this.resource);
  }

  /** The zone id of the zone component (0 for `*`). */
  get zoneId(): number {
    return idOf(this.zone);
  }

  /** Whether both rules grant the same thing (ids are not compared). */
  equals(other: AclRule): boolean {
    return (
      this.user === other.user &&
      this.resource === other.resource &&
      this.rights === other.rights &&
      this.zone === other.zone
    );
  }

  /** Everything that makes the rule malformed, in OpenNebula's words; empty when well formed. */
  problems(): string[] {
    const { user, resource, rights, zone, userId, resourceId, zoneId } = this;
    const types = resource & TYPE_BITS;
    const selectors = resource & SELECTOR_BITS;
    const found: string[] = [];
    const check = (bad: boolean | bigint, message: string): void => {
      if (bad) found.push(message);
    };

    check(user & INDIVIDUAL && user & GROUP, '[user] INDIVIDUAL (#) and GROUP (@) bits are exclusive');
    check(user & INDIVIDUAL && user & ALL, '[user] INDIVIDUAL (#) and ALL (*) bits are exclusive');
    check(user & GROUP && user & ALL, '[user] GROUP (@) and ALL (*) bits are exclusive');
    check((user & USER_SELECTOR_BITS) === 0n, '[user] is missing one of the INDIVIDUAL, GROUP or ALL bits');
    check(userId < 0, '[user] ID cannot be negative');
    check(user & ALL && userId !== 0, 'when using the ALL bit, [user] ID must be 0');

    // More than one selector bit set.
    check((selectors & (selectors - 1n)) !== 0n,
      '[resource] INDIVIDUAL (#), GROUP (@), CLUSTER (%) and ALL (*) bits are exclusive');
    check(resource & CLUSTER && types & NO_CLUSTER_TYPES,
      '[resource] CLUSTER(%) selector can be applied only to DATASTORE, HOST and NET types');
    check(resource & GROUP && types & NO_GROUP_TYPES,
      '[resource] GROUP(@) selector cannot be applied to HOST, GROUP, CLUSTER, ZONE or VDC types');
    check(selectors === 0n, '[resource] is missing one of the INDIVIDUAL, GROUP, CLUSTER or ALL bits');
    check(resourceId < 0, '[resource] ID cannot be negative');
    check(resource & ALL && resourceId !== 0, 'when using the ALL bit, [resource] ID must be 0');
    check(types === 0n, '[resource] type is missing');
    check(resource & WRONG_TYPE_BITS, 'wrong [resource] type');

    check(rights === 0n, 'wrong [rights], it cannot be 0');
    check(rights > 0xfn, 'wrong [rights], it cannot be bigger than 0xF');

    check(zone & GROUP, '[zone] GROUP (@) bit is not supported');
    check(zone & INDIVIDUAL && zone & ALL, '[zone] INDIVIDUAL (#) and ALL (*) bits are exclusive');
    check((zone & USER_SELECTOR_BITS) === 0n, '[zone] is missing one of the INDIVIDUAL or ALL bits');
    check(zoneId < 0, '[zone] ID cannot be negative');
    check(zone & ALL && zoneId !== 0, 'when using the ALL bit, [zone] ID must be 0');
    check(zone & ALL && resource & INDIVIDUAL && (types & FEDERATED_TYPES) !== types,
      '[resource] INDIVIDUAL(#) selector cannot be applied to ALL zones, except for USER, GROUP and ZONE types');
    return found;
  }

  /** Throws AclError('invalid') with OpenNebula's message when the rule is malformed. */
  assertValid(): void {
    const found = this.problems();
    if (found.length > 0) throw new AclError('invalid', `Rule ${this.text} is malformed: ${found.join('; ')}`);
  }

  /** The human text, exactly as OpenNebula's `STRING` element, e.g. `@1 VM+NET/* CREATE #0`. */
  toString(): string {
    return this.text;
  }

  /** The `<ACL>` element of `one.acl.info`. */
  toXml(): string {
    return (
      `<ACL><ID>${this.oid}</ID><USER>${hex(this.user)}</USER><RESOURCE>${hex(this.resource)}</RESOURCE>` +
      `<RIGHTS>${hex(this.rights)}</RIGHTS><ZONE>${hex(this.zone)}</ZONE><STRING>${this.text}</STRING></ACL>`
    );
  }
}
