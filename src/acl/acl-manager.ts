/**
 * The ACL engine: every rule in memory, indexed by whom it names and by object type, persisted in
 * table `acl`. Answers "does an ACL rule grant this request?" and "which objects of a type may this
 * user see?". Owner/group/other permission bits and the oneadmin short-cuts are the caller's job.
 */
import type { Database, Row, Write } from '../db/database.js';
import { AclError } from '../common/acl/acl-error.js';
import { AclRule, AclSelector } from '../common/acl/acl-rule.js';
import { bootstrapRules } from './default-rules.js';
import { IndexedRule, MultiMap, RuleBucket, Sel, ruleKey, typeIndexOf } from './rule-index.js';

/** Switches to ignore some kinds of resource selectors (OpenNebula's PoolObjectAuth flags). */
export interface AclSelectorSwitches {
  /** Ignore `TYPE/*` rules (e.g. for reservation networks). */
  readonly disableAllAcl?: boolean;
  /** Ignore `TYPE/@gid` rules. */
  readonly disableGroupAcl?: boolean;
  /** Ignore `TYPE/%cid` rules (e.g. for reservation networks). */
  readonly disableClusterAcl?: boolean;
}

/** An authorization request, as far as ACL rules are concerned. */
export interface AclRequest extends AclSelectorSwitches {
  /** The requesting user. */
  readonly uid: number;
  /** Every group the user belongs to. */
  readonly gids: ReadonlySet<number>;
  /** One ObjectType bit. */
  readonly objectType: bigint;
  /** The object's id, -1 when there is none (create). */
  readonly oid: number;
  /** The object's group, -1 when it has none. */
  readonly objectGid: number;
  /** The clusters the object is in. */
  readonly clusterIds?: readonly number[];
  /** Rights wanted: 1 USE, 2 MANAGE, 4 ADMIN, 8 CREATE (an AuthOp's low nibble; other bits are ignored). */
  readonly right: number;
  /** The zone the request is served in; the manager's zone when absent. */
  readonly zoneId?: number;
}

/** The objects of one type that ACL rules let a user see. */
export interface AclGrants {
  /** Every object of the type; the id lists are then empty. */
  readonly all: boolean;
  /** Individual objects (`TYPE/#oid`), ascending. */
  readonly oids: number[];
  /** Objects of these groups (`TYPE/@gid`), ascending. */
  readonly gids: number[];
  /** Objects in these clusters (`TYPE/%cid`), ascending. */
  readonly cids: number[];
}

export interface AclManagerOptions {
  /** The zone this oned serves (oned.conf FEDERATION/ZONE_ID); default 0. */
  readonly zoneId?: number;
}

const TABLE = 'acl';

function column(row: Row, name: string): bigint {
  const value = row[name];
  if (value === null || value === undefined) throw new Error(`Table ${TABLE}: rule ${String(row.oid)} has no ${name}`);
  return BigInt(value);
}

/** The row of a rule. BIGINT columns are signed, so components are stored as two's complement. */
function upsertOf(rule: AclRule): Write {
  const signed = (v: bigint): bigint => BigInt.asIntN(64, v);
  return {
    kind: 'upsert',
    table: TABLE,
    row: {
      oid: rule.oid,
      userset: signed(rule.user),
      resource: signed(rule.resource),
      rights: signed(rule.rights),
      zone: signed(rule.zone),
    },
  };
}

function deleteOf(rule: IndexedRule): Write {
  return { kind: 'delete', table: TABLE, where: { oid: rule.rule.oid } };
}

function ascending(ids: Set<number>): number[] {
  return [...ids].sort((a, b) => a - b);
}

/** All ACL rules of this oned, in memory and in table `acl`. Create with `AclManager.load`. */
export class AclManager {
  private readonly byOid = new Map<number, IndexedRule>();
  /** Identities of the rules, including those whose insertion is still being written. */
  private readonly keys = new Set<string>();
  private readonly everyone = new RuleBucket();
  private readonly byUid = new Map<number, RuleBucket>();
  private readonly byGid = new Map<number, RuleBucket>();
  /** By exact resource component, to drop an object's `#oid` rules. */
  private readonly byResource = new MultiMap<bigint, IndexedRule>();
  /** `@gid` resource rules by gid, to drop a group's rules. */
  private readonly byResourceGroup = new MultiMap<number, IndexedRule>();
  /** `%cid` resource rules by cid, to drop a cluster's rules. */
  private readonly byResourceCluster = new MultiMap<number, IndexedRule>();
  private lastOid = -1;
  private xml: string | undefined;
  /**
   * Set on a federation slave: table `acl` is the master's, replicated here; rules are added and
   * deleted through the master (the API forwards), and the rules of objects deleted in this zone
   * stay until the master drops them, as OpenNebula's slaves leave them.
   */
  replica = false;

  private constructor(
    private readonly db: Database,
    /** The zone this oned serves. */
    readonly zoneId: number,
  ) {}

  /** Loads every rule of table `acl`. */
  static async load(db: Database, options: AclManagerOptions = {}): Promise<AclManager> {
    const manager = new AclManager(db, options.zoneId ?? 0);
    // The highest id ever given is kept in pool_control, so a deleted rule's id is never reused.
    const control = await db.query('SELECT last_oid FROM pool_control WHERE tablename = ?', [TABLE]);
    if (control.length) manager.lastOid = Number(control[0]!.last_oid);
    const rows = await db.query(`SELECT oid, userset, resource, rights, zone FROM ${TABLE} ORDER BY oid`);
    for (const row of rows) {
      const rule = new AclRule(
        Number(row.oid),
        column(row, 'userset'),
        column(row, 'resource'),
        column(row, 'rights'),
        column(row, 'zone'),
      );
      manager.index(new IndexedRule(rule));
    }
    return manager;
  }

  /**
   * Adds the rules of a fresh install (bootstrapRules: OpenNebula's defaults, then the default
   * VDC's for "users"), each like addRule, skipping those present. Meant for a fresh database: a
   * default rule deleted by the admin would come back.
   */
  async bootstrap(): Promise<void> {
    for (const rule of bootstrapRules(this.zoneId)) {
      if (!this.keys.has(ruleKey(rule))) await this.addRule(rule);
    }
  }

  /** Makes memory match table `acl`: on a slave, after replication changed it. */
  async resync(): Promise<void> {
    const rows = await this.db.query(`SELECT oid, userset, resource, rights, zone FROM ${TABLE} ORDER BY oid`);
    const stored = new Map<number, AclRule>();
    for (const row of rows) {
      stored.set(Number(row.oid), new AclRule(Number(row.oid), column(row, 'userset'), column(row, 'resource'), column(row, 'rights'), column(row, 'zone')));
    }
    for (const r of [...this.byOid.values()]) {
      const s = stored.get(r.rule.oid);
      if (!s || !s.equals(r.rule)) this.unindex(r);
    }
    for (const [oid, rule] of stored) if (!this.byOid.has(oid)) this.index(new IndexedRule(rule));
  }

  /** Number of stored rules. */
  get size(): number {
    return this.byOid.size;
  }

  /** The stored rule with that id. */
  get(oid: number): AclRule | undefined {
    return this.byOid.get(oid)?.rule;
  }

  /**
   * Validates and stores the rule (its oid is ignored) under the next id, resolving with that id
   * once the row is written. AclError 'exists' for a duplicate, 'invalid' for a malformed rule.
   */
  async addRule(rule: AclRule): Promise<number> {
    if (this.replica) throw new AclError('invalid', 'ACL rules of a federation slave are added through the master zone');
    const key = ruleKey(rule);
    if (this.keys.has(key)) throw new AclError('exists', `Rule ${rule} already exists`);
    rule.assertValid();
    const stored = rule.withOid(++this.lastOid);
    // Reserved now so a concurrent add of the same rule is refused while this one is written.
    this.keys.add(key);
    try {
      await this.db.write([upsertOf(stored), { kind: 'upsert', table: 'pool_control', row: { tablename: TABLE, last_oid: stored.oid } }]);
    } catch (error) {
      this.keys.delete(key);
      if (this.lastOid === stored.oid) this.lastOid--;
      throw error;
    }
    this.index(new IndexedRule(stored));
    return stored.oid;
  }

  /** The stored rule equal to `rule` (ids aside), if any. */
  find(rule: AclRule): AclRule | undefined {
    if (!this.keys.has(ruleKey(rule))) return undefined;
    for (const r of this.byOid.values()) if (r.rule.equals(rule)) return r.rule;
    return undefined;
  }

  /** Deletes a rule. AclError 'not_found' when there is no rule with that id. */
  async delRule(oid: number): Promise<void> {
    const rule = this.byOid.get(oid);
    if (!rule) throw new AclError('not_found', `Rule ${oid} does not exist`);
    await this.drop([rule]);
  }

  /** When user `uid` is deleted: drops the rules for `#uid` (the caller also calls delResourceRules). */
  async delUidRules(uid: number): Promise<void> {
    await this.drop([...(this.byUid.get(uid)?.rules ?? [])]);
  }

  /**
   * When group `gid` is deleted: drops the rules for `@gid` and the rules on the group's objects
   * (`…/@gid`), whatever their types.
   */
  async delGidRules(gid: number): Promise<void> {
    const doomed = new Set(this.byGid.get(gid)?.rules);
    for (const rule of this.byResourceGroup.get(gid) ?? []) doomed.add(rule);
    await this.drop([...doomed]);
  }

  /** When cluster `cid` is deleted: drops the rules on its objects (`…/%cid`). */
  async delCidRules(cid: number): Promise<void> {
    await this.drop([...(this.byResourceCluster.get(cid) ?? [])]);
  }

  /** When zone `zid` is deleted: drops the rules that apply in that zone only (`#zid`). */
  async delZidRules(zid: number): Promise<void> {
    const zone = AclRule.zoneComponent(zid);
    // A scan: zones are deleted too rarely to deserve an index.
    await this.drop([...this.byOid.values()].filter((r) => r.rule.zone === zone));
  }

  /**
   * When an object is deleted: drops the rules naming exactly that object and nothing else
   * (`IMAGE/#7`, but not `IMAGE+TEMPLATE/#7`, which still names template 7).
   */
  async delResourceRules(objectType: bigint, oid: number): Promise<void> {
    const rules = this.byResource.get(objectType | AclSelector.INDIVIDUAL | BigInt(oid));
    if (rules) await this.drop([...rules]);
  }

  /** Whether some rule grants the request. */
  authorize(req: AclRequest): boolean {
    const type = typeIndexOf(req.objectType);
    const right = req.right & 0xf;
    if (type < 0 || right === 0) return false;
    const zoneId = req.zoneId ?? this.zoneId;
    if (this.bucketGrants(this.everyone, type, right, zoneId, req)) return true;
    if (this.bucketGrants(this.byUid.get(req.uid), type, right, zoneId, req)) return true;
    for (const gid of req.gids) {
      if (this.bucketGrants(this.byGid.get(gid), type, right, zoneId, req)) return true;
    }
    return false;
  }

  /**
   * Which objects of `objectType` the rules let the user (with its groups) have `right` on, in this
   * zone: for filtering pool listings.
   */
  reverseSearch(
    uid: number,
    gids: ReadonlySet<number>,
    objectType: bigint,
    right: number,
    switches: AclSelectorSwitches = {},
  ): AclGrants {
    const found = { oids: new Set<number>(), gids: new Set<number>(), cids: new Set<number>() };
    const type = typeIndexOf(objectType);
    const wanted = right & 0xf;
    if (type >= 0 && wanted !== 0) {
      let all = this.collect(this.everyone, type, wanted, switches, found);
      all ||= this.collect(this.byUid.get(uid), type, wanted, switches, found);
      for (const gid of gids) all ||= this.collect(this.byGid.get(gid), type, wanted, switches, found);
      if (all) return { all: true, oids: [], gids: [], cids: [] };
    }
    return { all: false, oids: ascending(found.oids), gids: ascending(found.gids), cids: ascending(found.cids) };
  }

  /**
   * `<ACL_POOL>` with every rule (one.acl.info) in OpenNebula's order: its rules live in a
   * multimap keyed by the user component, so by ascending user component (`#uid` rules, then
   * `@gid`, then `*`), then by id.
   */
  toXml(): string {
    this.xml ??= `<ACL_POOL>${[...this.byOid.values()]
      .sort((a, b) => (a.rule.user < b.rule.user ? -1 : a.rule.user > b.rule.user ? 1 : a.rule.oid - b.rule.oid))
      .map((r) => r.xml)
      .join('')}</ACL_POOL>`;
    return this.xml;
  }

  private bucketGrants(
    bucket: RuleBucket | undefined,
    type: number,
    right: number,
    zoneId: number,
    req: AclRequest,
  ): boolean {
    if (!bucket) return false;
    if (req.oid >= 0) {
      for (const r of bucket.singlesOfType(type)?.get(req.oid) ?? []) {
        if ((r.rights & right) === right && r.appliesIn(zoneId)) return true;
      }
    }
    for (const r of bucket.wideOfType(type) ?? []) {
      if ((r.rights & right) !== right || !r.appliesIn(zoneId)) continue;
      const sel = r.selector;
      if (
        (sel & Sel.ALL && !req.disableAllAcl) ||
        (sel & Sel.GROUP && !req.disableGroupAcl && req.objectGid >= 0 && r.resourceId === req.objectGid) ||
        (sel & Sel.CLUSTER && !req.disableClusterAcl && req.clusterIds?.includes(r.resourceId)) ||
        // Malformed rules with several selector bits, loaded from the table, match as in OpenNebula.
        (sel & Sel.INDIVIDUAL && req.oid >= 0 && r.resourceId === req.oid)
      ) {
        return true;
      }
    }
    return false;
  }

  /** Adds what the bucket's rules grant to `found`; true when a rule grants every object. */
  private collect(
    bucket: RuleBucket | undefined,
    type: number,
    right: number,
    switches: AclSelectorSwitches,
    found: { oids: Set<number>; gids: Set<number>; cids: Set<number> },
  ): boolean {
    if (!bucket) return false;
    const grants = (r: IndexedRule): boolean => (r.rights & right) === right && r.appliesExactlyIn(this.zoneId);
    for (const r of bucket.wideOfType(type) ?? []) {
      if (!grants(r)) continue;
      const sel = r.selector;
      if (sel & Sel.ALL && !switches.disableAllAcl) return true;
      if (sel & Sel.GROUP && !switches.disableGroupAcl) found.gids.add(r.resourceId);
      else if (sel & Sel.CLUSTER && !switches.disableClusterAcl) found.cids.add(r.resourceId);
      else if (sel & Sel.INDIVIDUAL) found.oids.add(r.resourceId);
    }
    for (const [oid, rules] of bucket.singlesOfType(type)?.entries() ?? []) {
      for (const r of rules) {
        if (grants(r)) {
          found.oids.add(oid);
          break;
        }
      }
    }
    return false;
  }

  /** Removes the rules now, and puts them back if the database refuses to delete them. */
  private async drop(rules: readonly IndexedRule[]): Promise<void> {
    if (rules.length === 0 || this.replica) return;
    for (const r of rules) this.unindex(r);
    try {
      await this.db.write(rules.map(deleteOf));
    } catch (error) {
      for (const r of rules) this.index(r);
      throw error;
    }
  }

  private bucketsOf(kind: 'user' | 'group'): Map<number, RuleBucket> {
    return kind === 'user' ? this.byUid : this.byGid;
  }

  private index(r: IndexedRule): void {
    const { rule } = r;
    this.byOid.set(rule.oid, r);
    this.keys.add(r.key);
    const { audience } = r;
    if (audience.kind === 'all') this.everyone.add(r);
    else if (audience.kind !== 'nobody') {
      const buckets = this.bucketsOf(audience.kind);
      let bucket = buckets.get(audience.id);
      if (!bucket) buckets.set(audience.id, (bucket = new RuleBucket()));
      bucket.add(r);
    }
    this.byResource.add(rule.resource, r);
    if (r.selector & Sel.GROUP) this.byResourceGroup.add(r.resourceId, r);
    if (r.selector & Sel.CLUSTER) this.byResourceCluster.add(r.resourceId, r);
    if (rule.oid > this.lastOid) this.lastOid = rule.oid;
    this.xml = undefined;
  }

  private unindex(r: IndexedRule): void {
    const { rule } = r;
    this.byOid.delete(rule.oid);
    this.keys.delete(r.key);
    const { audience } = r;
    if (audience.kind === 'all') this.everyone.remove(r);
    else if (audience.kind !== 'nobody') {
      const buckets = this.bucketsOf(audience.kind);
      const bucket = buckets.get(audience.id);
      bucket?.remove(r);
      if (bucket?.rules.size === 0) buckets.delete(audience.id);
    }
    this.byResource.delete(rule.resource, r);
    if (r.selector & Sel.GROUP) this.byResourceGroup.delete(r.resourceId, r);
    if (r.selector & Sel.CLUSTER) this.byResourceCluster.delete(r.resourceId, r);
    this.xml = undefined;
  }
}
