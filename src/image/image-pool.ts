/**
 * The image pool: table `image_pool`, names unique per owner, and what virtual machines call to
 * find the images their DISKs name, take them and give them back.
 */
import type { XmlNode } from '../common/xml-tree.js';
import type { Vector } from '../common/template/index.js';
import { Pool, type Transaction } from '../pool/index.js';
import type { DatastorePool } from '../datastore/index.js';
import { Image, ImageState, ImageType, diskTypeName, imageStateName, type ImageTypeValue } from './image.js';

export interface ImagePoolOptions {
  /** Where images' datastores are (DISK TM_MAD, CLUSTER_ID). */
  readonly datastores: DatastorePool;
  /** The uid of a user name (DISK IMAGE_UNAME), undefined when there is no such user. */
  readonly userId: (uname: string) => number | undefined;
  /** DEV_PREFIX of disks whose image sets none (oned.conf DEFAULT_DEVICE_PREFIX). */
  readonly devPrefix?: string;
  /** DEV_PREFIX of CDROM disks (oned.conf DEFAULT_CDROM_DEVICE_PREFIX). */
  readonly cdromDevPrefix?: string;
}

/** Image template attributes a DISK inherits unless the DISK sets them itself. */
const INHERITED = ['DRIVER', 'TARGET', 'DEV_PREFIX', 'CACHE', 'DISCARD', 'IO', 'READONLY'] as const;

export class ImagePool extends Pool<Image> {
  constructor(private readonly o: ImagePoolOptions) {
    super({ table: 'image_pool', type: 'IMAGE', root: 'IMAGE_POOL', nameScope: 'owner' });
  }

  protected fromXml(node: XmlNode): Image {
    return Image.fromXml(node);
  }

  /** DEV_PREFIX of an image of `type` whose template sets none (DEFAULT_[CDROM_]DEVICE_PREFIX). */
  defaultDevPrefix(type: ImageTypeValue): string {
    return (type === ImageType.CDROM ? this.o.cdromDevPrefix : this.o.devPrefix) ?? 'hd';
  }

  /**
   * The image a VM DISK names: IMAGE_ID, or IMAGE (+ IMAGE_UNAME or IMAGE_UID; default owner
   * uid). Throws Error("...") naming what is missing.
   */
  resolveDisk(disk: Vector, uid: number): Image {
    const idText = disk.get('IMAGE_ID');
    if (idText !== undefined && idText !== '') {
      const id = Number(idText);
      const image = /^\d+$/.test(idText.trim()) ? this.get(id) : undefined;
      if (!image) throw new Error(`DISK: image with IMAGE_ID ${idText} does not exist`);
      return image;
    }
    const name = disk.get('IMAGE');
    if (name === undefined || name === '') throw new Error('DISK: needs IMAGE_ID or IMAGE to name its image');
    let owner = uid;
    const uname = disk.get('IMAGE_UNAME');
    const uidText = disk.get('IMAGE_UID');
    if (uname !== undefined && uname !== '') {
      const found = this.o.userId(uname);
      if (found === undefined) throw new Error(`DISK: user "${uname}" (IMAGE_UNAME) does not exist`);
      owner = found;
    } else if (uidText !== undefined && uidText !== '') {
      if (!/^\d+$/.test(uidText.trim())) throw new Error(`DISK: IMAGE_UID "${uidText}" is not a user id`);
      owner = Number(uidText);
    }
    const image = this.getByName(name, owner);
    if (!image) throw new Error(`DISK: image "${name}" of user ${owner} does not exist`);
    return image;
  }

  /**
   * Can this image be attached now (READY, or USED and not persistent; not DISABLED/LOCKED/ERROR)?
   * Error message or null.
   */
  usableError(image: Image): string | null {
    const f = image.fields;
    if (f.state === ImageState.READY) return null;
    if (f.state === ImageState.USED && !f.persistent) return null;
    if (f.state === ImageState.USED || f.state === ImageState.USED_PERS) return `Cannot acquire image ${image.oid}, it is persistent and already in use`;
    return `Cannot acquire image ${image.oid} in state ${imageStateName(f.state)}`;
  }

  /**
   * Marks the image used by VM vmId (RUNNING_VMS, VMS, USED/USED_PERS) in tx and fills the DISK
   * vector with what the VM's drivers need of it: IMAGE, IMAGE_ID, IMAGE_UNAME, IMAGE_UID,
   * SOURCE, TYPE (FILE/CDROM/BLOCK...), CLONE, SAVE, PERSISTENT, READONLY, DATASTORE,
   * DATASTORE_ID, TM_MAD, FORMAT, SIZE, DEV_PREFIX, DISK_TYPE, CLUSTER_ID and the image template
   * attributes OpenNebula copies (DRIVER, TARGET, DEV_PREFIX...) when the DISK does not set them.
   * The caller checked `usableError` in the same synchronous step.
   */
  acquire(tx: Transaction, image: Image, vmId: number, disk: Vector): void {
    tx.touch(this, image);
    image.vms.add(vmId);
    image.setState(image.fields.persistent ? ImageState.USED_PERS : ImageState.USED);
    this.fillDisk(image, disk);
  }

  /** Fills a DISK with what it takes of the image (see acquire), without taking it (`one.template.info` extended). */
  fillDisk(image: Image, disk: Vector): void {
    const f = image.fields;
    for (const attr of INHERITED) {
      const v = image.template.get(attr);
      if (v !== undefined && !disk.has(attr)) disk.set(attr, v);
    }
    const cdrom = f.type === ImageType.CDROM;
    const ds = this.o.datastores.get(f.datastoreId);
    disk.set('IMAGE', image.name);
    disk.set('IMAGE_ID', String(image.oid));
    disk.set('IMAGE_UNAME', image.owner.uname);
    disk.set('IMAGE_UID', String(image.owner.uid));
    disk.set('SOURCE', f.source);
    disk.set('TYPE', cdrom ? 'CDROM' : diskTypeName(f.diskType));
    disk.set('CLONE', f.persistent ? 'NO' : 'YES');
    disk.set('SAVE', f.persistent ? 'YES' : 'NO');
    disk.set('PERSISTENT', f.persistent ? 'YES' : 'NO');
    // A CDROM is always read-only; other disks are unless their image or DISK says otherwise.
    disk.set('READONLY', cdrom ? 'YES' : (disk.get('READONLY') ?? 'NO').toUpperCase() === 'YES' ? 'YES' : 'NO');
    disk.set('DATASTORE', f.datastore);
    disk.set('DATASTORE_ID', String(f.datastoreId));
    if (ds) {
      disk.set('TM_MAD', ds.fields.tmMad);
      disk.set('CLUSTER_ID', ds.clusterIds.join(','));
    }
    disk.set('FORMAT', f.format || 'raw');
    disk.set('SIZE', String(f.size));
    if (!disk.has('DEV_PREFIX')) disk.set('DEV_PREFIX', this.defaultDevPrefix(f.type));
    disk.set('DISK_TYPE', diskTypeName(f.diskType));
  }

  /** The epilog of the VM that a 3.x savedisk image waited for has run: READY with its content. */
  savedAsReady(tx: Transaction, imageId: number): void {
    const image = this.get(imageId);
    if (!image || image.state !== ImageState.LOCKED || image.template.get('SAVED_VM_ID') === undefined) return;
    tx.touch(this, image);
    image.fields.modtime = Math.floor(Date.now() / 1000);
    image.ready();
  }

  /** VM vmId no longer uses it (back to READY when no VM does; MODTIME now if persistent). Ignores unknown ids. */
  release(tx: Transaction, imageId: number, vmId: number): void {
    const image = this.get(imageId);
    if (!image || !image.vms.has(vmId)) return;
    tx.touch(this, image);
    image.vms.delete(vmId);
    // A persistent image was the VM's own disk: its contents may have changed.
    if (image.fields.persistent) image.fields.modtime = Math.floor(Date.now() / 1000);
    const s = image.state;
    if (image.vms.size === 0 && (s === ImageState.USED || s === ImageState.USED_PERS)) image.setState(ImageState.READY);
  }
}
