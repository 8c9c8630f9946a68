import { test } from 'node:test';
import assert from 'node:assert/strict';
import { conninfo, parseNotification, subscriptionName } from './pg-replication.js';

test('notifications name a table and a row, or the whole table', () => {
  assert.deepEqual(parseNotification('user_pool:42'), { table: 'user_pool', oid: 42 });
  assert.deepEqual(parseNotification('acl:*'), { table: 'acl', oid: null });
  assert.equal(parseNotification('garbage'), null);
  assert.equal(parseNotification('user_pool:x'), null);
});

test('the master\'s conninfo quotes every value', () => {
  assert.equal(
    conninfo({ server: 'db.example', port: 5432, user: 'rep', passwd: "it's \\ secret", dbName: 'one' }),
    "host='db.example' port='5432' user='rep' dbname='one' password='it\\'s \\\\ secret'",
  );
  assert.doesNotMatch(conninfo({ server: 'h', port: 1, user: 'u', passwd: '', dbName: 'd' }), /password/);
  assert.equal(subscriptionName(100), 'nebula_zone_100');
});
