import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AclRule } from '../common/acl/acl-rule.js';
import { OwnerAcl, userGroups } from './owner-acl.js';
import { plan, explain, type Action } from './planner.js';
import { host, input, vm } from './testing.js';
import { SchedDatastore } from './sched-datastore.js';
import { parseXmlTree } from '../common/xml-tree.js';

const rules = (...texts: string[]) => texts.map((t) => AclRule.parse(t)).map((r) => [r.user, r.resource, r.rights, r.zone] as const);
const aclXml = (...texts: string[]) =>
  `<ACL_POOL>${texts
    .map((t) => [t, AclRule.parse(t)] as const)
    .map(([t, r], i) => `<ACL><ID>${i}</ID><USER>${r.user.toString(16)}</USER><RESOURCE>${r.resource.toString(16)}</RESOURCE><RIGHTS>${r.rights.toString(16)}</RIGHTS><ZONE>${r.zone.toString(16)}</ZONE><STRING>${t}</STRING></ACL>`)
    .join('')}</ACL_POOL>`;

test('an owner may deploy on the hosts its rules let it MANAGE in this zone, and use the datastores they let it USE', () => {
  const acl = new OwnerAcl(
    rules('@100 HOST/%100 MANAGE #0', '@100 DATASTORE/%100 USE #0', '#7 HOST/#3 MANAGE #0', '@101 HOST/* MANAGE #1', '@102 HOST/* USE #0', '* HOST/#9 MANAGE *'),
    0,
  );
  const member = acl.access(20, [100]);
  assert.equal(member.unrestricted, false);
  assert.ok(member.host(1, 100), 'a host of cluster 100');
  assert.ok(!member.host(2, 0), 'a host of another cluster');
  assert.ok(member.host(9, 0), 'a rule for everyone');
  assert.ok(member.datastore(0, [100]));
  assert.ok(!member.datastore(0, [0]));
  assert.ok(acl.access(7, [1]).host(3, 0), 'a rule for the user itself');
  assert.ok(!acl.access(8, [101]).host(3, 0), 'a rule of another zone grants nothing here');
  assert.ok(!acl.access(8, [102]).host(3, 0), 'USE is not MANAGE');
  assert.ok(acl.access(0, [1]).unrestricted && acl.access(5, [0]).unrestricted, 'oneadmin and its group are not filtered');
  assert.equal(acl.access(20, [100]), member, 'computed once per owner');
  assert.equal(new OwnerAcl(rules('@101 HOST/* MANAGE #1'), 1).access(8, [101]).host(3, 0), true, 'in zone 1 it does');
});

test('the rules and the users\' groups are read from oned\'s XML', () => {
  const acl = OwnerAcl.fromXml(aclXml('@100 HOST/%100 MANAGE #0', '@1 HOST/* MANAGE #0'), 0);
  assert.ok(acl.access(20, [100]).host(4, 100));
  assert.ok(!acl.access(20, [100]).host(4, 0));
  const groups = userGroups('<USER_POOL><USER><ID>0</ID><GID>0</GID><GROUPS><ID>0</ID></GROUPS></USER><USER><ID>20</ID><GID>100</GID><GROUPS><ID>1</ID><ID>100</ID></GROUPS><TEMPLATE/></USER></USER_POOL>');
  assert.deepEqual([...groups], [[0, [0]], [20, [1, 100]]]);
});

test('the planner places a VM only where its owner may deploy, and says why the others are left out', () => {
  const acl = new OwnerAcl(rules('@100 HOST/%100 MANAGE #0', '@100 DATASTORE/%100 USE #0', '@1 HOST/* MANAGE #0', '@1 DATASTORE/* USE #0'), 0);
  const datastores = SchedDatastore.systemOf(
    parseXmlTree(
      '<DATASTORE_POOL><DATASTORE><ID>0</ID><NAME>sys0</NAME><TYPE>1</TYPE><STATE>0</STATE><FREE_MB>100000</FREE_MB><CLUSTERS><ID>0</ID></CLUSTERS><TEMPLATE/></DATASTORE>' +
        '<DATASTORE><ID>100</ID><NAME>sys100</NAME><TYPE>1</TYPE><STATE>0</STATE><FREE_MB>100000</FREE_MB><CLUSTERS><ID>100</ID><ID>0</ID></CLUSTERS><TEMPLATE/></DATASTORE></DATASTORE_POOL>',
    ),
  );
  const hosts = [host({ id: 0, cluster: 0 }), host({ id: 1, cluster: 0 }), host({ id: 2, cluster: 100 })];
  const vms = [vm({ id: 0, uid: 20, gid: 100 }), vm({ id: 1, uid: 20, gid: 100 }), vm({ id: 2, uid: 30, gid: 1 }), vm({ id: 3, uid: 20, gid: 100, user: { SCHED_REQUIREMENTS: 'ID = 0' } }), vm({ id: 4 })];
  const cycle = { ...input(hosts, vms), datastores, access: (v: typeof vms[number]) => acl.access(v.uid, [v.gid]) };
  const p = plan(cycle);
  const deploys = p.actions.filter((a): a is Extract<Action, { kind: 'deploy' }> => a.kind === 'deploy').map((a) => [a.vm.id, a.host.id, a.dsId]);
  // Group 100 gets cluster 100's host and datastore only; group 1 and oneadmin go anywhere.
  assert.deepEqual(deploys.filter(([id]) => id! <= 1), [[0, 2, 100], [1, 2, 100]]);
  assert.ok(deploys.some(([id]) => id === 2) && deploys.some(([id]) => id === 4));
  const message = p.actions.find((a) => a.kind === 'message' && a.vm.id === 3);
  assert.equal(message?.kind === 'message' && message.text, 'Cannot dispatch VM: of 3 hosts: 2 not authorized for the VM owner (ACL), 1 filtered by requirements');
  const verdicts = explain(cycle, vms[3]!).verdicts.map((v) => [v.host.id, 'reason' in v.verdict ? v.verdict.reason : 'ok']);
  assert.deepEqual(verdicts, [[0, 'not authorized for the VM owner (ACL)'], [1, 'not authorized for the VM owner (ACL)'], [2, 'filtered by requirements']]);
});
