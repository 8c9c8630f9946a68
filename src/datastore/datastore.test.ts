import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseXmlTree } from '../common/xml-tree.js';
import { Template } from '../common/template/index.js';
import { Permissions } from '../pool/index.js';
import { Datastore, DatastoreState, DatastoreType, datastoreTypeOf } from './datastore.js';
import { dashDList } from './datastore-drivers.js';

const owner = { uid: 3, gid: 1, uname: 'alice', gname: 'users' };

function imageDs(): Datastore {
  return Datastore.create(100, 'images', owner, Permissions.fromOctal(0o640), { dsType: DatastoreType.IMAGE_DS, dsMad: 'fs', tmMad: 'ssh' }, '/srv/ds', Template.parse('NOTE = "x"'));
}

test('TYPE names: IMAGE_DS when absent, any case, undefined when unknown', () => {
  assert.equal(datastoreTypeOf(undefined), DatastoreType.IMAGE_DS);
  assert.equal(datastoreTypeOf('system_ds'), DatastoreType.SYSTEM_DS);
  assert.equal(datastoreTypeOf('FILE_DS'), DatastoreType.FILE_DS);
  assert.equal(datastoreTypeOf('BLOCK'), undefined);
  assert.equal(datastoreTypeOf('toString'), undefined);
});

test('a new datastore: BASE_PATH under the location, READY, drivers and TYPE in its template', () => {
  const ds = imageDs();
  assert.equal(ds.fields.basePath, '/srv/ds/100');
  assert.equal(ds.fields.state, DatastoreState.READY);
  assert.equal(ds.template.get('TYPE'), 'IMAGE_DS');
  assert.equal(ds.template.get('DS_MAD'), 'fs');
  assert.equal(ds.template.get('TM_MAD'), 'ssh');
});

test('XML in OpenNebula\'s order, and back', () => {
  const ds = imageDs();
  ds.addCluster(5);
  ds.addCluster(0);
  ds.images.add(7);
  const node = parseXmlTree(ds.toXml());
  assert.deepEqual(node.children.map((c) => c.name), [
    'ID', 'UID', 'GID', 'UNAME', 'GNAME', 'NAME', 'PERMISSIONS', 'DS_MAD', 'TM_MAD', 'BASE_PATH', 'TYPE', 'DISK_TYPE', 'STATE',
    'CLUSTERS', 'TOTAL_MB', 'FREE_MB', 'USED_MB', 'IMAGES', 'TEMPLATE',
  ]);
  const back = Datastore.fromXml(node);
  assert.equal(back.toXml(), ds.toXml());
  assert.deepEqual(back.clusterIds, [0, 5]);
  assert.deepEqual(back.fields, ds.fields);
});

test('cluster ids follow additions and removals', () => {
  const ds = imageDs();
  ds.addCluster(2);
  assert.deepEqual(ds.clusterIds, [2]);
  ds.addCluster(1);
  assert.deepEqual(ds.clusterIds, [1, 2]);
  ds.removeCluster(2);
  assert.deepEqual(ds.clusterIds, [1]);
  assert.ok(ds.hasCluster(1) && !ds.hasCluster(2));
});

test('an update that drops the drivers gets them back; one that names others changes them', () => {
  const ds = imageDs();
  ds.template = Template.parse('ONLY = "this"\nTYPE = "SYSTEM_DS"');
  ds.templateUpdated();
  assert.equal(ds.template.get('DS_MAD'), 'fs');
  assert.equal(ds.template.get('TM_MAD'), 'ssh');
  assert.equal(ds.template.get('TYPE'), 'IMAGE_DS', 'the type cannot change');
  ds.template.merge(Template.parse('TM_MAD = "shared"'));
  ds.templateUpdated();
  assert.equal(ds.fields.tmMad, 'shared');
});

test('the -d list of a driver\'s ARGUMENTS', () => {
  assert.deepEqual(dashDList('-t 15 -d dummy,fs,lvm -s shared'), ['dummy', 'fs', 'lvm']);
  assert.equal(dashDList('-t 15'), undefined);
  assert.equal(dashDList(''), undefined);
});
