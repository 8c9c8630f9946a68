/**
 * `onedb` as an administrator runs it between releases: `backup` and `restore` (a portable dump,
 * refused while oned runs, refusing to overwrite without --force, refusing a cut-short file),
 * `version`, and `upgrade` from every schema version the repository has shipped: for each
 * version k < the current one, a database at version k (migrations <= k) filled with the rows of
 * that version (the leases inside network bodies before 8, the quotas inside user and group
 * bodies before 12), `onedb upgrade`, then the rows, the version, and oned starting on it and
 * listing the objects. SQLite in the default run; every feature backend with NEBULA_TEST_BACKENDS.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { childInt, childText, type XmlNode } from '../../src/common/xml-tree.js';
import { openDatabase, SCHEMA_VERSION, type DbConfig, type Row } from '../../src/db/index.js';
import { tablesAt } from '../../src/db/schema.js';
import { dropDatabase, FEATURE_BACKENDS, Oned } from './harness.js';
import { addUser, all, databaseOf, must, okId, okXml, TEST_DRIVERS } from './api-helpers.js';

const ONEDB = resolve(import.meta.dirname, '../../src/oned/onedb.js');

/** Runs onedb for a location; resolves with its exit code and output. */
function onedb(location: string, ...args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((res) => {
    const child = spawn(process.execPath, [ONEDB, ...args], { env: { ...process.env, ONE_LOCATION: location } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) => res({ code: code ?? -1, out }));
  });
}

/** Every row of every table of the latest schema, by table, in primary key order. */
async function readAll(config: DbConfig, version = SCHEMA_VERSION): Promise<Map<string, Row[]>> {
  const db = await openDatabase(config);
  try {
    const out = new Map<string, Row[]>();
    for (const t of tablesAt(version)) out.set(t.name, await db.query(`SELECT * FROM ${t.name} ORDER BY ${t.primaryKey.join(', ')}`));
    return out;
  } finally {
    await db.close();
  }
}

/** The rows without db_versioning's dates (an upgrade records its own). */
function comparable(rows: Map<string, Row[]>, tables: readonly string[]): Record<string, Row[]> {
  return Object.fromEntries(tables.map((t) => [t, (rows.get(t) ?? []).map((r) => (t === 'db_versioning' ? { version: r.version } : r))]));
}

const text = (v: unknown) => String(v);
const macPlus = (mac: string, n: number) =>
  (BigInt(`0x${mac.replace(/:/g, '')}`) + BigInt(n)).toString(16).padStart(12, '0').replace(/(..)(?!$)/g, '$1:');

/**
 * A row as schema version k stored it: before 12 the user's (group's) quotas inside its body;
 * before 8 each AR's leases and NEXT_INDEX inside the network's body.
 */
function rowAt(k: number, table: string, row: Row, fixture: Map<string, Row[]>): Row {
  const quotasOf = (t: string) => fixture.get(t)!.find((q) => q.oid === row.oid)?.body;
  if (k < 12 && (table === 'user_pool' || table === 'group_pool')) {
    const tag = table === 'user_pool' ? 'USER' : 'GROUP';
    const quotas = quotasOf(table === 'user_pool' ? 'user_quotas' : 'group_quotas');
    return quotas === undefined ? row : { ...row, body: text(row.body).replace(`</${tag}>`, `${text(quotas)}</${tag}>`) };
  }
  if (k < 8 && table === 'network_pool') {
    const body = text(row.body).replace(/<AR>([\s\S]*?)<\/AR>/g, (_m, inner: string) => {
      const value = (name: string) => new RegExp(`<${name}>(?:<!\\[CDATA\\[)?([^<\\]]*)`).exec(inner)?.[1] ?? '';
      const arId = Number(value('AR_ID'));
      const mine = (r: Row) => r.oid === row.oid && r.ar_id === arId;
      const leases = fixture.get('network_lease')!.filter(mine);
      const next = fixture.get('network_ar')!.find(mine)?.next_index ?? 0;
      const xml = leases.map((l) => `<LEASE><MAC>${macPlus(value('MAC'), Number(l.idx))}</MAC><${text(l.owner_kind)}>${text(l.owner_id)}</${text(l.owner_kind)}></LEASE>`).join('');
      return `<AR>${inner}<LEASES>${xml}</LEASES><NEXT_INDEX>${text(next)}</NEXT_INDEX></AR>`;
    });
    return { ...row, body };
  }
  return row;
}

/** A database at schema version k holding the fixture's rows as version k had them. */
async function databaseAt(k: number, config: DbConfig, fixture: Map<string, Row[]>): Promise<void> {
  const db = await openDatabase(config);
  try {
    assert.deepEqual(await db.migrate(k), Array.from({ length: k }, (_, i) => i + 1));
    const existing = new Set(tablesAt(k).map((t) => t.name));
    // pool_control has a row per pool table; version k had only its own tables.
    const rowsOf = (table: string) => fixture.get(table)!.filter((r) => table !== 'pool_control' || existing.has(text(r.tablename)));
    const writes = tablesAt(k)
      .filter((t) => t.name !== 'db_versioning')
      .flatMap((t) => rowsOf(t.name).map((row) => ({ kind: 'upsert' as const, table: t.name, row: rowAt(k, t.name, row, fixture) })));
    await db.write(writes);
  } finally {
    await db.close();
  }
}

const names = (pool: XmlNode, element: string) => all(pool, element).map((e) => childText(e, 'NAME'));

let fixture: Map<string, Row[]>;
let fixtureDir: string;
let backupFile: string;

after(() => rmSync(fixtureDir, { recursive: true, force: true }));

describe('onedb backup, restore and version', () => {
  let oned: Oned;
  before(async () => {
    oned = await Oned.start({ backend: 'sqlite', conf: TEST_DRIVERS });
    fixtureDir = mkdtempSync(join(tmpdir(), 'nebula-onedb-'));
    backupFile = join(fixtureDir, 'one.jsonl.gz');
  });
  after(() => oned?.stop());

  test('a cloud with an object of every kind', async () => {
    const o = oned;
    const ann = await addUser(o, 'mig-ann');
    await okId(o, 'one.user.quota', [ann.id, 'VM = [ VMS = 5, CPU = -2, MEMORY = -2, SYSTEM_DISK_SIZE = -2 ]']);
    const team = await okId(o, 'one.group.allocate', ['mig-team']);
    await okId(o, 'one.group.quota', [team, 'VM = [ VMS = 40, CPU = -2, MEMORY = -2, SYSTEM_DISK_SIZE = -2 ]']);
    await okId(o, 'one.document.allocate', ['NAME = "mig-doc"', 1]);
    await okId(o, 'one.cluster.allocate', ['mig-cluster']);
    const host = await okId(o, 'one.host.allocate', ['mig-host', 'dummy', 'dummy', -1]);
    await okId(o, 'one.template.allocate', ['NAME = "mig-tpl"\nCPU = 0.1\nMEMORY = 32']);
    const ds = await okId(o, 'one.datastore.allocate', ['NAME = "mig-images"\nDS_MAD = "dummy"\nTM_MAD = "dummy"', -1]);
    const bk = await okId(o, 'one.datastore.allocate', ['NAME = "mig-backups"\nTYPE = "BACKUP_DS"\nDS_MAD = "dummy"', -1]);
    await okId(o, 'one.image.allocate', ['NAME = "mig-img"\nPATH = "/nowhere.img"\nTYPE = "DATABLOCK"\nSIZE = 10', ds]);
    const net = await okId(o, 'one.vn.allocate', ['NAME = "mig-net"\nVN_MAD = "dummy"\nBRIDGE = "br0"\nAR = [ TYPE = "IP4", IP = "10.9.0.10", SIZE = "5" ]', -1]);
    const vm = await okId(o, 'one.vm.allocate', [`NAME = "mig-vm"\nCPU = 0.1\nMEMORY = 32\nNIC = [ NETWORK_ID = ${net} ]`, false]);
    await o.ok('one.vm.chown', [vm, ann.id, -1]);
    await o.ok('one.datastore.update', [0, 'TM_MAD = "dummy"', 1]);
    await o.ok('one.vm.deploy', [vm, host, false, -1]);
    await okId(o, 'one.backupjob.allocate', [`NAME = "mig-bj"\nBACKUP_VMS = "${vm}"\nDATASTORE_ID = ${bk}`]);
    await okId(o, 'one.secgroup.allocate', ['NAME = "mig-sg"\nRULE = [ PROTOCOL = "TCP", RULE_TYPE = "inbound", RANGE = "22" ]']);
    await okId(o, 'one.vmgroup.allocate', ['NAME = "mig-vmg"\nROLE = [ NAME = "web" ]']);
    await okId(o, 'one.vntemplate.allocate', ['NAME = "mig-vnt"\nVN_MAD = "dummy"\nBRIDGE = "br1"\nAR = [ TYPE = "ETHER", SIZE = "4" ]']);
    await okId(o, 'one.hook.allocate', ['NAME = "mig-hook"\nTYPE = "api"\nCALL = "one.vm.allocate"\nCOMMAND = "/bin/true"']);
    await okId(o, 'one.vdc.allocate', ['NAME = "mig-vdc"']);
  });

  test('backup is refused while oned runs; version is not', async () => {
    const r = await onedb(oned.location, 'backup', backupFile);
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /oned is running .* stop it before a backup/);
    assert.ok(!existsSync(backupFile));
    const v = await onedb(oned.location, 'version');
    assert.equal(v.code, 0, v.out);
    assert.match(v.out, new RegExp(`Schema version: ${SCHEMA_VERSION} \\(this program: ${SCHEMA_VERSION}\\)\\nUp to date\\.`));
  });

  test('backup writes every row; restore refuses a database without --force, then puts it back', async () => {
    assert.equal(await oned.signal('SIGTERM'), 0);
    fixture = await readAll(databaseOf(oned));
    assert.ok(fixture.get('network_lease')!.length > 0 && fixture.get('user_quotas')!.length > 0 && fixture.get('history')!.length > 0);
    const b = await onedb(oned.location, 'backup', backupFile);
    assert.equal(b.code, 0, b.out);
    const total = [...fixture.values()].reduce((n, rows) => n + rows.length, 0);
    assert.match(b.out, new RegExp(`schema version ${SCHEMA_VERSION}, ${tablesAt(SCHEMA_VERSION).length} tables, ${total} rows`));

    const refused = await onedb(oned.location, 'restore', backupFile);
    assert.equal(refused.code, 1, refused.out);
    assert.match(refused.out, /already holds a database \(schema version \d+\): use --force/);

    // A change after the backup, which --force undoes.
    const db = await openDatabase(databaseOf(oned));
    await db.write([{ kind: 'delete', table: 'vm_pool', where: { name: 'mig-vm' } }]);
    await db.close();
    const forced = await onedb(oned.location, 'restore', backupFile, '--force');
    assert.equal(forced.code, 0, forced.out);
    assert.deepEqual(await readAll(databaseOf(oned)), fixture);

    // A file cut short changes nothing.
    const cut = join(fixtureDir, 'cut.jsonl');
    const plain = join(fixtureDir, 'plain.jsonl');
    assert.equal((await onedb(oned.location, 'backup', plain)).code, 0);
    const lines = readFileSync(plain, 'utf8').trimEnd().split('\n');
    writeFileSync(cut, lines.slice(0, -3).join('\n') + '\n');
    const bad = await onedb(oned.location, 'restore', cut, '--force');
    assert.equal(bad.code, 1, bad.out);
    assert.match(bad.out, /cut short/);
    assert.deepEqual(await readAll(databaseOf(oned)), fixture);
    oned.output = '';
  });
});

for (const backend of FEATURE_BACKENDS) {
  // The versions are independent: three at a time (each waits mostly on its oned starting).
  describe(`onedb upgrade from every earlier schema version on ${backend}`, { concurrency: 3 }, () => {
    const dbNames: string[] = [];
    after(async () => {
      for (const name of dbNames) await dropDatabase(backend, name);
    });

    test(`restore into an empty ${backend} database`, async () => {
      const dbName = `nebula_onedb_${randomBytes(5).toString('hex')}`;
      dbNames.push(dbName);
      const oned = await withDatabaseAt(backend, dbName, async (location, config) => {
        const r = await onedb(location, 'restore', backupFile);
        assert.equal(r.code, 0, r.out);
        assert.match(r.out, /Restored \d+ rows/);
        const tables = tablesAt(SCHEMA_VERSION).map((t) => t.name);
        assert.deepEqual(comparable(await readAll(config), tables), comparable(fixture, tables));
      });
      try {
        assert.ok(names(await okXml(oned, 'one.vmpool.info', [-2, -1, -1, -1]), 'VM').includes('mig-vm'));
      } finally {
        await oned.stop();
      }
    });

    for (let k = 1; k < SCHEMA_VERSION; k++) {
      test(`from schema version ${k}`, async () => {
        const dbName = `nebula_onedb_${randomBytes(5).toString('hex')}`;
        dbNames.push(dbName);
        const oned = await withDatabaseAt(backend, dbName, async (location, config) => {
          const r = await onedb(location, 'upgrade');
          assert.equal(r.code, 0, r.out);
          assert.match(r.out, new RegExp(`from schema version ${k} to ${SCHEMA_VERSION}`));
          assert.match(r.out, new RegExp(`Backup of .*schema version ${k}.* written to ${location}/var/backups/onedb-v${k}-`));
          // The rows of version k, and those the data steps moved (leases, quotas) as a live oned wrote them.
          const moved = [...(k < 8 && k >= 6 ? ['network_lease', 'network_ar'] : []), ...(k < 12 ? ['user_quotas', 'group_quotas'] : [])];
          const tables = [...tablesAt(k).map((t) => t.name), ...moved].filter((t) => t !== 'pool_control');
          const rows = await readAll(config);
          assert.deepEqual(rows.get('db_versioning')!.map((r) => r.version), Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1));
          assert.deepEqual(comparable(rows, tables), comparable(fixture, tables));
          assert.match((await onedb(location, 'version')).out, /Up to date/);
        }, k);
        try {
          const users = await okXml(oned, 'one.userpool.info', []);
          assert.ok(names(users, 'USER').includes('mig-ann'));
          const ann = all(users, 'USER').find((u) => childText(u, 'NAME') === 'mig-ann')!;
          const vmQuota = must(must(await okXml(oned, 'one.user.info', [childInt(ann, 'ID')]), 'VM_QUOTA'), 'VM');
          assert.equal(childText(vmQuota, 'VMS'), '5', 'the quota limit survives');
          assert.equal(childText(must(must(await okXml(oned, 'one.group.info', [childInt(all(await okXml(oned, 'one.grouppool.info', []), 'GROUP').find((g) => childText(g, 'NAME') === 'mig-team')!, 'ID')]), 'VM_QUOTA'), 'VM'), 'VMS'), '40');
          const listed = async (method: string, element: string, params: (number | string)[] = [-2, -1, -1]) => names(await okXml(oned, method, params), element);
          assert.ok((await listed('one.documentpool.info', 'DOCUMENT', [-2, -1, -1, -1])).includes('mig-doc'));
          if (k >= 2) assert.ok((await listed('one.hostpool.info', 'HOST', [])).includes('mig-host'));
          if (k >= 2) assert.ok((await listed('one.clusterpool.info', 'CLUSTER', [])).includes('mig-cluster'));
          if (k >= 3) assert.ok((await listed('one.templatepool.info', 'VMTEMPLATE')).includes('mig-tpl'));
          if (k >= 4) assert.ok((await listed('one.datastorepool.info', 'DATASTORE', [])).includes('mig-images'));
          if (k >= 5) assert.ok((await listed('one.imagepool.info', 'IMAGE')).includes('mig-img'));
          if (k >= 6) {
            const net = all(await okXml(oned, 'one.vnpool.info', [-2, -1, -1]), 'VNET').find((v) => childText(v, 'NAME') === 'mig-net')!;
            assert.equal(childText(await okXml(oned, 'one.vn.info', [childInt(net, 'ID')]), 'USED_LEASES'), '1', 'the lease survives');
          }
          if (k >= 7) {
            const vm = all(await okXml(oned, 'one.vmpool.info', [-2, -1, -1, -1]), 'VM').find((v) => childText(v, 'NAME') === 'mig-vm');
            assert.ok(vm, 'the VM is listed');
            assert.equal(childText(vmQuota, 'VMS_USED'), '1');
          }
          if (k >= 10) assert.ok((await listed('one.backupjobpool.info', 'BACKUPJOB')).includes('mig-bj'));
          if (k >= 11) {
            assert.ok((await listed('one.secgrouppool.info', 'SECURITY_GROUP')).includes('mig-sg'));
            assert.ok((await listed('one.vmgrouppool.info', 'VM_GROUP')).includes('mig-vmg'));
            assert.ok((await listed('one.vntemplatepool.info', 'VNTEMPLATE')).includes('mig-vnt'));
            assert.ok((await listed('one.hookpool.info', 'HOOK')).includes('mig-hook'));
          }
          if (k >= 13) assert.ok((await listed('one.vdcpool.info', 'VDC', [])).includes('mig-vdc'));
        } finally {
          await oned.stop();
        }
      });
    }
  });
}

function dbSectionFor(backend: string, dbName: string): string {
  if (backend === 'postgresql') return `DB = [ BACKEND = "postgresql", SERVER = "127.0.0.1", PORT = 5432, USER = "postgres", PASSWD = "", DB_NAME = "${dbName}" ]`;
  if (backend === 'mysql') return `DB = [ BACKEND = "mysql", SERVER = "127.0.0.1", PORT = 3306, USER = "root", PASSWD = "", DB_NAME = "${dbName}" ]`;
  return 'DB = [ BACKEND = "sqlite" ]';
}

/**
 * Starts oned on a location whose database is at schema version k (or empty without k), after
 * `before(location)` (onedb runs there, oned not yet started).
 */
async function withDatabaseAt(
  backend: (typeof FEATURE_BACKENDS)[number],
  dbName: string,
  beforeStart: (location: string, config: DbConfig) => Promise<void>,
  k?: number,
): Promise<Oned> {
  // A location of its own for onedb, whose database oned then starts on.
  const staging = mkdtempSync(join(tmpdir(), 'nebula-onedb-k-'));
  mkdirSync(join(staging, 'etc'));
  mkdirSync(join(staging, 'var'));
  writeFileSync(join(staging, 'etc', 'oned.conf'), `${dbSectionFor(backend, dbName)}\n`);
  const stagedFile = join(staging, 'var', 'one.db');
  const config: DbConfig =
    backend === 'sqlite' ? { backend, file: stagedFile } : backend === 'postgresql'
      ? { backend, server: '127.0.0.1', port: 5432, user: 'postgres', passwd: '', dbName }
      : { backend, server: '127.0.0.1', port: 3306, user: 'root', passwd: '', dbName };
  try {
    if (k !== undefined) await databaseAt(k, config, fixture);
    await beforeStart(staging, config);
    return await Oned.start({
      backend,
      conf: TEST_DRIVERS,
      db: dbSectionFor(backend, dbName),
      prepare: (location) => {
        if (backend !== 'sqlite') return;
        mkdirSync(join(location, 'var'), { recursive: true });
        writeFileSync(join(location, 'var', 'one.db'), readFileSync(stagedFile));
      },
    });
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
