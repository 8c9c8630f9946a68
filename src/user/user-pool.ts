/** The user pool: table `user_pool` (federated), names unique in the whole pool; quotas in `user_quotas` (zone-local). */
import type { XmlNode } from '../common/xml-tree.js';
import { QuotaHolderPool, USER_QUOTAS_TABLE } from '../auth/quota-table.js';
import { User } from './user.js';

export class UserPool extends QuotaHolderPool<User> {
  constructor() {
    super({ table: 'user_pool', type: 'USER', root: 'USER_POOL', nameScope: 'pool' }, USER_QUOTAS_TABLE);
  }

  protected fromXml(node: XmlNode): User {
    return User.fromXml(node);
  }
}
