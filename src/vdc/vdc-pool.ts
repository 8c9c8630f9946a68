/** The VDC pool: table `vdc_pool`, names unique in the whole pool. */
import type { XmlNode } from '../common/xml-tree.js';
import { Pool } from '../pool/index.js';
import { Vdc, type VdcResourceKind } from './vdc.js';

export class VdcPool extends Pool<Vdc> {
  constructor() {
    super({ table: 'vdc_pool', type: 'VDC', root: 'VDC_POOL', nameScope: 'pool' });
  }

  protected fromXml(node: XmlNode): Vdc {
    return Vdc.fromXml(node);
  }

  /** The VDCs holding resource `id` of `kind` in `zone` by its own id (not through ALL). */
  holding(kind: VdcResourceKind, zone: number, id: number): Vdc[] {
    return [...this.all()].filter((v) => v.resources[kind].has({ zone, id }));
  }

  /** The VDCs group `gid` is in. */
  ofGroup(gid: number): Vdc[] {
    return [...this.all()].filter((v) => v.groups.has(gid));
  }
}
