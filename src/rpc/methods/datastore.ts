/** `one.datastore.*` and `one.datastorepool.info`. */
import { AuthOp, type AuthOpValue } from '../../auth/operation.js';
import { ObjectType } from '../../common/object-type.js';
import { DEFAULT_CLUSTER_ID, NONE_CLUSTER_ID } from '../../cluster/index.js';
import { FIRST_USER_DATASTORE, type Datastore } from '../../datastore/index.js';
import { ApiError, ErrorCode } from '../api-error.js';
import { EscapedString } from '../xmlrpc/index.js';
import { method, type MethodDef } from '../request-manager.js';
import type { Request } from '../request.js';
import { allocateError, checkName, checkNameFree, newObjectPermissions, inListOrder, parseTemplate } from './common.js';
import { forgetResource } from './vdc.js';
import { objectMethods, updateMethod } from './object-methods.js';
import { encryptAttributes } from './template-attributes.js';
import { templateAndName } from './owned.js';

const kind = { prefix: 'one.datastore', pool: (core: Request['core']) => core.datastores, clustersOf: (ds: Datastore) => ds.clusterIds, encrypted: 'DATASTORE' as const };

/** The datastore, authorized for `op` with its clusters, so `DATASTORE/%cid` ACL rules apply. */
export function authorizedDatastore(req: Request, oid: number, op: AuthOpValue): Datastore {
  const ds = req.get(req.core.datastores, oid);
  req.authorize(ds, op, ds.clusterIds);
  return ds;
}

/** The generic methods, but for update, which datastores check and apply themselves. */
const genericMethods = objectMethods(kind).filter((m) => m.name !== updateMethod(kind).name);

export const datastoreMethods: MethodDef[] = [
  method({
    name: 'one.datastore.allocate',
    params: ['s', { opt: 'i', def: NONE_CLUSTER_ID }],
    run: async (req, [text, clusterArg]) => {
      const { datastores, clusters } = req.core;
      const cluster = req.get(clusters, clusterArg === NONE_CLUSTER_ID ? DEFAULT_CLUSTER_ID : clusterArg);
      req.authorizeCreate('DATASTORE');
      req.authorize(cluster, AuthOp.ADMIN);
      const { template, name } = templateAndName(datastores, text, 'Datastore');
      encryptAttributes(req, 'DATASTORE', template);
      const c = req.caller;
      const owner = { uid: c.uid, gid: c.gid, uname: c.uname, gname: c.gname };
      // User datastores get ids from 100 up, as in OpenNebula.
      if (datastores.lastId < FIRST_USER_DATASTORE - 1) datastores.reserve(FIRST_USER_DATASTORE - 1);
      let ds: Datastore;
      try {
        checkName(name, ErrorCode.ALLOCATE);
        checkNameFree(datastores, name, c.uid, ErrorCode.ALLOCATE);
        // Datastores are always usable by their group, whatever the umask, as in OpenNebula.
        const perms = newObjectPermissions(req).change([-1, -1, -1, 1, -1, -1, -1, -1, -1]);
        ds = datastores.build(datastores.lastId + 1, name, owner, perms, template);
      } catch (err) {
        throw allocateError(datastores, (err as Error).message);
      }
      // Its id is taken only now: a refused template uses none.
      datastores.reserve(ds.oid);
      ds.addCluster(cluster.oid);
      const tx = req.transaction();
      tx.create(datastores, ds);
      tx.touch(clusters, cluster).datastores.add(ds.oid);
      await tx.commit();
      return ds.oid;
    },
  }),
  method({
    name: 'one.datastore.delete',
    params: ['i'],
    // As in OpenNebula, any empty datastore may go, the default ones included.
    run: async (req, [oid]) => {
      const { datastores, clusters } = req.core;
      const ds = authorizedDatastore(req, oid, AuthOp.MANAGE);
      if (ds.images.size > 0) {
        throw new ApiError(ErrorCode.ACTION, `Cannot delete datastore. Datastore ${oid} is not empty, it holds ${ds.images.size} images.`, oid);
      }
      const tx = req.transaction();
      for (const cid of ds.clusterIds) {
        const cluster = clusters.get(cid);
        if (cluster) tx.touch(clusters, cluster).datastores.delete(oid);
      }
      tx.delete(datastores, ds);
      await tx.commit();
      await req.core.acl.delResourceRules(ObjectType.DATASTORE, oid);
      await forgetResource(req, 'DATASTORE', oid);
      return oid;
    },
  }),
  method({
    name: 'one.datastore.update',
    params: ['i', 's', { opt: 'i', def: 0 }],
    run: async (req, [oid, text, type]) => {
      if (type !== 0 && type !== 1) throw new ApiError(ErrorCode.XML_RPC_API, `Wrong update type ${type}: use 0 (replace) or 1 (merge).`, oid);
      const datastores = req.core.datastores;
      const ds = authorizedDatastore(req, oid, AuthOp.MANAGE);
      const tmpl = parseTemplate(text, ErrorCode.ACTION, undefined, oid);
      let next = tmpl;
      if (type === 1) {
        next = ds.template.clone();
        next.merge(tmpl);
      }
      encryptAttributes(req, 'DATASTORE', next);
      const tx = req.transaction();
      try {
        datastores.update(tx.touch(datastores, ds), next);
      } catch (err) {
        throw new ApiError(ErrorCode.ACTION, (err as Error).message, oid);
      }
      await tx.commit();
      return oid;
    },
  }),
  method({
    name: 'one.datastore.enable',
    params: ['i', 'b'],
    run: async (req, [oid, enable]) => {
      const ds = authorizedDatastore(req, oid, AuthOp.MANAGE);
      if (!ds.isSystem) throw new ApiError(ErrorCode.ACTION, `Only system datastores can be enabled or disabled; datastore ${oid} is not one.`, oid);
      const tx = req.transaction();
      tx.touch(req.core.datastores, ds).setEnabled(enable);
      await tx.commit();
      return oid;
    },
  }),
  ...genericMethods,
  method({
    name: 'one.datastorepool.info',
    params: [],
    run: (req) => {
      const datastores = req.core.datastores;
      const visible = req.core.authz.visibility(req.caller, 'DATASTORE', (obj) => datastores.get(obj.oid)?.clusterIds ?? []);
      return new EscapedString(datastores.toEscapedXml(inListOrder(req, datastores.list({ visible }))));
    },
  }),
];
