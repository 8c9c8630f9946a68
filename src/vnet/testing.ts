/** Helpers for the virtual network tests: a fresh SQLite database and networks from template text. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template, type Vector } from '../common/template/index.js';
import { openDatabase } from '../db/index.js';
import type { Database } from '../db/database.js';
import { Permissions, type Transaction } from '../pool/index.js';
import { networkRequest } from './network-template.js';
import { VirtualNetwork } from './virtual-network.js';
import type { VirtualNetworkPool } from './vnet-pool.js';

/** A migrated SQLite database in a temporary directory. */
export async function sqlite(): Promise<Database> {
  const db = await openDatabase({ backend: 'sqlite', file: join(mkdtempSync(join(tmpdir(), 'vnet-')), 'one.db') });
  await db.migrate();
  return db;
}

export const owner = { uid: 3, gid: 1, uname: 'alice', gname: 'users' };

export const vec = (o: Record<string, string>): Vector => new Map(Object.entries(o));

/** A network from allocate-style template text, added to the pool in tx. */
export function network(pool: VirtualNetworkPool, tx: Transaction, name: string, text: string): VirtualNetwork {
  const template = Template.parse(text);
  const req = networkRequest(template);
  const vnet = new VirtualNetwork(pool.nextOid(), name, owner, Permissions.fromOctal(0o640), req.fields, template);
  for (const ar of req.ars) vnet.addAr(ar, pool.macPrefix);
  vnet.syncTemplate();
  return tx.create(pool, vnet);
}
