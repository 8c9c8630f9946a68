/**
 * Zone-local quotas of users and groups: tables `user_quotas` and `group_quotas`, one row per
 * user (group) with its `<QUOTAS>` (limits and usage), as OpenNebula keeps them. User and group
 * rows are federated (replicated from the master zone to the slaves), while what a user uses
 * (and may use) is counted in each zone: a slave's VMs charge its own rows and never write a
 * federated one. `QuotaHolderPool` stores the two parts of users and groups; migration 12 took the
 * quotas out of the bodies of schema 11.
 */
import { parseXmlTree, child, type XmlNode } from '../common/xml-tree.js';
import type { Database, Write } from '../db/database.js';
import { Pool, type PoolObject, type PoolOptions } from '../pool/index.js';
import { Quotas } from './quotas.js';

export const USER_QUOTAS_TABLE = 'user_quotas';
export const GROUP_QUOTAS_TABLE = 'group_quotas';

/** An object whose quotas are zone-local. */
export interface QuotaHolder extends PoolObject {
  quotas: Quotas;
  /** The body of its federated row: the object without its quotas. */
  federatedBody(): string;
}

/** `<QUOTAS>…</QUOTAS>` with the quotas' XML. */
function quotasBody(quotas: Quotas): string {
  return `<QUOTAS>${quotas.toXml()}</QUOTAS>`;
}

/** Removes a `<QUOTAS>` element from a stored body (bodies of schema 11 kept them). */
export function withoutQuotas(body: string): string {
  return body.replace(/<QUOTAS>[\s\S]*?<\/QUOTAS>|<QUOTAS\/>/, '');
}

/**
 * A pool of users or groups: the federated row holds the object without its quotas; the quota
 * table of the zone holds them. `replica` (a federation slave) stops writes of federated rows:
 * those come from the master through replication, and only the quota rows are written here.
 */
export abstract class QuotaHolderPool<T extends QuotaHolder> extends Pool<T> {
  protected constructor(
    options: PoolOptions,
    readonly quotaTable: string,
  ) {
    super(options);
  }

  override async load(db: Database): Promise<void> {
    await super.load(db);
    for (const row of await db.query(`SELECT oid, body FROM ${this.quotaTable}`)) {
      const obj = this.get(Number(row.oid));
      if (obj) obj.quotas = quotasOf(parseXmlTree(String(row.body)));
    }
  }

  override rowWrites(obj: T, deleted = false): Write[] {
    const writes: Write[] = [];
    if (!this.replica) {
      writes.push(deleted ? { kind: 'delete', table: this.options.table, where: { oid: obj.oid } } : { kind: 'upsert', table: this.options.table, row: { ...obj.toRow(), body: obj.federatedBody() } });
    }
    writes.push(deleted ? { kind: 'delete', table: this.quotaTable, where: { oid: obj.oid } } : { kind: 'upsert', table: this.quotaTable, row: { oid: obj.oid, body: quotasBody(obj.quotas) } });
    return writes;
  }

  /**
   * Makes the object match its stored rows: the federated row, and its quota row (or, without
   * one, the quotas it has in memory: a slave told of a user the master changed keeps counting).
   */
  override async reload(db: Database, oid: number): Promise<void> {
    const rows = await db.query(`SELECT body FROM ${this.options.table} WHERE oid = ?`, [oid]);
    const current = this.get(oid);
    if (!rows.length) {
      if (current) this.restore(oid, null);
      return;
    }
    const quotaRows = await db.query(`SELECT body FROM ${this.quotaTable} WHERE oid = ?`, [oid]);
    const quotas = quotaRows.length ? quotasBody(quotasOf(parseXmlTree(String(quotaRows[0]!.body)))) : current ? quotasBody(current.quotas) : '';
    const body = withoutQuotas(String(rows[0]!.body));
    const close = body.lastIndexOf('</');
    const full = this.fromXml(parseXmlTree(`${body.slice(0, close)}${quotas}${body.slice(close)}`)).toBody();
    if (full !== current?.toBody()) this.restore(oid, full);
  }
}

function quotasOf(node: XmlNode): Quotas {
  return Quotas.fromXml(node.name === 'QUOTAS' ? node : child(node, 'QUOTAS'));
}

/**
 * Migration 12's data step: each user's and group's `<QUOTAS>` moves from its body to its quota
 * row.
 */
export async function moveQuotasToTables(db: Pick<Database, 'query'>): Promise<Write[]> {
  const writes: Write[] = [];
  for (const [table, quotaTable] of [['user_pool', USER_QUOTAS_TABLE], ['group_pool', GROUP_QUOTAS_TABLE]] as const) {
    for (const row of await db.query(`SELECT oid, name, body, uid, gid, owner_u, group_u, other_u FROM ${table}`)) {
      const body = String(row.body);
      const quotas = child(parseXmlTree(body), 'QUOTAS');
      // A body without QUOTAS (migration run again) leaves the quota row as it is.
      if (!quotas) continue;
      writes.push({ kind: 'upsert', table: quotaTable, row: { oid: Number(row.oid), body: quotasBody(Quotas.fromXml(quotas)) } });
      writes.push({ kind: 'upsert', table, row: { ...row, body: withoutQuotas(body) } });
    }
  }
  return writes;
}
