/** The cluster pool: table `cluster_pool`, names unique in the whole pool. */
import type { XmlNode } from '../common/xml-tree.js';
import { Pool } from '../pool/index.js';
import { Cluster } from './cluster.js';

export class ClusterPool extends Pool<Cluster> {
  constructor() {
    super({ table: 'cluster_pool', type: 'CLUSTER', root: 'CLUSTER_POOL', nameScope: 'pool' });
  }

  protected fromXml(node: XmlNode): Cluster {
    return Cluster.fromXml(node);
  }
}
