/** `one.group.*`, `one.grouppool.info` and `one.groupquota.*`. */
import { AuthOp } from '../../auth/operation.js';
import { ObjectType } from '../../common/object-type.js';
import { Template } from '../../common/template/index.js';
import { Group } from '../../group/index.js';
import { ApiError, ErrorCode } from '../api-error.js';
import { method, type MethodDef } from '../request-manager.js';
import { checkName, checkNameFree } from './common.js';
import { infoWithQuotas, poolWithQuotas, quotaMethods, setQuota } from './quota.js';
import { grantAdminRules, revokeAdminRules } from './group-admin.js';
import { updateMethod } from './object-methods.js';
import { forgetGroup, joinDefaultVdc } from './vdc.js';

/** Groups below this id are the system's own and cannot be deleted. */
const FIRST_USER_GROUP = 100;

export const groupMethods: MethodDef[] = [
  method({
    name: 'one.group.allocate',
    params: ['s'],
    run: async (req, [name]) => {
      const groups = req.core.groups;
      req.authorizeCreate('GROUP');
      // OpenNebula 7.4 answers a bad or taken name with INTERNAL and the bare reason.
      checkName(name, ErrorCode.INTERNAL);
      checkNameFree(groups, name, -1, ErrorCode.INTERNAL);
      // User-made groups get ids from 100 up, as in OpenNebula.
      if (groups.lastId < FIRST_USER_GROUP - 1) groups.reserve(FIRST_USER_GROUP - 1);
      const tx = req.transaction();
      const group = tx.create(groups, new Group(groups.nextOid(), name, new Template()));
      await tx.commit();
      // OpenNebula adds every new group to the default VDC, whose rules (on a fresh cloud) let its
      // members deploy on the hosts and use the networks and datastores of the zone. Permission to
      // create objects is the client's business (`onegroup create` adds it, as OpenNebula's CLI does).
      await joinDefaultVdc(req, group.oid);
      return group.oid;
    },
  }),
  method({
    name: 'one.group.delete',
    params: ['i'],
    run: async (req, [oid]) => {
      const groups = req.core.groups;
      const group = req.authorized(groups, oid, AuthOp.ADMIN);
      if (oid < FIRST_USER_GROUP) throw new ApiError(ErrorCode.ACTION, `System groups (ID < ${FIRST_USER_GROUP}) cannot be deleted.`, oid);
      if (group.users.size > 0) throw new ApiError(ErrorCode.ACTION, `Group ${oid} is not empty: it still has ${group.users.size} user(s).`, oid);
      const tx = req.transaction();
      tx.delete(groups, group);
      await tx.commit();
      await req.core.acl.delGidRules(oid);
      await req.core.acl.delResourceRules(ObjectType.GROUP, oid);
      await forgetGroup(req, oid);
      return oid;
    },
  }),
  method({
    name: 'one.group.info',
    params: [{ opt: 'i', def: -1 }, { opt: 'b', def: false }],
    run: (req, [id]) => {
      const group = req.authorized(req.core.groups, id === -1 ? req.caller.gid : id, AuthOp.USE);
      return infoWithQuotas(group, 'GROUP', 'DEFAULT_GROUP_QUOTAS', req.core.defaultQuotas.group, group.vlanRulesEscapedXml());
    },
  }),
  updateMethod({ prefix: 'one.group', pool: (core) => core.groups, restricted: 'GROUP' }),
  method({
    name: 'one.group.addadmin',
    params: ['i', 'i'],
    run: async (req, [gid, uid]) => {
      const groups = req.core.groups;
      const group = req.authorized(groups, gid, AuthOp.MANAGE);
      const user = req.get(req.core.users, uid);
      if (!user.groups.has(gid)) throw new ApiError(ErrorCode.ACTION, `User [${uid}] is not in group [${gid}]: add it first.`, gid);
      if (group.admins.has(uid)) throw new ApiError(ErrorCode.ACTION, `User [${uid}] is already an administrator of group [${gid}].`, gid);
      const tx = req.transaction();
      tx.touch(groups, group).admins.add(uid);
      await tx.commit();
      await grantAdminRules(req, gid, uid);
      return gid;
    },
  }),
  method({
    name: 'one.group.deladmin',
    params: ['i', 'i'],
    run: async (req, [gid, uid]) => {
      const groups = req.core.groups;
      const group = req.authorized(groups, gid, AuthOp.MANAGE);
      if (!group.admins.has(uid)) throw new ApiError(ErrorCode.ACTION, `User [${uid}] is not an administrator of group [${gid}].`, gid);
      const tx = req.transaction();
      tx.touch(groups, group).admins.delete(uid);
      await tx.commit();
      await revokeAdminRules(req, gid, uid);
      return gid;
    },
  }),
  method({
    name: 'one.group.quota',
    params: ['i', 's'],
    run: (req, [gid, text]) => {
      const groups = req.core.groups;
      return setQuota(req, groups, req.authorized(groups, gid, AuthOp.ADMIN), text);
    },
  }),
  method({
    name: 'one.grouppool.info',
    params: [],
    run: (req) => poolWithQuotas(req, req.core.groups, 'DEFAULT_GROUP_QUOTAS', req.core.defaultQuotas.group, (g) => g.vlanRulesEscapedXml()),
  }),
  ...quotaMethods('group'),
];

