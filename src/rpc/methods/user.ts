/** `one.user.*`, `one.userpool.info` and `one.userquota.*`. */
import { AuthOp } from '../../auth/operation.js';
import { DEFAULT_SCRYPT_COST, hashPassword, passwordError } from '../../auth/password.js';
import { newTokenSecret } from '../../auth/login-token.js';
import { ONEADMIN_GROUP, USERS_GROUP, type Group } from '../../group/index.js';
import { CORE_AUTH, EC2_SECRET_KEY, newUserTemplate, SERVER_CIPHER_AUTH, User, USER_NAME_EXTRA_CHARS } from '../../user/index.js';
import { serverPasswordDigest } from '../../common/server-cipher.js';
import { ApiError, ErrorCode, type ErrorCodeValue } from '../api-error.js';
import { method, type MethodDef } from '../request-manager.js';
import type { Request } from '../request.js';
import { checkName, checkNameFree } from './common.js';
import { infoWithQuotas, poolWithQuotas, quotaMethods, setQuota } from './quota.js';
import { updateMethod } from './object-methods.js';
import { decryptedAnswer } from './template-attributes.js';
import { revokeAdminRules } from './group-admin.js';
import { userJoinedVlanRules } from './group-vlan.js';

/** The stored secret for a password: a hash for core auth, the value itself for external drivers. */
async function secretFor(req: Request, driver: string, password: string, oid = -1, code: ErrorCodeValue = ErrorCode.ACTION): Promise<string> {
  if (driver === SERVER_CIPHER_AUTH) {
    // Server accounts keep the digest both sides derive their token key from (server-cipher.ts).
    const error = passwordError(password);
    if (error) throw new ApiError(code, error, oid);
    return serverPasswordDigest(password);
  }
  if (driver !== CORE_AUTH) return password;
  const error = passwordError(password);
  if (error) throw new ApiError(code, error, oid);
  return hashPassword(password, req.core.config.int('PASSWORD_SCRYPT_COST', DEFAULT_SCRYPT_COST));
}

/** Checks the driver name given to allocate or chauth. */
function checkDriver(driver: string, code: ErrorCodeValue = ErrorCode.ACTION): string {
  const d = driver === '' ? CORE_AUTH : driver;
  if (!/^[a-z0-9_]+$/i.test(d)) throw new ApiError(code, `Invalid auth driver "${driver}"`);
  return d;
}

/**
 * The longest life of a login token: MAX_TOKEN_TIME of the AUTH_MAD_CONF of the user's driver
 * (of "core" when it has none), as OpenNebula 7.4; a top-level MAX_TOKEN_TIME, the older
 * setting, wins when a site sets it.
 */
function maxTokenTime(req: Request, driver: string): number {
  const config = req.core.config;
  if (config.template.get('MAX_TOKEN_TIME') !== undefined) return config.int('MAX_TOKEN_TIME', -1);
  const confs = config.template.getAll('AUTH_MAD_CONF').flatMap((a) => (typeof a.value === 'string' ? [] : [a.value]));
  const conf = confs.find((v) => v.get('NAME') === driver) ?? confs.find((v) => v.get('NAME') === 'core');
  const value = conf?.get('MAX_TOKEN_TIME')?.trim() ?? '';
  return /^-?\d+$/.test(value) ? Number(value) : -1;
}

export const userMethods: MethodDef[] = [
  method({
    name: 'one.user.allocate',
    params: ['s', 's', { opt: 's', def: '' }, { opt: 'A', def: [] }],
    secrets: [1],
    run: async (req, [name, password, driverArg, groupArg]) => {
      const { users, groups } = req.core;
      let groupIds = groupArg.map((g) => {
        if (typeof g !== 'number' || !Number.isInteger(g)) throw new ApiError(ErrorCode.XML_RPC_API, `Group ids must be integers, got ${JSON.stringify(g)}`);
        return g;
      });
      // Users created by oneadmin's group go to "users"; others to their creator's group.
      if (groupIds.length === 0) groupIds = [req.caller.gid === ONEADMIN_GROUP ? USERS_GROUP : req.caller.gid];
      const members = (): Group[] => {
        const list = groupIds.map((gid) => req.get(groups, gid));
        // Creating a user in a group: oneadmin, or an ACL such as a group admin's `USER/@gid CREATE`.
        req.authorizeCreate('USER', list[0]!.oid);
        for (const g of list) req.authorize(g, AuthOp.USE);
        return list;
      };
      members(); // refuse before looking at the name or paying for the hash
      // OpenNebula 7.4 answers a bad or taken name, driver or password with INTERNAL and the bare reason.
      checkName(name, ErrorCode.INTERNAL, USER_NAME_EXTRA_CHARS);
      checkNameFree(users, name, -1, ErrorCode.INTERNAL);
      const driver = checkDriver(driverArg, ErrorCode.INTERNAL);
      const secret = await secretFor(req, driver, password, -1, ErrorCode.INTERNAL);
      // From here on one synchronous step: the hash yielded, so look everything up again.
      checkNameFree(users, name, -1, ErrorCode.INTERNAL);
      const groupList = members();
      const primary = groupList[0]!;
      const tx = req.transaction();
      const user = tx.create(users, new User(users.nextOid(), name, primary.oid, primary.name, secret, driver, true, groupIds, newUserTemplate((t) => req.core.attributes.encrypt('USER', t))));
      for (const g of groupList) tx.touch(groups, g).users.add(user.oid);
      await tx.commit();
      await userJoinedVlanRules(req, user);
      return user.oid;
    },
  }),
  method({
    name: 'one.user.delete',
    params: ['i'],
    run: async (req, [oid]) => {
      const { users, groups } = req.core;
      const user = req.authorized(users, oid, AuthOp.ADMIN);
      if (oid === 0) throw new ApiError(ErrorCode.ACTION, 'oneadmin cannot be deleted.', oid);
      const tx = req.transaction();
      for (const gid of user.groups) {
        const g = groups.get(gid);
        if (g) {
          tx.touch(groups, g);
          g.users.delete(oid);
          g.admins.delete(oid);
        }
      }
      tx.delete(users, user);
      await tx.commit();
      await req.core.acl.delUidRules(oid);
      return oid;
    },
  }),
  method({
    name: 'one.user.info',
    params: [{ opt: 'i', def: -1 }, { opt: 'b', def: false }],
    run: (req, [id, decrypt]) => {
      const oid = id === -1 ? req.caller.uid : id;
      const user = req.authorized(req.core.users, oid, AuthOp.USE);
      return decryptedAnswer(req, 'USER', infoWithQuotas(user, 'USER', 'DEFAULT_USER_QUOTAS', req.core.defaultQuotas.user), decrypt, [user.template], oid === req.caller.uid ? [EC2_SECRET_KEY] : undefined);
    },
  }),
  updateMethod({ prefix: 'one.user', pool: (core) => core.users, replaceMode: true, restricted: 'USER', encrypted: 'USER' }),
  method({
    name: 'one.user.passwd',
    params: ['i', 's'],
    secrets: [1],
    run: async (req, [oid, password]) => {
      const users = req.core.users;
      const secret = await secretFor(req, req.authorized(users, oid, AuthOp.MANAGE).authDriver, password, oid);
      const user = req.authorized(users, oid, AuthOp.MANAGE); // again: the hash yielded
      const tx = req.transaction();
      tx.touch(users, user);
      user.password = secret;
      user.tokens = []; // a new password ends every login session
      await tx.commit();
      return oid;
    },
  }),
  method({
    name: 'one.user.chauth',
    params: ['i', 's', { opt: 's', def: '' }],
    secrets: [2],
    run: async (req, [oid, driverArg, password]) => {
      const users = req.core.users;
      req.authorized(users, oid, AuthOp.ADMIN);
      const driver = checkDriver(driverArg);
      const secret = password === '' ? null : await secretFor(req, driver, password, oid);
      const user = req.authorized(users, oid, AuthOp.ADMIN); // again: the hash yielded
      const tx = req.transaction();
      tx.touch(users, user);
      user.authDriver = driver;
      if (secret !== null) user.password = secret;
      await tx.commit();
      return oid;
    },
  }),
  method({
    name: 'one.user.chgrp',
    params: ['i', 'i'],
    run: async (req, [oid, gid]) => {
      const { users, groups } = req.core;
      if (gid < 0) throw new ApiError(ErrorCode.XML_RPC_API, 'Wrong group ID', oid);
      req.get(users, oid);
      const group = req.get(groups, gid);
      if (oid === 0) throw new ApiError(ErrorCode.INTERNAL, `user [0] ${users.get(0)!.name} cannot be moved outside of the group [${ONEADMIN_GROUP}] oneadmin`, oid);
      // As OpenNebula 7.4: MANAGE on the user, USE on the new group.
      const user = req.authorized(users, oid, AuthOp.MANAGE);
      req.authorize(group, AuthOp.USE);
      if (user.gid === gid) return oid;
      // The old primary group is left only when the new one was not a secondary group already;
      // otherwise the two swap roles and the user stays in both.
      const leaveOld = !user.groups.has(gid);
      const tx = req.transaction();
      const old = leaveOld ? groups.get(user.gid) : undefined;
      const wasAdmin = old?.admins.has(oid) ?? false;
      if (old) {
        tx.touch(groups, old).users.delete(oid);
        old.admins.delete(oid);
      }
      tx.touch(users, user);
      if (leaveOld) user.groups.delete(user.gid);
      users.setOwner(user, { ...user.owner, gid, gname: group.name });
      user.groups.add(gid);
      tx.touch(groups, group).users.add(oid);
      await tx.commit();
      if (wasAdmin) await revokeAdminRules(req, old!.oid, oid);
      await userJoinedVlanRules(req, user);
      return oid;
    },
  }),
  method({
    name: 'one.user.addgroup',
    params: ['i', 'i'],
    run: async (req, [oid, gid]) => {
      const { users, groups } = req.core;
      const user = req.authorized(users, oid, AuthOp.MANAGE);
      const group = req.authorized(groups, gid, AuthOp.MANAGE);
      if (user.groups.has(gid)) throw new ApiError(ErrorCode.ACTION, 'User is already in this group', oid);
      const tx = req.transaction();
      tx.touch(users, user).groups.add(gid);
      tx.touch(groups, group).users.add(oid);
      await tx.commit();
      return oid;
    },
  }),
  method({
    name: 'one.user.delgroup',
    params: ['i', 'i'],
    run: async (req, [oid, gid]) => {
      const { users, groups } = req.core;
      const user = req.authorized(users, oid, AuthOp.MANAGE);
      const group = req.authorized(groups, gid, AuthOp.MANAGE);
      // OpenNebula 7.4's words: the primary group is changed with chgrp first.
      if (!user.groups.has(gid)) throw new ApiError(ErrorCode.ACTION, 'User is not part of this group', oid);
      if (user.gid === gid) throw new ApiError(ErrorCode.ACTION, 'Cannot remove user from the primary group', oid);
      const tx = req.transaction();
      tx.touch(users, user).groups.delete(gid);
      const wasAdmin = group.admins.has(oid);
      tx.touch(groups, group);
      group.users.delete(oid);
      group.admins.delete(oid);
      await tx.commit();
      if (wasAdmin) await revokeAdminRules(req, gid, oid);
      return oid;
    },
  }),
  method({
    name: 'one.user.quota',
    params: ['i', 's'],
    run: async (req, [oid, text]) => {
      const users = req.core.users;
      const user = req.authorized(users, oid, AuthOp.ADMIN);
      return setQuota(req, users, user, text);
    },
  }),
  method({
    name: 'one.user.enable',
    params: ['i', 'b'],
    run: async (req, [oid, enable]) => {
      const users = req.core.users;
      const user = req.authorized(users, oid, AuthOp.ADMIN);
      if (oid === 0 && !enable) throw new ApiError(ErrorCode.ACTION, 'oneadmin cannot be disabled.', oid);
      if (user.enabled === enable) return oid;
      const tx = req.transaction();
      tx.touch(users, user).enabled = enable;
      await tx.commit();
      return oid;
    },
  }),
  method({
    name: 'one.user.login',
    params: ['s', { opt: 's', def: '' }, { opt: 'i', def: 36000 }, { opt: 'i', def: -1 }],
    secrets: [1],
    secretResult: true,
    run: async (req, [name, token, valid, egid]) => {
      const users = req.core.users;
      const user = users.getByName(name);
      if (!user) throw new ApiError(ErrorCode.NO_EXISTS, `Error getting user ${JSON.stringify(name)}.`);
      if (user.oid !== req.caller.uid) req.authorize(user, AuthOp.ADMIN);
      if (egid >= 0 && !user.groups.has(egid)) throw new ApiError(ErrorCode.XML_RPC_API, 'EGID is not in user group list', user.oid);
      const tx = req.transaction();
      if (valid === 0) {
        // 0 resets: the given token, or all of them.
        if (token !== '' && !user.tokens.some((t) => t.token === token)) throw new ApiError(ErrorCode.XML_RPC_API, 'Could not find token', user.oid);
        tx.touch(users, user).tokens = token === '' ? [] : user.tokens.filter((t) => t.token !== token);
        await tx.commit();
        return token;
      }
      if (valid < -1) throw new ApiError(ErrorCode.XML_RPC_API, `Invalid token validity ${valid}: seconds > 0, -1 (no expiration) or 0 (reset).`, user.oid);
      const now = Math.floor(Date.now() / 1000);
      const max = maxTokenTime(req, user.authDriver);
      let seconds = valid;
      if (max > 0 && (seconds === -1 || seconds > max)) seconds = max;
      const secret = token === '' ? newTokenSecret() : token;
      const kept = user.tokens.filter((t) => t.token !== secret && (t.expiration === -1 || t.expiration > now));
      tx.touch(users, user).tokens = [...kept, { token: secret, expiration: seconds === -1 ? -1 : now + seconds, egid }];
      await tx.commit();
      return secret;
    },
  }),
  method({
    name: 'one.userpool.info',
    params: [],
    run: (req) => poolWithQuotas(req, req.core.users, 'DEFAULT_USER_QUOTAS', req.core.defaultQuotas.user),
  }),
  ...quotaMethods('user'),
];
