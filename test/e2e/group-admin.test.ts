/** Group administrators: what addadmin grants over the group's users and objects, and deladmin takes back. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FEATURE_BACKENDS, Oned } from './harness.js';

for (const backend of FEATURE_BACKENDS) {
  describe(`group administrators on ${backend}`, () => {
    let oned: Oned;
    before(async () => {
      oned = await Oned.start({ backend });
    });
    after(() => oned?.stop());

    test('an admin of a group creates and manages its users, and loses that with deladmin', async () => {
      const gid = (await oned.ok('one.group.allocate', ['team'])) as number;
      const boss = (await oned.ok('one.user.allocate', ['boss', 'bpw', '', [gid]])) as number;
      const other = (await oned.ok('one.user.allocate', ['outsider', 'opw', ''])) as number;
      const bossSession = 'boss:bpw';

      const denied = await oned.call('one.user.allocate', ['worker', 'wpw', '', [gid]], bossSession);
      assert.deepEqual([denied[0], denied[2]], [false, 512]);

      await oned.ok('one.group.addadmin', [gid, boss]);
      const acl = String(await oned.ok('one.acl.info', []));
      assert.match(acl, new RegExp(`#${boss} USER/@${gid} USE\\+MANAGE\\+ADMIN\\+CREATE \\*`));

      const worker = (await oned.ok('one.user.allocate', ['worker', 'wpw', ''], bossSession)) as number;
      const info = String(await oned.ok('one.user.info', [worker]));
      assert.match(info, new RegExp(`<GID>${gid}</GID>`), 'created in the admin\'s group');
      await oned.ok('one.user.passwd', [worker, 'new-pw'], bossSession);
      assert.equal((await oned.call('one.user.info', [-1], 'worker:new-pw'))[0], true);

      const outside = await oned.call('one.user.passwd', [other, 'x'], bossSession);
      assert.deepEqual([outside[0], outside[2]], [false, 512], 'no rights over users of other groups');

      await oned.ok('one.group.deladmin', [gid, boss]);
      assert.doesNotMatch(String(await oned.ok('one.acl.info', [])), new RegExp(`#${boss} USER/@${gid}`));
      const after = await oned.call('one.user.passwd', [worker, 'again'], bossSession);
      assert.deepEqual([after[0], after[2]], [false, 512]);
    });

    test('addadmin needs a member of the group', async () => {
      const gid = (await oned.ok('one.group.allocate', ['team2'])) as number;
      const uid = (await oned.ok('one.user.allocate', ['stranger', 'spw', ''])) as number;
      const r = await oned.call('one.group.addadmin', [gid, uid]);
      assert.equal(r[0], false);
      assert.equal(r[2], 2048);
      assert.match(String(r[1]), /is not in group/);
    });
  });
}
