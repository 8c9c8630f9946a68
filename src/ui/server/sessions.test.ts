import assert from 'node:assert/strict';
import { test } from 'node:test';
import { csrfMatches, SessionStore } from './sessions.js';

const fields = { user: 'alice', uid: 3, oneSession: 'alice:tok', admin: false };

test('a session has random unguessable ids and CSRF tokens', () => {
  const store = new SessionStore();
  const a = store.create({ ...fields, expiresAt: Date.now() + 1000 });
  const b = store.create({ ...fields, expiresAt: Date.now() + 1000 });
  assert.notEqual(a.id, b.id);
  assert.notEqual(a.csrf, b.csrf);
  assert.ok(a.id.length >= 32);
  assert.equal(store.get(a.id), a);
  assert.equal(store.get('made-up'), undefined);
  assert.equal(store.get(undefined), undefined);
});

test('an expired session is gone; a dropped one too', () => {
  const store = new SessionStore();
  const s = store.create({ ...fields, expiresAt: 1000 });
  assert.equal(store.get(s.id, 999), s);
  assert.equal(store.get(s.id, 1000), undefined);
  assert.equal(store.get(s.id, 0), undefined, 'expired sessions are removed, not just hidden');
  const t = store.create({ ...fields, expiresAt: Date.now() + 1000 });
  store.drop(t.id);
  assert.equal(store.get(t.id), undefined);
});

test('CSRF: only the exact token matches', () => {
  const s = new SessionStore().create({ ...fields, expiresAt: Date.now() + 1000 });
  assert.equal(csrfMatches(s, s.csrf), true);
  assert.equal(csrfMatches(s, undefined), false);
  assert.equal(csrfMatches(s, ''), false);
  assert.equal(csrfMatches(s, s.csrf.slice(1)), false);
  assert.equal(csrfMatches(s, `${s.csrf.slice(0, -1)}x`), s.csrf.endsWith('x'));
});
