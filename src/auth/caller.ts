/** Who is making an API call, once authenticated. */
import type { User } from '../user/user.js';
import { ONEADMIN_GROUP } from '../group/group.js';

export interface Caller {
  readonly user: User;
  readonly uid: number;
  readonly uname: string;
  /** Effective primary group (the token's group when the session used a scoped token). */
  readonly gid: number;
  readonly gname: string;
  /** Effective groups: all the user's groups, or only the token's group. */
  readonly gids: ReadonlySet<number>;
  /** oneadmin or a member of the oneadmin group: bypasses permission checks (not locks). */
  readonly isAdmin: boolean;
}

export function callerFor(user: User, egid = -1, egname = ''): Caller {
  const gids: ReadonlySet<number> = egid >= 0 ? new Set([egid]) : user.groups;
  return {
    user,
    uid: user.oid,
    uname: user.name,
    gid: egid >= 0 ? egid : user.gid,
    gname: egid >= 0 ? egname : user.owner.gname,
    gids,
    isAdmin: user.oid === 0 || gids.has(ONEADMIN_GROUP),
  };
}
