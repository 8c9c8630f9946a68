/**
 * Lease benchmark: the cost of one lease change on a network that already has many used leases,
 * in process (no RPC), on a scratch database. Takes `--leases` leases of one AR for VMs in one
 * transaction, then takes and frees one lease `--changes` times, each in its own committed
 * transaction, and reports the time and the bytes of writes per change, the network's body and
 * info XML sizes, and the first one.vn.info rendering after a change. Not a test: see bench/README.md.
 *
 *   node dist/bench/lease-bench.js [--backend sqlite|postgresql|mysql] [--leases 50000] [--changes 2000]
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Template } from '../src/common/template/index.js';
import { openDatabase, type Backend, type Database, type DbConfig, type Write } from '../src/db/index.js';
import { Permissions, Transaction } from '../src/pool/index.js';
import { VirtualNetwork, VirtualNetworkPool, networkRequest } from '../src/vnet/index.js';
import { dropDatabase } from '../test/e2e/harness.js';

function config(backend: Backend, dir: string, dbName: string): DbConfig {
  switch (backend) {
    case 'sqlite':
      return { backend, file: join(dir, 'one.db') };
    case 'postgresql':
      return { backend, server: '127.0.0.1', port: 5432, user: 'postgres', passwd: '', dbName };
    case 'mysql':
      return { backend, server: '127.0.0.1', port: 3306, user: 'root', passwd: '', dbName };
  }
}

const ms = (from: bigint) => Number(process.hrtime.bigint() - from) / 1e6;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { backend: { type: 'string', default: 'sqlite' }, leases: { type: 'string', default: '50000' }, changes: { type: 'string', default: '2000' } } });
  const backend = values.backend as Backend;
  const leases = Number(values.leases);
  const changes = Number(values.changes);
  const dir = mkdtempSync(join(tmpdir(), 'lease-bench-'));
  const dbName = `nebula_bench_${randomBytes(6).toString('hex')}`;
  const db = await openDatabase(config(backend, dir, dbName));
  try {
    await db.migrate();
    let bytes = 0;
    const counting: Database = {
      backend: db.backend,
      migrate: () => db.migrate(),
      schemaVersion: () => db.schemaVersion(),
      dropTables: (t) => db.dropTables(t),
      query: (sql, params) => db.query(sql, params),
      write: (w: readonly Write[]) => ((bytes += JSON.stringify(w).length), db.write(w)),
      close: () => db.close(),
    };
    const pool = new VirtualNetworkPool();
    const template = Template.parse(`VN_MAD = "dummy"\nBRIDGE = "br0"\nAR = [ TYPE = "IP4", IP = "10.0.0.1", SIZE = "${leases + changes + 1}" ]`);
    const req = networkRequest(template);
    const vnet = new VirtualNetwork(pool.nextOid(), 'big', { uid: 0, gid: 0, uname: 'oneadmin', gname: 'oneadmin' }, Permissions.fromOctal(0o600), req.fields, template);
    for (const ar of req.ars) vnet.addAr(ar, pool.macPrefix);
    const setup = new Transaction(db);
    setup.create(pool, vnet);
    for (let vm = 0; vm < leases; vm++) pool.allocateLease(setup, vnet, vm, new Map());
    await setup.commit();
    const start = process.hrtime.bigint();
    for (let i = 0; i < changes; i++) {
      const nic = new Map<string, string>();
      const take = new Transaction(counting);
      pool.allocateLease(take, vnet, leases + i, nic);
      await take.commit();
      const free = new Transaction(counting);
      pool.releaseLease(free, nic, leases + i);
      await free.commit();
    }
    const perChange = ms(start) / (2 * changes);
    const info = process.hrtime.bigint();
    const xml = vnet.toXml();
    console.log(`backend ${backend}, ${vnet.usedLeases} used leases, ${2 * changes} changes`);
    console.log(`per lease change: ${perChange.toFixed(3)} ms, ${(bytes / (2 * changes)).toFixed(0)} bytes of writes`);
    console.log(`network body ${vnet.toBody().length} bytes, one.vn.info XML ${xml.length} bytes, first info after a change ${ms(info).toFixed(1)} ms`);
  } finally {
    await db.close();
    if (backend !== 'sqlite') await dropDatabase(backend, dbName);
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
