/** The group pool: table `group_pool` (federated), names unique in the whole pool; quotas in `group_quotas` (zone-local). */
import type { XmlNode } from '../common/xml-tree.js';
import { GROUP_QUOTAS_TABLE, QuotaHolderPool } from '../auth/quota-table.js';
import { Group } from './group.js';

export class GroupPool extends QuotaHolderPool<Group> {
  constructor() {
    super({ table: 'group_pool', type: 'GROUP', root: 'GROUP_POOL', nameScope: 'pool' }, GROUP_QUOTAS_TABLE);
  }

  protected fromXml(node: XmlNode): Group {
    return Group.fromXml(node);
  }
}
