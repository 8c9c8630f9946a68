/**
 * Images over raw XML-RPC: registering a real file into an `fs` datastore (the file copied, its
 * size and checksums in the image), into a `dummy` one, empty datablocks, clone, enable,
 * persistent, chtype, delete (the file removed), bad input and the driver's failures, DATASTORE
 * quotas, datastore capacity from monitoring, the default datastores' RESTRICTED_DIRS/SAFE_DIRS,
 * and recursive template clone/delete.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { childInt, childText, type XmlNode } from '../../src/common/xml-tree.js';
import type { Oned } from './harness.js';
import { Code, addUser, all, idList, must, okId, okXml, onFeatureBackends, refused, templateOf } from './api-helpers.js';

const State = { READY: 1, DISABLED: 3, LOCKED: 4, ERROR: 5 } as const;

const image = (oned: Oned, id: number, session?: string) => okXml(oned, 'one.image.info', [id], session);

/** Polls until the image leaves LOCKED/DELETE (or `want` holds); returns its last XML. */
async function settled(oned: Oned, id: number, want: (img: XmlNode) => boolean = (i) => ![State.LOCKED, 7].includes(childInt(i, 'STATE') as 4)): Promise<XmlNode> {
  for (let i = 0; i < 200; i++) {
    const img = await image(oned, id);
    if (want(img)) return img;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`image ${id} did not settle: ${JSON.stringify(templateOf(await image(oned, id)))}`);
}

/** Polls until the image is gone (RM answered). */
async function gone(oned: Oned, id: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const r = await oned.call('one.image.info', [id]);
    if (r[0] === false) {
      assert.equal(r[2], Code.NO_EXISTS);
      return;
    }
    await new Promise((res) => setTimeout(res, 100));
  }
  assert.fail(`image ${id} was not removed`);
}

/** Polls until a datastore has been monitored; returns its XML. */
async function monitored(oned: Oned, ds: number): Promise<XmlNode> {
  for (let i = 0; i < 200; i++) {
    const x = await okXml(oned, 'one.datastore.info', [ds]);
    if (childInt(x, 'TOTAL_MB') > 0) return x;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`datastore ${ds} was never monitored`);
}

let dir = '';
before(() => {
  // In /var/tmp, the SAFE_DIRS of the default datastores: files there may be registered.
  dir = mkdtempSync(join('/var/tmp', 'nebula-images-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** A file of `mb` MB (+ a few bytes) of random data, and its checksums. */
function dataFile(name: string, mb: number): { path: string; md5: string; sha1: string; bytes: Buffer } {
  const bytes = Buffer.concat([randomBytes(mb * 1048576 - 1000), Buffer.from(name)]);
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return { path, bytes, md5: createHash('md5').update(bytes).digest('hex'), sha1: createHash('sha1').update(bytes).digest('hex') };
}

onFeatureBackends('images', (get) => {
  let fsDs = -1;
  let dummyDs = -1;

  before(async () => {
    const oned = get();
    fsDs = await okId(oned, 'one.datastore.allocate', [`NAME = "img-fs"\nDS_MAD = "fs"\nTM_MAD = "ssh"\nRESTRICTED_DIRS = "/etc"\nSAFE_DIRS = "/etc/nebula-safe ${dir}"`, -1]);
    dummyDs = await okId(oned, 'one.datastore.allocate', ['NAME = "img-dummy"\nDS_MAD = "dummy"\nTM_MAD = "dummy"', -1]);
    // Every user may use both (OTHER_U).
    for (const ds of [fsDs, dummyDs]) await okId(oned, 'one.datastore.chmod', [ds, -1, -1, -1, -1, -1, -1, 1, -1, -1]);
  });

  test('datastore capacity appears after monitoring: fs and system datastores measure their filesystem, dummy reports its fixed size', async () => {
    const oned = get();
    for (const ds of [fsDs, 0]) {
      const x = await monitored(oned, ds);
      const [total, free, used] = ['TOTAL_MB', 'FREE_MB', 'USED_MB'].map((k) => childInt(x, k));
      assert.ok(total! > 0 && free! <= total! && used! <= total!, `datastore ${ds}: ${total} ${free} ${used}`);
      assert.ok(existsSync(childText(x, 'BASE_PATH')), 'monitor creates the BASE_PATH');
    }
    const dummy = await monitored(oned, dummyDs);
    assert.deepEqual(['TOTAL_MB', 'FREE_MB', 'USED_MB'].map((k) => childInt(dummy, k)), [1048576, 1048576, 0]);
  });

  test('allocate from a file into an fs datastore: LOCKED, then READY with the file copied, SIZE, FORMAT, MD5 and SHA1', async () => {
    const oned = get();
    const file = dataFile('disk-a.img', 3);
    const id = await okId(oned, 'one.image.allocate', [`NAME = "disk-a"\nPATH = "${file.path}"\nDESCRIPTION = "first"`, fsDs]);
    const img = await settled(oned, id);
    assert.deepEqual(img.children.map((c) => c.name), [
      'ID', 'UID', 'GID', 'UNAME', 'GNAME', 'NAME', 'PERMISSIONS', 'TYPE', 'DISK_TYPE', 'PERSISTENT', 'REGTIME', 'MODTIME', 'SOURCE', 'PATH', 'FORMAT', 'FS',
      'SIZE', 'STATE', 'PREV_STATE', 'RUNNING_VMS', 'CLONING_OPS', 'CLONING_ID', 'TARGET_SNAPSHOT', 'DATASTORE_ID', 'DATASTORE', 'VMS', 'CLONES',
      'APP_CLONES', 'TEMPLATE', 'SNAPSHOTS', 'BACKUP_INCREMENTS', 'BACKUP_DISK_IDS',
    ]);
    assert.ok(childInt(img, 'MODTIME') >= childInt(img, 'REGTIME'), 'MODTIME: when the copy was stored');
    assert.deepEqual([all(img, 'BACKUP_INCREMENTS')[0]?.children.length, all(img, 'BACKUP_DISK_IDS')[0]?.children.length], [0, 0]);
    assert.equal(childInt(img, 'STATE'), State.READY, JSON.stringify(templateOf(img)));
    assert.equal(childInt(img, 'PREV_STATE'), State.LOCKED, 'the image was LOCKED while copied');
    assert.deepEqual([childInt(img, 'TYPE'), childInt(img, 'PERSISTENT'), childInt(img, 'SIZE'), childText(img, 'FORMAT')], [0, 0, 3, 'raw']);
    assert.equal(childText(img, 'PATH'), file.path);
    assert.deepEqual([childInt(img, 'DATASTORE_ID'), childText(img, 'DATASTORE')], [fsDs, 'img-fs']);
    const ds = await okXml(oned, 'one.datastore.info', [fsDs]);
    const source = childText(img, 'SOURCE');
    assert.ok(source.startsWith(`${childText(ds, 'BASE_PATH')}/`), source);
    assert.notEqual(source, file.path);
    assert.deepEqual(readFileSync(source), file.bytes);
    const t = templateOf(img);
    assert.deepEqual([t.MD5, t.SHA1, t.DESCRIPTION], [file.md5, file.sha1, 'first']);
    // What oned adds to the template (7.4 does the same): the DEV_PREFIX of oned.conf; TYPE, PATH and the like are elements, not attributes.
    assert.deepEqual(Object.keys(t).sort(), ['DESCRIPTION', 'DEV_PREFIX', 'MD5', 'SHA1']);
    assert.equal(t.DEV_PREFIX, 'hd');
    assert.ok(idList(ds, 'IMAGES').includes(id));
    const pool = await okXml(oned, 'one.imagepool.info', [-2, -1, -1]);
    assert.equal(pool.name, 'IMAGE_POOL');
    assert.ok(all(pool, 'IMAGE').some((i) => childInt(i, 'ID') === id));
  });

  test('allocate into a dummy datastore: READY with the dummy driver\'s source and size', async () => {
    const oned = get();
    const id = await okId(oned, 'one.image.allocate', ['NAME = "dummy-a"\nPATH = "/nowhere/at/all.img"\nTYPE = "cdrom"', dummyDs]);
    const img = await settled(oned, id);
    assert.deepEqual([childInt(img, 'STATE'), childText(img, 'SOURCE'), childInt(img, 'SIZE'), childInt(img, 'TYPE')], [State.READY, 'dummy_path', 1024, 1]);
    // The reference's call (037): an OS image with PATH and SIZE; the size is what STAT measured, as in 7.4.
    const os = await okId(oned, 'one.image.allocate', ['NAME="os-ref"\nPATH="/var/tmp/none.img"\nTYPE="OS"\nSIZE="200"', dummyDs, true]);
    const o = await settled(oned, os);
    assert.deepEqual([childInt(o, 'STATE'), childInt(o, 'TYPE'), childInt(o, 'SIZE'), childText(o, 'PATH'), templateOf(o)], [State.READY, 0, 1024, '/var/tmp/none.img', { DEV_PREFIX: 'hd' }]);
  });

  test('template defaults: DEV_PREFIX unless given (none for files), no DRIVER or TM_MAD of the user\'s, the datastore\'s DRIVER for an empty image', async () => {
    const oned = get();
    const cd = await okId(oned, 'one.image.allocate', ['NAME = "tpl-cd"\nPATH = "/x.iso"\nTYPE = "CDROM"\nDRIVER = "vmdk"\nTM_MAD = "ssh"', dummyDs]);
    assert.deepEqual(templateOf(await settled(oned, cd)), { DEV_PREFIX: 'hd' });
    const own = await okId(oned, 'one.image.allocate', ['NAME = "tpl-vd"\nPATH = "/x.img"\nDEV_PREFIX = "vd"', dummyDs]);
    assert.deepEqual(templateOf(await settled(oned, own)), { DEV_PREFIX: 'vd' });
    const qcow = await okId(oned, 'one.datastore.allocate', ['NAME = "img-dummy-qcow2"\nDS_MAD = "dummy"\nTM_MAD = "qcow2"', -1]);
    const blank = await okId(oned, 'one.image.allocate', ['NAME = "tpl-blank"\nTYPE = "DATABLOCK"\nSIZE = 10\nFORMAT = "raw"', qcow]);
    const b = await settled(oned, blank);
    assert.deepEqual([childText(b, 'FORMAT'), templateOf(b)], ['qcow2', { DEV_PREFIX: 'hd', DRIVER: 'qcow2' }], 'the qcow2 driver makes qcow2 images');
    const copied = await okId(oned, 'one.image.allocate', ['NAME = "tpl-copied"\nPATH = "/x.img"', qcow]);
    assert.equal(templateOf(await settled(oned, copied)).DRIVER, undefined, 'a copied file keeps the format it has');
  });

  test('an empty DATABLOCK of SIZE MB is made by MKFS', async () => {
    const oned = get();
    const id = await okId(oned, 'one.image.allocate', ['NAME = "blank"\nTYPE = "DATABLOCK"\nSIZE = 5', fsDs]);
    const img = await settled(oned, id);
    assert.equal(childInt(img, 'STATE'), State.READY, JSON.stringify(templateOf(img)));
    assert.deepEqual([childInt(img, 'TYPE'), childInt(img, 'SIZE'), childText(img, 'FORMAT'), childText(img, 'PATH')], [2, 5, 'raw', '']);
    assert.equal(statSync(childText(img, 'SOURCE')).size, 5 * 1048576);
  });

  test('clone copies the source file into a new image; the source is back to READY afterwards', async () => {
    const oned = get();
    const file = dataFile('disk-c.img', 1);
    const src = await okId(oned, 'one.image.allocate', [`NAME = "to-clone"\nPATH = "${file.path}"`, fsDs]);
    await settled(oned, src);
    const id = await okId(oned, 'one.image.clone', [src, 'the-clone', -1]);
    const clone = await settled(oned, id);
    assert.equal(childInt(clone, 'STATE'), State.READY, JSON.stringify(templateOf(clone)));
    const source = await settled(oned, src, (i) => childInt(i, 'CLONING_OPS') === 0);
    assert.equal(childInt(source, 'STATE'), State.READY);
    assert.deepEqual(idList(source, 'CLONES'), []);
    assert.notEqual(childText(clone, 'SOURCE'), childText(source, 'SOURCE'));
    assert.deepEqual(readFileSync(childText(clone, 'SOURCE')), file.bytes);
    assert.deepEqual([childInt(clone, 'SIZE'), childInt(clone, 'DATASTORE_ID')], [1, fsDs]);
    await refused(oned, 'one.image.clone', [src, 'the-clone', -1], Code.ALLOCATE, /NAME is already taken/);
    await refused(oned, 'one.image.clone', [src, 'to-dummy', dummyDs], Code.ALLOCATE, /same DS_MAD/);
    await refused(oned, 'one.image.clone', [src, 'to-system', 0], Code.ALLOCATE, /image datastores/);
    await refused(oned, 'one.image.clone', [9999, 'nothing', -1], Code.NO_EXISTS, /image \[9999\]/);
  });

  test('enable/disable, persistent and chtype', async () => {
    const oned = get();
    const id = await okId(oned, 'one.image.allocate', ['NAME = "switches"\nPATH = "/x.img"', dummyDs]);
    await settled(oned, id);
    await okId(oned, 'one.image.enable', [id, false]);
    assert.equal(childInt(await image(oned, id), 'STATE'), State.DISABLED);
    await okId(oned, 'one.image.enable', [id, true]);
    assert.equal(childInt(await image(oned, id), 'STATE'), State.READY);
    await okId(oned, 'one.image.persistent', [id, true]);
    assert.equal(childInt(await image(oned, id), 'PERSISTENT'), 1);
    await okId(oned, 'one.image.persistent', [id, false]);
    assert.equal(childInt(await image(oned, id), 'PERSISTENT'), 0);
    await okId(oned, 'one.image.chtype', [id, 'datablock']);
    assert.equal(childInt(await image(oned, id), 'TYPE'), 2);
    await refused(oned, 'one.image.chtype', [id, 'FLOPPY'], Code.ACTION, /Unknown image type "FLOPPY"/);
    await refused(oned, 'one.image.chtype', [id, 'KERNEL'], Code.ACTION, /cannot be registered in an IMAGE_DS/);
    // Files live in the files datastore and cannot be persistent.
    const file = dataFile('ctx.sh', 1);
    const ctx = await okId(oned, 'one.image.allocate', [`NAME = "ctx"\nTYPE = "CONTEXT"\nPATH = "${file.path}"`, 2]);
    assert.equal(childInt(await settled(oned, ctx), 'STATE'), State.READY);
    await refused(oned, 'one.image.persistent', [ctx, true], Code.ACTION, /cannot be persistent/);
    await refused(oned, 'one.image.allocate', [`NAME = "os-in-files"\nPATH = "${file.path}"`, 2], Code.ALLOCATE, /Only images of type KERNEL, RAMDISK and CONTEXT/);
  });

  test('delete removes the file and the image, and takes it out of its datastore', async () => {
    const oned = get();
    const file = dataFile('disk-d.img', 1);
    const id = await okId(oned, 'one.image.allocate', [`NAME = "doomed"\nPATH = "${file.path}"`, fsDs]);
    const source = childText(await settled(oned, id), 'SOURCE');
    assert.ok(existsSync(source));
    await okId(oned, 'one.image.delete', [id]);
    await gone(oned, id);
    assert.equal(existsSync(source), false, 'the stored file is removed');
    assert.ok(existsSync(file.path), 'the original is left alone');
    assert.equal(idList(await okXml(oned, 'one.datastore.info', [fsDs]), 'IMAGES').includes(id), false);
  });

  test('bad input: unknown or system datastore, no PATH, bad TYPE or SIZE; a missing file ends in ERROR with the driver\'s message', async () => {
    const oned = get();
    await refused(oned, 'one.image.allocate', ['NAME = "x"\nPATH = "/x"', 9999], Code.NO_EXISTS, /datastore \[9999\]/);
    await refused(oned, 'one.image.allocate', ['NAME = "x"\nPATH = "/x"', 0], Code.ALLOCATE, /cannot be allocated in a system datastore/);
    await refused(oned, 'one.image.allocate', ['NAME = "x"', fsDs], Code.ALLOCATE, /No PATH in template/);
    await refused(oned, 'one.image.allocate', ['PATH = "/x"', fsDs], Code.ALLOCATE, /No NAME/);
    await refused(oned, 'one.image.allocate', ['NAME = "x"\nPATH = "/x"\nTYPE = "TAPE"', fsDs], Code.ALLOCATE, /Unknown image TYPE "TAPE"/);
    await refused(oned, 'one.image.allocate', ['NAME = "x"\nTYPE = "DATABLOCK"\nSIZE = "big"', fsDs], Code.ALLOCATE, /needs SIZE/);
    await refused(oned, 'one.image.allocate', ['NAME = "dummy-a"\nPATH = "/x"', dummyDs], Code.ALLOCATE, /NAME is already taken/);
    const missing = join(dir, 'not-there.img');
    const id = await okId(oned, 'one.image.allocate', [`NAME = "missing"\nPATH = "${missing}"`, fsDs]);
    const img = await settled(oned, id);
    assert.equal(childInt(img, 'STATE'), State.ERROR);
    assert.match(templateOf(img).ERROR ?? '', new RegExp(`File not found: ${missing}`));
    await refused(oned, 'one.image.enable', [id, true], Code.ACTION, /in state ERROR/);
    // Files in the datastore's RESTRICTED_DIRS (and not in its SAFE_DIRS) are refused at once.
    await refused(oned, 'one.image.allocate', ['NAME = "secret"\nPATH = "/etc/passwd"', fsDs], Code.ALLOCATE, /Not allowed to copy image file \/etc\/passwd: it is in a restricted directory \(\/etc\)/);
    // A failed image can be deleted.
    await okId(oned, 'one.image.delete', [id]);
    await gone(oned, id);
  });

  test('default datastores: users register files from /var/tmp only; .. and symbolic links do not get around it', async () => {
    const oned = get();
    const u = await addUser(oned, 'img-safe');
    for (const ds of [1, 2]) {
      const t = templateOf(await okXml(oned, 'one.datastore.info', [ds]));
      assert.deepEqual([t.RESTRICTED_DIRS, t.SAFE_DIRS], ['/', '/var/tmp'], `datastore ${ds}`);
      await okId(oned, 'one.datastore.chmod', [ds, -1, -1, -1, -1, -1, -1, 1, -1, -1]);
    }
    const reason = (path: string) => new RegExp(`Not allowed to copy image file ${path.replace(/[./]/g, '\\$&')}: it is in a restricted directory \\(/\\); files can be registered from the datastore's SAFE_DIRS \\(/var/tmp\\)`);
    const links = mkdtempSync(join(dir, 'links-'));
    const link = join(links, 'passwd-link');
    symlinkSync('/etc/passwd', link);
    const outside = join(mkdtempSync(join(tmpdir(), 'nebula-outside-')), 'disk.img');
    writeFileSync(outside, Buffer.alloc(4096, 2));
    for (const path of ['/etc/passwd', '/etc/shadow', `${dir}/../../../etc/passwd`, '/var/tmp/../../etc/passwd', link, outside]) {
      await refused(oned, 'one.image.allocate', [`NAME = "stolen"\nPATH = "${path}"`, 1], Code.ALLOCATE, reason(path), u.session);
    }
    await refused(oned, 'one.image.allocate', ['NAME = "stolen"\nTYPE = "CONTEXT"\nPATH = "/etc/passwd"', 2], Code.ALLOCATE, reason('/etc/passwd'), u.session);
    assert.equal(all(await okXml(oned, 'one.imagepool.info', [-2, -1, -1], u.session), 'IMAGE').length, 0, 'nothing was registered');
    // A file in /var/tmp, also through a link that stays there, is copied.
    const file = dataFile('upload.img', 1);
    const inside = join(links, 'upload-link');
    symlinkSync(file.path, inside);
    for (const [name, path] of [['upload', file.path], ['upload-2', inside]]) {
      const id = await okId(oned, 'one.image.allocate', [`NAME = "${name}"\nPATH = "${path}"`, 1], u.session);
      const img = await settled(oned, id);
      assert.equal(childInt(img, 'STATE'), State.READY, JSON.stringify(templateOf(img)));
      assert.deepEqual(readFileSync(childText(img, 'SOURCE')), file.bytes);
    }
  });

  test('the Go client\'s image test, call by call: a 1 MB DATABLOCK in the default datastore, chown, delete (its chown to user 1 aside)', async () => {
    const oned = get();
    const id = await okId(oned, 'one.image.allocate', ['\nNAME = "test-image"\nSIZE = 1\nTYPE = "DATABLOCK"\n', 1]);
    const pool = await okXml(oned, 'one.imagepool.info', [-2, -1, -1]);
    assert.deepEqual(all(pool, 'IMAGE').filter((i) => childText(i, 'NAME') === 'test-image').map((i) => childInt(i, 'ID')), [id]);
    const img = await settled(oned, id);
    assert.equal(childInt(img, 'STATE'), State.READY, JSON.stringify(templateOf(img)));
    await okId(oned, 'one.image.chown', [id, -1, -1]);
    const mine = await image(oned, id);
    assert.deepEqual([childText(mine, 'UNAME'), childText(mine, 'GNAME')], ['oneadmin', 'oneadmin']);
    const user = await addUser(oned, 'goca-img-owner');
    await okId(oned, 'one.image.chown', [id, user.id, 1]);
    const theirs = await image(oned, id);
    assert.deepEqual([childText(theirs, 'UNAME'), childText(theirs, 'GNAME')], ['goca-img-owner', 'users']);
    await okId(oned, 'one.image.delete', [id]);
    await gone(oned, id);
  });

  test('capacity: an image larger than the datastore\'s FREE_MB is refused unless skip_capacity_check', async () => {
    const oned = get();
    await monitored(oned, dummyDs);
    await refused(oned, 'one.image.allocate', ['NAME = "huge"\nTYPE = "DATABLOCK"\nSIZE = 2000000', dummyDs], Code.ALLOCATE, /Not enough space in datastore/);
    const id = await okId(oned, 'one.image.allocate', ['NAME = "huge"\nTYPE = "DATABLOCK"\nSIZE = 2000000', dummyDs, true]);
    assert.equal(childInt(await settled(oned, id), 'STATE'), State.READY);
  });

  test('quotas: images count in the owner\'s DATASTORE quota, refused past the limit, given back on delete', async () => {
    const oned = get();
    const u = await addUser(oned, 'img-quota');
    await okId(oned, 'one.user.quota', [u.id, `DATASTORE = [ ID = ${dummyDs}, IMAGES = 1, SIZE = -2 ]`]);
    const first = await okId(oned, 'one.image.allocate', ['NAME = "q1"\nPATH = "/q1"', dummyDs], u.session);
    assert.equal(childText(await settled(oned, first), 'UNAME'), 'img-quota');
    const q = must(must(await okXml(oned, 'one.user.info', [u.id]), 'DATASTORE_QUOTA'), 'DATASTORE');
    assert.deepEqual([childInt(q, 'IMAGES_USED'), childInt(q, 'SIZE_USED')], [1, 1024]);
    await refused(oned, 'one.image.allocate', ['NAME = "q2"\nPATH = "/q2"', dummyDs], Code.ALLOCATE, /User \[\d+\].*limit.*IMAGES|IMAGES.*limit/i, u.session);
    await okId(oned, 'one.image.delete', [first], u.session);
    await gone(oned, first);
    const again = await okId(oned, 'one.image.allocate', ['NAME = "q2"\nPATH = "/q2"', dummyDs], u.session);
    await settled(oned, again);
    // Another user cannot see or change it.
    const other = await addUser(oned, 'img-other');
    await refused(oned, 'one.image.delete', [again], Code.AUTHORIZATION, /Not authorized/, other.session);
    // chown moves the usage: refused when the new owner has no room, else given from one to the other.
    const used = async (uid: number) => childInt(must(must(await okXml(oned, 'one.user.info', [uid]), 'DATASTORE_QUOTA'), 'DATASTORE'), 'IMAGES_USED');
    await okId(oned, 'one.user.quota', [other.id, `DATASTORE = [ ID = ${dummyDs}, IMAGES = 0 ]`]);
    await refused(oned, 'one.image.chown', [again, other.id, -1], Code.ACTION, /IMAGES/);
    assert.equal(await used(u.id), 1);
    await okId(oned, 'one.user.quota', [other.id, `DATASTORE = [ ID = ${dummyDs}, IMAGES = 5 ]`]);
    await okId(oned, 'one.image.chown', [again, other.id, -1]);
    assert.deepEqual([await used(u.id), await used(other.id)], [0, 1]);
  });

  test('recursive template clone clones the DISK images; recursive delete deletes them', async () => {
    const oned = get();
    const a = await okId(oned, 'one.image.allocate', ['NAME = "t-disk-a"\nPATH = "/a"', dummyDs]);
    const b = await okId(oned, 'one.image.allocate', ['NAME = "t-disk-b"\nTYPE = "DATABLOCK"\nSIZE = 10', dummyDs]);
    await settled(oned, a);
    await settled(oned, b);
    const t = await okId(oned, 'one.template.allocate', [`NAME = "rec"\nCPU = 1\nDISK = [ IMAGE_ID = ${a} ]\nDISK = [ IMAGE = "t-disk-b", TARGET = "vdb" ]\nDISK = [ TYPE = "swap", SIZE = 64 ]`]);
    const copy = await okId(oned, 'one.template.clone', [t, 'rec-copy', true]);
    const disks = all(must(await okXml(oned, 'one.template.info', [copy]), 'TEMPLATE'), 'DISK');
    assert.equal(disks.length, 3);
    const ids = disks.slice(0, 2).map((d) => Number(childText(d, 'IMAGE_ID')));
    assert.equal(childText(disks[1]!, 'TARGET'), 'vdb');
    assert.equal(childText(disks[1]!, 'IMAGE'), '');
    assert.equal(childText(disks[2]!, 'TYPE'), 'swap');
    for (const [i, id] of ids.entries()) {
      assert.ok(id !== a && id !== b, `DISK ${i} names the clone`);
      const img = await settled(oned, id!);
      assert.equal(childText(img, 'NAME'), `rec-copy-disk-${i}`);
      assert.equal(childInt(img, 'STATE'), State.READY);
    }
    await okId(oned, 'one.template.delete', [copy, true]);
    await refused(oned, 'one.template.info', [copy], Code.NO_EXISTS, /template/);
    for (const id of ids) await gone(oned, id!);
    // The originals are untouched, and so is the original template.
    assert.equal(childInt(await image(oned, a), 'STATE'), State.READY);
    await okXml(oned, 'one.template.info', [t]);
    await refused(oned, 'one.template.clone', [9999, 'rec-bad', true], Code.NO_EXISTS, /template \[9999\]/);
  });

  test('images survive a restart, and keep their datastore from being deleted', async () => {
    const oned = get();
    const file = dataFile('disk-r.img', 1);
    const id = await okId(oned, 'one.image.allocate', [`NAME = "kept"\nPATH = "${file.path}"\nPERSISTENT = "yes"`, fsDs]);
    const before = await settled(oned, id);
    assert.equal(childInt(before, 'PERSISTENT'), 1);
    await refused(oned, 'one.datastore.delete', [fsDs], Code.ACTION, /is not empty/);
    assert.equal(await oned.signal('SIGTERM'), 0);
    await oned.launch();
    const after = await image(oned, id);
    assert.equal(childText(after, 'SOURCE'), childText(before, 'SOURCE'));
    assert.deepEqual(templateOf(after), templateOf(before));
    assert.equal(childInt(after, 'STATE'), State.READY);
    assert.ok(idList(await okXml(oned, 'one.datastore.info', [fsDs]), 'IMAGES').includes(id));
    // The driver runs again after the restart.
    await okId(oned, 'one.image.delete', [id]);
    await gone(oned, id);
  });
});
