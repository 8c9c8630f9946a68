import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Template } from '../common/template/index.js';
import { Permissions } from '../pool/index.js';
import { VirtualMachine } from './virtual-machine.js';
import { ANY_BUT_DONE, ANY_STATE, VirtualMachinePool } from './vm-pool.js';
import { LcmState, VmState } from './vm-state.js';
import { parsePollText, reportedPoll, sampleOf } from './vm-monitoring.js';

const owner = { uid: 1, gid: 1, uname: 'u', gname: 'g' };

function pool(n: number): VirtualMachinePool {
  const p = new VirtualMachinePool();
  for (let i = 0; i < n; i++) p.add(VirtualMachine.create(p.nextOid(), 'same-name', owner, Permissions.fromOctal(0o600), new Template(), new Template(), false, 0));
  return p;
}

test('the state index follows setState, restore and remove; twin names are allowed', () => {
  const p = pool(6);
  for (const id of [1, 3, 5]) p.setState(p.get(id)!, VmState.DONE);
  p.setState(p.get(2)!, VmState.ACTIVE, LcmState.RUNNING);
  assert.deepEqual(p.inState(VmState.DONE).map((v) => v.oid), [1, 3, 5]);
  assert.deepEqual(p.candidates(VmState.ACTIVE)!.map((v) => v.oid), [2]);
  assert.deepEqual(p.candidates(ANY_BUT_DONE)!.map((v) => v.oid), [0, 2, 4], 'half DONE: the index is used');
  assert.equal(p.candidates(ANY_STATE), undefined);
  const before = p.get(2)!.toBody();
  p.setState(p.get(2)!, VmState.POWEROFF);
  p.restore(2, before);
  assert.deepEqual(p.inState(VmState.ACTIVE).map((v) => v.oid), [2]);
  assert.deepEqual(p.inState(VmState.POWEROFF), []);
  p.remove(p.get(3)!);
  assert.deepEqual(p.inState(VmState.DONE).map((v) => v.oid), [1, 5]);
  assert.ok(VirtualMachinePool.matchesState(p.get(0)!, ANY_BUT_DONE));
  assert.ok(!VirtualMachinePool.matchesState(p.get(1)!, ANY_BUT_DONE));
});

test('a VM row carries state and lcm_state; its history records are written with it', () => {
  const p = pool(1);
  const vm = p.get(0)!;
  vm.openHistory({ hostname: 'h', hid: 0, cid: 0, vmMad: 'dummy', tmMad: 'dummy', dsId: 0 }, 5);
  vm.openHistory({ hostname: 'h2', hid: 1, cid: 0, vmMad: 'dummy', tmMad: 'dummy', dsId: 0 }, 6);
  p.setState(vm, VmState.ACTIVE, LcmState.MIGRATE);
  const writes = p.rowWrites(vm);
  assert.deepEqual(writes.map((w) => w.table), ['vm_pool', 'history', 'history']);
  const row = writes[0]!.kind === 'upsert' ? writes[0]!.row : {};
  assert.deepEqual([row.state, row.lcm_state], [VmState.ACTIVE, LcmState.MIGRATE]);
});

test('poll answers: letters and HEAD words, extra keys kept, quoted values, MONITOR in base64', () => {
  const s = sampleOf(4, parsePollText('STATE=a CPU=12.5 MEMORY=1024 NETRX=7 GUEST_IP="10.0.0.2"'), 99);
  assert.equal(s.state, 'a');
  assert.equal(s.xml, '<MONITORING><ID>4</ID><TIMESTAMP>99</TIMESTAMP><CPU>12.5</CPU><MEMORY>1024</MEMORY><NETRX>7</NETRX><GUEST_IP>10.0.0.2</GUEST_IP></MONITORING>');
  assert.equal(sampleOf(4, parsePollText('STATE=POWEROFF'), 1).state, 'd');
  assert.equal(sampleOf(4, parsePollText('CPU=1'), 1).state, '-');
  const monitor = Buffer.from('STATE=p\nCPU=0').toString('base64');
  assert.equal(sampleOf(4, parsePollText(reportedPoll(new Map([['MONITOR', monitor]]))), 1).state, 'p');
  assert.equal(reportedPoll(new Map([['POLL', 'STATE=e']])), 'STATE=e');
});

test('a kept listing is served until a VM changes, is added or removed', () => {
  const p = pool(3);
  let builds = 0;
  const listing = () => p.shortListing('k', () => (builds++, p.all())).toString('utf8');
  const first = listing();
  assert.match(first, /^&lt;VM_POOL&gt;(&lt;VM&gt;.*?&lt;\/VM&gt;){3}&lt;\/VM_POOL&gt;$/);
  assert.equal(listing(), first);
  assert.equal(builds, 1, 'kept');
  const vm = p.get(1)!;
  p.objectChanged(vm);
  p.setState(vm, VmState.HOLD);
  assert.match(listing(), /&lt;ID&gt;1&lt;\/ID&gt;.*?&lt;STATE&gt;2&lt;\/STATE&gt;/);
  assert.equal(builds, 2, 'a changed VM renders the listing again');
  p.remove(p.get(0)!);
  assert.doesNotMatch(listing(), /&lt;ID&gt;0&lt;\/ID&gt;/);
  p.add(VirtualMachine.create(p.nextOid(), 'late', owner, Permissions.fromOctal(0o600), new Template(), new Template(), false, 0));
  assert.match(listing(), /&lt;NAME&gt;late&lt;\/NAME&gt;/);
  assert.equal(builds, 4);
});

test('the pending mark moves when a VM is added pending or enters PENDING, not for other changes', () => {
  const p = pool(2);
  assert.equal(p.pendingMark.current, 2, 'two VMs allocated pending');
  p.add(VirtualMachine.create(p.nextOid(), 'held', owner, Permissions.fromOctal(0o600), new Template(), new Template(), true, 0));
  assert.equal(p.pendingMark.current, 2, 'a VM on hold is nothing to place');
  p.setState(p.get(0)!, VmState.ACTIVE, LcmState.PROLOG);
  p.setState(p.get(0)!, VmState.ACTIVE, LcmState.RUNNING);
  p.setState(p.get(1)!, VmState.PENDING);
  assert.equal(p.pendingMark.current, 2, 'deploys and a VM already pending: no news');
  p.setState(p.get(2)!, VmState.PENDING);
  assert.equal(p.pendingMark.current, 3, 'released from hold');
});
