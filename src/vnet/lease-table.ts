/**
 * The lease tables: `network_lease`, one row per used lease (network, AR, lease index, owner),
 * and `network_ar`, each AR's NEXT_INDEX. Taking a lease writes its row and its AR's
 * NEXT_INDEX, freeing one deletes its row: never the network's whole body. The pool loads
 * them at start and after a failed commit; migration 8 fills them from the bodies of schema 6,
 * which kept the leases inside each `<AR>`.
 */
import { parseXmlTree } from '../common/xml-tree.js';
import type { Database, Row, Write } from '../db/database.js';
import { LEASE_OWNER_KINDS, type LeaseOwner } from './address-range.js';
import { VirtualNetwork } from './virtual-network.js';

export const LEASE_TABLE = 'network_lease';
export const AR_TABLE = 'network_ar';

/** Columns of a lease row, as the pool reads them back. */
export const LEASE_COLUMNS = 'oid, ar_id, idx, owner_kind, owner_id';
/** Columns of an AR row. */
export const AR_COLUMNS = 'oid, ar_id, next_index';

/** The write that stores lease `index` of AR `arId` of network `oid` as held by `owner`, or deletes it when free. */
export function leaseWrite(oid: number, arId: number, index: number, owner: LeaseOwner | undefined): Write {
  const key = { oid, ar_id: arId, idx: index };
  return owner
    ? { kind: 'upsert', table: LEASE_TABLE, row: { ...key, owner_kind: owner.kind, owner_id: owner.id } }
    : { kind: 'delete', table: LEASE_TABLE, where: key };
}

/** The write that stores the NEXT_INDEX of AR `arId` of network `oid`. */
export function nextIndexWrite(oid: number, arId: number, next: number): Write {
  return { kind: 'upsert', table: AR_TABLE, row: { oid, ar_id: arId, next_index: next } };
}

/** The writes that delete every lease row and the AR row of AR `arId` of network `oid` (the AR goes). */
export function arLeasesDelete(oid: number, arId: number): Write[] {
  return [
    { kind: 'delete', table: LEASE_TABLE, where: { oid, ar_id: arId } },
    { kind: 'delete', table: AR_TABLE, where: { oid, ar_id: arId } },
  ];
}

/**
 * Puts the leases of rows (LEASE_COLUMNS), then the NEXT_INDEX of AR rows (AR_COLUMNS), into
 * the networks `get` finds. Rows of a network or AR that does not exist are skipped (none
 * should: the AR's removal deletes its rows).
 */
export function applyLeaseRows(leases: readonly Row[], ars: readonly Row[], get: (oid: number) => VirtualNetwork | undefined): void {
  for (const row of leases) {
    const vnet = get(Number(row.oid));
    const ar = vnet?.ars.get(Number(row.ar_id));
    const index = Number(row.idx);
    if (!vnet || !ar || index < 0 || index >= ar.size) continue;
    const kind = LEASE_OWNER_KINDS.find((k) => k === row.owner_kind) ?? 'VM';
    ar.take(index, { kind, id: Number(row.owner_id) });
    vnet.leaseChanged();
  }
  for (const row of ars) {
    const vnet = get(Number(row.oid));
    const ar = vnet?.ars.get(Number(row.ar_id));
    if (!vnet || !ar) continue;
    ar.next = Number(row.next_index);
    // An AR row is written with the first lease taken: the AR has had leases.
    ar.markAllocated();
    vnet.leaseChanged();
  }
}

/** Reads the lease rows and AR rows of every network (`oid` undefined) or of one, for applyLeaseRows. */
export async function readLeaseRows(db: Pick<Database, 'query'>, oid?: number): Promise<[Row[], Row[]]> {
  const where = oid === undefined ? '' : ' WHERE oid = ?';
  const params = oid === undefined ? [] : [oid];
  return Promise.all([
    db.query(`SELECT ${LEASE_COLUMNS} FROM ${LEASE_TABLE}${where} ORDER BY oid, ar_id, idx`, params),
    db.query(`SELECT ${AR_COLUMNS} FROM ${AR_TABLE}${where}`, params),
  ]);
}

/**
 * Migration 8's data step: reads every network body of schema 6 (leases inside its ARs) and
 * returns the writes that put each lease into `network_lease` and store the body without them.
 * Running it again on migrated bodies writes the same rows again, so a step cut short (MySQL
 * commits the CREATE TABLE on its own) is completed by the next start.
 */
export async function moveLeasesToTable(db: Pick<Database, 'query'>): Promise<Write[]> {
  const writes: Write[] = [];
  for (const row of await db.query('SELECT body FROM network_pool ORDER BY oid')) {
    const vnet = VirtualNetwork.fromXml(parseXmlTree(String(row.body)));
    for (const ar of vnet.ars.values()) {
      for (const [index, owner] of ar.leases()) writes.push(leaseWrite(vnet.oid, ar.id, index, owner));
      writes.push(nextIndexWrite(vnet.oid, ar.id, ar.next));
    }
    writes.push({ kind: 'upsert', table: 'network_pool', row: vnet.toRow() });
  }
  return writes;
}
