/**
 * The contract every backend must keep, run against real servers. Each run works in a database
 * of its own with a random name, created by openDatabase and dropped at the end.
 *
 * NEBULA_TEST_BACKENDS picks the backends (comma list; default all three). A server that
 * cannot be reached fails the suite: it is not skipped.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { openDatabase, SCHEMA_VERSION, type Backend, type DbConfig, type MeteredDatabase, type Write } from './index.js';
import { MIGRATIONS } from './schema.js';

const ALL_BACKENDS: readonly Backend[] = ['sqlite', 'postgresql', 'mysql'];
const BACKENDS = (process.env['NEBULA_TEST_BACKENDS'] ?? ALL_BACKENDS.join(','))
  .split(',')
  .map((name) => name.trim())
  .filter((name) => name !== '')
  .map((name) => {
    if (!ALL_BACKENDS.includes(name as Backend)) throw new Error(`NEBULA_TEST_BACKENDS: unknown backend ${name}`);
    return name as Backend;
  });

/** The local test servers: PostgreSQL with trust auth, MariaDB with an empty root password. */
const SERVERS = {
  postgresql: { server: '127.0.0.1', port: 5432, user: 'postgres', passwd: '' },
  mysql: { server: '127.0.0.1', port: 3306, user: 'root', passwd: '' },
} as const;

/** A database of its own for one run: its configuration, and how to remove it afterwards. */
async function scratchDatabase(backend: Backend): Promise<{ config: DbConfig; drop(): Promise<void> }> {
  const dbName = `nebula_test_${randomBytes(6).toString('hex')}`;
  switch (backend) {
    case 'sqlite': {
      const dir = await mkdtemp(join(tmpdir(), 'nebula-db-test-'));
      return { config: { backend, file: join(dir, 'one.db') }, drop: () => rm(dir, { recursive: true, force: true }) };
    }
    case 'postgresql':
      return {
        config: { backend, ...SERVERS.postgresql, dbName, connections: 4 },
        async drop() {
          const { server, port, user } = SERVERS.postgresql;
          const client = new pg.Client({ host: server, port, user, database: 'postgres' });
          await client.connect();
          await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(dbName)} WITH (FORCE)`);
          await client.end();
        },
      };
    case 'mysql':
      return {
        config: { backend, ...SERVERS.mysql, dbName, connections: 4 },
        async drop() {
          const { server, port, user } = SERVERS.mysql;
          const connection = await mysql.createConnection({ host: server, port, user });
          await connection.query(`DROP DATABASE IF EXISTS ${mysql.escapeId(dbName)}`);
          await connection.end();
        },
      };
  }
}

function user(oid: number, name: string, body = `<USER><ID>${oid}</ID></USER>`): Write {
  return {
    kind: 'upsert',
    table: 'user_pool',
    row: { oid, name, body, uid: oid, gid: 1, owner_u: 1, group_u: 0, other_u: 0 },
  };
}

function attribute(name: string, body: string | null): Write {
  return { kind: 'upsert', table: 'system_attributes', row: { name, body } };
}

for (const backend of BACKENDS) {
  describe(`database contract: ${backend}`, () => {
    let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
    let db: MeteredDatabase;

    before(async () => {
      scratch = await scratchDatabase(backend);
      db = await openDatabase(scratch.config);
    });

    after(async () => {
      await db?.close();
      await scratch?.drop();
    });

    const names = async (sql: string, params: readonly (string | number)[] = []) =>
      (await db.query(sql, params)).map((row) => row['name']);

    test('an empty database is at version 0; migrate brings it to the latest version, and again changes nothing', async () => {
      assert.equal(await db.schemaVersion(), 0);
      await db.migrate();
      assert.equal(await db.schemaVersion(), SCHEMA_VERSION);
      await db.migrate();
      assert.equal(await db.schemaVersion(), SCHEMA_VERSION);
      const history = await db.query('SELECT oid, version, comment FROM db_versioning ORDER BY oid');
      assert.deepEqual(
        history.map((row) => row['version']),
        MIGRATIONS.map((migration) => migration.version),
      );
      for (const table of ['pool_control', 'system_attributes', 'user_pool', 'group_pool', 'acl']) {
        assert.deepEqual(await db.query(`SELECT COUNT(*) AS n FROM ${table}`), [{ n: 0 }], table);
      }
    });

    test('migrate refuses a database written by a newer schema version', async () => {
      const newer = { oid: 99, version: 99, timestamp: 0, comment: 'from the future' };
      await db.write([{ kind: 'upsert', table: 'db_versioning', row: newer }]);
      await assert.rejects(db.migrate(), /schema version 99, newer than/);
      await db.write([{ kind: 'delete', table: 'db_versioning', where: { oid: 99 } }]);
      await db.migrate();
    });

    test('upsert inserts a row, then replaces the row with the same key', async () => {
      await db.write([user(1, 'alice', '<USER>first</USER>')]);
      await db.write([user(1, 'alicia', '<USER>second</USER>')]);
      assert.deepEqual(await db.query('SELECT oid, name, body, uid, gid FROM user_pool WHERE oid = ?', [1]), [
        { oid: 1, name: 'alicia', body: '<USER>second</USER>', uid: 1, gid: 1 },
      ]);
    });

    test('delete removes the rows matching every given column', async () => {
      await db.write([user(2, 'bob'), user(3, 'carol'), attribute('gone', null), attribute('kept', 'x')]);
      await db.write([
        { kind: 'delete', table: 'user_pool', where: { oid: 2, name: 'bob' } },
        { kind: 'delete', table: 'user_pool', where: { oid: 3, name: 'not carol' } },
        { kind: 'delete', table: 'system_attributes', where: { body: null } },
      ]);
      assert.deepEqual(await names('SELECT name FROM user_pool WHERE oid IN (?, ?)', [2, 3]), ['carol']);
      assert.deepEqual(await names("SELECT name FROM system_attributes WHERE name IN ('gone', 'kept')"), ['kept']);
    });

    test('a write call is atomic: one bad write leaves none of the call’s writes', async () => {
      const nameless: Write = { kind: 'upsert', table: 'user_pool', row: { oid: 11, name: null, body: '' } };
      await assert.rejects(db.write([user(10, 'dave'), attribute('dave-quota', '<Q/>'), nameless]));
      assert.deepEqual(await names('SELECT name FROM user_pool WHERE oid IN (?, ?)', [10, 11]), []);
      assert.deepEqual(await names('SELECT name FROM system_attributes WHERE name = ?', ['dave-quota']), []);
    });

    test('a name another row has is refused, never merged into that row', async () => {
      await db.write([user(20, 'erin', '<USER>erin</USER>')]);
      await assert.rejects(db.write([user(21, 'erin', '<USER>impostor</USER>')]));
      assert.deepEqual(await db.query('SELECT oid, body FROM user_pool WHERE name = ?', ['erin']), [
        { oid: 20, body: '<USER>erin</USER>' },
      ]);
      const rule = { userset: 1, resource: 2, rights: 3, zone: 4 };
      await db.write([{ kind: 'upsert', table: 'acl', row: { oid: 1, ...rule } }]);
      await assert.rejects(db.write([{ kind: 'upsert', table: 'acl', row: { oid: 2, ...rule } }]));
      assert.deepEqual(await db.query('SELECT oid FROM acl'), [{ oid: 1 }]);
    });

    test('concurrent calls are group-committed: all land, in fewer transactions than calls', async () => {
      const before = { ...db.writeStats };
      const calls = Array.from({ length: 200 }, (_, i) =>
        db.write([{ kind: 'upsert', table: 'pool_control', row: { tablename: `pool_${i}`, last_oid: i } }]),
      );
      await Promise.all(calls);
      const made = db.writeStats.calls - before.calls;
      const transactions = db.writeStats.transactions - before.transactions;
      assert.equal(made, 200);
      assert.ok(transactions < made, `${transactions} transactions for ${made} calls`);
      assert.deepEqual(await db.query('SELECT COUNT(*) AS n, MAX(last_oid) AS last FROM pool_control'), [{ n: 200, last: 199 }]);
    });

    test('a group with a bad call fails whole: none of its writes stay', async () => {
      const bad = [attribute('bad-call-first-write', 'x'), { kind: 'upsert', table: 'user_pool', row: { oid: 31, name: null } } as Write];
      const calls = [
        ...Array.from({ length: 10 }, (_, i) => db.write([attribute(`group-${i}`, `${i}`)])),
        db.write(bad),
      ];
      const results = await Promise.allSettled(calls);
      assert.ok(results.every((result) => result.status === 'rejected'));
      assert.deepEqual(await names("SELECT name FROM system_attributes WHERE name LIKE 'group-%' OR name = 'bad-call-first-write'"), []);
    });

    test('the last write to a key wins, within a call and across a group', async () => {
      await db.write([attribute('same', 'first'), attribute('same', 'second')]);
      assert.deepEqual(await db.query('SELECT body FROM system_attributes WHERE name = ?', ['same']), [{ body: 'second' }]);
      await Promise.all(Array.from({ length: 50 }, (_, i) => db.write([user(40, 'frank', `<USER>${i}</USER>`)])));
      assert.deepEqual(await db.query('SELECT body FROM user_pool WHERE oid = ?', [40]), [{ body: '<USER>49</USER>' }]);
    });

    test('64-bit integers round-trip exactly: bigint beyond 2^53, number when safe', async () => {
      const row = { oid: 50, userset: 0x1000000000000000n, resource: -(2n ** 62n), rights: 0x7fffffffffffffffn, zone: 3 };
      await db.write([{ kind: 'upsert', table: 'acl', row }]);
      assert.deepEqual(await db.query('SELECT oid, userset, resource, rights, zone FROM acl WHERE userset = ?', [row.userset]), [row]);
      const [count] = await db.query('SELECT COUNT(*) AS n FROM acl');
      assert.equal(count!['n'], 2);
    });

    test('unicode text round-trips', async () => {
      const name = 'ñandú – 日本語 – 🚀 – עברית – ß';
      await db.write([user(60, name, `<USER><NAME>${name}</NAME></USER>`)]);
      assert.deepEqual(await db.query('SELECT name, body FROM user_pool WHERE name = ?', [name]), [
        { name, body: `<USER><NAME>${name}</NAME></USER>` },
      ]);
    });

    test('a 1 MB body round-trips', async () => {
      const body = `<VM>${'<DISK>é🚀x</DISK>'.repeat(1 << 16)}</VM>`;
      assert.ok(body.length > 1_000_000);
      await db.write([user(70, 'big', body)]);
      const [row] = await db.query('SELECT body FROM user_pool WHERE oid = ?', [70]);
      assert.ok(row!['body'] === body, 'body differs');
    });

    test('query takes ? placeholders; a ? inside a literal is text', async () => {
      await db.write([attribute('?', 'question')]);
      assert.deepEqual(await names("SELECT name FROM system_attributes WHERE name = '?' AND body = ?", ['question']), ['?']);
    });

    test('a database that cannot be reached fails with a message naming where, never the password', async () => {
      const secret = 'not-the-password-9f2c';
      if (backend === 'sqlite') {
        const blocker = join(tmpdir(), `nebula-not-a-dir-${randomBytes(4).toString('hex')}`);
        await writeFile(blocker, '');
        await assert.rejects(openDatabase({ backend, file: join(blocker, 'one.db') }), (error: Error) => {
          assert.match(error.message, /^sqlite: cannot open database file .*nebula-not-a-dir-.*one\.db/);
          return true;
        });
        await rm(blocker);
        return;
      }
      const config: DbConfig = { ...scratch.config, port: 1, passwd: secret };
      await assert.rejects(openDatabase(config), (error: Error) => {
        assert.ok(error.message.startsWith(`${backend}: cannot connect to server 127.0.0.1, port 1, as user "`), error.message);
        assert.ok(error.message.includes(`"${config.user}"`) && error.message.includes(`"${config.dbName}"`), error.message);
        assert.ok(!error.message.includes(secret));
        return true;
      });
    });
  });
}
