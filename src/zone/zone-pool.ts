/** The zone pool: table `zone_pool` (federated), names unique in the whole pool. */
import type { XmlNode } from '../common/xml-tree.js';
import { Template } from '../common/template/index.js';
import { Pool, type Transaction } from '../pool/index.js';
import { DEFAULT_ZONE_NAME, FIRST_USER_ZONE, Zone, ZoneState } from './zone.js';

export class ZonePool extends Pool<Zone> {
  constructor() {
    super({ table: 'zone_pool', type: 'ZONE', root: 'ZONE_POOL', nameScope: 'pool' });
  }

  protected fromXml(node: XmlNode): Zone {
    return Zone.fromXml(node);
  }

  /** Whether zone `id` exists (VDCs name zones by id). */
  exists(id: number): boolean {
    return this.get(id) !== undefined;
  }

  /**
   * Zone 0, "OpenNebula", at `endpoint`, as a fresh cloud has it; ids up to 99 are kept for
   * system zones, so the next zone gets 100.
   */
  createDefault(tx: Transaction, endpoint: string): Zone {
    const template = new Template([], { replaceMode: true });
    template.set('ENDPOINT', endpoint);
    // Reserved before the create, which records the id counter.
    this.reserve(FIRST_USER_ZONE - 1);
    return tx.create(this, new Zone(0, DEFAULT_ZONE_NAME, ZoneState.ENABLED, template));
  }
}
