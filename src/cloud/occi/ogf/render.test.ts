import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_INSTANCE_TYPES } from '../config.js';
import type { ComputeRecord } from '../resources.js';
import { cidrOf, computeEntity, computeState } from './entities.js';
import { parseText, textPlainPairs } from './parse.js';
import { entityJson, entityText, quote, textOcciHeaders, textPlain } from './render.js';

const INFRA = 'http://schemas.ogf.org/occi/infrastructure#';
const vm: ComputeRecord = {
  id: 7, name: 'web "one"', uid: 2, uname: 'alice', gname: 'users', cpu: 1, vcpu: 1, memory: 1536, state: 'ACTIVE', lcmState: 'RUNNING',
  instanceType: 'small', templateId: 3,
  disks: [{ id: 0, imageId: 4, image: 'img', type: 'FILE', target: 'vda' }, { id: 1, image: '', type: 'swap', target: 'vdb' }],
  nics: [{ id: 0, networkId: 5, network: 'net', ip: '10.0.0.2', mac: '02:00:0a:00:00:02' }],
  context: [],
};

test('compute states of OCCI from OpenNebula states', () => {
  assert.equal(computeState({ state: 'ACTIVE', lcmState: 'RUNNING' }), 'active');
  assert.equal(computeState({ state: 'ACTIVE', lcmState: 'BOOT' }), 'inactive');
  assert.equal(computeState({ state: 'ACTIVE', lcmState: 'BOOT_FAILURE' }), 'error');
  assert.equal(computeState({ state: 'SUSPENDED', lcmState: '' }), 'suspended');
  assert.equal(computeState({ state: 'POWEROFF', lcmState: '' }), 'inactive');
  assert.equal(computeState({ state: 'FAILED', lcmState: '' }), 'error');
});

test('CIDR blocks of address ranges', () => {
  assert.equal(cidrOf('10.20.0.1', 254), '10.20.0.0/24');
  assert.equal(cidrOf('192.168.7.1', 20), '192.168.7.0/27');
  assert.equal(cidrOf('10.0.0.5', 1), '10.0.0.5/32');
});

test('a compute in the text rendering: kind and mixins, links with their attributes, actions, attributes; it reads back', () => {
  const e = computeEntity(vm, DEFAULT_INSTANCE_TYPES);
  const t = entityText(e, 'http://h:1');
  assert.match(t.categories[0]!, /^compute; scheme="http:\/\/schemas\.ogf\.org\/occi\/infrastructure#"; class="kind"/);
  assert.ok(t.categories.some((c) => c.startsWith('tpl_3; scheme="http://nebula-ts.org/occi/os_tpl#"; class="mixin"')));
  assert.ok(t.categories.some((c) => c.startsWith('small; scheme="http://nebula-ts.org/occi/resource_tpl#"; class="mixin"')));
  assert.equal(t.links.filter((l) => l.includes('storagelink')).length, 1, 'the volatile disk has no storage to link to');
  assert.match(t.links[0]!, /^<http:\/\/h:1\/occi1\.2\/network\/5>; rel="http:\/\/schemas\.ogf\.org\/occi\/infrastructure#network"; self="http:\/\/h:1\/occi1\.2\/networkinterface\/compute_7_nic_0"/);
  assert.ok(t.links.includes('<http://h:1/occi1.2/compute/7?action=stop>; rel="http://schemas.ogf.org/occi/infrastructure/compute/action#stop"'));
  assert.ok(!t.links.some((l) => l.includes('action=start')), 'start is not offered to a running compute');
  assert.ok(t.attributes.includes('occi.core.title="web \\"one\\""'));
  assert.ok(t.attributes.includes('occi.compute.memory=1.5'));

  const back = parseText(textPlainPairs(textPlain(t)));
  assert.equal(back.kind, `${INFRA}compute`);
  assert.equal(back.attributes.get('occi.core.title'), 'web "one"');
  assert.equal(back.attributes.get('occi.compute.memory'), 1.5);
  assert.equal(back.links.length, t.links.length);
  const headers = textOcciHeaders(t);
  const again = parseText(Object.entries(headers));
  assert.deepEqual([...again.attributes], [...back.attributes]);
  assert.deepEqual(again.mixins, back.mixins);
});

test('a compute in the JSON rendering', () => {
  const j = entityJson(computeEntity(vm, DEFAULT_INSTANCE_TYPES), 'http://h:1') as Record<string, any>;
  assert.equal(j.kind, `${INFRA}compute`);
  assert.equal(j.id, '7');
  assert.equal(j.title, 'web "one"');
  assert.equal(j.attributes['occi.compute.cores'], 1);
  assert.equal(j.attributes['occi.compute.state'], 'active');
  assert.equal(j.location, 'http://h:1/occi1.2/compute/7');
  assert.deepEqual(j.links[0].target, { location: 'http://h:1/occi1.2/network/5', kind: `${INFRA}network` });
  assert.equal(j.links[0].attributes['occi.networkinterface.address'], '10.0.0.2');
  assert.equal(quote('a"b\\c'), '"a\\"b\\\\c"');
});

test('content negotiation of the answer', async () => {
  const { negotiate } = await import('./routes.js');
  assert.equal(negotiate(undefined, false), 'text/plain');
  assert.equal(negotiate('*/*', true), 'text/plain');
  assert.equal(negotiate('application/occi+json', false), 'json');
  assert.equal(negotiate('text/occi;q=1, text/plain', false), 'text/occi');
  assert.equal(negotiate('text/uri-list', true), 'uri-list');
  assert.equal(negotiate('text/uri-list, text/plain', false), 'text/plain');
  assert.throws(() => negotiate('application/xml', true), /Cannot answer in application\/xml/);
});
