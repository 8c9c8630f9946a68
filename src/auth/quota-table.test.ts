import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Template } from '../common/template/index.js';
import { User } from '../user/user.js';
import { UserPool } from '../user/user-pool.js';
import { Quotas } from './quotas.js';
import { withoutQuotas } from './quota-table.js';

function user(): User {
  const quotas = Quotas.fromXml(undefined);
  return new User(5, 'ann', 1, 'users', 'hash', 'core', true, [1], new Template([], { replaceMode: true }), [], quotas);
}

test('a user is stored in two rows: the federated one without quotas, the zone-local quotas', () => {
  const pool = new UserPool();
  const u = user();
  const writes = pool.rowWrites(u);
  assert.deepEqual(writes.map((w) => w.table), ['user_pool', 'user_quotas']);
  const row = writes[0]!.kind === 'upsert' ? writes[0]!.row : {};
  assert.doesNotMatch(String(row.body), /<QUOTAS>/);
  assert.match(u.toBody(), /<QUOTAS>/, 'memory (and rollback) keep the whole user');
  assert.deepEqual(pool.rowWrites(u, true).map((w) => [w.kind, w.table]), [['delete', 'user_pool'], ['delete', 'user_quotas']]);
});

test('a slave (replica) writes only the quotas: user_pool rows are the master\'s', () => {
  const pool = new UserPool();
  pool.replica = true;
  assert.deepEqual(pool.rowWrites(user()).map((w) => w.table), ['user_quotas']);
});

test('bodies of schema 11 lose their QUOTAS', () => {
  assert.equal(withoutQuotas('<USER><ID>1</ID><QUOTAS><VM_QUOTA><VM><VMS>3</VMS></VM></VM_QUOTA></QUOTAS></USER>'), '<USER><ID>1</ID></USER>');
  assert.equal(withoutQuotas('<GROUP><QUOTAS/><VLAN_RULES/></GROUP>'), '<GROUP><VLAN_RULES/></GROUP>');
});
