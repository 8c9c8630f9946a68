import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseXmlTree } from '../common/xml-tree.js';
import { explain, plan, type Action, type CycleInput } from './planner.js';
import { Policy, type PolicyValue } from './sched-config.js';
import { host, input, vm } from './testing.js';
import { SchedVmGroup } from './vm-groups.js';
import type { SchedHost } from './sched-host.js';

const deploys = (actions: readonly Action[]) => new Map(actions.filter((a) => a.kind === 'deploy').map((a) => [a.vm.id, a.kind === 'deploy' ? a.host.id : -1]));
const messages = (actions: readonly Action[]) => new Map(actions.filter((a) => a.kind === 'message').map((a) => [a.vm.id, a.kind === 'message' ? a.text : '']));

/** A group of roles `name:policy:vms[:HOST_AFFINED[:HOST_ANTI_AFFINED]]` and rules. */
function group(roles: string[], rules = ''): SchedVmGroup {
  const xml = roles
    .map((r, i) => {
      const [name, policy, vms, aff, anti] = r.split(':');
      return `<ROLE>${aff ? `<HOST_AFFINED>${aff}</HOST_AFFINED>` : ''}${anti ? `<HOST_ANTI_AFFINED>${anti}</HOST_ANTI_AFFINED>` : ''}<ID>${i}</ID><NAME>${name}</NAME><POLICY>${policy}</POLICY><VMS>${vms}</VMS></ROLE>`;
    })
    .join('');
  return SchedVmGroup.fromXml(parseXmlTree(`<VM_GROUP><ID>7</ID><NAME>app</NAME><ROLES>${xml}</ROLES><TEMPLATE>${rules}</TEMPLATE></VM_GROUP>`));
}

function cycle(hosts: SchedHost[], pending: number[], groups: SchedVmGroup[], policy: PolicyValue = Policy.PACKING): CycleInput {
  return { ...input(hosts, pending.map((id) => vm({ id })), { hostPolicy: { policy, rank: '' } }), vmGroups: groups };
}

const hosts = (n: number) => Array.from({ length: n }, (_, id) => host({ id }));

test('POLICY ANTI_AFFINED: one VM of the role per host, the VMs placed earlier in the cycle and before counted', () => {
  const hs = hosts(3);
  hs[2]!.vmIds = [9];
  const p = plan(cycle(hs, [1, 2, 3], [group(['web:ANTI_AFFINED:1,2,3,9'])]));
  const d = deploys(p.actions);
  assert.deepEqual([d.get(1), d.get(2)].sort(), [0, 1]);
  assert.equal(d.has(3), false);
  assert.match(messages(p.actions).get(3)!, /of 3 hosts: 3 break VM group rules\. VM group app \(7\), role web: POLICY ANTI_AFFINED, hosts 0, 1, 2 already run VMs of the role/);
});

test('POLICY AFFINED: all VMs of the role on one host, even when striping would spread them', () => {
  const p = plan(cycle(hosts(3), [1, 2, 3], [group(['db:AFFINED:1,2,3'])], Policy.STRIPING));
  assert.deepEqual([...deploys(p.actions).values()], [0, 0, 0]);
  const hs = hosts(2);
  hs[1]!.vmIds = [5];
  const q = plan(cycle(hs, [1], [group(['db:AFFINED:1,5'])]));
  assert.deepEqual([...deploys(q.actions)], [[1, 1]]);
});

test('AFFINED rule between roles: with the VMs of the other role; ANTI_AFFINED rule: away from them', () => {
  const hs = hosts(3);
  hs[1]!.vmIds = [10];
  hs[2]!.vmIds = [20];
  const g = group(['db:NONE:10', 'app:NONE:1', 'web:NONE:2,20'], '<AFFINED>db, app</AFFINED><ANTI_AFFINED>web, db</ANTI_AFFINED>');
  const p = plan(cycle(hs, [1, 2], [g], Policy.STRIPING));
  const d = deploys(p.actions);
  assert.equal(d.get(1), 1);
  assert.notEqual(d.get(2), 1);
});

test('two anti-affined roles end on different hosts; two affined roles together, in one cycle', () => {
  const anti = plan(cycle(hosts(2), [1, 2], [group(['a:NONE:1', 'b:NONE:2'], '<ANTI_AFFINED>a, b</ANTI_AFFINED>')]));
  const d = deploys(anti.actions);
  assert.notEqual(d.get(1), d.get(2));
  const aff = plan(cycle(hosts(3), [1, 2], [group(['a:NONE:1', 'b:NONE:2'], '<AFFINED>a, b</AFFINED>')], Policy.STRIPING));
  const e = deploys(aff.actions);
  assert.equal(e.get(1), e.get(2));
});

test('HOST_AFFINED / HOST_ANTI_AFFINED; a rule no host meets leaves the VM pending with the rule in its message', () => {
  const p = plan(cycle(hosts(3), [1, 2, 3], [group(['a:NONE:1:2', 'b:NONE:2::0,1', 'c:NONE:3:5'])]));
  const d = deploys(p.actions);
  assert.equal(d.get(1), 2);
  assert.equal(d.get(2), 2);
  assert.equal(d.has(3), false);
  assert.equal(messages(p.actions).get(3), 'Cannot dispatch VM: of 3 hosts: 3 break VM group rules. VM group app (7), role c: HOST_AFFINED allows only hosts 5');
  const { verdicts } = explain(cycle(hosts(3), [3], [group(['c:NONE:3:1'])]), vm({ id: 3 }));
  assert.deepEqual(verdicts.map((v) => ('rank' in v.verdict ? `${v.host.id} ok` : `${v.host.id} ${v.verdict.detail}`)), ['1 ok', '0 VM group app (7), role c: HOST_AFFINED allows only hosts 1', '2 VM group app (7), role c: HOST_AFFINED allows only hosts 1']);
});

test('VMs outside groups are placed as before', () => {
  const p = plan(cycle(hosts(2), [1, 2], [group(['a:ANTI_AFFINED:5'])]));
  assert.deepEqual([...deploys(p.actions).values()], [0, 0]);
});
