/** The group pool: table `group_pool`, names unique in the whole pool. */
import type { XmlNode } from '../common/xml-tree.js';
import { Pool } from '../pool/index.js';
import { Group } from './group.js';

export class GroupPool extends Pool<Group> {
  constructor() {
    super({ table: 'group_pool', type: 'GROUP', root: 'GROUP_POOL', nameScope: 'pool' });
  }

  protected fromXml(node: XmlNode): Group {
    return Group.fromXml(node);
  }
}
