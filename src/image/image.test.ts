import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseXmlTree } from '../common/xml-tree.js';
import { Template } from '../common/template/index.js';
import { Permissions } from '../pool/index.js';
import { Image, ImageState, ImageType, diskTypeName, imageStateName, imageTypeOf, isFileType } from './image.js';

const owner = { uid: 3, gid: 1, uname: 'alice', gname: 'users' };

export function newImage(oid = 7, persistent = false): Image {
  return new Image(oid, `img-${oid}`, owner, Permissions.fromOctal(0o640), {
    type: ImageType.OS, diskType: 0, persistent, regtime: 1700000000, modtime: 1700000100, source: '/ds/1/abc', path: '/tmp/a & b.img', format: 'qcow2', fs: '',
    size: 3, state: ImageState.READY, prevState: ImageState.LOCKED, cloningOps: 0, cloningId: -1, targetSnapshot: -1, datastoreId: 1, datastore: 'default',
  }, Template.parse('DRIVER = "qcow2"\nDEV_PREFIX = "vd"'));
}

test('the IMAGE XML has OpenNebula\'s elements in order, escaped', () => {
  const img = newImage();
  img.vms.add(5).add(2);
  const x = parseXmlTree(img.toXml());
  assert.equal(x.name, 'IMAGE');
  assert.deepEqual(x.children.map((c) => c.name), [
    'ID', 'UID', 'GID', 'UNAME', 'GNAME', 'NAME', 'PERMISSIONS', 'TYPE', 'DISK_TYPE', 'PERSISTENT', 'REGTIME', 'MODTIME', 'SOURCE', 'PATH', 'FORMAT', 'FS', 'SIZE',
    'STATE', 'PREV_STATE', 'RUNNING_VMS', 'CLONING_OPS', 'CLONING_ID', 'TARGET_SNAPSHOT', 'DATASTORE_ID', 'DATASTORE', 'VMS', 'CLONES', 'APP_CLONES',
    'TEMPLATE', 'SNAPSHOTS', 'BACKUP_INCREMENTS', 'BACKUP_DISK_IDS',
  ]);
  // The lists OpenNebula 7.4 writes for an image without snapshots or backups.
  assert.match(img.toXml(), /<\/TEMPLATE><SNAPSHOTS><ALLOW_ORPHANS>NO<\/ALLOW_ORPHANS><CURRENT_BASE>-1<\/CURRENT_BASE><NEXT_SNAPSHOT>0<\/NEXT_SNAPSHOT><\/SNAPSHOTS><BACKUP_INCREMENTS><\/BACKUP_INCREMENTS><BACKUP_DISK_IDS><\/BACKUP_DISK_IDS><\/IMAGE>$/);
  assert.match(img.toXml(), /<PATH>\/tmp\/a &amp; b.img<\/PATH>/);
  assert.match(img.toXml(), /<RUNNING_VMS>2<\/RUNNING_VMS>/);
  assert.match(img.toXml(), /<VMS><ID>2<\/ID><ID>5<\/ID><\/VMS>/);
});

test('fromXml reads back what renderXml wrote, sets, lock and template included', () => {
  const img = newImage(9, true);
  img.vms.add(4);
  img.clones.add(11);
  img.lock = { level: 1, owner: 0, time: 5, reqId: 3 };
  img.changed();
  const back = Image.fromXml(parseXmlTree(img.toXml()));
  assert.equal(back.toXml(), img.toXml());
  // A row written before MODTIME existed reads it as REGTIME.
  const old = Image.fromXml(parseXmlTree(img.toXml().replace(/<MODTIME>\d+<\/MODTIME>/, '')));
  assert.equal(old.fields.modtime, img.fields.regtime);
  assert.notEqual(img.fields.modtime, img.fields.regtime);
  assert.equal(back.fields.persistent, true);
  assert.deepEqual([...back.vms], [4]);
  assert.deepEqual([...back.clones], [11]);
  assert.equal(back.template.get('DRIVER'), 'qcow2');
});

test('states: setState keeps PREV_STATE, failed puts the message in ERROR, ready clears it', () => {
  const img = newImage();
  img.setState(ImageState.LOCKED);
  assert.deepEqual([img.fields.state, img.fields.prevState], [ImageState.LOCKED, ImageState.READY]);
  img.failed('File not found: /x');
  assert.deepEqual([img.state, img.template.get('ERROR')], [ImageState.ERROR, 'File not found: /x']);
  img.ready();
  assert.deepEqual([img.state, img.template.get('ERROR')], [ImageState.READY, undefined]);
  // A driver operation that ends while VMs use the image leaves it USED.
  img.vms.add(1);
  img.setState(ImageState.LOCKED);
  img.ready();
  assert.equal(img.state, ImageState.USED);
});

test('type and state names', () => {
  assert.equal(imageTypeOf('datablock'), ImageType.DATABLOCK);
  assert.equal(imageTypeOf(' CONTEXT '), ImageType.CONTEXT);
  assert.equal(imageTypeOf('BACKUP'), undefined, 'users cannot make backups by hand');
  assert.equal(imageTypeOf('toString'), undefined);
  assert.equal(imageStateName(ImageState.USED_PERS), 'USED_PERS');
  assert.ok(isFileType(ImageType.KERNEL) && !isFileType(ImageType.CDROM));
  assert.deepEqual([diskTypeName(0), diskTypeName(2), diskTypeName(1)], ['FILE', 'BLOCK', 'CDROM']);
});
