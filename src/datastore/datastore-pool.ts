/**
 * The datastore pool: table `datastore_pool`, names unique in the whole pool, and the three
 * datastores every installation starts with.
 */
import type { XmlNode } from '../common/xml-tree.js';
import { Template } from '../common/template/index.js';
import { Pool, Permissions, type Ownership, type Transaction } from '../pool/index.js';
import { DEFAULT_CLUSTER_ID, INFRASTRUCTURE_OWNER, type ClusterPool } from '../cluster/index.js';
import { Datastore, DatastoreType, NO_DS_MAD, datastoreTypeName, datastoreTypeOf } from './datastore.js';
import { DEFAULT_STORAGE_DRIVERS, type StorageDrivers } from './datastore-drivers.js';
import { confOf, fallbackDriverConf, type DriverConf } from './driver-conf.js';
import { applyDirDefaults, applyDiskType, applyTmConf, checkDsConf } from './datastore-template.js';
import { diskTypeName } from './disk-type.js';

/** Where BASE_PATHs go without DATASTORE_LOCATION in oned.conf (relative to the location's root). */
export const DEFAULT_DATASTORE_DIR = 'var/datastores';

/** Permissions of the default datastores: OpenNebula creates them with umask 137. */
const DEFAULT_DATASTORE_PERMISSIONS = 0o640;

/**
 * OpenNebula's default datastores, ids 0, 1 and 2, by the templates they are made from (7.4's,
 * but with the ssh transfer driver where 7.4 has `local`, which this project does not ship).
 */
const DEFAULT_DATASTORES: readonly { name: string; template: string }[] = [
  { name: 'system', template: 'TYPE = "SYSTEM_DS"\nTM_MAD = "ssh"' },
  { name: 'default', template: 'TYPE = "IMAGE_DS"\nDS_MAD = "fs"\nTM_MAD = "ssh"' },
  { name: 'files', template: 'TYPE = "FILE_DS"\nDS_MAD = "fs"\nTM_MAD = "ssh"' },
];


export interface DatastorePoolOptions {
  /** DATASTORE_LOCATION: BASE_PATH is `<location>/<id>`. */
  readonly location: string;
  /** The DS_MAD and TM_MAD names allocate and update accept. */
  readonly drivers?: StorageDrivers;
  /** TM_MAD_CONF and DS_MAD_CONF (OpenNebula 7.4's defaults when not given). */
  readonly conf?: DriverConf;
}

/** Throws when a driver is not one oned.conf's `-d` list names. */
function checkDriver(attr: 'DS_MAD' | 'TM_MAD', name: string, configured: ReadonlySet<string>): void {
  if (!configured.has(name)) throw new Error(`${attr} "${name}" is not configured in oned.conf (configured: ${[...configured].join(', ')}).`);
}

export class DatastorePool extends Pool<Datastore> {
  readonly location: string;
  readonly drivers: StorageDrivers;
  readonly conf: DriverConf;

  constructor(options: DatastorePoolOptions) {
    super({ table: 'datastore_pool', type: 'DATASTORE', root: 'DATASTORE_POOL', nameScope: 'pool' });
    this.location = options.location;
    const fallback = new Set(DEFAULT_STORAGE_DRIVERS);
    this.drivers = options.drivers ?? { ds: fallback, tm: fallback };
    this.conf = options.conf ?? fallbackDriverConf();
  }

  /**
   * A new datastore from an allocate template (NAME already taken out), as OpenNebula 7.4 makes
   * it: TYPE (IMAGE_DS when absent), DS_MAD (none for system datastores) and TM_MAD (none for
   * backup ones) checked against oned.conf, the TM_MAD's defaults, DISK_TYPE, and the
   * RESTRICTED_DIRS / SAFE_DIRS defaults written into the template; BASE_PATH is oned's.
   * Throws a plain Error saying what is wrong.
   */
  build(oid: number, name: string, owner: Ownership, perms: Permissions, template: Template): Datastore {
    const typeText = template.get('TYPE');
    const dsType = datastoreTypeOf(typeText);
    if (dsType === undefined) throw new Error(`Unknown datastore TYPE "${typeText}": use IMAGE_DS, SYSTEM_DS, FILE_DS or BACKUP_DS.`);
    let dsMad = (template.get('DS_MAD') ?? '').trim();
    if (dsType === DatastoreType.SYSTEM_DS) {
      if (dsMad !== '') throw new Error('SYSTEM datastores cannot have DS_MAD defined.');
      dsMad = NO_DS_MAD;
    } else {
      if (dsMad === '') throw new Error('No DS_MAD in template: image, file and backup datastores need a datastore driver.');
      checkDriver('DS_MAD', dsMad, this.drivers.ds);
      checkDsConf(template, dsType, dsMad, this.conf);
    }
    let tmMad = (template.get('TM_MAD') ?? '').trim();
    if (dsType === DatastoreType.BACKUP_DS) {
      tmMad = NO_DS_MAD;
    } else {
      if (tmMad === '') throw new Error('No TM_MAD in template: every datastore needs a transfer driver.');
      checkDriver('TM_MAD', tmMad, this.drivers.tm);
      applyTmConf(template, dsType, tmMad, this.conf);
    }
    template.remove('BASE_PATH');
    const diskType = applyDiskType(template, dsType);
    applyDirDefaults(template);
    return Datastore.create(oid, name, owner, perms, { dsType, dsMad, tmMad, diskType }, this.location, template);
  }

  /**
   * The disk format a datastore's driver fixes for the images it makes ('' when none): its
   * TM_MAD_CONF's DRIVER, else its template's.
   */
  driverOf(ds: Datastore): string {
    const v = confOf(this.conf.tm, ds.fields.tmMad);
    return (v?.get('DRIVER') ?? '').trim() || (ds.template.get('DRIVER') ?? '').trim();
  }

  /**
   * `one.datastore.update`: checks `template` (the replaced or merged one, a copy) and writes
   * into it what oned keeps there: TYPE (which cannot change), DS_MAD and TM_MAD (changed when
   * it names them; the new ones must be configured), the TM_MAD's defaults again, DISK_TYPE.
   * Then makes it the datastore's template. Throws a plain Error, leaving the datastore as it
   * was, when something is wrong.
   */
  update(ds: Datastore, template: Template): void {
    const f = ds.fields;
    template.set('TYPE', datastoreTypeName(f.dsType));
    const diskType = template.has('DISK_TYPE') ? applyDiskType(template, f.dsType) : f.diskType;
    if (f.dsType === DatastoreType.IMAGE_DS || f.dsType === DatastoreType.SYSTEM_DS) template.set('DISK_TYPE', diskTypeName(diskType));
    let tmMad = f.tmMad;
    if (f.dsType !== DatastoreType.BACKUP_DS) {
      tmMad = (template.get('TM_MAD') ?? '').trim() || f.tmMad;
      if (tmMad !== f.tmMad) checkDriver('TM_MAD', tmMad, this.drivers.tm);
      applyTmConf(template, f.dsType, tmMad, this.conf);
      template.set('TM_MAD', tmMad);
    }
    let dsMad = f.dsMad;
    if (f.dsType === DatastoreType.SYSTEM_DS) {
      template.remove('DS_MAD');
    } else {
      dsMad = (template.get('DS_MAD') ?? '').trim() || f.dsMad;
      if (dsMad !== f.dsMad) checkDriver('DS_MAD', dsMad, this.drivers.ds);
      checkDsConf(template, f.dsType, dsMad, this.conf);
      template.set('DS_MAD', dsMad);
    }
    ds.replaceTemplate(template, { dsMad, tmMad, diskType });
  }

  protected fromXml(node: XmlNode): Datastore {
    return Datastore.fromXml(node);
  }

  /**
   * Adds the default datastores (system, default, files) to `tx`, in the default cluster, unless
   * this database ever had datastores (deleted defaults stay deleted). Returns whether it did.
   */
  createDefaults(tx: Transaction, clusters: ClusterPool): boolean {
    if (this.lastId >= 0) return false;
    const cluster = clusters.get(DEFAULT_CLUSTER_ID);
    for (const d of DEFAULT_DATASTORES) {
      const ds = tx.create(this, this.build(this.nextOid(), d.name, INFRASTRUCTURE_OWNER, Permissions.fromOctal(DEFAULT_DATASTORE_PERMISSIONS), Template.parse(d.template)));
      if (cluster) {
        ds.addCluster(cluster.oid);
        tx.touch(clusters, cluster).datastores.add(ds.oid);
      }
    }
    return true;
  }
}
