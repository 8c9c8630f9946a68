/** `one.cluster.*` (hosts, datastores and virtual networks) and `one.clusterpool.info`. */
import { AuthOp } from '../../auth/operation.js';
import { ObjectType } from '../../common/object-type.js';
import { Cluster, DEFAULT_CLUSTER_ID, drsSettings, FIRST_USER_CLUSTER } from '../../cluster/index.js';
import type { Datastore } from '../../datastore/index.js';
import type { Pool, PoolObject } from '../../pool/index.js';
import type { VirtualNetwork } from '../../vnet/index.js';
import { ApiError, ErrorCode } from '../api-error.js';
import { EscapedString } from '../xmlrpc/index.js';
import { encryptAttributes, infoAnswer } from './template-attributes.js';
import { method, type MethodDef } from '../request-manager.js';
import type { Request } from '../request.js';
import { allocateError, checkName, checkNameFree, inListOrder, parseTemplate } from './common.js';
import { forgetResource } from './vdc.js';

/**
 * Moves a host into `cid` (ADMIN on both, as OpenNebula asks): out of its cluster's HOSTS, into
 * the new one's, with the reserved capacity the new cluster gives it.
 */
async function moveHost(req: Request, cid: number, hid: number): Promise<void> {
  const { hosts, clusters } = req.core;
  const target = req.get(clusters, cid);
  const host = req.get(hosts, hid);
  req.authorize(target, AuthOp.ADMIN);
  req.authorize(host, AuthOp.ADMIN, host.clusterIds);
  if (host.clusterId === cid) return;
  const tx = req.transaction();
  const old = clusters.get(host.clusterId);
  if (old) tx.touch(clusters, old).hosts.delete(hid);
  tx.touch(clusters, target).hosts.add(hid);
  tx.touch(hosts, host).setCluster(target.oid, target.name);
  hosts.refreshCapacity(tx, host);
  await tx.commit();
}

/** An object that may be in several clusters, or none (datastores, virtual networks). */
interface InClusters extends PoolObject {
  readonly clusterIds: readonly number[];
  hasCluster(cid: number): boolean;
  addCluster(cid: number): void;
  removeCluster(cid: number): void;
}

/** Where such objects are in the core, and in a cluster's XML. */
interface Membership<T extends InClusters> {
  /** As messages name the object, e.g. `Datastore`. */
  readonly what: string;
  readonly pool: (core: Request['core']) => Pool<T>;
  readonly members: (cluster: Cluster) => Set<number>;
}

const DATASTORES: Membership<Datastore> = { what: 'Datastore', pool: (core) => core.datastores, members: (c) => c.datastores };
const VNETS: Membership<VirtualNetwork> = { what: 'Virtual network', pool: (core) => core.vnets, members: (c) => c.vnets };

/**
 * Puts an object in cluster `cid` or takes it out (ADMIN on both). Adding it twice, or taking
 * out one it is not in, is refused, as OpenNebula does.
 */
async function setMembership<T extends InClusters>(req: Request, kind: Membership<T>, cid: number, oid: number, member: boolean): Promise<number> {
  const clusters = req.core.clusters;
  const pool = kind.pool(req.core);
  const cluster = req.get(clusters, cid);
  const obj = req.get(pool, oid);
  req.authorize(cluster, AuthOp.ADMIN);
  req.authorize(obj, AuthOp.ADMIN, obj.clusterIds);
  if (obj.hasCluster(cid) === member) {
    throw new ApiError(ErrorCode.ACTION, `${kind.what} ${oid} is ${member ? 'already' : 'not'} in cluster ${cid}.`, cid);
  }
  const tx = req.transaction();
  tx.touch(clusters, cluster);
  tx.touch(pool, obj);
  if (member) {
    kind.members(cluster).add(oid);
    obj.addCluster(cid);
  } else {
    kind.members(cluster).delete(oid);
    obj.removeCluster(cid);
  }
  await tx.commit();
  return cid;
}

export const clusterMethods: MethodDef[] = [
  method({
    name: 'one.cluster.allocate',
    params: ['s'],
    run: async (req, [name]) => {
      const clusters = req.core.clusters;
      req.authorizeCreate('CLUSTER');
      try {
        checkName(name, ErrorCode.ALLOCATE);
        checkNameFree(clusters, name, -1, ErrorCode.ALLOCATE);
      } catch (err) {
        throw allocateError(clusters, (err as Error).message);
      }
      // User clusters get ids from 100 up, as in OpenNebula.
      if (clusters.lastId < FIRST_USER_CLUSTER - 1) clusters.reserve(FIRST_USER_CLUSTER - 1);
      const tx = req.transaction();
      const cluster = tx.create(clusters, Cluster.create(clusters.nextOid(), name));
      await tx.commit();
      return cluster.oid;
    },
  }),
  method({
    name: 'one.cluster.delete',
    params: ['i'],
    run: async (req, [oid]) => {
      const clusters = req.core.clusters;
      const cluster = req.authorized(clusters, oid, AuthOp.ADMIN);
      if (oid < FIRST_USER_CLUSTER) throw new ApiError(ErrorCode.ACTION, `Cannot delete cluster. System Clusters (ID < ${FIRST_USER_CLUSTER}) cannot be deleted.`, oid);
      const contents = cluster.contentsError();
      if (contents) throw new ApiError(ErrorCode.ACTION, `Cannot delete cluster. ${contents}`, oid);
      const tx = req.transaction();
      tx.delete(clusters, cluster);
      await tx.commit();
      await req.core.acl.delResourceRules(ObjectType.CLUSTER, oid);
      await req.core.acl.delCidRules(oid);
      await forgetResource(req, 'CLUSTER', oid);
      return oid;
    },
  }),
  method({
    name: 'one.cluster.info',
    params: ['i', { opt: 'b', def: false }],
    run: (req, [oid, decrypt]) => {
      const cluster = req.authorized(req.core.clusters, oid, AuthOp.USE);
      return infoAnswer(req, 'CLUSTER', cluster, decrypt, [cluster.template]);
    },
  }),
  method({
    name: 'one.cluster.update',
    params: ['i', 's', { opt: 'i', def: 0 }],
    run: async (req, [oid, text, type]) => {
      if (type !== 0 && type !== 1) throw new ApiError(ErrorCode.XML_RPC_API, `Wrong update type ${type}: use 0 (replace) or 1 (merge).`, oid);
      const { hosts, clusters } = req.core;
      const cluster = req.authorized(clusters, oid, AuthOp.ADMIN);
      const tmpl = parseTemplate(text, ErrorCode.ACTION, { replaceMode: true }, oid);
      // ONE_DRS is checked as 7.4 checks it, before anything changes.
      const next = type === 0 ? tmpl : cluster.template.clone();
      if (type === 1) next.merge(tmpl);
      try {
        drsSettings(next.getVector('ONE_DRS'));
      } catch (err) {
        throw new ApiError(ErrorCode.INTERNAL, (err as Error).message, oid);
      }
      const tx = req.transaction();
      tx.touch(clusters, cluster);
      if (type === 0) cluster.template = tmpl;
      else cluster.template.merge(tmpl);
      encryptAttributes(req, 'CLUSTER', cluster.template);
      // RESERVED_CPU / RESERVED_MEM may have changed for the hosts that inherit them.
      for (const hid of cluster.hosts) {
        const host = hosts.get(hid);
        if (host) hosts.refreshCapacity(tx, host);
      }
      await tx.commit();
      return oid;
    },
  }),
  method({
    name: 'one.cluster.rename',
    params: ['i', 's'],
    run: async (req, [oid, name]) => {
      const { hosts, clusters } = req.core;
      const cluster = req.authorized(clusters, oid, AuthOp.ADMIN);
      checkName(name, ErrorCode.ACTION, '', oid);
      checkNameFree(clusters, name, -1, ErrorCode.ACTION, oid);
      const tx = req.transaction();
      tx.touch(clusters, cluster);
      clusters.rename(cluster, name);
      // Hosts show their cluster's name.
      for (const hid of cluster.hosts) {
        const host = hosts.get(hid);
        if (host) tx.touch(hosts, host).setCluster(oid, name);
      }
      await tx.commit();
      return oid;
    },
  }),
  method({
    name: 'one.cluster.addhost',
    params: ['i', 'i'],
    run: async (req, [cid, hid]) => {
      await moveHost(req, cid, hid);
      return cid;
    },
  }),
  method({
    name: 'one.cluster.delhost',
    params: ['i', 'i'],
    // As in OpenNebula, a host is always in a cluster: taking it out puts it back in the default
    // one, whichever cluster is named.
    run: async (req, [cid, hid]) => {
      await moveHost(req, DEFAULT_CLUSTER_ID, hid);
      return cid;
    },
  }),
  method({
    name: 'one.cluster.adddatastore',
    params: ['i', 'i'],
    run: (req, [cid, dsid]) => setMembership(req, DATASTORES, cid, dsid, true),
  }),
  method({
    name: 'one.cluster.deldatastore',
    params: ['i', 'i'],
    run: (req, [cid, dsid]) => setMembership(req, DATASTORES, cid, dsid, false),
  }),
  method({
    name: 'one.cluster.addvnet',
    params: ['i', 'i'],
    run: (req, [cid, vnid]) => setMembership(req, VNETS, cid, vnid, true),
  }),
  method({
    name: 'one.cluster.delvnet',
    params: ['i', 'i'],
    run: (req, [cid, vnid]) => setMembership(req, VNETS, cid, vnid, false),
  }),
  method({
    name: 'one.clusterpool.info',
    params: [],
    run: (req) => {
      const clusters = req.core.clusters;
      return new EscapedString(clusters.toEscapedXml(inListOrder(req, clusters.list({ visible: req.core.authz.visibility(req.caller, 'CLUSTER') }))));
    },
  }),
];
