import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectionError, describeConfig, serverSettings } from './config.js';

test('describeConfig names backend, user, server, port and database, never the password', () => {
  const text = describeConfig({ backend: 'mysql', server: 'db1', user: 'one', passwd: 's3cret', dbName: 'cloud' });
  assert.equal(text, 'mysql one@db1:3306/cloud');
  assert.equal(describeConfig({ backend: 'sqlite', file: '/var/one/one.db' }), 'sqlite /var/one/one.db');
});

test('oned.conf defaults apply, PORT = 0 meaning the backend’s own port', () => {
  assert.deepEqual(serverSettings('postgresql', { backend: 'postgresql', port: 0 }), {
    backend: 'postgresql',
    server: 'localhost',
    port: 5432,
    user: 'oneadmin',
    passwd: '',
    dbName: 'opennebula',
    connections: 25,
  });
});

test('a connection error names where it tried to connect and why, without the password', () => {
  const settings = serverSettings('postgresql', { backend: 'postgresql', passwd: 'hunter2' });
  const cause = new AggregateError([new Error('connect ECONNREFUSED ::1:5432'), new Error('connect ECONNREFUSED 127.0.0.1:5432')]);
  const error = connectionError(settings, cause);
  assert.equal(
    error.message,
    'postgresql: cannot connect to server localhost, port 5432, as user "oneadmin", database "opennebula": ' +
      'connect ECONNREFUSED ::1:5432; connect ECONNREFUSED 127.0.0.1:5432',
  );
  assert.equal(error.cause, cause);
});
