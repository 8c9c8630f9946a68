/**
 * Network leases in their own table, over raw XML-RPC: leases taken and freed between restarts
 * come back exactly, and a database of schema 6 (leases inside the network bodies) is upgraded
 * at start without losing one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { childText } from '../../src/common/xml-tree.js';
import { openDatabase, SCHEMA_VERSION } from '../../src/db/index.js';
import type { Oned } from './harness.js';
import { Code, all, databaseOf, must, okId, okXml, onEveryBackend, refused } from './api-helpers.js';

/** 7.4's answer to a hold of an address that is used (or not in the network). */
const HOLD_REFUSED = /^\[one\.vn\.hold\] Address is not part of the address range or in use\.$/;

const NET = (name: string) => `NAME = "${name}"\nVN_MAD = "dummy"\nBRIDGE = "br0"\nAR = [ TYPE = "IP4", IP = "10.5.0.1", SIZE = "6" ]\nAR = [ TYPE = "ETHER", SIZE = "2", MAC = "02:00:00:05:00:00" ]`;

/** The leases of a network as `AR:IP|MAC OWNER=id`, and each AR's NEXT_INDEX. */
async function leasesOf(oned: Oned, id: number): Promise<string[]> {
  const v = await okXml(oned, 'one.vn.info', [id]);
  return all(must(v, 'AR_POOL'), 'AR').flatMap((ar) => [
    `AR ${childText(ar, 'AR_ID')} next ${childText(ar, 'NEXT_INDEX')} used ${childText(ar, 'USED_LEASES')}`,
    ...all(must(ar, 'LEASES'), 'LEASE').map((l) => {
      const owner = l.children.find((c) => ['VM', 'VNET', 'VROUTER'].includes(c.name))!;
      return `${childText(l, 'IP') || childText(l, 'MAC')} ${owner.name}=${owner.text}`;
    }),
  ]);
}

async function restart(oned: Oned): Promise<void> {
  assert.equal(await oned.signal('SIGTERM'), 0);
  await oned.launch();
}

onEveryBackend('virtual network leases', (get) => {
  test('leases held, released and reserved between restarts come back exactly', async () => {
    const oned = get();
    const id = await okId(oned, 'one.vn.allocate', [NET('leases-restart'), -1]);
    await okId(oned, 'one.vn.hold', [id, 'LEASES = [ IP = "10.5.0.4" ]']);
    await okId(oned, 'one.vn.hold', [id, 'LEASES = [ IP = "10.5.0.2" ]']);
    await okId(oned, 'one.vn.hold', [id, 'LEASES = [ MAC = "02:00:00:05:00:01" ]']);
    const res = await okId(oned, 'one.vn.reserve', [id, 'SIZE = 2\nNAME = "leases-restart-res"\nAR_ID = 0']);
    await okId(oned, 'one.vn.release', [id, 'LEASES = [ IP = "10.5.0.4" ]']);
    const before = await leasesOf(oned, id);
    // The first 2 free in a row are .5 and .6, the end of the AR: NEXT_INDEX wraps to 0.
    assert.deepEqual(before, ['AR 0 next 0 used 3', '10.5.0.2 VM=-1', `10.5.0.5 VNET=${res}`, `10.5.0.6 VNET=${res}`, 'AR 1 next 0 used 1', '02:00:00:05:00:01 VM=-1']);
    const reservation = await leasesOf(oned, res);
    await restart(oned);
    assert.deepEqual(await leasesOf(oned, id), before);
    assert.deepEqual(await leasesOf(oned, res), reservation);
    await refused(oned, 'one.vn.hold', [id, 'LEASES = [ IP = "10.5.0.2" ]'], Code.INTERNAL, HOLD_REFUSED);
    await okId(oned, 'one.vn.hold', [id, 'LEASES = [ IP = "10.5.0.4" ]']);
    // The AR goes with its leases: after a restart a new AR takes its id again (ids go on from
    // the highest there is), and must not find the old leases.
    await okId(oned, 'one.vn.rm_ar', [id, 1, true]);
    await restart(oned);
    await okId(oned, 'one.vn.add_ar', [id, 'AR = [ TYPE = "ETHER", SIZE = "2", MAC = "02:00:00:05:01:00" ]']);
    await restart(oned);
    const after = await leasesOf(oned, id);
    assert.deepEqual(after.slice(-1), ['AR 1 next 0 used 0']);
    assert.ok(!after.some((l) => l.startsWith('02:00:00:05')), 'no lease of the removed AR');
  });

  test('a schema-6 database, leases inside the network bodies, is upgraded at start without losing one', async () => {
    const oned = get();
    const id = await okId(oned, 'one.vn.allocate', [NET('leases-upgrade'), -1]);
    await okId(oned, 'one.vn.hold', [id, 'LEASES = [ IP = "10.5.0.3" ]']);
    await okId(oned, 'one.vn.hold', [id, 'LEASES = [ MAC = "02:00:00:05:00:00" ]']);
    const leases = await leasesOf(oned, id);
    // Schema 6 stored what one.vn.info shows, leases included.
    const oldBody = String(await oned.ok('one.vn.info', [id]));
    assert.equal(await oned.signal('SIGTERM'), 0);
    const db = await openDatabase(databaseOf(oned));
    const [row] = await db.query('SELECT * FROM network_pool WHERE oid = ?', [id]);
    await db.write([
      { kind: 'upsert', table: 'network_pool', row: { ...row!, body: oldBody } },
      { kind: 'delete', table: 'network_lease', where: { oid: id } },
      { kind: 'delete', table: 'network_ar', where: { oid: id } },
      // Back at schema 7: migration 8 and every later one forgotten.
      ...Array.from({ length: SCHEMA_VERSION - 7 }, (_, i) => ({ kind: 'delete' as const, table: 'db_versioning', where: { version: 8 + i } })),
    ]);
    await db.close();
    await oned.launch();
    assert.deepEqual(await leasesOf(oned, id), leases);
    await refused(oned, 'one.vn.hold', [id, 'LEASES = [ IP = "10.5.0.3" ]'], Code.INTERNAL, HOLD_REFUSED);
    await okId(oned, 'one.vn.release', [id, 'LEASES = [ MAC = "02:00:00:05:00:00" ]']);
    await restart(oned);
    assert.deepEqual(await leasesOf(oned, id), leases.filter((l) => !l.startsWith('02:00:00:05:00:00')).map((l) => l.replace('AR 1 next 1 used 1', 'AR 1 next 1 used 0')));
    const check = await openDatabase(databaseOf(oned));
    const [migrated] = await check.query('SELECT body FROM network_pool WHERE oid = ?', [id]);
    await check.close();
    assert.doesNotMatch(String(migrated!.body), /LEASE|USED_LEASES|NEXT_INDEX/, 'the upgraded body keeps no lease state');
  });
});
