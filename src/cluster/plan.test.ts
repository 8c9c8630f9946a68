import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseXmlTree } from '../common/xml-tree.js';
import { Cluster } from './cluster.js';
import { Plan, PlanState, type PlanAction } from './plan.js';

const action = (id: number, state: PlanAction['state']): PlanAction => ({ id, vmId: 10 + id, state, operation: 'migrate', hostId: 3, dsId: 0, timestamp: 0 });

test('a plan in the cluster XML (7.4 element order), read back from the stored body', () => {
  const c = Cluster.create(100, 'prod');
  c.plan = new Plan(PlanState.READY, [action(0, PlanState.READY)]);
  const xml = c.toXml();
  assert.match(xml, /<\/TEMPLATE><PLAN><ID>100<\/ID><STATE>0<\/STATE><ACTION><ID>0<\/ID><VM_ID>10<\/VM_ID><STATE>0<\/STATE><OPERATION>migrate<\/OPERATION><HOST_ID>3<\/HOST_ID><DS_ID>0<\/DS_ID><TIMESTAMP>0<\/TIMESTAMP><\/ACTION><\/PLAN><\/CLUSTER>$/);
  const back = Cluster.fromXml(parseXmlTree(xml));
  assert.deepEqual(back.plan, c.plan);
  c.plan = new Plan(PlanState.NONE, []);
  c.changed();
  assert.doesNotMatch(c.toXml(), /PLAN/, 'a plan in state NONE is not shown');
});

test('a plan ends DONE, ERROR before TIMEOUT, and not while an action is pending', () => {
  const p = new Plan(PlanState.APPLYING, [action(0, PlanState.DONE), action(1, PlanState.APPLYING)]);
  p.checkCompleted();
  assert.equal(p.state, PlanState.APPLYING);
  p.actions[1]!.state = PlanState.DONE;
  p.checkCompleted();
  assert.equal(p.state, PlanState.DONE);
  const q = new Plan(PlanState.APPLYING, [action(0, PlanState.TIMEOUT), action(1, PlanState.ERROR)]);
  q.checkCompleted();
  assert.equal(q.state, PlanState.ERROR);
  const r = new Plan(PlanState.APPLYING, [action(0, PlanState.TIMEOUT), action(1, PlanState.DONE)]);
  r.checkCompleted();
  assert.equal(r.state, PlanState.TIMEOUT);
});
