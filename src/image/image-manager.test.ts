import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ImageManager, actionData, parseCopyReply } from './image-manager.js';
import { Template } from '../common/template/index.js';
import type { Database } from '../db/database.js';
import type { Driver, DriverReply } from '../mad/index.js';
import { Permissions } from '../pool/index.js';
import { Datastore, DatastorePool, DatastoreType } from '../datastore/index.js';
import { Image, ImageState, ImageType, type ImageStateValue } from './image.js';
import { ImagePool } from './image-pool.js';
import type { Logger } from '../common/log.js';

test('action data is base64 of DS_DRIVER_ACTION_DATA around the elements', () => {
  const data = actionData('<IMAGE><ID>1</ID></IMAGE>', '<DATASTORE><ID>2</ID></DATASTORE>');
  assert.equal(Buffer.from(data, 'base64').toString(), '<DS_DRIVER_ACTION_DATA><IMAGE><ID>1</ID></IMAGE><DATASTORE><ID>2</ID></DATASTORE></DS_DRIVER_ACTION_DATA>');
  assert.match(data, /^[A-Za-z0-9+/=]+$/);
});

test('CP/CLONE replies: source, format and KEY=VALUE words for the template', () => {
  assert.deepEqual(parseCopyReply('/ds/1/abc raw MD5=aa SHA1=bb'), { source: '/ds/1/abc', format: 'raw', attributes: [['MD5', 'aa'], ['SHA1', 'bb']] });
  assert.deepEqual(parseCopyReply('dummy_path raw'), { source: 'dummy_path', format: 'raw', attributes: [] });
  assert.deepEqual(parseCopyReply('/ds/1/x'), { source: '/ds/1/x', format: '', attributes: [] });
  assert.deepEqual(parseCopyReply('/s qcow2 junk lower=1 =x'), { source: '/s', format: 'qcow2', attributes: [] });
});

// The manager against a fake driver and database: what each reply does to the pools.
const owner = { uid: 0, gid: 0, uname: 'oneadmin', gname: 'oneadmin' };
const silentLog = { info() {}, error() {}, debug() {}, warn() {}, log() {} } as unknown as Logger;

function harness(answer: (action: string, id: number, xml: string) => DriverReply | Promise<DriverReply>, withDriver = true) {
  const datastores = new DatastorePool({ location: '/srv/ds' });
  const ds = Datastore.create(1, 'default', owner, Permissions.fromOctal(0o640), { dsType: DatastoreType.IMAGE_DS, dsMad: 'fs', tmMad: 'ssh' }, '/srv/ds', new Template());
  const sys = Datastore.create(0, 'system', owner, Permissions.fromOctal(0o640), { dsType: DatastoreType.SYSTEM_DS, dsMad: '-', tmMad: 'ssh' }, '/srv/ds', new Template());
  datastores.add(sys);
  datastores.add(ds);
  const images = new ImagePool({ datastores, userId: () => undefined });
  const calls: { action: string; id: number; xml: string }[] = [];
  let driverState = 'ready';
  const driver = {
    get state() {
      return driverState;
    },
    request: async (action: string, id: number, args: readonly string[]) => {
      const xml = Buffer.from(args[0]!, 'base64').toString();
      calls.push({ action, id, xml });
      return answer(action, id, xml);
    },
  } as unknown as Driver;
  let writes = 0;
  const db = { write: async () => void writes++ } as unknown as Database;
  const manager = new ImageManager({ images, datastores, db, log: silentLog, driver: withDriver ? driver : undefined, monitorIntervalSec: 300, location: '/srv/ds' });
  const add = (oid: number, state: ImageStateValue, path = '/tmp/a.img') => {
    const img = new Image(oid, `i${oid}`, owner, Permissions.fromOctal(0o600), {
      type: ImageType.OS, diskType: 0, persistent: false, regtime: 1, modtime: 1, source: state === ImageState.LOCKED ? '' : `/srv/ds/1/${oid}`, path, format: '', fs: '', size: 1,
      state, prevState: ImageState.INIT, cloningOps: 0, cloningId: -1, targetSnapshot: -1, datastoreId: 1, datastore: 'default',
    }, new Template());
    images.add(img);
    ds.images.add(oid);
    return img;
  };
  const setDriverState = (state: string) => void (driverState = state);
  return { datastores, ds, sys, images, manager, calls, add, writes: () => writes, setDriverState };
}

test('register: CP with the image and datastore XML; success makes it READY with SOURCE, FORMAT and checksums', async () => {
  const h = harness(() => ({ ok: true, info: '/srv/ds/1/f00 qcow2 MD5=abc SHA1=def', logs: [] }));
  const img = h.add(5, ImageState.LOCKED);
  h.manager.register(img, h.ds);
  await h.manager.stop();
  assert.equal(h.calls[0]!.action, 'CP');
  assert.equal(h.calls[0]!.id, 5);
  assert.match(h.calls[0]!.xml, /^<DS_DRIVER_ACTION_DATA><IMAGE><ID>5<\/ID>.*<\/IMAGE><DATASTORE><ID>1<\/ID>.*<\/DATASTORE><\/DS_DRIVER_ACTION_DATA>$/);
  const after = h.images.get(5)!;
  assert.deepEqual([after.state, after.fields.source, after.fields.format, after.template.get('MD5'), after.template.get('SHA1')], [ImageState.READY, '/srv/ds/1/f00', 'qcow2', 'abc', 'def']);
  assert.equal(h.writes(), 1);
});

test('register: an empty datablock is MKFS; a failure puts the driver\'s message in ERROR', async () => {
  const h = harness(() => ({ ok: false, info: 'Unknown FS zfs', logs: [] }));
  const img = h.add(6, ImageState.LOCKED, '');
  h.manager.register(img, h.ds);
  await h.manager.stop();
  assert.equal(h.calls[0]!.action, 'MKFS');
  assert.deepEqual([h.images.get(6)!.state, h.images.get(6)!.template.get('ERROR')], [ImageState.ERROR, 'Unknown FS zfs']);
});

test('without a DATASTORE_MAD every operation fails, saying so', async () => {
  const h = harness(() => assert.fail('no driver'), false);
  const img = h.add(7, ImageState.LOCKED);
  h.manager.register(img, h.ds);
  await h.manager.stop();
  assert.match(h.images.get(7)!.template.get('ERROR') ?? '', /No DATASTORE_MAD/);
});

test('clone: the reply readies the clone and lets the source leave CLONE after its last clone', async () => {
  const h = harness((_a, id) => ({ ok: true, info: `/srv/ds/1/c${id} raw`, logs: [] }));
  const src = h.add(1, ImageState.CLONE);
  src.fields.cloningOps = 2;
  src.clones.add(2).add(3);
  const c2 = h.add(2, ImageState.LOCKED, '');
  c2.fields.cloningId = 1;
  h.manager.clone(c2, src, h.ds);
  await h.manager.stop();
  assert.match(h.calls[0]!.xml, /<IMAGE><ID>1<\/ID>/, 'the driver gets the source image');
  assert.deepEqual([h.images.get(2)!.state, h.images.get(2)!.fields.source, h.images.get(2)!.fields.cloningId], [ImageState.READY, '/srv/ds/1/c2', -1]);
  assert.deepEqual([h.images.get(1)!.state, h.images.get(1)!.fields.cloningOps, [...h.images.get(1)!.clones]], [ImageState.CLONE, 1, [3]]);
  const c3 = h.add(3, ImageState.LOCKED, '');
  h.manager.clone(c3, h.images.get(1)!, h.ds);
  await h.manager.stop();
  assert.deepEqual([h.images.get(1)!.state, h.images.get(1)!.fields.cloningOps], [ImageState.READY, 0]);
});

test('remove: RM, then the image leaves the pool and its datastore even when the driver fails', async () => {
  const h = harness(() => ({ ok: false, info: 'rm: permission denied', logs: [] }));
  const img = h.add(4, ImageState.DELETE);
  h.manager.remove(img, h.ds);
  await h.manager.stop();
  assert.equal(h.calls[0]!.action, 'RM');
  assert.equal(h.images.get(4), undefined);
  assert.equal(h.ds.images.has(4), false);
});

test('monitoring: every datastore at start, system ones with DATASTORE_LOCATION; the capacity lands in the datastore', async () => {
  const monitor = Buffer.from('USED_MB=10\nTOTAL_MB=100\nFREE_MB=90\n').toString('base64');
  const h = harness(() => ({ ok: true, info: monitor, logs: [] }));
  h.manager.start();
  await h.manager.stop();
  assert.deepEqual(h.calls.map((c) => [c.action, c.id]).sort(), [['MONITOR', 0], ['MONITOR', 1]]);
  assert.match(h.calls.find((c) => c.id === 0)!.xml, /<DATASTORE_LOCATION>\/srv\/ds<\/DATASTORE_LOCATION>/);
  assert.doesNotMatch(h.calls.find((c) => c.id === 1)!.xml, /DATASTORE_LOCATION/);
  for (const ds of [h.ds, h.sys]) assert.deepEqual(ds.fields.capacity, { totalMb: 100, freeMb: 90, usedMb: 10 });
  assert.match(h.ds.toXml(), /<TOTAL_MB>100<\/TOTAL_MB><FREE_MB>90<\/FREE_MB><USED_MB>10<\/USED_MB>/);
});

test('stat: the size in MB, or the driver\'s message', async () => {
  const h = harness((_a, _id, xml) => (xml.includes('/big') ? { ok: true, info: '2048', logs: [] } : { ok: false, info: 'no such file', logs: [] }));
  assert.deepEqual(await h.manager.stat(Template.parse('PATH = "/big"'), h.ds), { ok: true, sizeMb: 2048 });
  assert.deepEqual(await h.manager.stat(Template.parse('PATH = "/other"'), h.ds), { ok: false, message: 'no such file' });
  assert.equal(h.calls[0]!.id, -1);
});

test('resume after a restart: CP, MKFS, CLONE and RM issued again for the images left waiting; the replies end them as usual', async () => {
  const h = harness((action, id) => ({ ok: true, info: action === 'RM' ? '' : `/srv/ds/1/new${id} raw`, logs: [] }));
  h.add(10, ImageState.LOCKED, '/var/tmp/a.img');
  h.add(11, ImageState.LOCKED, '');
  const src = h.add(12, ImageState.CLONE);
  src.fields.cloningOps = 1;
  src.clones.add(13);
  h.add(13, ImageState.LOCKED, '').fields.cloningId = 12;
  h.add(14, ImageState.DELETE);
  h.add(15, ImageState.READY);
  h.manager.resume();
  await h.manager.stop();
  assert.deepEqual(h.calls.map((c) => [c.action, c.id]).sort(), [['CLONE', 13], ['CP', 10], ['MKFS', 11], ['RM', 14]]);
  assert.match(h.calls.find((c) => c.action === 'CLONE')!.xml, /<IMAGE><ID>12<\/ID>/, 'CLONE copies the source image');
  for (const id of [10, 11, 13]) assert.deepEqual([h.images.get(id)!.state, h.images.get(id)!.fields.source], [ImageState.READY, `/srv/ds/1/new${id}`]);
  assert.deepEqual([h.images.get(12)!.state, h.images.get(12)!.fields.cloningOps, h.images.get(12)!.clones.size], [ImageState.READY, 0, 0]);
  assert.equal(h.images.get(14), undefined);
  assert.equal(h.ds.images.has(14), false);
  assert.equal(h.images.get(15)!.state, ImageState.READY, 'settled images are left alone');
});

test('resume: a retry that fails says the operation was interrupted by a restart; a clone whose source is gone fails at once', async () => {
  const h = harness(() => ({ ok: false, info: 'File not found: /var/tmp/a.img', logs: [] }));
  h.add(20, ImageState.LOCKED, '/var/tmp/a.img');
  h.add(21, ImageState.LOCKED, '').fields.cloningId = 99;
  // A source whose clone ended already (the restart came between): it is READY again.
  const src = h.add(22, ImageState.CLONE);
  src.fields.cloningOps = 1;
  src.clones.add(23);
  h.add(23, ImageState.READY);
  h.manager.resume();
  await h.manager.stop();
  assert.deepEqual(h.calls.map((c) => [c.action, c.id]), [['CP', 20]]);
  assert.deepEqual([h.images.get(20)!.state, h.images.get(20)!.template.get('ERROR')], [ImageState.ERROR, 'CP was interrupted by a restart of oned and failed when issued again: File not found: /var/tmp/a.img']);
  assert.equal(h.images.get(21)!.state, ImageState.ERROR);
  assert.match(h.images.get(21)!.template.get('ERROR') ?? '', /^CLONE was interrupted by a restart of oned and cannot be retried: the image it was cloned from \(99\) no longer exists\. Delete the image/);
  assert.deepEqual([h.images.get(22)!.state, h.images.get(22)!.fields.cloningOps, h.images.get(22)!.clones.size], [ImageState.READY, 0, 0]);
});

test('stop: operations the stopping driver cuts short leave their images LOCKED or in DELETE, for the next start', async () => {
  let release: (r: DriverReply) => void = () => {};
  const h = harness(() => new Promise<DriverReply>((r) => (release = r)));
  const img = h.add(30, ImageState.LOCKED);
  h.manager.register(img, h.ds);
  const stopped = h.manager.stop();
  h.setDriverState('stopping');
  release({ ok: false, info: 'Driver one_datastore stopped', logs: [] });
  await stopped;
  assert.deepEqual([h.images.get(30)!.state, h.images.get(30)!.template.get('ERROR')], [ImageState.LOCKED, undefined]);
  const doomed = h.add(31, ImageState.DELETE);
  h.manager.remove(doomed, h.ds);
  release({ ok: false, info: 'Driver one_datastore stopped', logs: [] });
  await h.manager.stop();
  assert.equal(h.images.get(31)!.state, ImageState.DELETE, 'still in the pool, RM resumed at the next start');
});
