import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Template } from '../common/template/index.js';
import type { Database } from '../db/database.js';
import { Permissions, Transaction } from '../pool/index.js';
import { Datastore, DatastorePool, DatastoreType } from '../datastore/index.js';
import { Image, ImageState, ImageType } from './image.js';
import { ImagePool } from './image-pool.js';

const alice = { uid: 3, gid: 1, uname: 'alice', gname: 'users' };
const bob = { uid: 4, gid: 1, uname: 'bob', gname: 'users' };

function setup(): { pool: ImagePool; os: Image; cdrom: Image; pers: Image; tx: Transaction } {
  const datastores = new DatastorePool({ location: '/srv/ds' });
  const ds = Datastore.create(1, 'default', alice, Permissions.fromOctal(0o640), { dsType: DatastoreType.IMAGE_DS, dsMad: 'fs', tmMad: 'ssh' }, '/srv/ds', new Template());
  ds.addCluster(0);
  ds.addCluster(100);
  datastores.add(ds);
  const pool = new ImagePool({ datastores, userId: (u) => ({ alice: 3, bob: 4 })[u], devPrefix: 'vd', cdromDevPrefix: 'sd' });
  const make = (oid: number, name: string, who: typeof alice, type: (typeof ImageType)[keyof typeof ImageType], persistent: boolean, tmpl = '') => {
    const img = new Image(oid, name, who, Permissions.fromOctal(0o600), {
      type, diskType: 0, persistent, regtime: 1, modtime: 1, source: `/srv/ds/1/${oid}`, path: '', format: 'qcow2', fs: '', size: 10,
      state: ImageState.READY, prevState: ImageState.LOCKED, cloningOps: 0, cloningId: -1, targetSnapshot: -1, datastoreId: 1, datastore: 'default',
    }, Template.parse(tmpl));
    pool.add(img);
    return img;
  };
  const os = make(0, 'os', alice, ImageType.OS, false, 'DRIVER = "qcow2"\nTARGET = "vda"');
  const cdrom = make(1, 'iso', bob, ImageType.CDROM, false);
  const pers = make(2, 'os', bob, ImageType.DATABLOCK, true);
  return { pool, os, cdrom, pers, tx: new Transaction({} as Database) };
}

const disk = (attrs: Record<string, string>) => new Map(Object.entries(attrs));

test('resolveDisk: by IMAGE_ID, or by IMAGE of the VM owner, IMAGE_UID or IMAGE_UNAME', () => {
  const { pool, os, pers } = setup();
  assert.equal(pool.resolveDisk(disk({ IMAGE_ID: '2' }), 3), pers);
  assert.equal(pool.resolveDisk(disk({ IMAGE: 'os' }), 3), os);
  assert.equal(pool.resolveDisk(disk({ IMAGE: 'os', IMAGE_UID: '4' }), 3), pers);
  assert.equal(pool.resolveDisk(disk({ IMAGE: 'os', IMAGE_UNAME: 'bob' }), 3), pers);
  assert.throws(() => pool.resolveDisk(disk({ IMAGE_ID: '42' }), 3), /IMAGE_ID 42 does not exist/);
  assert.throws(() => pool.resolveDisk(disk({ IMAGE_ID: 'x' }), 3), /IMAGE_ID x does not exist/);
  assert.throws(() => pool.resolveDisk(disk({ IMAGE: 'iso' }), 3), /image "iso" of user 3 does not exist/);
  assert.throws(() => pool.resolveDisk(disk({ IMAGE: 'os', IMAGE_UNAME: 'carol' }), 3), /user "carol" \(IMAGE_UNAME\) does not exist/);
  assert.throws(() => pool.resolveDisk(disk({ SIZE: '10' }), 3), /needs IMAGE_ID or IMAGE/);
});

test('usableError: READY and non-persistent USED images can be attached; others say why not', () => {
  const { pool, os, pers } = setup();
  assert.equal(pool.usableError(os), null);
  os.setState(ImageState.USED);
  assert.equal(pool.usableError(os), null);
  pers.setState(ImageState.USED_PERS);
  assert.match(pool.usableError(pers) ?? '', /Cannot acquire image 2, it is persistent and already in use/);
  for (const [state, name] of [[ImageState.DISABLED, 'DISABLED'], [ImageState.LOCKED, 'LOCKED'], [ImageState.ERROR, 'ERROR']] as const) {
    os.setState(state);
    assert.equal(pool.usableError(os), `Cannot acquire image 0 in state ${name}`);
  }
});

test('acquire marks the image used by the VM and fills the DISK as OpenNebula does', () => {
  const { pool, os, tx } = setup();
  const d = disk({ IMAGE: 'os', TARGET: 'sdz' });
  pool.acquire(tx, os, 12, d);
  assert.equal(os.state, ImageState.USED);
  assert.deepEqual([...os.vms], [12]);
  assert.match(os.toXml(), /<RUNNING_VMS>1<\/RUNNING_VMS>/);
  assert.deepEqual(Object.fromEntries(d), {
    IMAGE: 'os', TARGET: 'sdz', DRIVER: 'qcow2', IMAGE_ID: '0', IMAGE_UNAME: 'alice', IMAGE_UID: '3', SOURCE: '/srv/ds/1/0', TYPE: 'FILE',
    CLONE: 'YES', SAVE: 'NO', PERSISTENT: 'NO', READONLY: 'NO', DATASTORE: 'default', DATASTORE_ID: '1', TM_MAD: 'ssh', CLUSTER_ID: '0,100',
    FORMAT: 'qcow2', SIZE: '10', DEV_PREFIX: 'vd', DISK_TYPE: 'FILE',
  });
  pool.acquire(tx, os, 13, disk({ IMAGE_ID: '0' }));
  assert.equal(os.runningVms, 2);
});

test('acquire: persistent images go USED_PERS and are saved, CDROMs are read-only with the CDROM prefix', () => {
  const { pool, cdrom, pers, tx } = setup();
  const p = disk({});
  pool.acquire(tx, pers, 1, p);
  assert.equal(pers.state, ImageState.USED_PERS);
  assert.deepEqual([p.get('CLONE'), p.get('SAVE'), p.get('PERSISTENT')], ['NO', 'YES', 'YES']);
  assert.match(pool.usableError(pers) ?? '', /persistent and already in use/);
  const c = disk({});
  pool.acquire(tx, cdrom, 1, c);
  assert.deepEqual([c.get('TYPE'), c.get('READONLY'), c.get('DEV_PREFIX')], ['CDROM', 'YES', 'sd']);
});

test('release: READY again when the last VM gives the image back; unknown ids are ignored', () => {
  const { pool, os, pers, tx } = setup();
  pool.acquire(tx, os, 1, disk({}));
  pool.acquire(tx, os, 2, disk({}));
  pool.release(tx, 0, 1);
  assert.equal(os.state, ImageState.USED);
  pool.release(tx, 0, 1);
  assert.equal(os.runningVms, 1);
  pool.release(tx, 0, 2);
  assert.deepEqual([os.state, os.runningVms], [ImageState.READY, 0]);
  pool.acquire(tx, pers, 5, disk({}));
  pool.release(tx, 2, 5);
  assert.equal(pers.state, ImageState.READY);
  pool.release(tx, 99, 1);
  // An image disabled while used stays DISABLED when released.
  pool.acquire(tx, os, 3, disk({}));
  os.setState(ImageState.DISABLED);
  pool.release(tx, 0, 3);
  assert.equal(os.state, ImageState.DISABLED);
});
