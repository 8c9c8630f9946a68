import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseXmlTree } from '../common/xml-tree.js';
import { isHybridHost, parseBurst } from './burst.js';
import { plan, explain, type Action } from './planner.js';
import { parseSchedConfig, SchedConfigError } from './sched-config.js';
import { SchedHost } from './sched-host.js';
import { host, input, vm } from './testing.js';

type Deploy = Extract<Action, { kind: 'deploy' }>;
const deploysOf = (actions: readonly Action[]) => actions.filter((a): a is Deploy => a.kind === 'deploy');
const messageOf = (actions: readonly Action[], id: number) => {
  const m = actions.find((a) => a.kind === 'message' && a.vm.id === id);
  return m?.kind === 'message' ? m.text : undefined;
};
/** Two small local hosts (room for 2 VMs each) and a big hybrid one that striping would prefer. */
const hosts = () => [
  host({ id: 0, cpu: 200, running: 1 }),
  host({ id: 1, cpu: 200, running: 1 }),
  host({ id: 5, name: 'aws', cpu: 10000, template: { PUBLIC_CLOUD: 'YES' } }),
];

test('hybrid hosts: PUBLIC_CLOUD = "YES", or the ec2 / one VM_MAD', () => {
  assert.ok(isHybridHost('YES', 'kvm') && isHybridHost('yes', undefined));
  assert.ok(isHybridHost(undefined, 'ec2') && isHybridHost('', 'one'));
  assert.ok(!isHybridHost(undefined, 'kvm') && !isHybridHost('NO', 'dummy'));
  const h = SchedHost.fromXml(parseXmlTree('<HOST><ID>3</ID><NAME>eu</NAME><STATE>2</STATE><VM_MAD>ec2</VM_MAD><HOST_SHARE/><TEMPLATE/></HOST>'));
  assert.ok(h.hybrid);
  assert.ok(!host({ id: 0 }).hybrid);
});

test('AUTO: local hosts first whatever the rank; the VM bursts only when none fits, and says why', () => {
  const p = plan(input(hosts(), Array.from({ length: 6 }, (_, i) => vm({ id: i }))));
  const d = deploysOf(p.actions);
  assert.deepEqual(d.map((a) => a.host.id), [0, 1, 0, 1, 5, 5]);
  assert.equal(d[0]!.update, '', 'nothing said when it stays local');
  assert.match(d[4]!.update, /^SCHED_MESSAGE = "Burst to hybrid host aws \(5\): no local host could take it \(of 3 hosts: 2 lack CPU\)"$/);
});

test('NEVER keeps a VM off hybrid hosts; RANK lets its rank choose; a bad value stops it with a message', () => {
  const never = plan(input(hosts(), Array.from({ length: 5 }, (_, i) => vm({ id: i, user: { SCHED_BURST: 'never' } }))));
  assert.deepEqual(deploysOf(never.actions).map((a) => a.host.id), [0, 1, 0, 1]);
  assert.equal(messageOf(never.actions, 4), 'Cannot dispatch VM: of 3 hosts: 1 hybrid, and the VM does not burst (SCHED_BURST = NEVER), 2 lack CPU');

  const ranked = plan(input(hosts(), [vm({ id: 0, user: { SCHED_BURST: 'RANK', SCHED_RANK: 'FREE_CPU' } })]));
  const d = deploysOf(ranked.actions);
  assert.deepEqual(d.map((a) => a.host.id), [5], 'its rank (FREE_CPU) prefers the big cloud host');
  assert.match(d[0]!.update, /Deployed on hybrid host aws \(5\) by rank \(SCHED_BURST = RANK\)/);

  const bad = plan(input(hosts(), [vm({ id: 0, user: { SCHED_BURST: 'sometimes' } })]));
  assert.equal(messageOf(bad.actions, 0), 'Cannot dispatch VM: SCHED_BURST "sometimes": must be AUTO, NEVER or RANK');
});

test('AUTO with requirements only a hybrid host meets goes there; DEFAULT_BURST sets the default', () => {
  const p = plan(input(hosts(), [vm({ id: 0, user: { SCHED_REQUIREMENTS: 'PUBLIC_CLOUD = "YES"' } })]));
  assert.deepEqual(deploysOf(p.actions).map((a) => a.host.id), [5]);
  assert.match(deploysOf(p.actions)[0]!.update, /Burst to hybrid host aws/);

  const cfg = parseSchedConfig('DEFAULT_BURST = "NEVER"');
  assert.equal(cfg.burst, 'NEVER');
  assert.equal(parseSchedConfig('').burst, 'AUTO');
  assert.throws(() => parseSchedConfig('DEFAULT_BURST = "maybe"'), (e: Error) => e instanceof SchedConfigError && /DEFAULT_BURST must be AUTO, NEVER or RANK, got "maybe"/.test(e.message));
  assert.equal(parseBurst('', 'RANK'), 'RANK');
  const never = plan(input(hosts(), [vm({ id: 0, user: { SCHED_REQUIREMENTS: 'ID = 5' } })], { burst: 'NEVER' }));
  assert.match(messageOf(never.actions, 0) ?? '', /1 hybrid, and the VM does not burst/);

  // explain lists local hosts before the hybrid one.
  const order = explain(input(hosts(), []), vm({ id: 9 })).verdicts.map((v) => v.host.id);
  assert.deepEqual(order, [0, 1, 5]);
});
