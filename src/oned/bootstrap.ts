/**
 * First start: the oneadmin (0) and serveradmin (1) users, the oneadmin (0) and users (1)
 * groups, the default cluster (0) with the default datastores (0-2), and OpenNebula's default ACL
 * rules. oneadmin's password comes from the file named by ONE_AUTH (`user:password`), or is
 * generated and written to `$ONE_LOCATION/.one/one_auth` (mode 0600). serveradmin's random
 * password is written to the cloud servers' auth files beside it (see SERVER_AUTH_FILES).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Template } from '../common/template/index.js';
import { hashPassword } from '../auth/password.js';
import { Group, ONEADMIN_GROUP, USERS_GROUP, type GroupPool } from '../group/index.js';
import { serverPasswordDigest } from '../common/server-cipher.js';
import { CORE_AUTH, EC2_SECRET_KEY, newEc2Secret, newUserTemplate, randomSecret, SERVER_ADMIN_ID, SERVER_ADMIN_NAME, SERVER_CIPHER_AUTH, User, type UserPool } from '../user/index.js';
import { Cluster, DEFAULT_CLUSTER_ID, DEFAULT_CLUSTER_NAME, type ClusterPool } from '../cluster/index.js';
import type { DatastorePool } from '../datastore/index.js';
import { Transaction } from '../pool/index.js';
import type { Database } from '../db/database.js';
import type { AclManager } from '../acl/index.js';
import type { AttributePolicy } from '../common/attribute-policy.js';
import type { Location } from './location.js';
import { DEFAULT_VDC_ID, FIRST_USER_VDC, grantRules, groupRules, Vdc, vdcAclRights, type VdcPool } from '../vdc/index.js';
import type { ConfigReader } from '../common/config.js';
import { DEFAULT_SECGROUP_ID, FIRST_USER_SECGROUP_ID, SecurityGroup, type SecurityGroupPool } from '../secgroup/security-group.js';

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

/**
 * The files holding `serveradmin:password` for the servers that act through serveradmin
 * (Sunstone, the EC2 and OCCI servers, OneGate, OneFlow), in `$ONE_LOCATION/.one/` as OpenNebula
 * keeps them in `/var/lib/one/.one/`.
 */
export const SERVER_AUTH_FILES: readonly string[] = ['sunstone_auth', 'occi_auth', 'ec2_auth', 'onegate_auth', 'oneflow_auth'];

/**
 * Writes serveradmin's credentials to every SERVER_AUTH_FILES file of the location (mode 0600,
 * replacing what was there: they must match the account just made) and returns the account's
 * stored secret: the SHA-256 digest of the password in hex, as OpenNebula stores it for the
 * `server_cipher` driver (the servers derive their cipher key from the same digest).
 */
export function writeServerAdminCredentials(loc: Location, password: string): string {
  const dir = dirname(loc.oneAuthFile);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const f of SERVER_AUTH_FILES) writeFileSync(join(dir, f), `${SERVER_ADMIN_NAME}:${password}\n`, { mode: 0o600 });
  return serverPasswordDigest(password);
}

/** The serveradmin account (not yet in a pool), with the stored secret of writeServerAdminCredentials. */
export function serverAdmin(oid: number, secret: string): User {
  return new User(oid, SERVER_ADMIN_NAME, ONEADMIN_GROUP, 'oneadmin', secret, SERVER_CIPHER_AUTH, true, [ONEADMIN_GROUP], newUserTemplate());
}

/**
 * A database bootstrapped before serveradmin existed gets it at start, unless some user is already
 * called serveradmin: id 1 when no user ever had it (the usual case: only oneadmin was made
 * before), else the next free id. Returns its id, or null when nothing was done.
 */
export async function ensureServerAdmin(db: Database, pools: Pick<BootstrapPools, 'users' | 'groups'>, loc: Location): Promise<number | null> {
  const { users, groups } = pools;
  if (users.getByName(SERVER_ADMIN_NAME)) return null;
  const oneadminGroup = groups.get(ONEADMIN_GROUP);
  if (!oneadminGroup) return null;
  const secret = writeServerAdminCredentials(loc, randomSecret());
  let oid: number;
  if (users.lastId < SERVER_ADMIN_ID) {
    users.reserve(SERVER_ADMIN_ID);
    oid = SERVER_ADMIN_ID;
  } else {
    oid = users.nextOid();
  }
  const tx = new Transaction(db);
  tx.create(users, serverAdmin(oid, secret));
  tx.touch(groups, oneadminGroup).users.add(oid);
  await tx.commit();
  return oid;
}

/** The system_attributes row that records that every user was given an EC2 secret key. */
const EC2_KEYS_GIVEN = 'EC2_KEYS_GIVEN';

/**
 * Once per database (a system_attributes row records it): gives every user without one an EC2
 * secret key, and encrypts keys stored in clear. That covers the bootstrapped accounts and the
 * users of a database made before the EC2 API; later users get theirs when created. Once done,
 * a start changes nothing: a user who later replaces their template without the key has none
 * until `oneuser ec2-key --rotate` makes one. Returns how many users changed.
 */
export async function ensureEc2Secrets(db: Database, users: UserPool, attributes: AttributePolicy): Promise<number> {
  const done = await db.query('SELECT name FROM system_attributes WHERE name = ?', [EC2_KEYS_GIVEN]);
  if (done.length > 0) return 0;
  const tx = new Transaction(db);
  let changed = 0;
  for (const user of users.all()) {
    const value = user.template.get(EC2_SECRET_KEY);
    if (value && attributes.isEncrypted('USER', EC2_SECRET_KEY, value)) continue;
    tx.touch(users, user);
    if (!value) user.template.set(EC2_SECRET_KEY, newEc2Secret());
    attributes.encrypt('USER', user.template);
    changed++;
  }
  tx.write({ kind: 'upsert', table: 'system_attributes', row: { name: EC2_KEYS_GIVEN, body: `<${EC2_KEYS_GIVEN}>${Math.floor(Date.now() / 1000)}</${EC2_KEYS_GIVEN}>` } });
  await tx.commit();
  return changed;
}

/**
 * Security group 0 ("default"), unless it exists: at the first start and in databases made
 * before security groups existed. The ids below 100 stay for system groups. Returns whether it
 * was made.
 */
export async function ensureDefaultSecurityGroup(db: Database, groups: SecurityGroupPool): Promise<boolean> {
  if (groups.get(DEFAULT_SECGROUP_ID)) return false;
  const tx = new Transaction(db);
  if (groups.lastId < FIRST_USER_SECGROUP_ID - 1) groups.reserve(FIRST_USER_SECGROUP_ID - 1);
  tx.create(groups, SecurityGroup.createDefault());
  await tx.commit();
  return true;
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

/**
 * The template of the "users" group on a fresh install: the Sunstone views its members and its
 * administrators get, as OpenNebula 7.4 sets them.
 */
export function usersGroupTemplate(): Template {
  const views = new Map([
    ['DEFAULT_VIEW', 'cloud'],
    ['GROUP_ADMIN_DEFAULT_VIEW', 'groupadmin'],
    ['GROUP_ADMIN_VIEWS', 'groupadmin,cloud'],
    ['VIEWS', 'cloud'],
  ]);
  return new Template([{ name: 'SUNSTONE', value: views }]);
}

/** Creates the initial users, groups, cluster and ACL rules in an empty database. */
export async function bootstrap(db: Database, pools: BootstrapPools, acl: AclManager, creds: Credentials, scryptCost: number, loc: Location): Promise<void> {
  const { users, groups, clusters, datastores } = pools;
  // Rules first: if oned dies before oneadmin is stored, the next start bootstraps again and
  // the rules already there are skipped.
  await acl.bootstrap();
  const serverSecret = writeServerAdminCredentials(loc, randomSecret());
  const tx = new Transaction(db);
  const oneadmin = new Group(ONEADMIN_GROUP, 'oneadmin', new Template(), [0, SERVER_ADMIN_ID]);
  const usersGroup = new Group(USERS_GROUP, 'users', usersGroupTemplate());
  groups.reserve(USERS_GROUP);
  tx.create(groups, oneadmin);
  tx.create(groups, usersGroup);
  users.reserve(SERVER_ADMIN_ID);
  const hash = await hashPassword(creds.password, scryptCost);
  tx.create(users, new User(0, 'oneadmin', ONEADMIN_GROUP, 'oneadmin', hash, CORE_AUTH, true, [ONEADMIN_GROUP], newUserTemplate()));
  tx.create(users, serverAdmin(SERVER_ADMIN_ID, serverSecret));
  createDefaultCluster(tx, clusters);
  datastores.createDefaults(tx, clusters);
  await tx.commit();
}

/**
 * Creates the default VDC (0) when the database has none: group `users` and every cluster of
 * the zone at the first start, as OpenNebula 7.4; in a database made before VDCs existed, also
 * every group that still has the rules its creation gave it (`@gid HOST/* MANAGE #zone`, ...).
 * The rules themselves are added when missing. Returns whether it was created.
 */
export async function ensureDefaultVdc(db: Database, vdcs: VdcPool, groups: GroupPool, acl: AclManager, config?: ConfigReader): Promise<boolean> {
  if (vdcs.get(DEFAULT_VDC_ID) || vdcs.lastId >= 0) return false;
  const vdc = Vdc.createDefault(acl.zoneId, USERS_GROUP);
  const rights = vdcAclRights(config);
  for (const group of groups.all()) {
    if (group.oid > USERS_GROUP && groupRules(rights, vdc, group.oid).every((r) => acl.find(r))) vdc.groups.add(group.oid);
  }
  const tx = new Transaction(db);
  vdcs.reserve(FIRST_USER_VDC - 1);
  tx.create(vdcs, vdc);
  await tx.commit();
  await grantRules(acl, [...vdc.groups].flatMap((gid) => groupRules(rights, vdc, gid)));
  return true;
}
