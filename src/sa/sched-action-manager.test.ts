import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from '../common/template/index.js';
import { Logger } from '../common/log.js';
import type { Database } from '../db/database.js';
import { ActionNotAvailable, type DispatchManager } from '../dm/index.js';
import type { LifeCycleManager } from '../lcm/index.js';
import { Permissions, Transaction } from '../pool/index.js';
import { VirtualMachine, VirtualMachinePool, vectors, VmLogs } from '../vm/index.js';
import { SchedActionManager } from './sched-action-manager.js';

const db = { write: async () => {} } as unknown as Database;
const now = () => Math.floor(Date.now() / 1000);

async function setup(count: number, dueNow: ReadonlySet<number>, refuse = new Set<number>()) {
  const vms = new VirtualMachinePool();
  const tx = new Transaction(db);
  const t = now();
  for (let i = 0; i < count; i++) {
    const time = dueNow.has(i) ? t - 1 : t + 86400 + i;
    const template = Template.parse(`CPU = 1\nMEMORY = 64\nSCHED_ACTION = [ ID = "${i}", ACTION = "poweroff", TIME = "${time}", REPEAT = "-1", DONE = "-1" ]`);
    tx.create(vms, VirtualMachine.create(vms.nextOid(), `vm${i}`, { uid: 0, gid: 0, uname: 'oneadmin', gname: 'oneadmin' }, Permissions.fromOctal(0o600), template, new Template(), false, t - 100));
  }
  await tx.commit();
  const calls: number[] = [];
  const dm = {
    action: (_tx: Transaction, _name: string, _code: number, vm: VirtualMachine) => {
      calls.push(vm.oid);
      if (refuse.has(vm.oid)) throw new ActionNotAvailable('poweroff', vm);
    },
  } as unknown as DispatchManager;
  const dir = mkdtempSync(join(tmpdir(), 'sa-'));
  const manager = new SchedActionManager({ vms, db, log: Logger.toFile(join(dir, 'oned.log'), 0), logs: new VmLogs(dir), dm, lcm: {} as LifeCycleManager });
  return { vms, calls, manager };
}

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) assert.fail('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const sa = (vm: VirtualMachine) => vectors(vm.template, 'SCHED_ACTION')[0]!;

test('100,000 VMs: one pass at start, then only the due VMs are touched; overdue ones run late', async () => {
  const due = new Set([10, 500, 99_999]);
  const s = await setup(100_000, due, new Set([500]));
  const t0 = performance.now();
  s.manager.start();
  const startMs = performance.now() - t0;
  assert.ok(startMs < 5000, `start took ${startMs.toFixed(0)} ms`);
  await until(() => s.calls.length === 3);
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual([...s.calls].sort((a, b) => a - b), [10, 500, 99_999]);
  assert.equal(s.manager.watched, 100_000 - 3, 'the others stay armed');
  const ran = sa(s.vms.get(10)!);
  assert.ok(Number(ran.get('DONE')) >= now() - 2);
  assert.match(ran.get('MESSAGE')!, /^Ran late at .*while oned was not running\.$/);
  assert.match(sa(s.vms.get(500)!).get('MESSAGE')!, /late.* Failed at .*not available for state/);

  // A changed VM is re-armed in O(log n): a new action 1 s ahead runs, nothing else does.
  const vm = s.vms.get(42)!;
  sa(vm).set('TIME', String(now() + 1));
  const t1 = performance.now();
  s.manager.changed(vm);
  assert.ok(performance.now() - t1 < 50);
  await until(() => s.calls.length === 4);
  assert.equal(s.calls[3], 42);
  assert.equal(sa(vm).get('MESSAGE'), '', 'on time: no message');
  await s.manager.stop();
});
