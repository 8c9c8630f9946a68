import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MIGRATIONS, SCHEMA_VERSION, poolTable, tableNamed } from './schema.js';

test('migrations are numbered upwards from 1 and the last one is the schema version', () => {
  // Versions are taken by branches in parallel (7: VMs, 8: network leases) and meet on merge,
  // so a branch may miss one; they must only grow.
  const versions = MIGRATIONS.map((migration) => migration.version);
  assert.equal(versions[0], 1);
  for (let i = 1; i < versions.length; i++) assert.ok(versions[i]! > versions[i - 1]!, `migration ${versions[i]} after ${versions[i - 1]}`);
  assert.equal(SCHEMA_VERSION, versions[versions.length - 1]);
  for (const migration of MIGRATIONS) assert.ok(migration.description.length <= 256, `${migration.version}: comment too long`);
});

test('version 1 creates the core tables, each with its key', () => {
  const created = new Map(MIGRATIONS[0]!.tables.map((table) => [table.name, table.primaryKey.join()]));
  const expected = {
    db_versioning: 'oid',
    pool_control: 'tablename',
    system_attributes: 'name',
    user_pool: 'oid',
    group_pool: 'oid',
    acl: 'oid',
  };
  for (const [name, key] of Object.entries(expected)) assert.equal(created.get(name), key, name);
  assert.deepEqual(tableNamed('user_pool')?.unique, [['name']]);
});

test('a pool table whose names are unique per owner is unique on (name, uid)', () => {
  assert.deepEqual(poolTable('vm_pool', 'owner').unique, [['name', 'uid']]);
});

test('each backend gets its own DDL: MySQL inline indexes and LONGTEXT bodies, others CREATE INDEX', () => {
  const [mysql] = MIGRATIONS[0]!.statements('mysql').filter((sql) => sql.includes(' user_pool '));
  assert.match(mysql!, /body LONGTEXT/);
  assert.match(mysql!, /INDEX user_pool_uid_idx \(uid\)/);
  assert.match(mysql!, /ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin$/);
  const postgres = MIGRATIONS[0]!.statements('postgresql');
  assert.ok(postgres.includes('CREATE INDEX IF NOT EXISTS user_pool_gid_idx ON user_pool (gid)'));
  assert.ok(
    postgres.some((sql) =>
      sql.startsWith('CREATE TABLE IF NOT EXISTS user_pool (oid INTEGER NOT NULL, name VARCHAR(128) NOT NULL, body TEXT,'),
    ),
  );
});
