/**
 * The PostgreSQL pool's host selection and reconnection, against the local test server
 * (127.0.0.1:5432, trust auth) in a database of its own. Whole failovers run in
 * test/e2e/fault-pg-failover.test.ts (Patroni) and fault-db-outage.test.ts.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, test } from 'node:test';
import pg from 'pg';
import { connectPostgresPrimary, openDatabase, type DbConfig, type DbLog } from '../index.js';

const dbName = `nebula_test_${randomBytes(6).toString('hex')}`;
const admin = (database = 'postgres') => new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database });

async function sql(text: string, database?: string): Promise<void> {
  const c = admin(database);
  await c.connect();
  try {
    await c.query(text);
  } finally {
    await c.end();
  }
}

function recordingLog(): DbLog & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (m) => lines.push(`I ${m}`), warn: (m) => lines.push(`W ${m}`), error: (m) => lines.push(`E ${m}`) };
}

after(() => sql(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`));

const config: DbConfig = { backend: 'postgresql', server: '127.0.0.1:1,127.0.0.1:5432', user: 'postgres', passwd: '', dbName, connections: 4, outageTimeout: 10 };

test('several servers: the first that answers and is writable is used, the database created there', async () => {
  const log = recordingLog();
  const db = await openDatabase(config, log);
  try {
    await db.migrate();
    assert.deepEqual(log.lines, ['I Connected to the primary 127.0.0.1:5432 of 127.0.0.1:1,127.0.0.1:5432']);
  } finally {
    await db.close();
  }
});

/** Terminates the test database's connections that run `what` (a query waiting on a lock, or sleeping) once one does. */
async function cutWhen(what: string, except: number): Promise<void> {
  const c = admin();
  await c.connect();
  try {
    for (let i = 0; i < 200; i++) {
      const r = await c.query(`SELECT pg_terminate_backend(pid) AS cut FROM pg_stat_activity WHERE datname = $1 AND pid <> $2 AND ${what}`, [dbName, except]);
      if (r.rows.length > 0) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`no connection of ${dbName} ran ${what}`);
  } finally {
    await c.end();
  }
}

test('a connection cut by the server: the query and the commit that saw it run again on a new connection', async () => {
  const log = recordingLog();
  const db = await openDatabase(config, log);
  try {
    await db.write([{ kind: 'upsert', table: 'system_attributes', row: { name: 'a', body: '1' } }]);
    // A commit cut while it waits for a row lock: it is run again, and commits once the lock is gone.
    const locker = admin(dbName);
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query("SELECT * FROM system_attributes WHERE name = 'a' FOR UPDATE");
    const pid = ((await locker.query('SELECT pg_backend_pid() AS pid')).rows[0] as { pid: number }).pid;
    const writing = db.write([
      { kind: 'upsert', table: 'system_attributes', row: { name: 'a', body: '2' } },
      { kind: 'upsert', table: 'system_attributes', row: { name: 'b', body: '2' } },
    ]);
    await cutWhen("wait_event_type = 'Lock'", pid);
    await locker.query('ROLLBACK');
    await locker.end();
    await writing;
    // A query cut while it runs.
    const reading = db.query("SELECT pg_sleep(0.3) AS s, (SELECT body FROM system_attributes WHERE name = 'a') AS a");
    await cutWhen("query LIKE 'SELECT pg_sleep%'", 0);
    assert.deepEqual((await reading).map((r) => r['a']), ['2']);
    assert.deepEqual((await db.query("SELECT name, body FROM system_attributes WHERE name IN ('a', 'b') ORDER BY name")).map((r) => `${r['name']}=${r['body']}`), ['a=2', 'b=2']);
    const lost = log.lines.filter((l) => /^W Lost the database server 127\.0\.0\.1:5432: terminating connection due to administrator command; looking for the primary among 127\.0\.0\.1:1,127\.0\.0\.1:5432$/.test(l));
    const found = log.lines.filter((l) => /^I Using the database server 127\.0\.0\.1:5432 \(\d+\.\d s after the loss\)$/.test(l));
    assert.equal(lost.length, 2, log.lines.join('\n'));
    assert.equal(found.length, 2, log.lines.join('\n'));
  } finally {
    await db.close();
  }
});

test('a read-only server is passed over for writing; with no writable one the error says why, server by server', async () => {
  await sql(`ALTER DATABASE ${dbName} SET default_transaction_read_only = on`);
  try {
    await assert.rejects(openDatabase(config), (error: Error) => {
      assert.equal(
        error.message,
        'postgresql: cannot connect to any of the servers 127.0.0.1:1,127.0.0.1:5432, as user "postgres", database "' +
          dbName + '": 127.0.0.1:1: connect ECONNREFUSED 127.0.0.1:1; 127.0.0.1:5432: read-only (a standby, not the primary)',
      );
      return true;
    });
    await assert.rejects(connectPostgresPrimary(config), /127\.0\.0\.1:5432: read-only/);
    // TARGET_SESSION_ATTRS = any takes it.
    const { client, host } = await connectPostgresPrimary({ ...config, targetSessionAttrs: 'any' });
    assert.deepEqual(host, { host: '127.0.0.1', port: 5432 });
    await client.end();
  } finally {
    await sql(`ALTER DATABASE ${dbName} RESET default_transaction_read_only`);
  }
  const { client, host } = await connectPostgresPrimary(config);
  assert.deepEqual(host, { host: '127.0.0.1', port: 5432 });
  assert.deepEqual((await client.query('SELECT current_database() AS db')).rows, [{ db: dbName }]);
  await client.end();
});
