/** The user pool: table `user_pool`, names unique in the whole pool. */
import type { XmlNode } from '../common/xml-tree.js';
import { Pool } from '../pool/index.js';
import { User } from './user.js';

export class UserPool extends Pool<User> {
  constructor() {
    super({ table: 'user_pool', type: 'USER', root: 'USER_POOL', nameScope: 'pool' });
  }

  protected fromXml(node: XmlNode): User {
    return User.fromXml(node);
  }
}
