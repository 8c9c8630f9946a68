import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from '../common/template/index.js';
import { Logger } from '../common/log.js';
import type { Database, Write } from '../db/database.js';
import { Permissions, Transaction } from '../pool/index.js';
import { ClusterPool, Cluster } from '../cluster/index.js';
import { Host, HostPool } from '../host/index.js';
import { DatastorePool } from '../datastore/index.js';
import { Quotas } from '../auth/quotas.js';
import { UserPool } from '../user/index.js';
import { GroupPool } from '../group/index.js';
import { DispatchManager, ActionNotAvailable } from '../dm/index.js';
import { LcmState, RecoverOp, VirtualMachine, VirtualMachinePool, VmAction, VmLogs, VmResources, VmState, sampleOf, parsePollText } from '../vm/index.js';
import type { DriverReply } from '../mad/index.js';
import type { TransferManager } from '../tm/index.js';
import type { VirtualMachineManager, VmmAction } from '../vmm/index.js';
import { LifeCycleManager } from './life-cycle-manager.js';
import { operationOf } from './operations.js';
import { NO_IMAGES, NO_NETWORKS } from '../vm/testing.js';

/** Driver answers by action, in turn; every request is recorded. */
class FakeDrivers {
  readonly sent: string[] = [];
  readonly answers = new Map<string, DriverReply[]>();
  /** Requests not answered yet, when `hold` is set. */
  hold = false;
  readonly held: (() => void)[] = [];

  reply(action: string): Promise<DriverReply> {
    this.sent.push(action);
    const queue = this.answers.get(action);
    const r = queue?.shift() ?? { ok: true, info: action === 'DEPLOY' ? 'dom-1' : '', logs: [] };
    if (!this.hold) return Promise.resolve(r);
    return new Promise((resolve) => this.held.push(() => resolve(r)));
  }
  fail(action: string, info: string): void {
    this.answers.set(action, [{ ok: false, info, logs: [] }]);
  }
}

async function setup() {
  const writes: Write[][] = [];
  const db = { write: async (w: readonly Write[]) => void writes.push([...w]) } as unknown as Database;
  const clusters = new ClusterPool();
  const hosts = new HostPool(clusters);
  const datastores = new DatastorePool({ location: '/ds' });
  const vms = new VirtualMachinePool();
  const users = new UserPool();
  const groups = new GroupPool();
  const tx = new Transaction(db);
  const cluster = tx.create(clusters, Cluster.create(clusters.nextOid(), 'default'));
  datastores.createDefaults(tx, clusters);
  const h1 = tx.create(hosts, Host.create(hosts.nextOid(), 'h1', 'dummy', 'dummy', cluster.oid, cluster.name));
  const h2 = tx.create(hosts, Host.create(hosts.nextOid(), 'h2', 'dummy', 'dummy', cluster.oid, cluster.name));
  await tx.commit();
  const drivers = new FakeDrivers();
  const vmm = { request: (action: VmmAction) => drivers.reply(action) } as unknown as VirtualMachineManager;
  const tm = {
    lines: () => ['MKIMAGE dummy 1 raw h:/d 0 0'],
    frontendDelete: () => ['DELETE dummy fe:/d 0 0'],
    transfer: (op: string) => drivers.reply(`TM:${op}`),
  } as unknown as TransferManager;
  const logs = new VmLogs(mkdtempSync(join(tmpdir(), 'lcm-')));
  const lcm = new LifeCycleManager({
    vms, hosts, datastores, db, log: Logger.toFile(join(logs.dir, 'oned.log'), 0), logs, vmm, tm,
    payers: { users, groups, defaultQuotas: { user: new Quotas(), group: new Quotas() } }, resources: new VmResources(NO_IMAGES, NO_NETWORKS),
  });
  const dm = new DispatchManager(vms, lcm);
  const who = { uid: 0, gid: 0, reqId: 1 };
  const newVm = async () => {
    const t = new Transaction(db);
    const vm = t.create(vms, VirtualMachine.create(vms.nextOid(), 'vm', { uid: 0, gid: 0, uname: 'oneadmin', gname: 'oneadmin' }, Permissions.fromOctal(0o600), Template.parse('CPU = 1\nMEMORY = 64'), new Template(), false, 1));
    await t.commit();
    return vm;
  };
  /** Runs a DM step, commits and lets the LCM work until the VM needs nothing more. */
  const step = async (f: (tx: Transaction) => void) => {
    const t = new Transaction(db);
    f(t);
    await t.commit();
    await settle();
  };
  const settle = async () => {
    for (let i = 0; i < 50 && lcm.busy > 0; i++) await new Promise((r) => setImmediate(r));
  };
  return { db, writes, vms, hosts, datastores, lcm, dm, drivers, who, newVm, step, settle, h1, h2, ds: datastores.get(0)!, vmLogs: logs };
}

const at = (vm: VirtualMachine) => [vm.state, vm.lcmState];

test('a VM on a public cloud host (PUBLIC_CLOUD=YES, a hybrid driver\'s report) has no transfers: only the VMM actions are sent', async () => {
  const s = await setup();
  s.h1.template.set('PUBLIC_CLOUD', 'YES');
  const vm = await s.newVm();
  await s.step((tx) => s.dm.deploy(tx, vm, s.h1, s.ds, s.who));
  assert.deepEqual(at(vm), [VmState.ACTIVE, LcmState.RUNNING]);
  await s.step((tx) => s.dm.action(tx, 'terminate', VmAction.TERMINATE, vm, s.who));
  assert.deepEqual(s.drivers.sent, ['DEPLOY', 'SHUTDOWN']);
  assert.deepEqual(at(vm), [VmState.DONE, LcmState.LCM_INIT]);
});

test('deploy: PROLOG (TM prolog) → BOOT (VMM DEPLOY) → RUNNING with the deploy id; terminate → SHUTDOWN → EPILOG → DONE', async () => {
  const s = await setup();
  const vm = await s.newVm();
  await s.step((tx) => s.dm.deploy(tx, vm, s.h1, s.ds, s.who));
  assert.deepEqual(at(vm), [VmState.ACTIVE, LcmState.RUNNING]);
  assert.deepEqual(s.drivers.sent, ['TM:prolog', 'DEPLOY']);
  assert.equal(vm.deployId, 'dom-1');
  assert.deepEqual([s.h1.share.cpuUsage, s.h1.share.memUsage, s.h1.share.runningVms, [...s.h1.vms]], [100, 65536, 1, [vm.oid]]);
  const h = vm.lastHistory!;
  assert.ok(h.stime > 0 && h.pstime > 0 && h.petime > 0 && h.rstime > 0 && h.etime === 0);
  await s.step((tx) => s.dm.action(tx, 'terminate', VmAction.TERMINATE, vm, s.who));
  assert.deepEqual(s.drivers.sent, ['TM:prolog', 'DEPLOY', 'SHUTDOWN', 'TM:epilog']);
  assert.deepEqual(at(vm), [VmState.DONE, LcmState.LCM_INIT]);
  assert.deepEqual([s.h1.share.cpuUsage, s.h1.share.memUsage, s.h1.share.runningVms, s.h1.vms.size], [0, 0, 0, 0]);
  assert.equal(h.action, VmAction.TERMINATE);
  assert.ok(h.etime > 0 && h.eetime > 0 && vm.etime > 0);
  assert.ok(s.writes.flat().some((w) => w.table === 'history'), 'history rows are written with the VM');
});

test('the operation each transient state stands for', async () => {
  const s = await setup();
  const vm = await s.newVm();
  vm.openHistory({ hostname: 'h1', hid: 0, cid: 0, vmMad: 'dummy', tmMad: 'dummy', dsId: 0 }, 1);
  const op = (lcm: number, action = VmAction.NONE as number) => {
    vm.setState(VmState.ACTIVE, lcm as never);
    vm.lastHistory!.action = action as never;
    const o = operationOf(vm);
    return o === undefined ? '-' : o.kind === 'tm' ? `TM:${o.op}` : o.action;
  };
  assert.equal(op(LcmState.PROLOG), 'TM:prolog');
  assert.equal(op(LcmState.PROLOG_RESUME), 'TM:resume');
  assert.equal(op(LcmState.EPILOG_STOP), 'TM:stop');
  assert.equal(op(LcmState.BOOT_SUSPENDED), 'RESTORE');
  assert.equal(op(LcmState.BOOT_POWEROFF), 'DEPLOY');
  assert.equal(op(LcmState.SHUTDOWN, VmAction.TERMINATE), 'SHUTDOWN');
  assert.equal(op(LcmState.SHUTDOWN, VmAction.TERMINATE_HARD), 'CANCEL');
  assert.equal(op(LcmState.SHUTDOWN_POWEROFF, VmAction.POWEROFF_HARD), 'CANCEL');
  assert.equal(op(LcmState.SAVE_SUSPEND), 'SAVE');
  assert.equal(op(LcmState.CLEANUP_DELETE), 'CLEANUP');
  assert.equal(op(LcmState.RUNNING), '-');
  assert.equal(op(LcmState.BOOT_FAILURE), '-');
});

test('driver failures: BOOT → BOOT_FAILURE with USER_TEMPLATE/ERROR; SHUTDOWN ✗ → RUNNING; BOOT_POWEROFF ✗ → POWEROFF', async () => {
  const s = await setup();
  const vm = await s.newVm();
  s.drivers.fail('DEPLOY', 'no such domain');
  await s.step((tx) => s.dm.deploy(tx, vm, s.h1, s.ds, s.who));
  assert.deepEqual(at(vm), [VmState.ACTIVE, LcmState.BOOT_FAILURE]);
  assert.match(vm.userTemplate.get('ERROR') ?? '', /Error in BOOT: no such domain$/);
  assert.throws(() => s.dm.action(new Transaction(s.db), 'poweroff', VmAction.POWEROFF, vm, s.who), ActionNotAvailable);
  await s.step((tx) => s.dm.recover(tx, vm, RecoverOp.RETRY, s.who));
  assert.deepEqual(at(vm), [VmState.ACTIVE, LcmState.RUNNING]);
  assert.equal(vm.userTemplate.get('ERROR'), undefined, 'retry clears the error');
  s.drivers.fail('SHUTDOWN', 'guest ignores ACPI');
  await s.step((tx) => s.dm.action(tx, 'poweroff', VmAction.POWEROFF, vm, s.who));
  assert.deepEqual(at(vm), [VmState.ACTIVE, LcmState.RUNNING]);
  await s.step((tx) => s.dm.action(tx, 'poweroff-hard', VmAction.POWEROFF_HARD, vm, s.who));
  assert.deepEqual(at(vm), [VmState.POWEROFF, LcmState.LCM_INIT]);
  assert.equal(s.drivers.sent.at(-1), 'CANCEL');
  s.drivers.fail('DEPLOY', 'still broken');
  await s.step((tx) => s.dm.action(tx, 'resume', VmAction.RESUME, vm, s.who));
  assert.deepEqual(at(vm), [VmState.POWEROFF, LcmState.LCM_INIT]);
  assert.equal(s.h1.share.runningVms, 1, 'POWEROFF keeps the host');
  await s.step((tx) => s.dm.recover(tx, vm, RecoverOp.DELETE, s.who));
  assert.deepEqual(at(vm), [VmState.DONE, LcmState.LCM_INIT]);
  assert.equal(s.h1.share.runningVms, 0);
});

test('a DEPLOY answered without a deploy id is a boot failure', async () => {
  const s = await setup();
  const vm = await s.newVm();
  s.drivers.answers.set('DEPLOY', [{ ok: true, info: ' ', logs: [] }]);
  await s.step((tx) => s.dm.deploy(tx, vm, s.h1, s.ds, s.who));
  assert.deepEqual(at(vm), [VmState.ACTIVE, LcmState.BOOT_FAILURE]);
  assert.match(vm.userTemplate.get('ERROR') ?? '', /without a deploy id/);
});

test('a superseded reply is dropped: terminate-hard overrides a hung SHUTDOWN', async () => {
  const s = await setup();
  const vm = await s.newVm();
  await s.step((tx) => s.dm.deploy(tx, vm, s.h1, s.ds, s.who));
  s.drivers.hold = true;
  const t1 = new Transaction(s.db);
  s.dm.action(t1, 'terminate', VmAction.TERMINATE, vm, s.who);
  await t1.commit();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(at(vm), [VmState.ACTIVE, LcmState.SHUTDOWN]);
  assert.throws(() => s.dm.action(new Transaction(s.db), 'terminate', VmAction.TERMINATE, vm, s.who), ActionNotAvailable, 'plain terminate is refused in SHUTDOWN');
  s.drivers.hold = false;
  await s.step((tx) => s.dm.action(tx, 'terminate-hard', VmAction.TERMINATE_HARD, vm, s.who));
  assert.deepEqual(at(vm), [VmState.DONE, LcmState.LCM_INIT]);
  const epilogs = s.drivers.sent.filter((a) => a === 'TM:epilog').length;
  for (const release of s.drivers.held.splice(0)) release(); // the old SHUTDOWN answers late
  await s.settle();
  assert.equal(s.drivers.sent.filter((a) => a === 'TM:epilog').length, epilogs, 'the late reply changes nothing');
  assert.equal(s.h1.share.runningVms, 0);
});

test('live migration moves the share; a failed one goes back to the source host and drops the new record', async () => {
  const s = await setup();
  const vm = await s.newVm();
  await s.step((tx) => s.dm.deploy(tx, vm, s.h1, s.ds, s.who));
  s.drivers.fail('MIGRATE', 'link down');
  await s.step((tx) => s.dm.migrate(tx, vm, s.h2, s.ds, true, 0, s.who));
  assert.deepEqual(at(vm), [VmState.ACTIVE, LcmState.RUNNING]);
  assert.deepEqual([vm.history.length, vm.hostId, s.h1.share.runningVms, s.h2.share.runningVms], [1, s.h1.oid, 1, 0]);
  await s.step((tx) => s.dm.migrate(tx, vm, s.h2, s.ds, true, 0, s.who));
  assert.deepEqual([vm.history.length, vm.hostId, s.h1.share.runningVms, s.h2.share.runningVms], [2, s.h2.oid, 0, 1]);
  assert.equal(vm.history[0]!.action, VmAction.LIVE_MIGRATE);
  assert.ok(vm.history[0]!.etime > 0);
});

test('the DM matrix: what PENDING, HOLD and RUNNING refuse', async () => {
  const s = await setup();
  const vm = await s.newVm();
  const refused = (name: string, code: number) => assert.throws(() => s.dm.action(new Transaction(s.db), name, code as never, vm, s.who), (e: Error) => e instanceof ActionNotAvailable && e.message.includes(`Error performing action "${name}"`));
  for (const [n, c] of [['poweroff', VmAction.POWEROFF], ['suspend', VmAction.SUSPEND], ['stop', VmAction.STOP], ['resume', VmAction.RESUME], ['release', VmAction.RELEASE], ['reboot', VmAction.REBOOT], ['undeploy', VmAction.UNDEPLOY], ['resched', VmAction.RESCHED]] as const) refused(n, c);
  await s.step((tx) => s.dm.action(tx, 'hold', VmAction.HOLD, vm, s.who));
  assert.equal(vm.state, VmState.HOLD);
  refused('hold', VmAction.HOLD);
  await s.step((tx) => s.dm.deploy(tx, vm, s.h1, s.ds, s.who));
  assert.deepEqual(at(vm), [VmState.ACTIVE, LcmState.RUNNING], 'HOLD VMs may be deployed');
  refused('hold', VmAction.HOLD);
  refused('resume', VmAction.RESUME);
  assert.throws(() => s.dm.deploy(new Transaction(s.db), vm, s.h2, s.ds, s.who), /Deploy action is not available for state RUNNING$/);
});

test('monitoring (§4.4): a found-running VM in UNKNOWN is RUNNING; d powers a RUNNING VM off; a host in ERROR makes RUNNING VMs UNKNOWN', async () => {
  const s = await setup();
  const vm = await s.newVm();
  await s.step((tx) => s.dm.deploy(tx, vm, s.h1, s.ds, s.who));
  let tx = new Transaction(s.db);
  s.lcm.hostFailed(tx, s.h1);
  assert.deepEqual(at(vm), [VmState.ACTIVE, LcmState.UNKNOWN]);
  s.lcm.monitored(tx, vm, sampleOf(vm.oid, parsePollText('STATE=a CPU=5 MEMORY=100'), 50));
  assert.deepEqual(at(vm), [VmState.ACTIVE, LcmState.RUNNING]);
  assert.match(vm.toXml(), /<MONITORING><ID>\d+<\/ID><TIMESTAMP>50<\/TIMESTAMP><CPU>5<\/CPU><MEMORY>100<\/MEMORY><\/MONITORING>/);
  s.lcm.monitored(tx, vm, sampleOf(vm.oid, parsePollText('STATE=d'), 51));
  // A hard power-off: the domain is gone, the driver cleans what was around it (CANCEL).
  assert.deepEqual(at(vm), [VmState.ACTIVE, LcmState.SHUTDOWN_POWEROFF]);
  assert.equal(vm.lastHistory?.action, VmAction.POWEROFF_HARD);
  await tx.commit();
  await s.settle();
  assert.deepEqual(at(vm), [VmState.POWEROFF, LcmState.LCM_INIT]);
  assert.equal(s.drivers.sent.at(-1), 'CANCEL');
  assert.ok(s.writes.flat().some((w) => w.table === 'vm_monitoring'));
  tx = new Transaction(s.db);
  s.lcm.monitored(tx, vm, sampleOf(vm.oid, parsePollText('STATE=a'), 52));
  assert.deepEqual(at(vm), [VmState.ACTIVE, LcmState.RUNNING], 'a VM found running while POWEROFF is RUNNING');
});

test('a host report listing its VMs applies their samples; VMs of other hosts are ignored', async () => {
  const s = await setup();
  const vm = await s.newVm();
  await s.step((tx) => s.dm.deploy(tx, vm, s.h1, s.ds, s.who));
  const other = await s.newVm();
  const tx = new Transaction(s.db);
  s.lcm.hostFailed(tx, s.h1);
  assert.deepEqual(at(vm), [VmState.ACTIVE, LcmState.UNKNOWN]);
  const probe = Template.parse(`VM = [ ID = ${vm.oid}, DEPLOY_ID = "dom-1", POLL = "STATE=a CPU=3" ]\nVM = [ ID = ${other.oid}, POLL = "STATE=a" ]`);
  s.lcm.hostMonitored(tx, s.h2, probe, 70);
  assert.deepEqual(at(vm), [VmState.ACTIVE, LcmState.UNKNOWN], 'h2 does not answer for a VM of h1');
  s.lcm.hostMonitored(tx, s.h1, probe, 71);
  assert.deepEqual(at(vm), [VmState.ACTIVE, LcmState.RUNNING]);
  assert.equal(vm.lastPoll, 71);
  assert.deepEqual(at(other), [VmState.PENDING, LcmState.LCM_INIT]);
  await tx.commit();
});

test('a full host report (VM_POLL=YES) that misses a monitored RUNNING VM twice in a row powers it off', async () => {
  const s = await setup();
  const vm = await s.newVm();
  const fresh = await s.newVm();
  await s.step((tx) => s.dm.deploy(tx, vm, s.h1, s.ds, s.who));
  await s.step((tx) => s.dm.deploy(tx, fresh, s.h1, s.ds, s.who));
  const listed = Template.parse(`VM_POLL = YES\nVM = [ ID = ${vm.oid}, DEPLOY_ID = "one-${vm.oid}", POLL = "STATE=a CPU=2" ]`);
  const empty = Template.parse('VM_POLL = YES');
  const partial = Template.parse('HYPERVISOR = kvm');
  const tx = new Transaction(s.db);
  let t = 100;
  const rounds: [Template[], number, string][] = [
    [[listed, empty], LcmState.RUNNING, 'one grace round'],
    [[listed, empty], LcmState.RUNNING, 'found again in between: the count restarts'],
    [[partial, listed], LcmState.RUNNING, 'a report without VM_POLL says nothing of the VMs it leaves out'],
    [[empty, empty], LcmState.SHUTDOWN_POWEROFF, 'powered off hard: the driver cleans up after the vanished domain'],
  ];
  for (const [reports, lcm, why] of rounds) {
    for (const r of reports) s.lcm.hostMonitored(tx, s.h1, r, t++);
    assert.deepEqual(at(vm), [VmState.ACTIVE, lcm], why);
  }
  assert.match(vm.toXml(), /<CPU>2<\/CPU>/, 'the last sample stays');
  assert.deepEqual(at(fresh), [VmState.ACTIVE, LcmState.RUNNING], 'a VM never monitored yet is not lost');
  s.drivers.fail('CANCEL', 'Domain one-1 not found');
  await tx.commit();
  await s.settle();
  assert.deepEqual(at(vm), [VmState.POWEROFF, LcmState.LCM_INIT], 'off even when the driver cannot clean up after it');
  await s.vmLogs.drain();
  const log = await readFile(join(s.vmLogs.vmDir(vm.oid), 'vm.log'), 'utf8');
  assert.match(log, /\[LCM\]\[I\]: VM not reported by host h1 in two monitoring rounds: it is powered off/);
});

test('a host report that finds a shutting-down VM gone waits for the driver\'s answer (its network clean-up comes after the domain), then the epilog follows', async () => {
  const s = await setup();
  const vm = await s.newVm();
  await s.step((tx) => s.dm.deploy(tx, vm, s.h1, s.ds, s.who));
  s.drivers.hold = true;
  await s.step((tx) => s.dm.action(tx, 'terminate', VmAction.TERMINATE, vm, s.who));
  assert.deepEqual(at(vm), [VmState.ACTIVE, LcmState.SHUTDOWN]);
  s.drivers.hold = false;
  const tx = new Transaction(s.db);
  const gone = Template.parse(`VM_POLL = YES\nVM = [ ID = ${vm.oid}, POLL = "STATE=d" ]`);
  for (let t = 80; t < 84; t++) s.lcm.hostMonitored(tx, s.h1, t % 2 ? Template.parse('VM_POLL = YES') : gone, t);
  assert.deepEqual(at(vm), [VmState.ACTIVE, LcmState.SHUTDOWN], 'the SHUTDOWN is still running in the driver');
  await tx.commit();
  for (const release of s.drivers.held.splice(0)) release();
  await s.settle();
  assert.deepEqual(at(vm), [VmState.DONE, LcmState.LCM_INIT]);
  assert.equal(s.drivers.sent.at(-1), 'TM:epilog');
  assert.equal(s.drivers.sent.filter((a) => a === 'TM:epilog').length, 1);
});

test('a boot failure without a deploy id, found running by its host\'s report, takes the id the host reports', async () => {
  const s = await setup();
  const vm = await s.newVm();
  s.drivers.answers.set('DEPLOY', [{ ok: true, info: '', logs: [] }]);
  await s.step((tx) => s.dm.deploy(tx, vm, s.h1, s.ds, s.who));
  assert.deepEqual([...at(vm), vm.deployId], [VmState.ACTIVE, LcmState.BOOT_FAILURE, '']);
  const tx = new Transaction(s.db);
  s.lcm.hostMonitored(tx, s.h1, Template.parse(`VM = [ ID = ${vm.oid}, DEPLOY_ID = "one-${vm.oid}", POLL = "STATE=a" ]`), 10);
  await tx.commit();
  assert.deepEqual([...at(vm), vm.deployId], [VmState.ACTIVE, LcmState.RUNNING, `one-${vm.oid}`], 'without it the VM could never be polled, stopped or terminated');
  assert.match(vm.toXml(), new RegExp(`<DEPLOY_ID>one-${vm.oid}</DEPLOY_ID>`));
});
