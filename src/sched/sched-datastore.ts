/**
 * A system datastore as a scheduling cycle sees it: where a VM's running disks go. Its free
 * space is lowered by what this cycle dispatched to it.
 */
import { child, childInt, childText, select, type XmlNode } from '../common/xml-tree.js';
import type { Attributes } from './expr/index.js';
import { attributeMap } from './attribute-map.js';

/** `/DATASTORE/TYPE` of system datastores. */
const SYSTEM_DS = 1;
/** `/DATASTORE/STATE` of an enabled datastore. */
const READY = 0;

export class SchedDatastore implements Attributes {
  freeMb: number;

  private constructor(
    readonly id: number,
    readonly name: string,
    /** Clusters it serves; a host may use it when the host's cluster is one of them. */
    readonly clusters: ReadonlySet<number>,
    readonly enabled: boolean,
    freeMb: number,
    private readonly attrs: Map<string, string[]>,
  ) {
    this.freeMb = freeMb;
  }

  lookup(name: string): readonly string[] | undefined {
    if (name === 'FREE_MB') return [String(this.freeMb)];
    return this.attrs.get(name);
  }

  /** The system datastores of a `one.datastorepool.info` answer. */
  static systemOf(pool: XmlNode): SchedDatastore[] {
    return pool.children.filter((d) => d.name === 'DATASTORE' && childInt(d, 'TYPE') === SYSTEM_DS).map((d) => {
      const clusters = new Set(select(d, 'CLUSTERS/ID').map((n) => Number(n.text)));
      const cid = child(d, 'CLUSTER_ID');
      if (cid && cid.text.trim() !== '' && Number(cid.text) >= 0) clusters.add(Number(cid.text));
      return new SchedDatastore(childInt(d, 'ID'), childText(d, 'NAME'), clusters, childInt(d, 'STATE') === READY, childInt(d, 'FREE_MB'), attributeMap(d, ['TEMPLATE', '']));
    });
  }
}

/**
 * The clusters of every datastore of a pool listing, by id: the short VM listing names a DISK's
 * datastore (DATASTORE_ID), whose clusters are the disk's.
 */
export function datastoreClusters(pool: XmlNode): Map<number, ReadonlySet<number>> {
  const out = new Map<number, ReadonlySet<number>>();
  for (const d of pool.children) {
    if (d.name !== 'DATASTORE') continue;
    const clusters = new Set(select(d, 'CLUSTERS/ID').map((n) => Number(n.text)));
    const cid = child(d, 'CLUSTER_ID');
    if (cid && cid.text.trim() !== '' && Number(cid.text) >= 0) clusters.add(Number(cid.text));
    out.set(childInt(d, 'ID'), clusters);
  }
  return out;
}
