import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Template } from '../common/template/index.js';
import type { Database, SqlValue, Write } from '../db/database.js';
import { SCHEMA_VERSION } from '../db/schema.js';
import { Permissions, Transaction } from '../pool/index.js';
import { HOLD } from './address-range.js';
import { VirtualNetwork } from './virtual-network.js';
import { VirtualNetworkPool } from './vnet-pool.js';

import { network, owner, sqlite, vec } from './testing.js';

/** Passes writes to the real database and keeps them. */
class RecordingDb {
  readonly backend = 'sqlite' as const;
  writes: Write[] = [];
  constructor(private readonly real: Database) {}
  async write(w: readonly Write[]): Promise<void> {
    this.writes.push(...w);
    return this.real.write(w);
  }
  query(sql: string, params?: readonly SqlValue[]) {
    return this.real.query(sql, params);
  }
}

const rows = (db: Database, table: string) => db.query(`SELECT * FROM ${table} ORDER BY oid, ar_id${table === 'network_lease' ? ', idx' : ''}`);

test('a lease change writes its lease row (and NEXT_INDEX for a take), never the network row', async () => {
  const real = await sqlite();
  const db = new RecordingDb(real) as unknown as Database & RecordingDb;
  const pool = new VirtualNetworkPool();
  const setup = new Transaction(db);
  const lan = network(pool, setup, 'lan', 'VN_MAD = "dummy"\nBRIDGE = "br0"\nAR = [ TYPE = "IP4", IP = "10.0.0.1", SIZE = "1000" ]');
  await setup.commit();
  for (let vm = 0; vm < 500; vm++) {
    const tx = new Transaction(db);
    pool.allocateLease(tx, lan, vm, vec({}));
    await tx.commit();
  }
  db.writes = [];
  const tx = new Transaction(db);
  const nic = vec({});
  pool.allocateLease(tx, lan, 900, nic);
  await tx.commit();
  assert.deepEqual(db.writes, [
    { kind: 'upsert', table: 'network_lease', row: { oid: lan.oid, ar_id: 0, idx: 500, owner_kind: 'VM', owner_id: 900 } },
    { kind: 'upsert', table: 'network_ar', row: { oid: lan.oid, ar_id: 0, next_index: 501 } },
  ]);
  db.writes = [];
  const free = new Transaction(db);
  pool.releaseLease(free, nic, 900);
  await free.commit();
  assert.deepEqual(db.writes, [{ kind: 'delete', table: 'network_lease', where: { oid: lan.oid, ar_id: 0, idx: 500 } }]);
  const [body] = await real.query('SELECT body FROM network_pool WHERE oid = ?', [lan.oid]);
  assert.doesNotMatch(String(body!.body), /LEASE|USED_LEASES|NEXT_INDEX/, 'the body keeps no lease state');
  assert.equal((await rows(real, 'network_lease')).length, 500);
  await real.close();
});

test('leases, holds, reservations and NEXT_INDEX survive a restart; a removed AR leaves no rows', async () => {
  const db = await sqlite();
  const pool = new VirtualNetworkPool();
  const tx = new Transaction(db);
  const lan = network(pool, tx, 'lan', 'VN_MAD = "dummy"\nBRIDGE = "br0"\nAR = [ TYPE = "IP4", IP = "10.0.0.1", SIZE = "10" ]\nAR = [ TYPE = "ETHER", SIZE = "4", MAC = "02:00:00:00:01:00" ]');
  pool.allocateLease(tx, lan, 7, vec({ IP: '10.0.0.5' }));
  pool.hold(tx, lan, { mac: '02:00:00:00:01:02' });
  const res = tx.create(pool, new VirtualNetwork(pool.nextOid(), 'res', owner, Permissions.fromOctal(0o600), { ...lan.fields, parentId: lan.oid }, new Template()));
  pool.reserveLeases(tx, lan, res, { size: 2 });
  pool.allocateLease(tx, res, 8, vec({}));
  await tx.commit();
  const restarted = new VirtualNetworkPool();
  await restarted.load(db);
  for (const v of [lan, res]) assert.equal(restarted.get(v.oid)!.toXml(), v.toXml(), v.name);
  assert.equal(restarted.get(lan.oid)!.ars.get(0)!.next, 2, 'NEXT_INDEX after the reservation, not after the highest lease');
  assert.deepEqual(restarted.get(lan.oid)!.ars.get(1)!.ownerOf(2), HOLD);
  assert.throws(() => restarted.hold(new Transaction(db), restarted.get(lan.oid)!, { ip: '10.0.0.5' }), /already in use in virtual network \d+ \(VM 7\)/);

  const rm = new Transaction(db);
  restarted.removeAr(rm, restarted.get(lan.oid)!, 1);
  await rm.commit();
  assert.deepEqual((await rows(db, 'network_lease')).map((r) => `${r.oid}/${r.ar_id}/${r.idx} ${r.owner_kind} ${r.owner_id}`), [
    `${lan.oid}/0/0 VNET ${res.oid}`,
    `${lan.oid}/0/1 VNET ${res.oid}`,
    `${lan.oid}/0/4 VM 7`,
    `${res.oid}/0/0 VM 8`,
  ]);
  assert.deepEqual((await rows(db, 'network_ar')).map((r) => `${r.oid}/${r.ar_id} ${r.next_index}`), [`${lan.oid}/0 2`, `${res.oid}/0 1`]);
  await db.close();
});

/** A network body as schema 6 stored it: leases and NEXT_INDEX inside each AR. */
const SCHEMA6_BODY =
  '<VNET><ID>4</ID><UID>3</UID><GID>1</GID><UNAME>alice</UNAME><GNAME>users</GNAME><NAME>old</NAME>' +
  '<PERMISSIONS><OWNER_U>1</OWNER_U><OWNER_M>1</OWNER_M><OWNER_A>0</OWNER_A><GROUP_U>0</GROUP_U><GROUP_M>0</GROUP_M><GROUP_A>0</GROUP_A><OTHER_U>0</OTHER_U><OTHER_M>0</OTHER_M><OTHER_A>0</OTHER_A></PERMISSIONS>' +
  '<CLUSTERS><ID>0</ID></CLUSTERS><BRIDGE>br0</BRIDGE><BRIDGE_TYPE>linux</BRIDGE_TYPE><STATE>1</STATE><PREV_STATE>0</PREV_STATE><PARENT_NETWORK_ID></PARENT_NETWORK_ID><TEMPLATE_ID></TEMPLATE_ID>' +
  '<VN_MAD>bridge</VN_MAD><PHYDEV></PHYDEV><VLAN_ID_AUTOMATIC>0</VLAN_ID_AUTOMATIC><OUTER_VLAN_ID_AUTOMATIC>0</OUTER_VLAN_ID_AUTOMATIC><USED_LEASES>3</USED_LEASES><VROUTERS></VROUTERS>' +
  '<UPDATED_VMS></UPDATED_VMS><OUTDATED_VMS></OUTDATED_VMS><UPDATING_VMS></UPDATING_VMS><ERROR_VMS></ERROR_VMS><TEMPLATE><BRIDGE>br0</BRIDGE><VN_MAD>bridge</VN_MAD></TEMPLATE><AR_POOL>' +
  '<AR><AR_ID>0</AR_ID><IP>10.0.0.1</IP><MAC>02:00:0a:00:00:01</MAC><NEXT_INDEX>7</NEXT_INDEX><SIZE>8</SIZE><TYPE>IP4</TYPE><MAC_END>02:00:0a:00:00:08</MAC_END><IP_END>10.0.0.8</IP_END><USED_LEASES>2</USED_LEASES>' +
  '<LEASES><LEASE><IP>10.0.0.2</IP><MAC>02:00:0a:00:00:02</MAC><VM>-1</VM></LEASE><LEASE><IP>10.0.0.7</IP><MAC>02:00:0a:00:00:07</MAC><VM>12</VM></LEASE></LEASES></AR>' +
  '<AR><AR_ID>2</AR_ID><MAC>02:00:00:00:01:00</MAC><NEXT_INDEX>1</NEXT_INDEX><SIZE>2</SIZE><TYPE>ETHER</TYPE><MAC_END>02:00:00:00:01:01</MAC_END><USED_LEASES>1</USED_LEASES>' +
  '<LEASES><LEASE><MAC>02:00:00:00:01:00</MAC><VNET>9</VNET></LEASE></LEASES></AR></AR_POOL></VNET>';

/** Forgets that migration 8 and every later one were applied: the database is back at schema 7. */
const BACK_TO_7: Write[] = Array.from({ length: SCHEMA_VERSION - 7 }, (_, i) => ({ kind: 'delete', table: 'db_versioning', where: { version: 8 + i } }));

test('migration 8 moves the leases of schema-6 bodies into the lease table and out of the bodies', async () => {
  const db = await sqlite();
  // The database as schema 6 left it: the old body, version 8 not applied.
  await db.write([
    { kind: 'upsert', table: 'network_pool', row: { oid: 4, name: 'old', body: SCHEMA6_BODY, uid: 3, gid: 1, owner_u: 1, group_u: 0, other_u: 0 } },
    { kind: 'upsert', table: 'pool_control', row: { tablename: 'network_pool', last_oid: 4 } },
    ...BACK_TO_7,
  ]);
  await db.migrate();
  assert.deepEqual((await rows(db, 'network_lease')).map((r) => `${r.ar_id}/${r.idx} ${r.owner_kind} ${r.owner_id}`), ['0/1 VM -1', '0/6 VM 12', '2/0 VNET 9']);
  assert.deepEqual((await rows(db, 'network_ar')).map((r) => `${r.ar_id} ${r.next_index}`), ['0 7', '2 1']);
  const [row] = await db.query('SELECT body FROM network_pool WHERE oid = 4');
  assert.doesNotMatch(String(row!.body), /LEASE|USED_LEASES|NEXT_INDEX/);
  const pool = new VirtualNetworkPool();
  await pool.load(db);
  // What 7.4 shows that schema 6 did not: VLAN_ID and OUTER_VLAN_ID always, SHARED in each AR.
  const shown = SCHEMA6_BODY.replace('<PHYDEV></PHYDEV>', '<PHYDEV></PHYDEV><VLAN_ID></VLAN_ID><OUTER_VLAN_ID></OUTER_VLAN_ID>').replaceAll('<SIZE>', '<SHARED>NO</SHARED><SIZE>');
  assert.equal(pool.get(4)!.toXml(), shown, 'the network shows what it showed before the upgrade');
  // Again (a migration cut short is run again): the same rows, nothing doubled.
  await db.write(BACK_TO_7);
  await db.migrate();
  assert.equal((await rows(db, 'network_lease')).length, 3);
  await db.close();
});
