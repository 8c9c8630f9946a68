/** Login throttling (LOGIN_THROTTLE) through XML-RPC: refusals by user name and by address, the back-off, no hint whether a user exists. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AUTH_FAILED, Code, addUser, okXml, onFeatureBackends, refused, sleep } from './api-helpers.js';

const THROTTLED = /User couldn't be authenticated, aborting call\. Too many failed login attempts: try again in \d+ s\./;

onFeatureBackends(
  'login throttling',
  (get) => {
    test('after MAX_FAILURES bad logins a name is refused for BACKOFF seconds, existing or not; other users and addresses are not', async () => {
      const oned = get();
      const victim = await addUser(oned, 'throttle-victim');
      const other = await addUser(oned, 'throttle-other');
      for (const name of [victim.name, 'throttle-nobody']) {
        for (let i = 0; i < 3; i++) await refused(oned, 'one.user.info', [-1], Code.AUTHENTICATION, AUTH_FAILED, `${name}:guess-${i}`);
        const r = await oned.call('one.user.info', [-1], `${name}:guess-4`);
        assert.match(String(r[1]), THROTTLED);
      }
      // The same answer whether the user exists or not, and even with the right password.
      const [a, b] = await Promise.all([oned.call('one.user.info', [-1], victim.session), oned.call('one.user.info', [-1], 'throttle-nobody:x')]);
      assert.equal(String(a[1]).replace(/\d+ s/, 'N s'), String(b[1]).replace(/\d+ s/, 'N s'));
      assert.equal(a[2], Code.AUTHENTICATION);
      // Others are served; a successful login is not counted.
      await okXml(oned, 'one.user.info', [-1], other.session);
      await okXml(oned, 'one.user.info', [-1]);
      await sleep(2100);
      assert.equal((await okXml(oned, 'one.user.info', [-1], victim.session)).name, 'USER', 'served again after the back-off');
      assert.match(readFileSync(join(oned.location, 'var', 'oned.log'), 'utf8'), /one\.user\.info refused for "throttle-victim": too many failed logins \(LOGIN_THROTTLE\)/);
    });

    test('MAX_ADDRESS_FAILURES refuses an address guessing across many user names', async () => {
      const oned = get();
      const user = await addUser(oned, 'throttle-spray');
      // With the 6 failures of the test above these reach 20 from 127.0.0.1 (each name stays under 3).
      for (let i = 0; i < 10; i++) {
        for (const n of [0, 1]) {
          const r = await oned.call('one.user.info', [-1], `spray-${i}-${n}:Summer2026`);
          if (r[2] === Code.AUTHENTICATION && THROTTLED.test(String(r[1]))) {
            assert.match(String((await oned.call('one.user.info', [-1], user.session))[1]), THROTTLED, 'the whole address is refused');
            await sleep(2100);
            await okXml(oned, 'one.user.info', [-1], user.session);
            return;
          }
        }
      }
      assert.fail('the address was never refused');
    });
  },
  'LOGIN_THROTTLE = [ MAX_FAILURES = 3, MAX_ADDRESS_FAILURES = 20, WINDOW = 60, BACKOFF = 2 ]',
);
