/**
 * A datastore: where images (IMAGE_DS), plain files (FILE_DS) or running VMs' disks (SYSTEM_DS)
 * are kept, with the drivers that store (DS_MAD) and transfer (TM_MAD) them. An owned object, in
 * any number of clusters.
 */
import type { XmlNode } from '../common/xml-tree.js';
import { child, childInt, childText } from '../common/xml-tree.js';
import { xmlElement } from '../common/xml.js';
import type { Template } from '../common/template/index.js';
import { PoolObject, Permissions, templateFromNode, type Lock, type Ownership } from '../pool/index.js';

/** `/DATASTORE/TYPE`, by the name templates give it. */
export const DatastoreType = { IMAGE_DS: 0, SYSTEM_DS: 1, FILE_DS: 2, BACKUP_DS: 3 } as const;
export type DatastoreTypeName = keyof typeof DatastoreType;
export type DatastoreTypeValue = (typeof DatastoreType)[DatastoreTypeName];

/** Datastores that users create get ids from 100 up, as in OpenNebula (0-99 are the system's). */
export const FIRST_USER_DATASTORE = 100;

/** `/DATASTORE/STATE`. Only system datastores are ever disabled. */
export const DatastoreState = { READY: 0, DISABLED: 1 } as const;
export type DatastoreStateValue = (typeof DatastoreState)[keyof typeof DatastoreState];

/** `/DATASTORE/DISK_TYPE` of the images it holds: 0 FILE (others come with the block drivers). */
export const DISK_TYPE_FILE = 0;

/** The DS_MAD system datastores show: they store no images. */
export const NO_DS_MAD = '-';

/** The type a template's TYPE names (case-insensitive), IMAGE_DS when absent, undefined when unknown. */
export function datastoreTypeOf(text: string | undefined): DatastoreTypeValue | undefined {
  if (text === undefined || text === '') return DatastoreType.IMAGE_DS;
  const name = text.trim().toUpperCase();
  return Object.hasOwn(DatastoreType, name) ? DatastoreType[name as DatastoreTypeName] : undefined;
}

/** The name of a type, as templates write it. */
export function datastoreTypeName(type: DatastoreTypeValue): DatastoreTypeName {
  return (Object.keys(DatastoreType) as DatastoreTypeName[])[type]!;
}

/** Capacity in MB, 0 until the datastore is monitored. */
export interface DatastoreCapacity {
  readonly totalMb: number;
  readonly freeMb: number;
  readonly usedMb: number;
}

const UNMONITORED: DatastoreCapacity = { totalMb: 0, freeMb: 0, usedMb: 0 };

function idsXml(root: string, ids: ReadonlySet<number>): string {
  let xml = `<${root}>`;
  for (const id of [...ids].sort((a, b) => a - b)) xml += `<ID>${id}</ID>`;
  return `${xml}</${root}>`;
}

/** What describes a datastore besides id, name, owner and permissions. */
export interface DatastoreFields {
  dsMad: string;
  tmMad: string;
  basePath: string;
  dsType: DatastoreTypeValue;
  diskType: number;
  state: DatastoreStateValue;
  capacity: DatastoreCapacity;
}

export class Datastore extends PoolObject {
  readonly type = 'DATASTORE' as const;
  /** Images stored here (`<IMAGES>`). */
  readonly images: Set<number>;
  private readonly clusterSet: Set<number>;
  private clusterIdList: readonly number[] | null = null;

  constructor(
    oid: number,
    name: string,
    owner: Ownership,
    perms: Permissions,
    public fields: DatastoreFields,
    public template: Template,
    clusters: Iterable<number> = [],
    images: Iterable<number> = [],
    lock: Lock | null = null,
  ) {
    super(oid, name, owner, perms, lock);
    this.clusterSet = new Set(clusters);
    this.images = new Set(images);
  }

  /**
   * A new datastore, READY and not monitored, its BASE_PATH `<location>/<oid>`, with the
   * template as given (DatastorePool.build writes what oned adds to it).
   */
  static create(oid: number, name: string, owner: Ownership, perms: Permissions, drivers: { dsMad: string; tmMad: string; dsType: DatastoreTypeValue; diskType?: number }, location: string, template: Template): Datastore {
    const fields: DatastoreFields = { ...drivers, basePath: `${location}/${oid}`, diskType: drivers.diskType ?? DISK_TYPE_FILE, state: DatastoreState.READY, capacity: UNMONITORED };
    return new Datastore(oid, name, owner, perms, fields, template);
  }

  /** The clusters it is in, ascending, for `DATASTORE/%cid` ACL rules. */
  get clusterIds(): readonly number[] {
    return (this.clusterIdList ??= [...this.clusterSet].sort((a, b) => a - b));
  }

  hasCluster(cid: number): boolean {
    return this.clusterSet.has(cid);
  }

  addCluster(cid: number): void {
    this.clusterSet.add(cid);
    this.clusterIdList = null;
  }

  removeCluster(cid: number): void {
    this.clusterSet.delete(cid);
    this.clusterIdList = null;
  }

  get isSystem(): boolean {
    return this.fields.dsType === DatastoreType.SYSTEM_DS;
  }

  /**
   * `one.datastore.update`: the new template and what it changed (DatastorePool.updated
   * checked and completed both). A new DS_MAD, or a new TM_MAD of a system datastore, changes
   * who measures its capacity: back to unmonitored.
   */
  replaceTemplate(template: Template, change: { dsMad: string; tmMad: string; diskType: number }): void {
    const f = this.fields;
    if (change.dsMad !== f.dsMad || (this.isSystem && change.tmMad !== f.tmMad)) f.capacity = UNMONITORED;
    f.dsMad = change.dsMad;
    f.tmMad = change.tmMad;
    f.diskType = change.diskType;
    this.template = template;
  }

  /** `one.datastore.enable`: READY or DISABLED. */
  setEnabled(enabled: boolean): void {
    this.fields.state = enabled ? DatastoreState.READY : DatastoreState.DISABLED;
  }

  /** A MONITOR answered: the capacity the driver measured. */
  setCapacity(capacity: DatastoreCapacity): void {
    this.fields.capacity = capacity;
  }

  protected renderXml(): string {
    const f = this.fields;
    return (
      `<DATASTORE>${this.idAndOwnerXml()}` +
      `${xmlElement('NAME', this.name)}${this.perms.toXml()}${this.lockXml()}${xmlElement('DS_MAD', f.dsMad)}${xmlElement('TM_MAD', f.tmMad)}` +
      `${xmlElement('BASE_PATH', f.basePath)}<TYPE>${f.dsType}</TYPE><DISK_TYPE>${f.diskType}</DISK_TYPE><STATE>${f.state}</STATE>` +
      `${idsXml('CLUSTERS', this.clusterSet)}<TOTAL_MB>${f.capacity.totalMb}</TOTAL_MB><FREE_MB>${f.capacity.freeMb}</FREE_MB>` +
      `<USED_MB>${f.capacity.usedMb}</USED_MB>${idsXml('IMAGES', this.images)}${this.template.toXml()}</DATASTORE>`
    );
  }

  static fromXml(node: XmlNode): Datastore {
    const ids = (name: string) => (child(node, name)?.children ?? []).map((c) => Number(c.text));
    return new Datastore(
      childInt(node, 'ID'),
      childText(node, 'NAME'),
      PoolObject.ownerFromXml(node),
      Permissions.fromXml(child(node, 'PERMISSIONS')),
      {
        dsMad: childText(node, 'DS_MAD'),
        tmMad: childText(node, 'TM_MAD'),
        basePath: childText(node, 'BASE_PATH'),
        dsType: childInt(node, 'TYPE') as DatastoreTypeValue,
        diskType: childInt(node, 'DISK_TYPE'),
        state: childInt(node, 'STATE') as DatastoreStateValue,
        capacity: { totalMb: childInt(node, 'TOTAL_MB'), freeMb: childInt(node, 'FREE_MB'), usedMb: childInt(node, 'USED_MB') },
      },
      templateFromNode(child(node, 'TEMPLATE')),
      ids('CLUSTERS'),
      ids('IMAGES'),
      PoolObject.lockFromXml(node),
    );
  }
}
