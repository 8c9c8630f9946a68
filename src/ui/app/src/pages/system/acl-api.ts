import { post } from '../../api';

/** Adds an ACL rule from its text through the server's `/api/acl` (the client library makes oned's hex form). */
export async function addAclRule(rule: string): Promise<number> {
  return Number((await post<{ result: number }>('/api/acl', { rule })).result);
}

/** What members of a new group may create, as `onegroup create` grants by default. */
export const GROUP_CREATE_RESOURCES = 'VM+IMAGE+TEMPLATE+DOCUMENT+SECGROUP+VMGROUP+BACKUPJOB';
