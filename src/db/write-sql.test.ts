import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Write } from './database.js';
import { onConflictClause, WriteRenderer, type Dialect } from './write-sql.js';

const NUMBERED: Dialect = { placeholders: 'numbered', maxRowsPerInsert: 1000, upsertClause: onConflictClause };
const ONE_ROW: Dialect = { placeholders: 'question', maxRowsPerInsert: 1, upsertClause: onConflictClause };

function attribute(name: string, body: string): Write {
  return { kind: 'upsert', table: 'system_attributes', row: { name, body } };
}

test('consecutive upserts of one table and column list become one multi-row INSERT', () => {
  const [statement, ...rest] = new WriteRenderer(NUMBERED).render([attribute('a', '1'), attribute('b', '2')]);
  assert.equal(rest.length, 0);
  assert.equal(
    statement!.sql,
    'INSERT INTO system_attributes (name, body) VALUES ($1, $2), ($3, $4) ON CONFLICT (name) DO UPDATE SET body = excluded.body',
  );
  assert.deepEqual(statement!.params, ['a', '1', 'b', '2']);
});

test('a key already in the INSERT takes its row in place; a delete starts a new statement, keeping order', () => {
  const statements = new WriteRenderer(NUMBERED).render([
    attribute('a', '1'),
    attribute('c', '3'),
    attribute('a', '2'),
    { kind: 'delete', table: 'system_attributes', where: { name: 'b', body: null } },
    attribute('a', '4'),
    { kind: 'upsert', table: 'pool_control', row: { tablename: 'user_pool', last_oid: 7 } },
  ]);
  assert.deepEqual(
    statements.map((statement) => statement.params),
    [['a', '2', 'c', '3'], ['b'], ['a', '4'], ['user_pool', 7]],
  );
  assert.equal(statements[1]!.sql, 'DELETE FROM system_attributes WHERE name = $1 AND body IS NULL');
});

test("interleaved writes of several tables gather into one INSERT per table, each table's order kept", () => {
  const control = (table: string, oid: number): Write => ({ kind: 'upsert', table: 'pool_control', row: { tablename: table, last_oid: oid } });
  const statements = new WriteRenderer(NUMBERED).render([
    attribute('a', '1'),
    control('vm_pool', 1),
    attribute('b', '2'),
    control('vm_pool', 2),
    { kind: 'delete', table: 'pool_control', where: { tablename: 'host_pool' } },
    attribute('c', '3'),
    control('vm_pool', 3),
  ]);
  assert.deepEqual(
    statements.map((statement) => statement.params),
    [['a', '1', 'b', '2', 'c', '3'], ['vm_pool', 2], ['host_pool'], ['vm_pool', 3]],
  );
});

test('a one-row dialect renders every upsert alone, with the same SQL text each time', () => {
  const statements = new WriteRenderer(ONE_ROW).render([attribute('a', '1'), attribute('b', '2')]);
  assert.equal(statements.length, 2);
  assert.equal(statements[0]!.sql, statements[1]!.sql);
  assert.equal(
    statements[0]!.sql,
    'INSERT INTO system_attributes (name, body) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET body = excluded.body',
  );
});

test('an upsert of key columns only does nothing on conflict', () => {
  const [statement] = new WriteRenderer(ONE_ROW).render([
    { kind: 'upsert', table: 'system_attributes', row: { name: 'a' } },
  ]);
  assert.match(statement!.sql, /ON CONFLICT \(name\) DO NOTHING$/);
});

test('writes that would be unsafe or meaningless are refused before any SQL runs', () => {
  const renderer = new WriteRenderer(NUMBERED);
  const refuse = (write: Write, message: RegExp) => assert.throws(() => renderer.render([write]), message);
  refuse({ kind: 'upsert', table: 'no_such_table', row: { oid: 1 } }, /unknown table/);
  refuse({ kind: 'upsert', table: 'user_pool', row: { name: 'x' } }, /lacks its key column oid/);
  refuse({ kind: 'upsert', table: 'user_pool', row: { oid: null, name: 'x' } }, /no value for its key column oid/);
  refuse({ kind: 'upsert', table: 'user_pool', row: { oid: 1, 'name; DROP TABLE acl': 'x' } }, /column name/);
  refuse({ kind: 'delete', table: 'user_pool', where: {} }, /names no column/);
  refuse({ kind: 'delete', table: 'user_pool', where: { 'oid OR 1=1': 1 } }, /column name/);
});

test('a delete may also bound columns from above (retention)', () => {
  const [statement] = new WriteRenderer(NUMBERED).render([
    { kind: 'delete', table: 'host_monitoring', where: { hid: 3 }, below: { last_mon_time: 1000 } },
  ]);
  assert.equal(statement!.sql, 'DELETE FROM host_monitoring WHERE hid = $1 AND last_mon_time < $2');
  assert.deepEqual(statement!.params, [3, 1000]);
  const [all] = new WriteRenderer(ONE_ROW).render([{ kind: 'delete', table: 'host_monitoring', where: {}, below: { last_mon_time: 5 } }]);
  assert.equal(all!.sql, 'DELETE FROM host_monitoring WHERE last_mon_time < ?');
  assert.throws(() => new WriteRenderer(ONE_ROW).render([{ kind: 'delete', table: 'host_monitoring', where: {}, below: { last_mon_time: null } }]), /NULL/);
});
