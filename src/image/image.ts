/**
 * An image: a disk (OS, CDROM, DATABLOCK) or a file (KERNEL, RAMDISK, CONTEXT) stored in a
 * datastore by its DS_MAD driver. An owned object whose STATE follows the driver operations on
 * it (LOCKED while copied, ERROR when the driver failed) and the VMs that use it.
 */
import type { XmlNode } from '../common/xml-tree.js';
import { child, childInt, childText } from '../common/xml-tree.js';
import { xmlElement } from '../common/xml.js';
import type { Template } from '../common/template/index.js';
import { ImageBackup } from './image-backup.js';
import { PoolObject, Permissions, templateFromNode, type Lock, type Ownership } from '../pool/index.js';
import type { QuotaUsage } from '../auth/quotas.js';
import { DiskSnapshots } from '../vm/disk-snapshots.js';

export { diskTypeName } from '../datastore/disk-type.js';

/** `/IMAGE/TYPE`, by the name templates and `one.image.chtype` give it. */
export const ImageType = { OS: 0, CDROM: 1, DATABLOCK: 2, KERNEL: 3, RAMDISK: 4, CONTEXT: 5, BACKUP: 6, FILESYSTEM: 7 } as const;
export type ImageTypeName = keyof typeof ImageType;
export type ImageTypeValue = (typeof ImageType)[ImageTypeName];

/** The types users may give (BACKUP and FILESYSTEM images are made by oned itself). */
export const USER_IMAGE_TYPES: readonly ImageTypeName[] = ['OS', 'CDROM', 'DATABLOCK', 'KERNEL', 'RAMDISK', 'CONTEXT'];

/** The types that are plain files, kept in FILE_DS datastores. */
const FILE_TYPES: ReadonlySet<ImageTypeValue> = new Set([ImageType.KERNEL, ImageType.RAMDISK, ImageType.CONTEXT]);

/** `/IMAGE/STATE`. */
export const ImageState = { INIT: 0, READY: 1, USED: 2, DISABLED: 3, LOCKED: 4, ERROR: 5, CLONE: 6, DELETE: 7, USED_PERS: 8 } as const;
export type ImageStateName = keyof typeof ImageState;
export type ImageStateValue = (typeof ImageState)[ImageStateName];

/** The type a template's TYPE names (case-insensitive, users' types only), undefined when unknown. */
export function imageTypeOf(text: string): ImageTypeValue | undefined {
  const name = text.trim().toUpperCase();
  return (USER_IMAGE_TYPES as readonly string[]).includes(name) ? ImageType[name as ImageTypeName] : undefined;
}

export function imageTypeName(type: ImageTypeValue): ImageTypeName {
  return (Object.keys(ImageType) as ImageTypeName[])[type]!;
}

export function imageStateName(state: ImageStateValue): ImageStateName {
  return (Object.keys(ImageState) as ImageStateName[]).find((k) => ImageState[k] === state)!;
}

/** Whether images of this type are plain files (KERNEL, RAMDISK, CONTEXT). */
export function isFileType(type: ImageTypeValue): boolean {
  return FILE_TYPES.has(type);
}


/** What describes an image besides id, name, owner, permissions and template. */
export interface ImageFields {
  type: ImageTypeValue;
  diskType: number;
  persistent: boolean;
  /** Registration time, epoch seconds. */
  readonly regtime: number;
  /** When its contents last changed (registered, or written back by a VM), epoch seconds. */
  modtime: number;
  /** Where the driver stored it (driver-specific), '' until then. */
  source: string;
  /** Where it was registered from, '' for an empty datablock or a clone. */
  path: string;
  format: string;
  fs: string;
  /** MB. */
  size: number;
  state: ImageStateValue;
  prevState: ImageStateValue;
  /** Clones being made from this image. */
  cloningOps: number;
  /** The image this one is being cloned from, -1 when not a clone in progress. */
  cloningId: number;
  targetSnapshot: number;
  datastoreId: number;
  datastore: string;
}

function idsXml(root: string, ids: ReadonlySet<number>): string {
  let xml = `<${root}>`;
  for (const id of [...ids].sort((a, b) => a - b)) xml += `<ID>${id}</ID>`;
  return `${xml}</${root}>`;
}


export class Image extends PoolObject {
  readonly type = 'IMAGE' as const;
  /** VMs using it (`<VMS>`; RUNNING_VMS is their number). */
  readonly vms: Set<number>;
  /** Images being cloned from it (`<CLONES>`). */
  readonly clones: Set<number>;
  /** Marketplace apps being made from it (`<APP_CLONES>`); none until marketplaces exist. */
  readonly appClones: Set<number>;
  /** BACKUP_INCREMENTS and BACKUP_DISK_IDS (empty but for backup images). */
  backup = new ImageBackup();
  /** Disk snapshots of a persistent image (`<SNAPSHOTS>`), brought back from the last VM that used it. */
  snapshots = new DiskSnapshots(-1);

  constructor(
    oid: number,
    name: string,
    owner: Ownership,
    perms: Permissions,
    public fields: ImageFields,
    public template: Template,
    sets: { vms?: Iterable<number>; clones?: Iterable<number>; appClones?: Iterable<number> } = {},
    lock: Lock | null = null,
  ) {
    super(oid, name, owner, perms, lock);
    this.vms = new Set(sets.vms);
    this.clones = new Set(sets.clones);
    this.appClones = new Set(sets.appClones);
  }

  get state(): ImageStateValue {
    return this.fields.state;
  }

  /** Moves to `state`, remembering the one it leaves in PREV_STATE. */
  setState(state: ImageStateValue): void {
    if (state === this.fields.state) return;
    this.fields.prevState = this.fields.state;
    this.fields.state = state;
  }

  get runningVms(): number {
    return this.vms.size;
  }

  /** Whether the image is a plain file (KERNEL, RAMDISK, CONTEXT). */
  get isFile(): boolean {
    return isFileType(this.fields.type);
  }

  /** A driver operation finished: the image is READY (or USED, if VMs took it meanwhile). */
  ready(): void {
    this.template.remove('ERROR');
    this.setState(this.vms.size > 0 ? (this.fields.persistent ? ImageState.USED_PERS : ImageState.USED) : ImageState.READY);
  }

  /** A driver operation failed: ERROR, with the driver's message in the template's ERROR. */
  failed(message: string): void {
    this.template.set('ERROR', message);
    this.setState(ImageState.ERROR);
  }

  protected renderXml(): string {
    const f = this.fields;
    return (
      `<IMAGE>${this.idAndOwnerXml()}${xmlElement('NAME', this.name)}${this.lockXml()}${this.perms.toXml()}` +
      `<TYPE>${f.type}</TYPE><DISK_TYPE>${f.diskType}</DISK_TYPE><PERSISTENT>${f.persistent ? 1 : 0}</PERSISTENT><REGTIME>${f.regtime}</REGTIME><MODTIME>${f.modtime}</MODTIME>` +
      `${xmlElement('SOURCE', f.source)}${xmlElement('PATH', f.path)}${xmlElement('FORMAT', f.format)}${xmlElement('FS', f.fs)}` +
      `<SIZE>${f.size}</SIZE><STATE>${f.state}</STATE><PREV_STATE>${f.prevState}</PREV_STATE><RUNNING_VMS>${this.vms.size}</RUNNING_VMS>` +
      `<CLONING_OPS>${f.cloningOps}</CLONING_OPS><CLONING_ID>${f.cloningId}</CLONING_ID><TARGET_SNAPSHOT>${f.targetSnapshot}</TARGET_SNAPSHOT>` +
      `<DATASTORE_ID>${f.datastoreId}</DATASTORE_ID>${xmlElement('DATASTORE', f.datastore)}` +
      `${idsXml('VMS', this.vms)}${idsXml('CLONES', this.clones)}${idsXml('APP_CLONES', this.appClones)}${this.template.toXml()}${this.snapshots.toXml()}${this.backup.toXml()}</IMAGE>`
    );
  }

  static fromXml(node: XmlNode): Image {
    const ids = (name: string) => (child(node, name)?.children ?? []).map((c) => Number(c.text));
    const image = new Image(
      childInt(node, 'ID'),
      childText(node, 'NAME'),
      PoolObject.ownerFromXml(node),
      Permissions.fromXml(child(node, 'PERMISSIONS')),
      {
        type: childInt(node, 'TYPE') as ImageTypeValue,
        diskType: childInt(node, 'DISK_TYPE'),
        persistent: childInt(node, 'PERSISTENT') === 1,
        regtime: childInt(node, 'REGTIME'),
        // Rows written before MODTIME existed: registered, and not changed since as far as we know.
        modtime: childInt(node, 'MODTIME', childInt(node, 'REGTIME')),
        source: childText(node, 'SOURCE'),
        path: childText(node, 'PATH'),
        format: childText(node, 'FORMAT'),
        fs: childText(node, 'FS'),
        size: childInt(node, 'SIZE'),
        state: childInt(node, 'STATE') as ImageStateValue,
        prevState: childInt(node, 'PREV_STATE') as ImageStateValue,
        cloningOps: childInt(node, 'CLONING_OPS'),
        cloningId: childInt(node, 'CLONING_ID', -1),
        targetSnapshot: childInt(node, 'TARGET_SNAPSHOT', -1),
        datastoreId: childInt(node, 'DATASTORE_ID'),
        datastore: childText(node, 'DATASTORE'),
      },
      templateFromNode(child(node, 'TEMPLATE')),
      { vms: ids('VMS'), clones: ids('CLONES'), appClones: ids('APP_CLONES') },
      PoolObject.lockFromXml(node),
    );
    image.backup = ImageBackup.fromXml(node);
    const snapshots = child(node, 'SNAPSHOTS');
    if (snapshots) image.snapshots = DiskSnapshots.fromXml(snapshots);
    return image;
  }
}

/** What an image counts in its owner's and group's DATASTORE quota (charged on allocate, checked by `onedb fsck`). */
export function imageQuotaUsage(image: Image): QuotaUsage[] {
  return [{ kind: 'DATASTORE', id: image.fields.datastoreId, amounts: { IMAGES: 1, SIZE: image.fields.size } }];
}
