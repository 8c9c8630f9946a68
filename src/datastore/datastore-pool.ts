/**
 * The datastore pool: table `datastore_pool`, names unique in the whole pool, and the three
 * datastores every installation starts with.
 */
import type { XmlNode } from '../common/xml-tree.js';
import { Template } from '../common/template/index.js';
import { Pool, Permissions, type Transaction } from '../pool/index.js';
import { DEFAULT_CLUSTER_ID, INFRASTRUCTURE_OWNER, type ClusterPool } from '../cluster/index.js';
import { Datastore, DatastoreType, NO_DS_MAD, type DatastoreTypeValue } from './datastore.js';
import { DEFAULT_STORAGE_DRIVERS, type StorageDrivers } from './datastore-drivers.js';

/** Where BASE_PATHs go without DATASTORE_LOCATION in oned.conf (relative to the location's root). */
export const DEFAULT_DATASTORE_DIR = 'var/datastores';

/** Permissions of the default datastores: OpenNebula creates them with umask 137. */
const DEFAULT_DATASTORE_PERMISSIONS = 0o640;

/** OpenNebula's default datastores: ids 0, 1 and 2. */
const DEFAULT_DATASTORES: readonly { name: string; dsType: DatastoreTypeValue; dsMad: string; tmMad: string }[] = [
  { name: 'system', dsType: DatastoreType.SYSTEM_DS, dsMad: NO_DS_MAD, tmMad: 'ssh' },
  { name: 'default', dsType: DatastoreType.IMAGE_DS, dsMad: 'fs', tmMad: 'ssh' },
  { name: 'files', dsType: DatastoreType.FILE_DS, dsMad: 'fs', tmMad: 'ssh' },
];

/**
 * Where the default datastores let users register files from (their template's RESTRICTED_DIRS
 * and SAFE_DIRS, as OpenNebula ships them): nowhere on the front-end but /var/tmp, so no user
 * can copy /etc/shadow or oned's own files into an image. Admins widen them with
 * `one.datastore.update`.
 */
export const DEFAULT_RESTRICTED_DIRS = '/';
export const DEFAULT_SAFE_DIRS = '/var/tmp';

export interface DatastorePoolOptions {
  /** DATASTORE_LOCATION: BASE_PATH is `<location>/<id>`. */
  readonly location: string;
  /** The DS_MAD and TM_MAD names allocate and update accept. */
  readonly drivers?: StorageDrivers;
}

export class DatastorePool extends Pool<Datastore> {
  readonly location: string;
  readonly drivers: StorageDrivers;

  constructor(options: DatastorePoolOptions) {
    super({ table: 'datastore_pool', type: 'DATASTORE', root: 'DATASTORE_POOL', nameScope: 'pool' });
    this.location = options.location;
    const fallback = new Set(DEFAULT_STORAGE_DRIVERS);
    this.drivers = options.drivers ?? { ds: fallback, tm: fallback };
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
      const template = new Template();
      template.set('RESTRICTED_DIRS', DEFAULT_RESTRICTED_DIRS);
      template.set('SAFE_DIRS', DEFAULT_SAFE_DIRS);
      const ds = tx.create(this, Datastore.create(this.nextOid(), d.name, INFRASTRUCTURE_OWNER, Permissions.fromOctal(DEFAULT_DATASTORE_PERMISSIONS), d, this.location, template));
      if (cluster) {
        ds.addCluster(cluster.oid);
        tx.touch(clusters, cluster).datastores.add(ds.oid);
      }
    }
    return true;
  }
}
