import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Template } from '../common/template/index.js';
import { parseXmlTree } from '../common/xml-tree.js';
import { QuotaError, Quotas } from './quotas.js';

const wrap = (q: Quotas) => parseXmlTree(`<Q>${q.toXml()}</Q>`);

test('limits are set per entry, unset metrics show the default -1 and usage 0', () => {
  const q = new Quotas();
  q.set(Template.parse('VM = [ VMS = 10, MEMORY = 2048 ]\nDATASTORE = [ ID = 1, SIZE = -2 ]'));
  const xml = q.toXml();
  assert.match(xml, /<VM_QUOTA><VM><CPU>-1<\/CPU><CPU_USED>0<\/CPU_USED><MEMORY>2048<\/MEMORY>/);
  assert.match(xml, /<VMS>10<\/VMS><VMS_USED>0<\/VMS_USED>/);
  assert.match(xml, /<DATASTORE_QUOTA><DATASTORE><ID>1<\/ID><IMAGES>-1<\/IMAGES><IMAGES_USED>0<\/IMAGES_USED><SIZE>-2<\/SIZE>/);
  assert.match(xml, /<NETWORK_QUOTA><\/NETWORK_QUOTA>/);
});

test('a later template changes only the metrics it names', () => {
  const q = new Quotas();
  q.set(Template.parse('VM = [ VMS = 10, CPU = 4 ]'));
  q.set(Template.parse('VM = [ CPU = 8 ]'));
  assert.match(q.toXml(), /<CPU>8<\/CPU>.*<VMS>10<\/VMS>/);
});

test('bad values are refused and leave the quotas untouched', () => {
  const q = new Quotas();
  q.set(Template.parse('VM = [ VMS = 1 ]'));
  const before = q.toXml();
  assert.throws(() => q.set(Template.parse('VM = [ VMS = 5 ]\nVM = [ CPU = lots ]')), (e: unknown) => e instanceof QuotaError && /VM\/CPU/.test((e as Error).message));
  assert.throws(() => q.set(Template.parse('DATASTORE = [ SIZE = 1 ]')), /numeric ID/);
  assert.throws(() => q.set(Template.parse('VM = 3')), /vector/);
  assert.equal(q.toXml(), before);
});

test('XML round trip', () => {
  const q = new Quotas();
  q.set(Template.parse('NETWORK = [ ID = 4, LEASES = 3 ]\nIMAGE = [ ID = 2, RVMS = 1 ]'));
  assert.equal(Quotas.fromXml(wrap(q)).toXml(), q.toXml());
});

test('usage is checked against the limit, then the default, and given back', () => {
  const q = new Quotas();
  const defaults = new Quotas();
  q.set(Template.parse('VM = [ VMS = 2 ]'));
  defaults.set(Template.parse('VM = [ MEMORY = 1024 ]'));
  const vm = { kind: 'VM' as const, amounts: { VMS: 1, MEMORY: 512, CPU: 1 } };
  assert.equal(q.exceeded(vm, defaults), null);
  q.add(vm);
  q.add(vm);
  assert.match(q.exceeded(vm, defaults) ?? '', /limit of 2 reached for VM VMS quota, requested: 1, used: 2/);
  q.set(Template.parse('VM = [ VMS = -2 ]'));
  assert.match(q.exceeded(vm, defaults) ?? '', /limit of 1024 reached for VM MEMORY/);
  assert.equal(q.exceeded(vm, null), null, 'without defaults -1 is unlimited');
  q.add({ kind: 'VM', amounts: { VMS: -2, MEMORY: -1024, CPU: -5 } });
  assert.equal(q.used('VM', 'CPU'), 0, 'usage never goes below 0');
  assert.equal(q.usages().size, 0);
});

test('keyed entries count per id, and clearUsage resets every counter', () => {
  const q = new Quotas();
  q.set(Template.parse('DATASTORE = [ ID = 1, IMAGES = 1 ]'));
  q.add({ kind: 'DATASTORE', id: 1, amounts: { IMAGES: 1, SIZE: 100 } });
  q.add({ kind: 'DATASTORE', id: 2, amounts: { IMAGES: 1 } });
  assert.match(q.exceeded({ kind: 'DATASTORE', id: 1, amounts: { IMAGES: 1 } }, null) ?? '', /DATASTORE \[1\] IMAGES/);
  assert.equal(q.exceeded({ kind: 'DATASTORE', id: 2, amounts: { IMAGES: 1 } }, null), null);
  assert.deepEqual([...q.usages()].sort(), [['DATASTORE:1:IMAGES', 1], ['DATASTORE:1:SIZE', 100], ['DATASTORE:2:IMAGES', 1]]);
  q.clearUsage();
  assert.equal(q.usages().size, 0);
  assert.match(q.toXml(), /<IMAGES>1<\/IMAGES><IMAGES_USED>0<\/IMAGES_USED>/);
});
