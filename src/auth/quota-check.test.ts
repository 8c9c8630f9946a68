import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Template } from '../common/template/index.js';
import type { Database } from '../db/database.js';
import { Group } from '../group/group.js';
import { GroupPool } from '../group/group-pool.js';
import { Transaction } from '../pool/index.js';
import { User } from '../user/user.js';
import { UserPool } from '../user/user-pool.js';
import { checkQuotas, describeDifference, type QuotaConsumer } from './quota-check.js';
import { Quotas } from './quotas.js';

function payers() {
  const users = new UserPool();
  const groups = new GroupPool();
  groups.add(new Group(1, 'users', new Template([], { replaceMode: true }), [3, 4]));
  for (const id of [3, 4]) users.add(new User(id, `u${id}`, 1, 'users', 'x', 'core', true, [1], new Template([], { replaceMode: true })));
  return { users, groups, defaultQuotas: { user: new Quotas(), group: new Quotas() } };
}

const vm = (uid: number, memory: number): QuotaConsumer => ({ uid, gid: 1, usages: [{ kind: 'VM', amounts: { VMS: 1, MEMORY: memory } }] });

test('counters that match the objects report nothing; drifted ones are reported and fixed', () => {
  const p = payers();
  const objects = [vm(3, 512), vm(3, 256), vm(4, 128), { uid: 0, gid: 0, usages: [{ kind: 'VM' as const, amounts: { VMS: 1 } }] }];
  for (const o of objects.slice(0, 3)) {
    p.users.get(o.uid)!.quotas.add(o.usages[0]!);
    p.groups.get(1)!.quotas.add(o.usages[0]!);
  }
  assert.deepEqual(checkQuotas(p, objects), [], 'oneadmin is not counted');

  // Drift: user 3 lost a VM's memory, user 4 counts a DATASTORE image that does not exist.
  p.users.get(3)!.quotas.add({ kind: 'VM', amounts: { MEMORY: -256 } });
  p.users.get(4)!.quotas.add({ kind: 'DATASTORE', id: 1, amounts: { IMAGES: 1 } });
  const diffs = checkQuotas(p, objects);
  assert.deepEqual(diffs.map(describeDifference).sort(), [
    'User [3] VM MEMORY_USED: stored 512, objects add up to 768',
    'User [4] DATASTORE [1] IMAGES_USED: stored 1, objects add up to 0',
  ]);
  const tx = new Transaction({} as Database);
  assert.equal(checkQuotas(p, objects, tx).length, 2);
  assert.deepEqual(checkQuotas(p, objects), [], 'fixed');
  assert.equal(p.users.get(3)!.quotas.used('VM', 'MEMORY'), 768);
  assert.equal(p.users.get(4)!.quotas.used('DATASTORE', 'IMAGES', 1), 0);
});

test("a user's VM left in the oneadmin group counts for the user, not the group", () => {
  const p = payers();
  // `onevm chown <vm> 3` of a VM oneadmin made: owner user 3, group still oneadmin (0).
  const objects: QuotaConsumer[] = [{ uid: 3, gid: 0, usages: [{ kind: 'VM', amounts: { VMS: 1, MEMORY: 64 } }] }];
  assert.deepEqual(checkQuotas(p, objects).map(describeDifference), ['User [3] VM VMS_USED: stored 0, objects add up to 1', 'User [3] VM MEMORY_USED: stored 0, objects add up to 64']);
});
