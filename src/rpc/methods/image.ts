/**
 * `one.image.*` and `one.imagepool.info`. Allocate and clone answer with the new image LOCKED;
 * the datastore driver's reply (see ImageManager) makes it READY or ERROR. Delete puts the image
 * in DELETE and the driver's RM reply removes it.
 */
import { AuthOp } from '../../auth/operation.js';
import { chargeQuotas, releaseQuotas, QuotaExceededError, type QuotaPayers } from '../../auth/quota-charge.js';
import { DatastoreType, dsConfFlag, type Datastore } from '../../datastore/index.js';
import { Image, ImageState, ImageType, imageQuotaUsage, imageStateName, imageTypeOf, isFileType, type ImageTypeValue } from '../../image/index.js';
import type { Template } from '../../common/template/index.js';
import { ObjectType } from '../../common/object-type.js';
import type { Transaction } from '../../pool/index.js';
import { ApiError, ErrorCode } from '../api-error.js';
import { method, type MethodDef } from '../request-manager.js';
import type { Request } from '../request.js';
import { allocateError, checkName, checkNameFree, newObjectPermissions } from './common.js';
import { objectMethods, type ObjectKind } from './object-methods.js';
import { checkRestrictedSet, encryptAttributes } from './template-attributes.js';
import { ownedPoolXml, templateAndName } from './owned.js';
import { authorizedDatastore } from './datastore.js';
import { forgetBackup } from './vm-backup.js';

const kind: ObjectKind<Image> = {
  prefix: 'one.image',
  pool: (core) => core.images,
  restricted: 'IMAGE',
  encrypted: 'IMAGE',
  // The image's DATASTORE quota moves to its new owner and group, who must have room for it.
  beforeChown: (req, tx, image, owner) => {
    const usage = imageQuotaUsage(image);
    try {
      chargeQuotas(tx, payers(req), owner.uid, owner.gid, usage);
    } catch (err) {
      if (err instanceof QuotaExceededError) throw new ApiError(ErrorCode.ACTION, err.message, image.oid);
      throw err;
    }
    releaseQuotas(tx, payers(req), image.owner.uid, image.owner.gid, usage);
  },
};

const now = () => Math.floor(Date.now() / 1000);


const payers = (req: Request) => req.core as unknown as QuotaPayers;

/** A plain Error (for the caller to wrap) when images of `type` do not belong in `ds`. */
function checkTypeFits(type: ImageTypeValue, ds: Datastore): void {
  if (ds.fields.dsType === DatastoreType.FILE_DS && !isFileType(type)) {
    throw new Error('Only images of type KERNEL, RAMDISK and CONTEXT can be registered in a FILE_DS datastore.');
  }
  if (ds.fields.dsType === DatastoreType.IMAGE_DS && isFileType(type)) {
    throw new Error('Images of type KERNEL, RAMDISK and CONTEXT cannot be registered in an IMAGE_DS datastore.');
  }
}

/** An image or file datastore new images may go to, else a plain Error. */
function checkImageDatastore(ds: Datastore): void {
  if (ds.fields.dsType === DatastoreType.SYSTEM_DS) throw new Error('New images cannot be allocated in a system datastore.');
  if (ds.fields.dsType === DatastoreType.BACKUP_DS) throw new Error('New images cannot be allocated in a backup datastore.');
}

/** YES/NO attribute, `fallback` when absent; a plain Error otherwise. */
function yesNo(template: Template, name: string, fallback: boolean): boolean {
  const v = template.get(name);
  if (v === undefined || v === '') return fallback;
  const u = v.trim().toUpperCase();
  if (u === 'YES' || u === '1' || u === 'TRUE') return true;
  if (u === 'NO' || u === '0' || u === 'FALSE') return false;
  throw new Error(`${name} must be YES or NO, got "${v}".`);
}

/**
 * What allocate reads from its template, checked (plain Errors), taking it out of the template,
 * and what oned writes into the template as OpenNebula 7.4 does: DEV_PREFIX (disk images that
 * set none get the configured default; files have none), no DRIVER nor TM_MAD of the user's, and
 * for an empty OS or DATABLOCK image in a datastore whose driver fixes the format (qcow2) that
 * DRIVER, which is then its FORMAT.
 */
function allocateFields(req: Request, template: Template, ds: Datastore): { type: ImageTypeValue; persistent: boolean; path: string; size: number; fs: string; format: string } {
  const typeText = template.get('TYPE');
  const type = typeText === undefined || typeText === '' ? ImageType.OS : imageTypeOf(typeText);
  if (type === undefined) throw new Error(`Unknown image TYPE "${typeText}": use OS, CDROM, DATABLOCK, KERNEL, RAMDISK or CONTEXT.`);
  checkTypeFits(type, ds);
  // Persistent by default where the datastore (its template, else its DS_MAD_CONF) keeps only persistent images.
  const persistentOnly = yesNo(ds.template, 'PERSISTENT_ONLY', dsConfFlag(req.core.datastores.conf, ds.fields.dsMad, 'PERSISTENT_ONLY', false));
  const persistent = yesNo(template, 'PERSISTENT', persistentOnly);
  if (persistent && isFileType(type)) throw new Error('Images of type KERNEL, RAMDISK and CONTEXT cannot be persistent.');
  const path = template.get('PATH') ?? '';
  const sizeText = template.get('SIZE') ?? '';
  let size = 0;
  if (path === '') {
    if (type !== ImageType.DATABLOCK) throw new Error('No PATH in template: only DATABLOCK images can be created empty (with SIZE).');
    if (!/^\d+$/.test(sizeText.trim()) || Number(sizeText) <= 0) throw new Error(`An empty DATABLOCK needs SIZE, in MB, a positive integer (got "${sizeText}").`);
    size = Number(sizeText);
  }
  const fs = template.get('FS') ?? template.get('FSTYPE') ?? '';
  if (fs !== '' && !/^[A-Za-z0-9_.-]+$/.test(fs)) throw new Error(`Invalid FS "${fs}".`);
  let format = template.get('FORMAT') ?? (path === '' ? 'raw' : '');
  if (format !== '' && !/^[A-Za-z0-9_.-]+$/.test(format)) throw new Error(`Invalid FORMAT "${format}".`);
  for (const a of ['TYPE', 'PERSISTENT', 'PATH', 'SIZE', 'FS', 'FSTYPE', 'FORMAT', 'DRIVER', 'TM_MAD']) template.remove(a);
  if (isFileType(type)) template.remove('DEV_PREFIX');
  else if ((template.get('DEV_PREFIX') ?? '') === '') template.set('DEV_PREFIX', req.core.images.defaultDevPrefix(type));
  const dsDriver = req.core.datastores.driverOf(ds);
  if (path === '' && dsDriver !== '') {
    template.set('DRIVER', dsDriver);
    format = dsDriver;
  }
  return { type, persistent, path, size, fs, format };
}

/** Refuses (ALLOCATE) an image of `sizeMb` the datastore has no room for, unless skipped or unmonitored. */
function checkCapacity(req: Request, ds: Datastore, sizeMb: number, skip: boolean): void {
  const c = ds.fields.capacity;
  if (skip || c.totalMb === 0 || sizeMb <= c.freeMb) return;
  throw allocateError(req.core.images, `Not enough space in datastore ${ds.oid}: ${sizeMb} MB needed, ${c.freeMb} MB free.`);
}

/**
 * Creates the image in one step that cannot yield: charges quotas, adds it LOCKED to the pool
 * and to its datastore, applies `also` (in the same transaction), commits. Returns the image.
 */
export async function createImage(req: Request, ds: Datastore, name: string, build: (oid: number) => Image, also?: (tx: Transaction, image: Image) => void): Promise<Image> {
  const { images, datastores } = req.core;
  const c = req.caller;
  const tx = req.transaction();
  const image = build(images.nextOid());
  try {
    chargeQuotas(tx, payers(req), c.uid, c.gid, imageQuotaUsage(image));
  } catch (err) {
    if (err instanceof QuotaExceededError) throw allocateError(images, err.message);
    throw err;
  }
  tx.create(images, image);
  tx.touch(datastores, ds).images.add(image.oid);
  also?.(tx, image);
  await tx.commit();
  req.core.log.info('ImM', `New image ${image.oid} "${name}" in datastore ${ds.oid}`);
  return image;
}

/** The image, authorized for MANAGE (the changes below all need it). */
const managed = (req: Request, oid: number) => req.authorized(req.core.images, oid, AuthOp.MANAGE);

export const imageMethods: MethodDef[] = [
  method({
    name: 'one.image.allocate',
    params: ['s', 'i', { opt: 'b', def: false }],
    run: async (req, [text, dsId, skipCapacity]) => {
      const { images, datastores } = req.core;
      req.authorizeCreate('IMAGE');
      const { template, name } = templateAndName(images, text, 'image');
      checkRestrictedSet(req, 'IMAGE', template, 'Template');
      encryptAttributes(req, 'IMAGE', template);
      authorizedDatastore(req, dsId, AuthOp.USE);
      const c = req.caller;
      let fields;
      try {
        checkName(name, ErrorCode.ALLOCATE);
        checkNameFree(images, name, c.uid, ErrorCode.ALLOCATE);
        const ds = datastores.get(dsId)!;
        checkImageDatastore(ds);
        fields = allocateFields(req, template, ds);
      } catch (err) {
        throw allocateError(images, (err as Error).message);
      }
      let size = fields.size;
      if (fields.path !== '') {
        const request = template.clone();
        request.set('PATH', fields.path);
        const stat = await req.core.imageManager.stat(request, datastores.get(dsId)!);
        if (!stat.ok) throw allocateError(images, `Cannot determine the size of ${fields.path}: ${stat.message}`);
        size = stat.sizeMb;
      }
      // STAT yielded: look the datastore up again and check the name once more.
      const ds = req.get(datastores, dsId);
      try {
        checkNameFree(images, name, c.uid, ErrorCode.ALLOCATE);
      } catch (err) {
        throw allocateError(images, (err as Error).message);
      }
      checkCapacity(req, ds, size, skipCapacity);
      const owner = { uid: c.uid, gid: c.gid, uname: c.uname, gname: c.gname };
      const perms = newObjectPermissions(req);
      const image = await createImage(req, ds, name, (oid) => new Image(oid, name, owner, perms, {
        ...fields, size, diskType: ds.fields.diskType, regtime: now(), modtime: now(), source: '', state: ImageState.LOCKED, prevState: ImageState.INIT,
        cloningOps: 0, cloningId: -1, targetSnapshot: -1, datastoreId: ds.oid, datastore: ds.name,
      }, template));
      req.core.imageManager.register(image, ds);
      return image.oid;
    },
  }),
  method({
    name: 'one.image.clone',
    params: ['i', 's', { opt: 'i', def: -1 }],
    run: async (req, [oid, name, dsArg]) => cloneImage(req, oid, name, dsArg),
  }),
  method({
    name: 'one.image.delete',
    params: ['i', { opt: 'b', def: false }],
    run: (req, [oid]) => deleteImage(req, oid),
  }),
  ...objectMethods(kind),
  method({
    name: 'one.image.enable',
    params: ['i', 'b'],
    run: async (req, [oid, enable]) => {
      const image = managed(req, oid);
      const s = image.state;
      if (enable ? s !== ImageState.DISABLED && s !== ImageState.READY : s !== ImageState.READY && s !== ImageState.DISABLED) {
        throw new ApiError(ErrorCode.ACTION, `Cannot ${enable ? 'enable' : 'disable'} image ${oid} in state ${imageStateName(s)}: only READY and DISABLED images can be.`, oid);
      }
      const tx = req.transaction();
      tx.touch(req.core.images, image).setState(enable ? ImageState.READY : ImageState.DISABLED);
      await tx.commit();
      return oid;
    },
  }),
  method({
    name: 'one.image.persistent',
    params: ['i', 'b'],
    run: async (req, [oid, persistent]) => {
      const image = managed(req, oid);
      const s = image.state;
      if (image.runningVms > 0 || s === ImageState.USED || s === ImageState.USED_PERS) {
        throw new ApiError(ErrorCode.ACTION, `Cannot change the persistent type of image ${oid}: it is in use by ${image.runningVms} VMs.`, oid);
      }
      if (persistent && image.isFile) throw new ApiError(ErrorCode.ACTION, `Image ${oid} is a file (KERNEL, RAMDISK or CONTEXT): it cannot be persistent.`, oid);
      const tx = req.transaction();
      tx.touch(req.core.images, image).fields.persistent = persistent;
      await tx.commit();
      return oid;
    },
  }),
  method({
    name: 'one.image.chtype',
    params: ['i', 's'],
    run: async (req, [oid, typeText]) => {
      const image = managed(req, oid);
      const type = imageTypeOf(typeText);
      if (type === undefined) throw new ApiError(ErrorCode.ACTION, `Unknown image type "${typeText}": use OS, CDROM, DATABLOCK, KERNEL, RAMDISK or CONTEXT.`, oid);
      const ds = req.core.datastores.get(image.fields.datastoreId);
      try {
        if (ds) checkTypeFits(type, ds);
      } catch (err) {
        throw new ApiError(ErrorCode.ACTION, (err as Error).message, oid);
      }
      const tx = req.transaction();
      tx.touch(req.core.images, image).fields.type = type;
      await tx.commit();
      return oid;
    },
  }),
  method({
    name: 'one.imagepool.info',
    params: [{ opt: 'i', def: -2 }, { opt: 'i', def: -1 }, { opt: 'i', def: -1 }],
    run: (req, [filter, start, end]) => ownedPoolXml(req, req.core.images, filter, start, end),
  }),
];

/** Throws (ACTION) unless the image may be deleted now: no VM uses it and no driver works on it. */
export function checkDeletable(image: Image): void {
  const oid = image.oid;
  const s = image.state;
  // A backup image lists the VM it was made of (VMS), which does not keep it from going.
  if (image.runningVms > 0 && image.fields.type !== ImageType.BACKUP) throw new ApiError(ErrorCode.ACTION, `Cannot delete image ${oid}: there are ${image.runningVms} VMs using it.`, oid);
  if (s === ImageState.USED || s === ImageState.USED_PERS || s === ImageState.LOCKED || s === ImageState.CLONE || s === ImageState.DELETE) {
    throw new ApiError(ErrorCode.ACTION, `Cannot delete image ${oid} in state ${imageStateName(s)}.`, oid);
  }
}

/**
 * `one.image.delete(id)`: MANAGE; the image goes to DELETE, its quota is given back and the
 * driver's RM removes it (the reply drops it from the pool).
 */
export async function deleteImage(req: Request, oid: number): Promise<number> {
  const { images, datastores } = req.core;
  const image = managed(req, oid);
  checkDeletable(image);
  const tx = req.transaction();
  tx.touch(images, image).setState(ImageState.DELETE);
  if (image.fields.type === ImageType.BACKUP) forgetBackup(req, tx, image);
  releaseQuotas(tx, payers(req), image.owner.uid, image.owner.gid, imageQuotaUsage(image));
  await tx.commit();
  req.core.imageManager.remove(image, datastores.get(image.fields.datastoreId));
  await req.core.acl.delResourceRules(ObjectType.IMAGE, oid);
  return oid;
}

/**
 * `one.image.clone(id, name, ds_id)`: a new image, owned by the caller, copied by the driver
 * from a READY (or USED, non-persistent) image into the same datastore or another image
 * datastore of the same DS_MAD. Returns the new id.
 */
export async function cloneImage(req: Request, oid: number, name: string, dsArg: number): Promise<number> {
  const { images, datastores } = req.core;
  const source = req.authorized(images, oid, AuthOp.USE);
  req.authorizeCreate('IMAGE');
  const ds = authorizedDatastore(req, dsArg < 0 ? source.fields.datastoreId : dsArg, AuthOp.USE);
  const c = req.caller;
  const f = source.fields;
  try {
    checkName(name, ErrorCode.ALLOCATE);
    checkNameFree(images, name, c.uid, ErrorCode.ALLOCATE);
    if (source.isFile) throw new Error(`Image ${oid} is a file (KERNEL, RAMDISK or CONTEXT): files cannot be cloned.`);
    if (f.state !== ImageState.READY && !(f.state === ImageState.USED && !f.persistent) && f.state !== ImageState.CLONE) {
      throw new Error(`Cannot clone image ${oid} in state ${imageStateName(f.state)}.`);
    }
    if (ds.fields.dsType !== DatastoreType.IMAGE_DS) throw new Error(`Clones can only go to image datastores; datastore ${ds.oid} is not one.`);
    const sourceDs = datastores.get(f.datastoreId);
    if (sourceDs && sourceDs.fields.dsMad !== ds.fields.dsMad) {
      throw new Error(`Clone only supported between datastores of the same DS_MAD (${sourceDs.fields.dsMad}, not ${ds.fields.dsMad}).`);
    }
  } catch (err) {
    throw allocateError(images, (err as Error).message);
  }
  checkCapacity(req, ds, f.size, false);
  const owner = { uid: c.uid, gid: c.gid, uname: c.uname, gname: c.gname };
  const perms = newObjectPermissions(req);
  const template = source.template.clone();
  template.remove('ERROR');
  const clone = await createImage(
    req,
    ds,
    name,
    (newId) => new Image(newId, name, owner, perms, {
      ...f, diskType: ds.fields.diskType, regtime: now(), modtime: now(), source: '', path: '', state: ImageState.LOCKED, prevState: ImageState.INIT,
      cloningOps: 0, cloningId: oid, targetSnapshot: -1, datastoreId: ds.oid, datastore: ds.name,
    }, template),
    // The source is counted as cloning in the same transaction: nothing can change it in between.
    (tx, img) => {
      tx.touch(images, source);
      source.fields.cloningOps++;
      source.clones.add(img.oid);
      if (source.state === ImageState.READY) source.setState(ImageState.CLONE);
    },
  );
  req.core.imageManager.clone(clone, source, ds);
  return clone.oid;
}
