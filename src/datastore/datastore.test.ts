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

test('a new datastore: BASE_PATH under the location, READY, unmonitored, its template as given', () => {
  const ds = imageDs();
  assert.equal(ds.fields.basePath, '/srv/ds/100');
  assert.equal(ds.fields.state, DatastoreState.READY);
  assert.deepEqual(ds.fields.capacity, { totalMb: 0, freeMb: 0, usedMb: 0 });
  assert.equal(ds.template.toText(), Template.parse('NOTE = "x"').toText());
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

test('replaceTemplate: the new template and drivers; a new DS_MAD forgets the capacity measured', () => {
  const ds = imageDs();
  ds.setCapacity({ totalMb: 10, freeMb: 5, usedMb: 5 });
  ds.replaceTemplate(Template.parse('A = "1"'), { dsMad: 'fs', tmMad: 'shared', diskType: 0 });
  assert.equal(ds.template.get('A'), '1');
  assert.equal(ds.fields.tmMad, 'shared');
  assert.equal(ds.fields.capacity.totalMb, 10, 'an image datastore is measured by its DS_MAD');
  ds.replaceTemplate(Template.parse('A = "2"'), { dsMad: 'dummy', tmMad: 'shared', diskType: 0 });
  assert.equal(ds.fields.capacity.totalMb, 0);
});

test('the -d list of a driver\'s ARGUMENTS', () => {
  assert.deepEqual(dashDList('-t 15 -d dummy,fs,lvm -s shared'), ['dummy', 'fs', 'lvm']);
  assert.equal(dashDList('-t 15'), undefined);
  assert.equal(dashDList(''), undefined);
});
