import { beforeEach, describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import { ObjectType } from '../common/object-type.js';
import { AuthOp } from '../auth/operation.js';
import type { Database, Row, SqlValue, Write } from '../db/database.js';
import { AclError } from '../common/acl/acl-error.js';
import { AclManager, type AclRequest } from './acl-manager.js';
import { AclRule } from '../common/acl/acl-rule.js';
import { DEFAULT_RULES } from './default-rules.js';

/**
 * Table `acl` in memory, with its primary key and UNIQUE constraint. BIGINTs come back as numbers
 * when exact and as bigints otherwise, like the real backends.
 */
class FakeDb implements Database {
  readonly backend = 'sqlite' as const;
  readonly rows = new Map<number, Record<string, SqlValue>>();
  writes: (readonly Write[])[] = [];
  /** When set, the next write rejects with it and changes nothing. */
  failNext: Error | undefined;
  /** When set, writes wait for this before committing. */
  gate: Promise<void> | undefined;

  async migrate(): Promise<number[]> {
    return [];
  }
  async dropTables(): Promise<void> {}
  async schemaVersion(): Promise<number> {
    return 1;
  }
  async close(): Promise<void> {}

  /** Table pool_control's row for `acl`, if written. */
  lastOid: number | undefined;

  async query(sql: string): Promise<Row[]> {
    if (/\bFROM pool_control\b/.test(sql)) return this.lastOid === undefined ? [] : [{ last_oid: this.lastOid }];
    assert.match(sql, /\bFROM acl\b/);
    const out = (v: SqlValue): SqlValue => (typeof v === 'bigint' && Number.isSafeInteger(Number(v)) ? Number(v) : v);
    return [...this.rows.values()]
      .sort((a, b) => Number(a.oid) - Number(b.oid))
      .map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, out(v)])));
  }

  async write(writes: readonly Write[]): Promise<void> {
    await this.gate;
    const failure = this.failNext;
    this.failNext = undefined;
    if (failure) throw failure;
    const next = new Map(this.rows);
    let lastOid = this.lastOid;
    for (const w of writes) {
      if (w.table === 'pool_control' && w.kind === 'upsert') {
        assert.equal(w.row.tablename, 'acl');
        lastOid = Number(w.row.last_oid);
        continue;
      }
      assert.equal(w.table, 'acl');
      if (w.kind === 'delete') {
        next.delete(Number(w.where.oid));
        continue;
      }
      const same = (r: Record<string, SqlValue>): boolean =>
        ['userset', 'resource', 'rights', 'zone'].every((c) => r[c] === w.row[c]);
      for (const [oid, r] of next) {
        if (oid !== w.row.oid && same(r)) throw new Error('UNIQUE constraint failed');
      }
      next.set(Number(w.row.oid), { ...w.row });
    }
    this.rows.clear();
    for (const [k, v] of next) this.rows.set(k, v);
    this.lastOid = lastOid;
    this.writes.push(writes);
  }

  /** Stores a row directly, as a previous run would have left it. */
  seed(oid: number, text: string): void {
    const r = AclRule.parse(text);
    const s = (v: bigint): bigint => BigInt.asIntN(64, v);
    this.rows.set(oid, { oid, userset: s(r.user), resource: s(r.resource), rights: s(r.rights), zone: s(r.zone) });
  }
}

function rejectsAcl(p: Promise<unknown>, kind: AclError['kind'], message: string | RegExp): Promise<void> {
  return assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof AclError);
    assert.equal(e.kind, kind);
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });
}

/** A request with defaults: user 20 in group 100, VM 10 of group 100, USE, in zone 0. */
function req(over: Partial<AclRequest> = {}): AclRequest {
  return { uid: 20, gids: new Set([100]), objectType: ObjectType.VM, oid: 10, objectGid: 100, right: AuthOp.USE, ...over };
}

async function managerWith(...rules: string[]): Promise<AclManager> {
  const manager = await AclManager.load(new FakeDb());
  for (const text of rules) await manager.addRule(AclRule.parse(text));
  return manager;
}

function texts(manager: AclManager): string[] {
  return [...manager.toXml().matchAll(/<STRING>([^<]*)<\/STRING>/g)].map((m) => m[1]!);
}

describe('AclManager persistence', () => {
  let db: FakeDb;
  beforeEach(() => {
    db = new FakeDb();
  });

  it('loads rules whatever numeric form the columns come back in', async () => {
    db.seed(3, '#5 HOST/#7 MANAGE #0');
    db.seed(1, '@1 VM+IMAGE+TEMPLATE+DOCUMENT+SECGROUP+VMGROUP+BACKUPJOB/* CREATE *');
    // A driver that returns BIGINT as decimal text (pg does).
    db.rows.set(8, { oid: 8, userset: '17179869184', resource: String(0xc00400000000n), rights: '1', zone: '17179869184' });
    const manager = await AclManager.load(db);
    assert.equal(manager.size, 3);
    // Listed as OpenNebula lists them: by user component (#uid, @gid, *), then id.
    assert.deepEqual(texts(manager), [
      '#5 HOST/#7 MANAGE #0',
      '@1 VM+IMAGE+TEMPLATE+DOCUMENT+SECGROUP+VMGROUP+BACKUPJOB/* CREATE *',
      '* DOCUMENT+ZONE/* USE *',
    ]);
    assert.equal(manager.get(3)?.toString(), '#5 HOST/#7 MANAGE #0');
    assert.ok(manager.authorize(req({ uid: 5, objectType: ObjectType.HOST, oid: 7, right: AuthOp.MANAGE })));
  });

  it('stores components as signed BIGINTs and reads them back', async () => {
    const manager = await AclManager.load(db);
    // A (valid) rule whose user component has bit 63 set: negative as a signed BIGINT.
    const odd = new AclRule(-1, 0x8000000100000004n, ObjectType.VM | 0x400000000n, 1n, 0x100000000n);
    const oid = await manager.addRule(odd);
    assert.equal(db.rows.get(oid)?.userset, -0x7ffffffefffffffcn);
    const reloaded = await AclManager.load(db);
    assert.ok(reloaded.get(oid)?.equals(odd));
  });

  it('bootstraps OpenNebula 7.4\'s rules as ids 0-5 (the default VDC\'s for "users" last), once', async () => {
    const manager = await AclManager.load(db);
    await manager.bootstrap();
    // One.acl.info order: by user component, then id (as 016-acl.info of the 7.4 reference).
    assert.deepEqual(texts(manager), [
      '@1 VM+IMAGE+TEMPLATE+DOCUMENT+SECGROUP+VMGROUP+BACKUPJOB/* CREATE *',
      '@1 HOST/* MANAGE #0',
      '@1 NET/* USE #0',
      '@1 DATASTORE/* USE #0',
      '* ZONE/* USE *',
      '* MARKETPLACE+MARKETPLACEAPP/* USE *',
    ]);
    assert.deepEqual([...db.rows.keys()].sort(), [0, 1, 2, 3, 4, 5]);
    assert.equal(manager.get(3)?.toString(), '@1 HOST/* MANAGE #0');
    assert.deepEqual(db.rows.get(1), { oid: 1, userset: 0x400000000n, resource: 0x800400000000n, rights: 1n, zone: 0x400000000n });
    const writes = db.writes.length;
    await manager.bootstrap();
    assert.equal(db.writes.length, writes);
    assert.equal((await AclManager.load(db)).toXml(), manager.toXml());
  });

  it('gives a new rule the next id after the highest loaded, persisted before resolving', async () => {
    db.seed(0, '* ZONE/* USE *');
    db.seed(41, '#5 HOST/#7 MANAGE #0');
    const manager = await AclManager.load(db);
    const oid = await manager.addRule(AclRule.parse('#3 HOST/#5 USE+MANAGE'));
    assert.equal(oid, 42);
    assert.equal(db.rows.get(42)?.resource, 0x2100000005n);
    assert.equal(await manager.addRule(AclRule.parse('#3 HOST/#6 USE')), 43);
  });

  it('does not reuse the id of a deleted rule while running', async () => {
    const manager = await managerWith('#1 VM/* USE', '#2 VM/* USE');
    await manager.delRule(1);
    assert.equal(await manager.addRule(AclRule.parse('#3 VM/* USE')), 2);
  });

  it('refuses a duplicate rule', async () => {
    const manager = await managerWith('#3 HOST/#5 USE+MANAGE');
    await rejectsAcl(manager.addRule(AclRule.parse('#3 HOST/#5 USE+MANAGE #0')), 'exists', 'Rule #3 HOST/#5 USE+MANAGE #0 already exists');
    // Another zone is another rule.
    assert.equal(await manager.addRule(AclRule.parse('#3 HOST/#5 USE+MANAGE #1')), 1);
  });

  it('refuses a duplicate added concurrently', async () => {
    const manager = await AclManager.load(db);
    const results = await Promise.allSettled([
      manager.addRule(AclRule.parse('#3 VM/* USE')),
      manager.addRule(AclRule.parse('#3 VM/* USE')),
    ]);
    assert.equal(results[0].status, 'fulfilled');
    assert.equal(results[1].status, 'rejected');
    assert.equal(manager.size, 1);
    assert.equal(db.rows.size, 1);
  });

  it('refuses a malformed rule without writing', async () => {
    const manager = await AclManager.load(db);
    await rejectsAcl(
      manager.addRule(AclRule.parse('#1 HOST/@2 USE')),
      'invalid',
      'Rule #1 HOST/@2 USE #0 is malformed: [resource] GROUP(@) selector cannot be applied to HOST, GROUP, CLUSTER, ZONE or VDC types',
    );
    assert.equal(db.writes.length, 0);
    assert.equal(manager.size, 0);
  });

  it('leaves no trace of a rule whose write fails', async () => {
    const manager = await AclManager.load(db);
    db.failNext = new Error('disk full');
    await assert.rejects(manager.addRule(AclRule.parse('#1 VM/* USE')), /disk full/);
    assert.equal(manager.size, 0);
    assert.ok(!manager.authorize(req({ uid: 1 })));
    // Neither the id nor the rule stays reserved.
    assert.equal(await manager.addRule(AclRule.parse('#1 VM/* USE')), 0);
  });

  it('deletes a rule, in memory and in the table', async () => {
    const manager = await AclManager.load(db);
    await manager.addRule(AclRule.parse('#20 VM/* USE'));
    await manager.addRule(AclRule.parse('#21 VM/* USE'));
    await manager.delRule(0);
    assert.deepEqual([...db.rows.keys()], [1]);
    assert.equal(manager.size, 1);
    assert.equal(manager.get(0), undefined);
    assert.ok(!manager.authorize(req()));
    assert.deepEqual(texts(manager), ['#21 VM/* USE #0']);
    await rejectsAcl(manager.delRule(0), 'not_found', 'Rule 0 does not exist');
    await rejectsAcl(manager.delRule(99), 'not_found', 'Rule 99 does not exist');
  });

  it('keeps a rule whose deletion fails', async () => {
    const manager = await AclManager.load(db);
    await manager.addRule(AclRule.parse('#20 VM/* USE'));
    db.failNext = new Error('connection lost');
    await assert.rejects(manager.delRule(0), /connection lost/);
    assert.ok(manager.authorize(req()));
    assert.equal(manager.size, 1);
    assert.ok(db.rows.has(0));
  });
});

describe('AclManager deletion helpers', () => {
  const rules = [
    '#5 VM/* USE', // 0 for user 5
    '#6 VM/#5 USE', // 1 on VM 5
    '@5 VM/* USE', // 2 for group 5
    '* VM+IMAGE/@5 USE', // 3 on group 5's objects
    '* HOST/%5 USE', // 4 on cluster 5's objects
    '* IMAGE/#5 USE', // 5 on image 5
    '* IMAGE+TEMPLATE/#5 USE', // 6 on image 5 and template 5
    '* USER/#5 MANAGE', // 7 on user 5
    '* VM/* MANAGE #5', // 8 in zone 5
    '* VM/* ADMIN *', // 9 in every zone
  ];
  const remaining = async (del: (m: AclManager) => Promise<void>): Promise<number[]> => {
    const db = new FakeDb();
    const manager = await AclManager.load(db);
    for (const text of rules) await manager.addRule(AclRule.parse(text));
    await del(manager);
    const left = [...Array(rules.length).keys()].filter((oid) => manager.get(oid) !== undefined);
    assert.deepEqual([...db.rows.keys()].sort((a, b) => a - b), left);
    return left;
  };

  it('delUidRules drops the rules for #uid only', async () => {
    assert.deepEqual(await remaining((m) => m.delUidRules(5)), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('delGidRules drops the rules for @gid and on @gid objects', async () => {
    assert.deepEqual(await remaining((m) => m.delGidRules(5)), [0, 1, 4, 5, 6, 7, 8, 9]);
  });

  it('delCidRules drops the rules on %cid objects', async () => {
    assert.deepEqual(await remaining((m) => m.delCidRules(5)), [0, 1, 2, 3, 5, 6, 7, 8, 9]);
  });

  it('delZidRules drops the rules of zone #zid only', async () => {
    assert.deepEqual(await remaining((m) => m.delZidRules(5)), [0, 1, 2, 3, 4, 5, 6, 7, 9]);
  });

  it('delResourceRules drops only the rules naming exactly that object', async () => {
    assert.deepEqual(await remaining((m) => m.delResourceRules(ObjectType.IMAGE, 5)), [0, 1, 2, 3, 4, 6, 7, 8, 9]);
    assert.deepEqual(await remaining((m) => m.delResourceRules(ObjectType.VM, 5)), [0, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual(await remaining((m) => m.delResourceRules(ObjectType.USER, 5)), [0, 1, 2, 3, 4, 5, 6, 8, 9]);
  });

  it('writes nothing when no rule matches', async () => {
    const db = new FakeDb();
    const manager = await AclManager.load(db);
    await manager.addRule(AclRule.parse('#5 VM/* USE'));
    const writes = db.writes.length;
    await manager.delResourceRules(ObjectType.VM, 77);
    await manager.delUidRules(77);
    await manager.delGidRules(77);
    await manager.delCidRules(77);
    await manager.delZidRules(77);
    assert.equal(db.writes.length, writes);
  });

  it('drops several rules in one atomic write', async () => {
    const db = new FakeDb();
    const manager = await AclManager.load(db);
    for (const text of rules) await manager.addRule(AclRule.parse(text));
    db.writes = [];
    await manager.delGidRules(5);
    assert.equal(db.writes.length, 1);
    assert.equal(db.writes[0]!.length, 2);
  });
});

describe('AclManager.authorize', () => {
  it('matches the user component: #uid, @gid, *', async () => {
    const byUser = await managerWith('#20 VM/* USE');
    assert.ok(byUser.authorize(req()));
    assert.ok(!byUser.authorize(req({ uid: 21 })));

    const byGroup = await managerWith('@7 VM/* USE');
    assert.ok(!byGroup.authorize(req()));
    assert.ok(byGroup.authorize(req({ gids: new Set([100, 7]) })));
    assert.ok(!byGroup.authorize(req({ uid: 7 })), 'a group id is not a user id');

    const everyone = await managerWith('* VM/* USE');
    assert.ok(everyone.authorize(req({ uid: 999, gids: new Set() })));
  });

  it('matches #oid resources: that object of that type only', async () => {
    const m = await managerWith('#20 VM/#10 USE');
    assert.ok(m.authorize(req({ oid: 10 })));
    assert.ok(!m.authorize(req({ oid: 11 })));
    assert.ok(!m.authorize(req({ oid: -1 })));
    assert.ok(!m.authorize(req({ objectType: ObjectType.IMAGE, oid: 10 })));
  });

  it('matches @gid resources: objects of that group', async () => {
    const m = await managerWith('#20 VM+IMAGE/@3 MANAGE');
    assert.ok(m.authorize(req({ objectGid: 3, right: AuthOp.MANAGE })));
    assert.ok(m.authorize(req({ objectType: ObjectType.IMAGE, objectGid: 3, right: AuthOp.MANAGE })));
    assert.ok(!m.authorize(req({ objectGid: 4, right: AuthOp.MANAGE })));
    assert.ok(!m.authorize(req({ objectGid: -1, right: AuthOp.MANAGE })));
    assert.ok(!m.authorize(req({ oid: 3, objectGid: 100, right: AuthOp.MANAGE })), 'a group id is not an object id');
  });

  it('matches %cid resources: objects in that cluster', async () => {
    const m = await managerWith('#20 HOST+DATASTORE/%100 USE');
    const host = (clusterIds?: number[]): AclRequest => req({ objectType: ObjectType.HOST, oid: 4, objectGid: -1, clusterIds });
    assert.ok(m.authorize(host([100])));
    assert.ok(m.authorize(host([5, 100])));
    assert.ok(!m.authorize(host([101])));
    assert.ok(!m.authorize(host([])));
    assert.ok(!m.authorize(host()));
    assert.ok(!m.authorize({ ...host([100]), objectType: ObjectType.NET }));
  });

  it('matches * resources: every object of the named types, also for create', async () => {
    const m = await managerWith('@100 VM+IMAGE/* CREATE');
    assert.ok(m.authorize(req({ oid: -1, objectGid: -1, right: AuthOp.CREATE })));
    assert.ok(m.authorize(req({ objectType: ObjectType.IMAGE, oid: -1, objectGid: -1, right: AuthOp.CREATE })));
    assert.ok(!m.authorize(req({ objectType: ObjectType.NET, oid: -1, objectGid: -1, right: AuthOp.CREATE })));
    assert.ok(!m.authorize(req({ oid: -1, objectGid: -1, right: AuthOp.USE })));
  });

  it('needs every requested right bit', async () => {
    const m = await managerWith('#20 VM/#10 USE+MANAGE');
    const table: [number, boolean][] = [
      [AuthOp.USE, true], [AuthOp.MANAGE, true], [AuthOp.ADMIN, false], [AuthOp.CREATE, false],
      [0x3, true], [0x5, false], [AuthOp.USE_NO_LCK, true], [AuthOp.ADMIN_NO_LCK, false], [0, false], [0x10, false],
    ];
    for (const [right, granted] of table) assert.equal(m.authorize(req({ right })), granted, `right ${right}`);
  });

  it('applies rules in their zone or in every zone', async () => {
    const local = await managerWith('#20 VM/* USE #0');
    assert.ok(local.authorize(req()));
    assert.ok(local.authorize(req({ zoneId: 0 })));
    assert.ok(!local.authorize(req({ zoneId: 1 })));

    const anywhere = await managerWith('#20 VM/* USE *');
    assert.ok(anywhere.authorize(req({ zoneId: 1 })));

    const db = new FakeDb();
    db.seed(0, '#20 VM/* USE #2');
    const zone2 = await AclManager.load(db, { zoneId: 2 });
    assert.equal(zone2.zoneId, 2);
    assert.ok(zone2.authorize(req()));
    assert.ok(!zone2.authorize(req({ zoneId: 0 })));
  });

  it('honours the selector switches', async () => {
    const m = await managerWith('#20 NET/* USE', '#21 NET/@100 USE', '#22 NET/%0 USE', '#23 NET/#10 USE');
    const net = (uid: number, over: Partial<AclRequest> = {}): AclRequest =>
      req({ uid, objectType: ObjectType.NET, clusterIds: [0], ...over });
    for (const uid of [20, 21, 22, 23]) assert.ok(m.authorize(net(uid)), `user ${uid}`);
    assert.ok(!m.authorize(net(20, { disableAllAcl: true })));
    assert.ok(!m.authorize(net(21, { disableGroupAcl: true })));
    assert.ok(!m.authorize(net(22, { disableClusterAcl: true })));
    const all = { disableAllAcl: true, disableGroupAcl: true, disableClusterAcl: true };
    assert.ok(m.authorize(net(23, all)), '#oid rules cannot be switched off');
  });

  it('matches a malformed rule from the table as OpenNebula does, selector bit by selector bit', async () => {
    const db = new FakeDb();
    db.rows.set(0, { oid: 0, userset: 0x100000014n, resource: ObjectType.VM | 0x30000000an, rights: 1n, zone: 0x100000000n });
    const m = await AclManager.load(db);
    assert.ok(m.authorize(req({ oid: 10, objectGid: 1 })));
    assert.ok(m.authorize(req({ oid: 1, objectGid: 10 })));
    assert.ok(!m.authorize(req({ oid: 1, objectGid: 1 })));
  });

  it('denies a malformed object type', async () => {
    const m = await managerWith('* VM+IMAGE/* USE');
    assert.ok(!m.authorize(req({ objectType: ObjectType.VM | ObjectType.IMAGE })));
    assert.ok(!m.authorize(req({ objectType: 0n })));
    assert.ok(!m.authorize(req({ objectType: ObjectType.VM | 1n })));
  });

  it('grants what the default rules grant in OpenNebula', async () => {
    const m = await AclManager.load(new FakeDb());
    await m.bootstrap();
    const user = (gids: number[], over: Partial<AclRequest>): boolean =>
      m.authorize(req({ uid: 5, gids: new Set(gids), oid: -1, objectGid: -1, ...over }));
    for (const type of ['VM', 'IMAGE', 'TEMPLATE', 'DOCUMENT', 'SECGROUP', 'VMGROUP', 'BACKUPJOB'] as const) {
      assert.ok(user([1], { objectType: ObjectType[type], right: AuthOp.CREATE }), type);
      assert.ok(user([1], { objectType: ObjectType[type], right: AuthOp.CREATE, zoneId: 3 }), `${type} in zone 3`);
      assert.ok(!user([2], { objectType: ObjectType[type], right: AuthOp.CREATE }), `${type} outside users`);
    }
    for (const type of ['NET', 'HOST', 'USER', 'GROUP', 'DATASTORE', 'CLUSTER', 'VNTEMPLATE', 'VROUTER'] as const) {
      assert.ok(!user([1], { objectType: ObjectType[type], right: AuthOp.CREATE }), type);
    }
    for (const type of ['ZONE', 'MARKETPLACE', 'MARKETPLACEAPP'] as const) {
      assert.ok(user([], { objectType: ObjectType[type], oid: 0, right: AuthOp.USE }), type);
      assert.ok(!user([], { objectType: ObjectType[type], oid: 0, right: AuthOp.MANAGE }), type);
    }
    // The default VDC's: hosts to manage, networks and datastores to use, in zone 0 only.
    for (const [type, right] of [['HOST', AuthOp.MANAGE], ['NET', AuthOp.USE], ['DATASTORE', AuthOp.USE]] as const) {
      assert.ok(user([1], { objectType: ObjectType[type], oid: 3, objectGid: 0, right }), type);
      assert.ok(!user([1], { objectType: ObjectType[type], oid: 3, objectGid: 0, right, zoneId: 1 }), `${type} in zone 1`);
      assert.ok(!user([2], { objectType: ObjectType[type], oid: 3, objectGid: 0, right }), `${type} outside users`);
    }
    assert.ok(!user([1], { objectType: ObjectType.HOST, oid: 3, objectGid: 0, right: AuthOp.ADMIN }));
    assert.deepEqual(DEFAULT_RULES.map((r) => r.problems()), [[], [], []]);
  });
});

describe('AclManager.reverseSearch', () => {
  it('lists the ids, groups and clusters granted to the user and its groups', async () => {
    const m = await managerWith(
      '#20 NET/#7 USE', '#20 NET/#3 USE+MANAGE', '@100 NET/#7 USE', '@100 NET/@4 USE', '* NET/%1 USE',
      '@101 NET/#9 USE', // a group the user is not in
      '#20 NET/#8 MANAGE', // another right
      '#20 IMAGE/#5 USE', // another type
      '#20 NET/#6 USE #1', // another zone
    );
    assert.deepEqual(m.reverseSearch(20, new Set([100]), ObjectType.NET, AuthOp.USE), {
      all: false, oids: [3, 7], gids: [4], cids: [1],
    });
    assert.deepEqual(m.reverseSearch(20, new Set([100]), ObjectType.NET, AuthOp.MANAGE), {
      all: false, oids: [3, 8], gids: [], cids: [],
    });
    assert.deepEqual(m.reverseSearch(21, new Set(), ObjectType.NET, AuthOp.USE), { all: false, oids: [], gids: [], cids: [1] });
  });

  it('reports all when a * rule matches, with no id lists', async () => {
    const m = await managerWith('#20 VM/#1 USE', '@100 VM/* USE *');
    assert.deepEqual(m.reverseSearch(20, new Set([100]), ObjectType.VM, AuthOp.USE), { all: true, oids: [], gids: [], cids: [] });
    assert.deepEqual(m.reverseSearch(20, new Set(), ObjectType.VM, AuthOp.USE), { all: false, oids: [1], gids: [], cids: [] });
  });

  it('honours the selector switches', async () => {
    const m = await managerWith('#20 NET/* USE', '#20 NET/@4 USE', '#20 NET/%1 USE', '#20 NET/#7 USE');
    const off = { disableAllAcl: true, disableClusterAcl: true };
    assert.deepEqual(m.reverseSearch(20, new Set(), ObjectType.NET, AuthOp.USE, off), { all: false, oids: [7], gids: [4], cids: [] });
    assert.deepEqual(m.reverseSearch(20, new Set(), ObjectType.NET, AuthOp.USE, { disableAllAcl: true, disableGroupAcl: true }), {
      all: false, oids: [7], gids: [], cids: [1],
    });
  });

  it('finds nothing for a malformed type or right', async () => {
    const m = await managerWith('* VM/* USE');
    const none = { all: false, oids: [], gids: [], cids: [] };
    assert.deepEqual(m.reverseSearch(1, new Set(), ObjectType.VM | ObjectType.NET, AuthOp.USE), none);
    assert.deepEqual(m.reverseSearch(1, new Set(), ObjectType.VM, 0), none);
  });
});

describe('AclManager.toXml', () => {
  it('renders an empty pool', async () => {
    assert.equal((await managerWith()).toXml(), '<ACL_POOL></ACL_POOL>');
  });

  it('lists the rules by user component, then id, and follows changes', async () => {
    const db = new FakeDb();
    db.seed(7, '#1 VM/* USE');
    db.seed(2, '#2 VM/* USE');
    const m = await AclManager.load(db);
    const first = m.toXml();
    assert.equal(
      first,
      '<ACL_POOL>' +
        '<ACL><ID>7</ID><USER>100000001</USER><RESOURCE>1400000000</RESOURCE><RIGHTS>1</RIGHTS><ZONE>100000000</ZONE><STRING>#1 VM/* USE #0</STRING></ACL>' +
        '<ACL><ID>2</ID><USER>100000002</USER><RESOURCE>1400000000</RESOURCE><RIGHTS>1</RIGHTS><ZONE>100000000</ZONE><STRING>#2 VM/* USE #0</STRING></ACL>' +
        '</ACL_POOL>',
    );
    assert.equal(m.toXml(), first);
    await m.addRule(AclRule.parse('#3 VM/* USE'));
    await m.addRule(AclRule.parse('#1 IMAGE/* USE'));
    assert.deepEqual(texts(m), ['#1 VM/* USE #0', '#1 IMAGE/* USE #0', '#2 VM/* USE #0', '#3 VM/* USE #0']);
    await m.delRule(9);
    await m.delRule(2);
    assert.deepEqual(texts(m), ['#1 VM/* USE #0', '#3 VM/* USE #0']);
    // A rule put back after a failed delete keeps its place.
    db.failNext = new Error('busy');
    await assert.rejects(m.delRule(7));
    assert.deepEqual(texts(m), ['#1 VM/* USE #0', '#3 VM/* USE #0']);
  });
});

test('a deleted rule\'s id is not given again, even after a restart', async () => {
  const db = new FakeDb();
  const acl = await AclManager.load(db);
  const a = await acl.addRule(AclRule.parse('#5 DOCUMENT/#1 USE'));
  const b = await acl.addRule(AclRule.parse('#5 DOCUMENT/#2 USE'));
  await acl.delRule(b);
  const reloaded = await AclManager.load(db);
  const c = await reloaded.addRule(AclRule.parse('#5 DOCUMENT/#3 USE'));
  assert.equal(a, 0);
  assert.equal(c, b + 1);
});

test('resync makes memory match table acl (a slave after replication); a replica neither adds nor drops', async () => {
  const db = new FakeDb();
  db.seed(0, '#1 VM/* USE #0');
  db.seed(1, '#2 VM/* USE #0');
  const acl = await AclManager.load(db);
  // Replication: rule 1 gone, rule 3 new, rule 0 changed under the same id.
  db.rows.delete(1);
  db.seed(3, '#4 HOST/* MANAGE #100');
  db.seed(0, '#1 VM/* MANAGE #0');
  await acl.resync();
  assert.deepEqual([0, 1, 3].map((oid) => acl.get(oid)?.toString()), ['#1 VM/* MANAGE #0', undefined, '#4 HOST/* MANAGE #100']);
  assert.equal(acl.authorize(req({ uid: 1, right: AuthOp.MANAGE })), true, 'the changed rule grants');
  assert.equal(acl.authorize(req({ uid: 2 })), false, 'the deleted rule no longer grants');
  acl.replica = true;
  await assert.rejects(acl.addRule(AclRule.parse('#9 VM/* USE')), /added through the master zone/);
  await acl.delUidRules(1);
  assert.ok(acl.get(0), 'a replica leaves rules to the master');
  assert.equal(db.writes.length, 0, 'nothing written');
});
