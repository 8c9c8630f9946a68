import { test } from 'node:test';
import assert from 'node:assert/strict';
import { consideredVms, plan, explain, type Action } from './planner.js';
import { Policy } from './sched-config.js';
import { host, input, vm } from './testing.js';

const deploys = (actions: readonly Action[]) => actions.filter((a) => a.kind === 'deploy').map((a) => (a.kind === 'deploy' ? [a.vm.id, a.host.id] : []));
const messages = (actions: readonly Action[]) => new Map(actions.filter((a) => a.kind === 'message').map((a) => [a.vm.id, a.kind === 'message' ? a.text : '']));
const pendingVms = (n: number, extra: Partial<Parameters<typeof vm>[0]> = {}) => Array.from({ length: n }, (_, i) => vm({ id: i, ...extra }));

test('packing fills the host with most VMs; striping spreads; ties go to the lower id', () => {
  const packed = plan(input([host({ id: 0 }), host({ id: 1 })], pendingVms(10), { hostPolicy: { policy: Policy.PACKING, rank: '' } }));
  assert.deepEqual(deploys(packed.actions).map(([, h]) => h), [0, 0, 0, 0, 0, 0, 0, 0, 1, 1]);
  const striped = plan(input([host({ id: 0 }), host({ id: 1 }), host({ id: 2 })], pendingVms(6)));
  assert.deepEqual(deploys(striped.actions).map(([, h]) => h), [0, 1, 2, 0, 1, 2]);
});

test('load-aware ranks by FREE_CPU, lowered by what the cycle dispatched', () => {
  const p = plan(input([host({ id: 0, freeCpu: 250 }), host({ id: 1, freeCpu: 500 })], pendingVms(4), { hostPolicy: { policy: Policy.LOAD_AWARE, rank: '' } }));
  // 500 → 400 → 300 → 200 (< 250): the fourth goes to host 0.
  assert.deepEqual(deploys(p.actions).map(([, h]) => h), [1, 1, 1, 0]);
});

test('capacity counts MAX_CPU/MAX_MEM less usage, and what this cycle took', () => {
  const p = plan(input([host({ id: 0, cpu: 400, cpuUsage: 200 })], pendingVms(3)));
  assert.deepEqual(deploys(p.actions).length, 2);
  assert.equal(messages(p.actions).get(2), 'Cannot dispatch VM: of 1 host: 1 lack CPU');
});

test('MAX_DISPATCH stops the cycle; MAX_HOST caps each host; MAX_VM caps what is considered', () => {
  assert.equal(deploys(plan(input([host({ id: 0 })], pendingVms(5), { maxDispatch: 3 })).actions).length, 3);
  const perHost = plan(input([host({ id: 0 }), host({ id: 1 })], pendingVms(5), { maxHost: 2 }));
  assert.equal(deploys(perHost.actions).length, 4);
  assert.equal(messages(perHost.actions).get(4), 'Cannot dispatch VM: of 2 hosts: 2 reached MAX_HOST this cycle');
  const few = plan(input([host({ id: 0 })], pendingVms(5), { maxVm: 2 }));
  assert.equal(few.considered, 2);
});

test('requirements, host states and clusters are counted in the message', () => {
  const hosts = [
    host({ id: 0, state: 4 }),
    host({ id: 1, state: 3 }),
    host({ id: 2, cluster: 100 }),
    host({ id: 3, template: { HYPERVISOR: 'xen' } }),
    host({ id: 4, template: { HYPERVISOR: 'kvm' }, mem: 1024 }),
  ];
  const v = vm({ id: 7, memory: 512, user: { SCHED_REQUIREMENTS: 'HYPERVISOR = kvm' }, disks: ['<DISK><CLUSTER_ID>0</CLUSTER_ID></DISK>'] });
  const p = plan(input(hosts, [v]));
  assert.equal(messages(p.actions).get(7), 'Cannot dispatch VM: of 5 hosts: 1 disabled, 1 in error, 1 in other clusters than its images and networks, 1 filtered by requirements, 1 lack memory');
});

test('an unchanged message is not written again', () => {
  const text = 'Cannot dispatch VM: of 1 host: 1 lack CPU';
  const p = plan(input([host({ id: 0, cpu: 50 })], [vm({ id: 1, user: { SCHED_MESSAGE: text } })]));
  assert.equal(p.actions.length, 0);
});

test('a syntax error or an unknown attribute is said on the VM; a failing rank ranks the host last', () => {
  const p = plan(input([host({ id: 0 })], [vm({ id: 1, user: { SCHED_REQUIREMENTS: 'CPU >= 2' } }), vm({ id: 2, user: { SCHED_REQUIREMENTS: 'GPU = yes' } })]));
  assert.match(messages(p.actions).get(1)!, /^Cannot dispatch VM: SCHED_REQUIREMENTS "CPU >= 2": syntax error at column 5/);
  assert.equal(messages(p.actions).get(2), 'Cannot dispatch VM: of 1 host: 1 filtered by requirements. SCHED_REQUIREMENTS names GPU, which no host has');
  const r = plan(input([host({ id: 0 }), host({ id: 1, running: 2 })], [vm({ id: 3, user: { SCHED_RANK: 'FREE_CPU / RUNNING_VMS' } })]));
  assert.deepEqual(deploys(r.actions), [[3, 1]]);
  assert.match(r.log[0]!, /division by zero/);
});

test('a VM flagged for rescheduling moves off its host, live when LIVE_RESCHEDS', () => {
  const v = vm({ id: 1, state: 3, lcm: 3, resched: true, hostId: 0 });
  const p = plan(input([host({ id: 0, cpuUsage: 100, running: 1 }), host({ id: 1 })], [v], { liveRescheds: true }));
  assert.deepEqual(p.actions.map((a) => [a.kind, a.kind === 'migrate' ? a.host.id : -1, a.kind === 'migrate' && a.live]), [['migrate', 1, true]]);
});

test('a future reservation holds its room: best-effort work that outlives its start may not take it, preemptible and short work may', () => {
  const now = 1_000_000;
  const reservation = vm({ id: 0, cpu: 6, user: { SCHED_START: now + 100, SCHED_DURATION: 60 } }, now);
  const plain = [1, 2, 3].map((id) => vm({ id }, now));
  const short = vm({ id: 4, user: { SCHED_DURATION: 50 } }, now);
  const preemptible = vm({ id: 5, cpu: 2, user: { SCHED_PREEMPTIBLE: 'YES' } }, now);
  const p = plan(input([host({ id: 0 })], [reservation, ...plain, short, preemptible], {}, now));
  assert.deepEqual(deploys(p.actions).map(([id]) => id), [1, 2, 4, 5]);
  assert.equal(messages(p.actions).get(3), 'Cannot dispatch VM: of 1 host: 1 keep their room for reservations');
  assert.match(messages(p.actions).get(0)!, /^Reserved on host host0 \(0\) from /);
  const end = p.actions.find((a) => a.kind === 'deploy' && a.vm.id === 4);
  assert.equal(end?.kind === 'deploy' && end.update, `SCHED_END = "${now + 50}"`);
});

test('a due reservation preempts only the newest preemptible VMs it needs and waits on its host', () => {
  const now = 1_000_000;
  const running = [1, 2, 3].map((id) => vm({ id, state: 3, lcm: 3, hostId: 0, cpu: 2, user: { SCHED_PREEMPTIBLE: 'YES' } }, now));
  const reservation = vm({ id: 9, cpu: 4, user: { SCHED_START: now, SCHED_DURATION: 60 } }, now);
  const waiting = vm({ id: 10, cpu: 1 }, now);
  const p = plan(input([host({ id: 0, cpuUsage: 600, running: 3 })], [...running, reservation, waiting], { preemption: 'suspend' }, now));
  assert.deepEqual(p.actions.filter((a) => a.kind === 'preempt').map((a) => [a.vm.id, a.kind === 'preempt' && a.how]), [[3, 'suspend']]);
  assert.equal(messages(p.actions).get(9), 'Starting the reservation on host host0 (0): waiting for preempted VMs to leave');
  assert.equal(messages(p.actions).get(10), 'Cannot dispatch VM: of 1 host: 1 keep their room for reservations');
  assert.equal(p.wakeSoon, true);
});

test('a reservation larger than any host, and a lease that is over', () => {
  const now = 1_000_000;
  const big = vm({ id: 0, cpu: 64, user: { SCHED_START: now + 10, SCHED_DURATION: '1h' } }, now);
  const over = vm({ id: 1, state: 3, lcm: 3, hostId: 0, user: { SCHED_DURATION: 10, SCHED_END: now - 1 } }, now);
  const p = plan(input([host({ id: 0 })], [big, over], {}, now));
  assert.match(messages(p.actions).get(0)!, /it asks for more than any host has \(CPU 64, MEMORY 128 MB\)$/);
  assert.deepEqual(p.actions.filter((a) => a.kind === 'end').map((a) => a.vm.id), [1]);
});

test('explain lists every host, placeable ones first by rank', () => {
  const hosts = [host({ id: 0, state: 4 }), host({ id: 1, running: 3 }), host({ id: 2, running: 1 }), host({ id: 3, cpu: 50 })];
  const { verdicts } = explain(input(hosts, []), vm({ id: 5 }));
  assert.deepEqual(verdicts.map((v) => [v.host.id, 'rank' in v.verdict ? v.verdict.rank : v.verdict.reason]), [[2, -1], [1, -3], [0, 'disabled'], [3, 'lack CPU']]);
});

test('a reservation keeps the host it was given while that host has the room', () => {
  const now = 1_000_000;
  const user = { SCHED_START: now + 100, SCHED_DURATION: 60 };
  const first = plan(input([host({ id: 0 }), host({ id: 1 })], [vm({ id: 0, cpu: 2, user }, now)], {}, now));
  assert.match(messages(first.actions).get(0)!, /^Reserved on host host0 \(0\)/);
  // Striping would now prefer host 1 (host 0 runs more VMs), but the reservation stays.
  const held = vm({ id: 0, cpu: 2, user: { ...user, SCHED_MESSAGE: messages(first.actions).get(0)! } }, now);
  const again = plan(input([host({ id: 0, running: 3, cpuUsage: 300 }), host({ id: 1 })], [held], {}, now));
  assert.equal(again.actions.length, 0, 'same host, same message: nothing to write');
  const full = plan(input([host({ id: 0, cpuUsage: 700 }), host({ id: 1 })], [held], {}, now));
  assert.match(messages(full.actions).get(0)!, /^Reserved on host host1 \(1\)/);
});

test('consideredVms: the first MAX_VM waiting or flagged VMs, oldest first; reservations and bad leases apart', () => {
  const vms = [
    vm({ id: 1 }),
    vm({ id: 2, user: { SCHED_START: 'soon' } }),
    vm({ id: 3, user: { SCHED_START: String(2_000_000), SCHED_DURATION: '3600' } }),
    vm({ id: 4 }),
    vm({ id: 5 }),
    vm({ id: 6, user: { SCHED_START: 'later' } }),
  ];
  const { bestEffort, leaseErrors } = consideredVms(vms, 2);
  assert.deepEqual(bestEffort.map((v) => v.id), [1, 4]);
  assert.deepEqual(leaseErrors.map((v) => v.id), [2], 'the bad lease past MAX_VM waits for a later cycle, as the plan stops there');
  assert.deepEqual(consideredVms(vms, 0).bestEffort.map((v) => v.id), [1, 4, 5]);
});
