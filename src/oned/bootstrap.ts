/**
 * First start: the oneadmin user (id 0), the oneadmin (0) and users (1) groups, the default
 * cluster (0) with the default datastores (0-2), and OpenNebula's default ACL rules. oneadmin's
 * password comes from the file named by ONE_AUTH (`user:password`), or is generated and written
 * to `$ONE_LOCATION/.one/one_auth` (mode 0600).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Template } from '../common/template/index.js';
import { hashPassword } from '../auth/password.js';
import { Group, ONEADMIN_GROUP, USERS_GROUP, type GroupPool } from '../group/index.js';
import { CORE_AUTH, User, type UserPool } from '../user/index.js';
import { Cluster, DEFAULT_CLUSTER_ID, DEFAULT_CLUSTER_NAME, type ClusterPool } from '../cluster/index.js';
import type { DatastorePool } from '../datastore/index.js';
import { Transaction } from '../pool/index.js';
import type { Database } from '../db/database.js';
import type { AclManager } from '../acl/index.js';
import type { Location } from './location.js';

export interface Credentials {
  readonly password: string;
  /** The file holding `oneadmin:password`. */
  readonly file: string;
}

/** oneadmin's password: from ONE_AUTH's file if set, else generated into the location's auth file. */
export function oneadminCredentials(loc: Location, env: NodeJS.ProcessEnv = process.env): Credentials {
  const file = env.ONE_AUTH;
  if (file) {
    if (!existsSync(file)) throw new Error(`ONE_AUTH names ${file}, which does not exist`);
    const text = readFileSync(file, 'utf8').trim();
    const colon = text.indexOf(':');
    if (colon <= 0 || colon === text.length - 1) throw new Error(`${file} must hold "oneadmin:password"`);
    if (text.slice(0, colon) !== 'oneadmin') throw new Error(`${file} must name user oneadmin, not "${text.slice(0, colon)}"`);
    return { password: text.slice(colon + 1), file };
  }
  const password = randomBytes(16).toString('hex');
  mkdirSync(dirname(loc.oneAuthFile), { recursive: true, mode: 0o700 });
  writeFileSync(loc.oneAuthFile, `oneadmin:${password}\n`, { mode: 0o600 });
  return { password, file: loc.oneAuthFile };
}

/** The pools a first start fills. */
export interface BootstrapPools {
  readonly users: UserPool;
  readonly groups: GroupPool;
  readonly clusters: ClusterPool;
  readonly datastores: DatastorePool;
}

/**
 * Adds the default cluster to `tx`, unless it exists (databases bootstrapped before clusters
 * existed get it at their next start).
 */
export function createDefaultCluster(tx: Transaction, clusters: ClusterPool): void {
  if (clusters.get(DEFAULT_CLUSTER_ID)) return;
  clusters.reserve(DEFAULT_CLUSTER_ID);
  tx.create(clusters, Cluster.create(DEFAULT_CLUSTER_ID, DEFAULT_CLUSTER_NAME));
}

/** Creates the initial users, groups, cluster and ACL rules in an empty database. */
export async function bootstrap(db: Database, pools: BootstrapPools, acl: AclManager, creds: Credentials, scryptCost: number): Promise<void> {
  const { users, groups, clusters, datastores } = pools;
  // Rules first: if oned dies before oneadmin is stored, the next start bootstraps again and
  // the rules already there are skipped.
  await acl.bootstrap();
  const tx = new Transaction(db);
  const oneadmin = new Group(ONEADMIN_GROUP, 'oneadmin', new Template(), [0]);
  const usersGroup = new Group(USERS_GROUP, 'users', new Template());
  groups.reserve(USERS_GROUP);
  tx.create(groups, oneadmin);
  tx.create(groups, usersGroup);
  users.reserve(0);
  const hash = await hashPassword(creds.password, scryptCost);
  tx.create(users, new User(0, 'oneadmin', ONEADMIN_GROUP, 'oneadmin', hash, CORE_AUTH, true, [ONEADMIN_GROUP], new Template([], { replaceMode: true })));
  createDefaultCluster(tx, clusters);
  datastores.createDefaults(tx, clusters);
  await tx.commit();
}
