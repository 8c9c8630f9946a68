import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LoginThrottle, throttleConfig, DEFAULT_THROTTLE } from './login-throttle.js';

test('a user name is refused after MAX_FAILURES in WINDOW, for BACKOFF seconds; others are not', () => {
  let now = 1_000_000;
  const t = new LoginThrottle({ ...DEFAULT_THROTTLE, maxFailures: 3, window: 60, backoff: 30 }, () => now);
  for (let i = 0; i < 2; i++) t.failed('alice', '10.0.0.1');
  assert.equal(t.refused('alice', '10.0.0.1'), 0);
  t.failed('alice', '10.0.0.2');
  assert.equal(t.refused('alice', '10.0.0.9'), 30, 'refused from any address');
  assert.equal(t.refused('bob', '10.0.0.1'), 0, 'addresses are not counted by default');
  now += 29_500;
  assert.equal(t.refused('alice', '10.0.0.1'), 1);
  now += 600;
  assert.equal(t.refused('alice', '10.0.0.1'), 0);
  t.failed('alice', '10.0.0.1');
  assert.equal(t.refused('alice', '10.0.0.1'), 0, 'after the back-off the count starts again');
});

test('failures older than the window do not add up', () => {
  let now = 0;
  const t = new LoginThrottle({ ...DEFAULT_THROTTLE, maxFailures: 2, window: 10 }, () => now);
  t.failed('a', 'x');
  now += 11_000;
  t.failed('a', 'x');
  assert.equal(t.refused('a', 'x'), 0);
});

test('an address is refused after MAX_ADDRESS_FAILURES across user names', () => {
  const t = new LoginThrottle({ ...DEFAULT_THROTTLE, maxAddressFailures: 5 });
  for (let i = 0; i < 5; i++) t.failed(`user${i}`, '192.0.2.7');
  assert.ok(t.refused('anyone', '192.0.2.7') > 0);
  assert.equal(t.refused('anyone', '192.0.2.8'), 0);
});

test('memory is bounded under a storm of user names; a refusal outlives the storm', () => {
  const t = new LoginThrottle({ ...DEFAULT_THROTTLE, maxFailures: 2, maxAddressFailures: 1000, maxEntries: 100 });
  t.failed('target', 'a');
  t.failed('target', 'a');
  for (let i = 0; i < 50_000; i++) t.failed(`guess${i}`, `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
  const size = t.size;
  assert.ok(size.names <= 200 && size.addresses <= 200, JSON.stringify(size));
  assert.ok(t.refused('target', 'z') > 0, 'still refused');
  t.failed('guess49999', 'z');
  assert.ok(t.refused('guess49999', 'z') > 0, 'the latest failures are kept');
  assert.equal(t.refused('guess0', 'z'), 0);
});

test('LOGIN_THROTTLE settings are read and checked', () => {
  assert.deepEqual(throttleConfig(undefined), DEFAULT_THROTTLE);
  const c = throttleConfig(new Map([['MAX_FAILURES', '4'], ['WINDOW', '20'], ['BACKOFF', '7'], ['MAX_ADDRESS_FAILURES', '50'], ['MAX_ENTRIES', '9']]));
  assert.deepEqual(c, { maxFailures: 4, window: 20, backoff: 7, maxAddressFailures: 50, maxEntries: 9 });
  assert.throws(() => throttleConfig(new Map([['WINDOW', '0']])), /LOGIN_THROTTLE WINDOW must be an integer of at least 1, not "0"/);
  assert.throws(() => throttleConfig(new Map([['MAX_FAILURES', 'x']])), /MAX_FAILURES/);
});
