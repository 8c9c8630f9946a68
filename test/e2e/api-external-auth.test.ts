/** Users of external authentication drivers, checked by AUTH_MAD (one_auth_mad + remotes/auth). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { childText } from '../../src/common/xml-tree.js';
import { AUTH_FAILED, Code, idList, okId, okXml, onFeatureBackends, refused, templateOf } from './api-helpers.js';

const CONF = `AUTH_MAD = [ EXECUTABLE = "one_auth_mad", AUTHN = "plain,dummy" ]
DEFAULT_AUTH = "dummy"
`;

onFeatureBackends(
  'external authentication',
  (get) => {
    test('a user of the plain driver logs in with the right password only', async () => {
      const oned = get();
      const id = await okId(oned, 'one.user.allocate', ['ext-plain', 'right pw', 'plain']);
      const user = await okXml(oned, 'one.user.info', [-1], 'ext-plain:right pw');
      assert.equal(childText(user, 'ID'), String(id));
      assert.equal(childText(user, 'AUTH_DRIVER'), 'plain');
      await refused(oned, 'one.user.info', [-1], Code.AUTHENTICATION, AUTH_FAILED, 'ext-plain:wrong');
      // Once checked, the session is trusted (no script per call); a changed password is not.
      await okXml(oned, 'one.user.info', [-1], 'ext-plain:right pw');
      await oned.ok('one.user.passwd', [id, 'new pw']);
      await refused(oned, 'one.user.info', [-1], Code.AUTHENTICATION, AUTH_FAILED, 'ext-plain:right pw');
      await okXml(oned, 'one.user.info', [-1], 'ext-plain:new pw');
    });

    test('a user of a driver AUTH_MAD does not run is refused', async () => {
      const oned = get();
      await okId(oned, 'one.user.allocate', ['ext-ldap', 'cn=ext, ou=people', 'ldap']);
      await refused(oned, 'one.user.info', [-1], Code.AUTHENTICATION, AUTH_FAILED, 'ext-ldap:anything');
    });

    test('DEFAULT_AUTH creates an unknown user on the first login, in the users group', async () => {
      const oned = get();
      const me = await okXml(oned, 'one.user.info', [-1], 'ext-newcomer:whatever');
      assert.equal(childText(me, 'NAME'), 'ext-newcomer');
      assert.equal(childText(me, 'AUTH_DRIVER'), 'dummy');
      assert.deepEqual(idList(me, 'GROUPS'), [1]);
      assert.match(templateOf(me).TOKEN_PASSWORD ?? '', /^[0-9a-f]{64}$/, 'a TOKEN_PASSWORD as every user 7.4 makes');
      const again = await okXml(oned, 'one.user.info', [-1], 'ext-newcomer:other');
      assert.equal(childText(again, 'ID'), childText(me, 'ID'), 'the second login finds the same user');
      // A name that cannot be a user's is refused without asking the driver.
      await refused(oned, 'one.user.info', [-1], Code.AUTHENTICATION, AUTH_FAILED, 'bad name:x');
      // Core users are never handed to the default driver.
      await okId(oned, 'one.user.allocate', ['ext-core', 'pw', '']);
      await refused(oned, 'one.user.info', [-1], Code.AUTHENTICATION, AUTH_FAILED, 'ext-core:not-the-pw');
    });
  },
  CONF,
);
