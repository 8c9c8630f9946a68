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
