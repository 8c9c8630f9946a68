import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Template } from '../common/template/index.js';
import type { Database, SqlValue, Write } from '../db/database.js';
import { Permissions, StaleTransactionError, Transaction } from '../pool/index.js';
import { VirtualNetwork } from './virtual-network.js';
import { VirtualNetworkPool } from './vnet-pool.js';
import { nicContext } from './nic-context.js';
import { networkRequest } from './network-template.js';

import { network, owner, sqlite, vec } from './testing.js';

const LAN = 'VN_MAD = "bridge"\nBRIDGE = "br0"\nMODEL = "virtio"\nGATEWAY = "10.0.0.254"\nDNS = "10.0.0.53"\nNETWORK_MASK = "255.255.255.0"\nAR = [ TYPE = "IP4", IP = "10.0.0.1", SIZE = "3" ]\nAR = [ TYPE = "IP4_6", IP = "10.0.1.1", SIZE = "2", ULA_PREFIX = "fd00::", GATEWAY = "10.0.1.254" ]';

test('resolveNic: by NETWORK_ID, or by NETWORK of the VM owner, NETWORK_UNAME or NETWORK_UID', async () => {
  const db = await sqlite();
  const pool = new VirtualNetworkPool({ uidOf: (u) => (u === 'alice' ? 3 : undefined) });
  const tx = new Transaction(db);
  const lan = network(pool, tx, 'lan', LAN);
  assert.equal(pool.resolveNic(vec({ NETWORK_ID: String(lan.oid) }), 0), lan);
  assert.equal(pool.resolveNic(vec({ NETWORK: 'lan' }), 3), lan);
  assert.equal(pool.resolveNic(vec({ NETWORK: 'lan', NETWORK_UNAME: 'alice' }), 0), lan);
  assert.equal(pool.resolveNic(vec({ NETWORK: 'lan', NETWORK_UID: '3' }), 0), lan);
  assert.throws(() => pool.resolveNic(vec({ NETWORK_ID: '99' }), 3), /Virtual network 99 does not exist/);
  assert.throws(() => pool.resolveNic(vec({ NETWORK: 'lan' }), 0), /Virtual network "lan" of user 0 does not exist/);
  assert.throws(() => pool.resolveNic(vec({ NETWORK: 'lan', NETWORK_UNAME: 'bob' }), 0), /User "bob"/);
  assert.throws(() => pool.resolveNic(vec({ MODEL: 'e1000' }), 3), /give NETWORK_ID or NETWORK/);
  await db.close();
});

test('allocateLease: first free across ARs, requested IP or MAC, AR_ID; fills the NIC; exhaustion', async () => {
  const db = await sqlite();
  const pool = new VirtualNetworkPool();
  const tx = new Transaction(db);
  const lan = network(pool, tx, 'lan', LAN);
  await tx.commit();

  const nics = [vec({}), vec({}), vec({ IP: '10.0.1.2' }), vec({ MODEL: 'e1000' }), vec({ AR_ID: '1' })];
  const t2 = new Transaction(db);
  nics.forEach((nic, vm) => pool.allocateLease(t2, lan, vm, nic));
  await t2.commit();
  assert.deepEqual(nics.map((n) => n.get('IP')), ['10.0.0.1', '10.0.0.2', '10.0.1.2', '10.0.0.3', '10.0.1.1']);
  assert.deepEqual(Object.fromEntries(nics[0]!), {
    NETWORK: 'lan', NETWORK_ID: String(lan.oid), NETWORK_UNAME: 'alice', AR_ID: '0', BRIDGE: 'br0', BRIDGE_TYPE: 'linux', VN_MAD: 'bridge', PHYDEV: '',
    MAC: '02:00:0a:00:00:01', IP: '10.0.0.1', MODEL: 'virtio', SECURITY_GROUPS: '0',
  });
  assert.equal(nics[3]!.get('MODEL'), 'e1000', 'the NIC\'s own attributes win');
  assert.equal(nics[2]!.get('IP6_ULA'), 'fd00::aff:fe00:102');
  assert.equal(lan.usedLeases, 5);

  const t3 = new Transaction(db);
  assert.throws(() => pool.allocateLease(t3, lan, 9, vec({})), new RegExp(`No free leases in virtual network ${lan.oid}`));
  assert.throws(() => pool.allocateLease(t3, lan, 9, vec({ IP: '10.0.0.2' })), /IP 10.0.0.2 is already in use in virtual network \d+ \(VM 1\)/);
  assert.throws(() => pool.allocateLease(t3, lan, 9, vec({ MAC: '02:00:0a:00:00:01' })), /MAC 02:00:0a:00:00:01 is already in use/);
  assert.throws(() => pool.allocateLease(t3, lan, 9, vec({ IP: '10.9.9.9' })), /IP 10.9.9.9 is not part of virtual network/);
  assert.throws(() => pool.allocateLease(t3, lan, 9, vec({ AR_ID: '7' })), /Address range 7 does not exist/);

  // The VM gives its lease back; only its own.
  const t4 = new Transaction(db);
  pool.releaseLease(t4, nics[1]!, 0);
  assert.equal(lan.usedLeases, 5, 'VM 0 does not hold VM 1\'s lease');
  pool.releaseLease(t4, nics[1]!, 1);
  await t4.commit();
  assert.equal(lan.usedLeases, 4);
  const again = vec({});
  pool.allocateLease(new Transaction(db), lan, 8, again);
  assert.equal(again.get('IP'), '10.0.0.2');

  const loaded = new VirtualNetworkPool();
  await loaded.load(db);
  assert.equal(loaded.get(lan.oid)!.usedLeases, 4, 'the stored body has the committed leases');
  await db.close();
});

/** A database whose writes fail (reads go to the real one). */
class FailingDb {
  readonly backend = 'sqlite' as const;
  constructor(private readonly real: Database) {}
  async write(_w: readonly Write[]): Promise<void> {
    throw new Error('disk full');
  }
  query(sql: string, params?: readonly SqlValue[]) {
    return this.real.query(sql, params);
  }
}

test('a failed commit gives the lease back, so the next VM gets the same address', async () => {
  const db = await sqlite();
  const pool = new VirtualNetworkPool();
  const setup = new Transaction(db);
  const lan = network(pool, setup, 'lan', LAN);
  await setup.commit();
  const tx = new Transaction(new FailingDb(db) as unknown as Database);
  const nic = vec({});
  pool.allocateLease(tx, lan, 1, nic);
  await assert.rejects(tx.commit(), /disk full/);
  const now = pool.get(lan.oid)!;
  assert.equal(now.usedLeases, 0);
  const next = vec({});
  pool.allocateLease(new Transaction(db), now, 2, next);
  assert.equal(next.get('IP'), nic.get('IP'));
  await db.close();
});

test('leases taken in one synchronous step are never given twice, even for concurrent commits', async () => {
  const db = await sqlite();
  const pool = new VirtualNetworkPool();
  const setup = new Transaction(db);
  const lan = network(pool, setup, 'lan', 'VN_MAD = "dummy"\nBRIDGE = "br0"\nAR = [ TYPE = "IP4", IP = "10.0.0.1", SIZE = "50" ]');
  await setup.commit();
  const ips = await Promise.all(
    Array.from({ length: 50 }, async (_, vm) => {
      const tx = new Transaction(db);
      const nic = vec({});
      pool.allocateLease(tx, pool.get(lan.oid)!, vm, nic);
      await tx.commit();
      return nic.get('IP');
    }),
  );
  assert.equal(new Set(ips).size, 50);
  await db.close();
});

test('hold, release and reservations move leases between owners', async () => {
  const db = await sqlite();
  const pool = new VirtualNetworkPool();
  const tx = new Transaction(db);
  const lan = network(pool, tx, 'lan', 'VN_MAD = "dummy"\nBRIDGE = "br0"\nAR = [ TYPE = "IP4", IP = "10.0.0.1", SIZE = "10" ]');
  pool.hold(tx, lan, { ip: '10.0.0.2' });
  assert.throws(() => pool.hold(tx, lan, { ip: '10.0.0.2' }), /IP 10.0.0.2 is already in use/);
  assert.throws(() => pool.release(tx, lan, { ip: '10.0.0.3' }), /is not on hold/);
  const res = tx.create(pool, new VirtualNetwork(pool.nextOid(), 'mine', owner, Permissions.fromOctal(0o600), { ...lan.fields, parentId: lan.oid }, new Template()));
  const ar = pool.reserveLeases(tx, lan, res, { size: 3 });
  assert.deepEqual([ar.get('IP'), ar.size, ar.parentArId], ['10.0.0.3', 3, 0], 'the first run of 3 free leases');
  assert.throws(() => pool.reserveLeases(tx, lan, res, { size: 2, ip: '10.0.0.4' }), /Cannot reserve 2 leases from IP 10.0.0.4/);
  assert.throws(() => pool.reserveLeases(tx, lan, res, { size: 9 }), /no address range has 9 consecutive free leases/);
  assert.deepEqual(lan.ars.get(0)!.ownerOf(4), { kind: 'VNET', id: res.oid });
  const nic = vec({});
  pool.allocateLease(tx, res, 5, nic);
  assert.equal(nic.get('IP'), '10.0.0.3', 'a VM of the reservation gets its addresses');
  pool.release(tx, lan, { ip: '10.0.0.2' });
  pool.returnReservation(tx, res, ar);
  assert.equal(lan.usedLeases, 0);
  await db.close();
});

test('3.x templates: RANGED and FIXED become IP4 ranges, VN_MAD dummy; HEAD templates need VN_MAD', () => {
  const ranged = Template.parse('TYPE = RANGED\nBRIDGE = br1\nNETWORK_ADDRESS = 192.168.10.0\nNETWORK_SIZE = C\nGATEWAY = 192.168.10.1');
  const r = networkRequest(ranged);
  assert.equal(r.fields.vnMad, 'dummy');
  assert.deepEqual(r.ars.map((a) => Object.fromEntries(a)), [{ TYPE: 'IP4', IP: '192.168.10.1', SIZE: '254', NETWORK_ADDRESS: '192.168.10.0', NETWORK_MASK: '255.255.255.0' }]);
  assert.equal(ranged.get('TYPE'), undefined);
  assert.equal(ranged.get('GATEWAY'), '192.168.10.1');
  const slash = networkRequest(Template.parse('TYPE = RANGED\nBRIDGE = br1\nNETWORK_ADDRESS = 10.0.0.0/30'));
  assert.deepEqual(Object.fromEntries(slash.ars[0]!), { TYPE: 'IP4', IP: '10.0.0.1', SIZE: '2', NETWORK_ADDRESS: '10.0.0.0', NETWORK_MASK: '255.255.255.252' });
  const between = networkRequest(Template.parse('TYPE = RANGED\nBRIDGE = br1\nNETWORK_ADDRESS = 10.0.0.0\nNETWORK_SIZE = 254\nIP_START = 10.0.0.100\nIP_END = 10.0.0.109'));
  assert.deepEqual([between.ars[0]!.get('IP'), between.ars[0]!.get('SIZE')], ['10.0.0.100', '10']);
  const fixed = networkRequest(Template.parse('TYPE = FIXED\nVN_MAD = fw\nLEASES = [ IP = 10.1.0.5 ]\nLEASES = [ IP = 10.1.0.9, MAC = "02:aa:00:00:00:09" ]'));
  assert.equal(fixed.fields.vnMad, 'fw');
  assert.deepEqual(fixed.ars.map((a) => Object.fromEntries(a)), [{ TYPE: 'IP4', IP: '10.1.0.5', SIZE: '1' }, { TYPE: 'IP4', IP: '10.1.0.9', SIZE: '1', MAC: '02:aa:00:00:00:09' }]);
  assert.throws(() => networkRequest(Template.parse('BRIDGE = br0')), /No VN_MAD in template/);
  assert.throws(() => networkRequest(Template.parse('TYPE = RANGED\nNETWORK_ADDRESS = nowhere')), /Wrong NETWORK_ADDRESS "nowhere"/);
  assert.throws(() => networkRequest(Template.parse('TYPE = FIXED\nLEASES = [ MAC = "02:00:00:00:00:01" ]')), /needs an IP/);
  assert.throws(() => networkRequest(Template.parse('TYPE = STAR')), /Unknown network TYPE "STAR"/);
  assert.equal(networkRequest(Template.parse('VN_MAD = ovswitch')).fields.bridgeType, 'openvswitch');
});

test('nicContext: ETH<i>_ variables from the NIC, then its AR, then the network', async () => {
  const db = await sqlite();
  const pool = new VirtualNetworkPool();
  const tx = new Transaction(db);
  const lan = network(pool, tx, 'lan', LAN);
  const first = vec({});
  pool.allocateLease(tx, lan, 1, first);
  assert.deepEqual(nicContext(first, lan, 0), {
    ETH0_IP: '10.0.0.1', ETH0_MAC: '02:00:0a:00:00:01', ETH0_MASK: '255.255.255.0', ETH0_GATEWAY: '10.0.0.254', ETH0_DNS: '10.0.0.53',
  });
  const second = vec({ AR_ID: '1' });
  pool.allocateLease(tx, lan, 1, second);
  const ctx = nicContext(second, lan, 1);
  assert.equal(ctx.ETH1_GATEWAY, '10.0.1.254', 'the AR\'s GATEWAY wins over the network\'s');
  assert.equal(ctx.ETH1_IP6_ULA, 'fd00::aff:fe00:101');
  assert.equal(ctx.ETH1_IP, '10.0.1.1');
  assert.equal(lan.attribute('BRIDGE'), 'br0');
  assert.equal(lan.attribute('DNS'), '10.0.0.53');
  await db.close();
});

/** A database whose writes reach the real one, then fail as if the reply were lost. */
class LostReplyDb extends FailingDb {
  constructor(private readonly inner: Database) {
    super(inner);
  }
  override async write(w: readonly Write[]): Promise<void> {
    await this.inner.write(w);
    throw new Error('connection reset');
  }
}

/** Every network's one.vn.info XML, by id. */
const xmlOf = (pool: VirtualNetworkPool) => new Map([...pool.all()].map((v) => [v.oid, v.toXml()]));

/** What the database holds, read by a pool of its own. */
async function stored(db: Database): Promise<Map<number, string>> {
  const pool = new VirtualNetworkPool();
  await pool.load(db);
  return xmlOf(pool);
}

/** A network with held, VM and reserved leases in two ARs, committed. */
async function busyNetwork(db: Database, pool: VirtualNetworkPool): Promise<{ lan: VirtualNetwork; res: VirtualNetwork }> {
  const tx = new Transaction(db);
  const lan = network(pool, tx, 'lan', LAN);
  pool.hold(tx, lan, { ip: '10.0.0.2' });
  pool.allocateLease(tx, lan, 4, vec({ AR_ID: '1' }));
  const res = tx.create(pool, new VirtualNetwork(pool.nextOid(), 'res', owner, Permissions.fromOctal(0o600), { ...lan.fields, parentId: lan.oid }, new Template()));
  pool.reserveLeases(tx, lan, res, { size: 1 });
  pool.hold(tx, res, { ip: '10.0.0.1' });
  await tx.commit();
  return { lan, res };
}

/** Changes of every kind in one transaction: template, VM lease, hold, release, AR removal, reservation return, deletion. */
function everyChange(pool: VirtualNetworkPool, tx: Transaction, lan: VirtualNetwork, res: VirtualNetwork): void {
  tx.touch(pool, lan).template.set('NOTE', 'changed');
  pool.allocateLease(tx, lan, 9, vec({}));
  pool.release(tx, lan, { ip: '10.0.0.2' });
  pool.hold(tx, lan, { ip: '10.0.1.2' });
  pool.returnReservation(tx, res, res.ars.get(0)!);
  pool.removeAr(tx, res, 0);
  pool.deleteNetwork(tx, res);
  pool.removeAr(tx, lan, 1);
}

test('a failed commit leaves memory holding exactly the leases the database holds', async () => {
  const db = await sqlite();
  const pool = new VirtualNetworkPool();
  const { lan, res } = await busyNetwork(db, pool);
  const before = xmlOf(pool);
  assert.deepEqual(await stored(db), before);
  const tx = new Transaction(new FailingDb(db) as unknown as Database);
  everyChange(pool, tx, lan, res);
  assert.notDeepEqual(xmlOf(pool), before);
  await assert.rejects(tx.commit(), /disk full/);
  assert.deepEqual(xmlOf(pool), before, 'every change taken back');
  assert.deepEqual(await stored(db), before);
  // The freed and taken leases are as before: the hold still blocks, 10.0.1.2 is free.
  assert.throws(() => pool.hold(new Transaction(db), pool.get(lan.oid)!, { ip: '10.0.0.2' }), /already in use/);
  pool.hold(new Transaction(db), pool.get(lan.oid)!, { ip: '10.0.1.2' });
  await db.close();
});

test('a commit whose reply is lost: memory is re-read, holding the leases the database got', async () => {
  const db = await sqlite();
  const pool = new VirtualNetworkPool();
  const { lan, res } = await busyNetwork(db, pool);
  const tx = new Transaction(new LostReplyDb(db) as unknown as Database);
  everyChange(pool, tx, lan, res);
  const changed = xmlOf(pool);
  await assert.rejects(tx.commit(), /connection reset/);
  assert.deepEqual(xmlOf(pool), changed, 'the database took the changes, and so does memory');
  assert.deepEqual(await stored(db), changed);
  assert.equal(pool.get(res.oid), undefined);
  await db.close();
});

test('a transaction refused as stale takes its lease changes back without a database read', async () => {
  const db = await sqlite();
  const pool = new VirtualNetworkPool();
  const { lan, res } = await busyNetwork(db, pool);
  const before = xmlOf(pool);
  // Recovery epochs are per database object: both calls go through one that fails on demand.
  const shared = new LostReplyDb(db);
  shared.write = async (w) => {
    if (w.some((x) => x.table === 'network_pool' && x.kind === 'upsert' && x.row.name === 'other')) throw new Error('disk full');
    return db.write(w);
  };
  const stale = new Transaction(shared as unknown as Database);
  everyChange(pool, stale, lan, res);
  // Another call fails meanwhile, which starts a new epoch.
  const failing = new Transaction(shared as unknown as Database);
  network(pool, failing, 'other', 'VN_MAD = "dummy"\nBRIDGE = "br0"\nAR = [ TYPE = "ETHER", SIZE = "2" ]');
  await assert.rejects(failing.commit(), /disk full/);
  await assert.rejects(stale.commit(), StaleTransactionError);
  assert.deepEqual(xmlOf(pool), before);
  assert.deepEqual(await stored(db), before);
  await db.close();
});
