import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectionError, describeConfig, parseHosts, serverSettings } from './config.js';

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
    hosts: [{ host: 'localhost', port: 5432 }],
    targetSessionAttrs: 'any',
    outageWaitMs: 30_000,
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

test('SERVER may list several servers, as a libpq multi-host string; PORT is the default port', () => {
  const s = serverSettings('postgresql', { backend: 'postgresql', server: '127.0.0.1:5433, db2 ,[fd00::3]:5435', port: 6000 });
  assert.deepEqual(s.hosts, [
    { host: '127.0.0.1', port: 5433 },
    { host: 'db2', port: 6000 },
    { host: 'fd00::3', port: 5435 },
  ]);
  assert.equal(s.server, '127.0.0.1');
  assert.equal(s.port, 5433);
  assert.equal(s.targetSessionAttrs, 'read-write', 'several servers: the writable one by default');
  assert.equal(s.outageWaitMs, 30_000);
  assert.equal(describeConfig({ backend: 'postgresql', server: 'a:1,b:2', user: 'one', passwd: 'x', dbName: 'cloud' }), 'postgresql one@a:1,b:2/cloud (read-write)');
  assert.equal(serverSettings('postgresql', { backend: 'postgresql', server: 'db1' }).targetSessionAttrs, 'any', 'one server: whatever it is');
  assert.equal(serverSettings('postgresql', { backend: 'postgresql', server: 'a,b', targetSessionAttrs: 'ANY', outageTimeout: 5 }).targetSessionAttrs, 'any');
  assert.equal(serverSettings('postgresql', { backend: 'postgresql', outageTimeout: 5 }).outageWaitMs, 5000);
});

test('a bad server list or TARGET_SESSION_ATTRS is refused with what is wrong', () => {
  assert.deepEqual(parseHosts('h:5432', 1), [{ host: 'h', port: 5432 }]);
  assert.throws(() => parseHosts('a:5432,,b', 5432), /"" is not a server/);
  assert.throws(() => parseHosts('a:99999', 5432), /"a:99999" has no valid port/);
  assert.throws(() => parseHosts('a:b:c', 5432), /"a:b:c" is not a server/);
  assert.throws(() => serverSettings('postgresql', { backend: 'postgresql', targetSessionAttrs: 'primary' }), /TARGET_SESSION_ATTRS "primary" is not supported/);
  assert.throws(() => serverSettings('postgresql', { backend: 'postgresql', outageTimeout: -1 }), /OUTAGE_TIMEOUT must be 0 or more seconds, got -1/);
});

test('a connection error with several servers names them all', () => {
  const settings = serverSettings('postgresql', { backend: 'postgresql', server: 'a:1,b:2' });
  assert.match(connectionError(settings, new Error('x')).message, /^postgresql: cannot connect to any of the servers a:1,b:2, as user "oneadmin", database "opennebula": x$/);
});
