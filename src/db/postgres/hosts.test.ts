import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HostPort } from '../config.js';
import { isConnectionLoss, NoServerError, ReadOnlyServerError, selectHost, type HostProbe } from './hosts.js';

const A = { host: 'a', port: 5433 };
const B = { host: 'b', port: 5434 };
const C = { host: 'c', port: 5435 };

/** Servers by name: down (connect fails), standby (read-only) or primary; records what was opened and closed. */
function cluster(roles: Record<string, 'down' | 'standby' | 'primary' | 'broken'>) {
  const opened: string[] = [];
  const closed: string[] = [];
  const probe: HostProbe<string> = {
    connect: async (h: HostPort) => {
      if (roles[h.host] === 'down') throw Object.assign(new Error(`connect ECONNREFUSED ${h.host}:${h.port}`), { code: 'ECONNREFUSED' });
      opened.push(h.host);
      return h.host;
    },
    writable: async (name) => {
      if (roles[name] === 'broken') throw new Error('Connection terminated unexpectedly');
      return roles[name] === 'primary';
    },
    close: async (name) => void closed.push(name),
  };
  return { probe, opened, closed };
}

test('read-write: the first writable server in order, standbys passed over and closed', async () => {
  const c = cluster({ a: 'standby', b: 'down', c: 'primary' });
  const { host, conn } = await selectHost([A, B, C], 'read-write', c.probe);
  assert.deepEqual(host, C);
  assert.equal(conn, 'c');
  assert.deepEqual(c.opened, ['a', 'c']);
  assert.deepEqual(c.closed, ['a'], 'the standby connection is closed, the chosen one kept');
});

test('any: the first server that answers, standby or not', async () => {
  const c = cluster({ a: 'down', b: 'standby', c: 'primary' });
  assert.deepEqual((await selectHost([A, B, C], 'any', c.probe)).host, B);
});

test('no fitting server: every server\'s reason, and the error counts as a connection loss', async () => {
  const c = cluster({ a: 'standby', b: 'down', c: 'broken' });
  const error = await selectHost([A, B, C], 'read-write', c.probe).then(
    () => assert.fail('a server was chosen'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof NoServerError);
  assert.equal(error.message, 'a:5433: read-only (a standby, not the primary); b:5434: connect ECONNREFUSED b:5434; c:5435: Connection terminated unexpectedly');
  assert.ok(error.failures[0]!.error instanceof ReadOnlyServerError);
  assert.deepEqual(c.closed, ['a', 'c']);
  assert.equal(isConnectionLoss(error), true);
});

test('connection losses are told from errors that another server would repeat', () => {
  for (const e of [
    Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
    Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
    Object.assign(new Error('the database system is starting up'), { code: '57P03' }),
    Object.assign(new Error('cannot execute INSERT in a read-only transaction'), { code: '25006' }),
    Object.assign(new Error('connection failure'), { code: '08006' }),
    new Error('Connection terminated unexpectedly'),
    new Error('timeout exceeded when trying to connect'),
    new AggregateError([Object.assign(new Error('connect ECONNREFUSED ::1:5432'), { code: 'ECONNREFUSED' })]),
  ]) {
    assert.equal(isConnectionLoss(e), true, e.message);
  }
  for (const e of [
    Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505' }),
    Object.assign(new Error('syntax error'), { code: '42601' }),
    Object.assign(new Error('password authentication failed'), { code: '28P01' }),
    new Error('something else'),
    undefined,
  ]) {
    assert.equal(isConnectionLoss(e), false, String(e));
  }
});
