/**
 * The cluster pool: table `cluster_pool`, names unique in the whole pool.
 *
 * A cluster's row lists all its hosts. Rewriting it at each host added made creating N hosts
 * quadratic (10,000 hosts: the list rendered and stored 10,000 times, 60 KB on average). Host
 * membership changes (setHost) are made in memory at once, after the host's own row is
 * committed, and the rows of the clusters they touch are written together within
 * WRITE_DELAY_MS, rendered once. A host's row holds its CLUSTER_ID, so a start after a crash
 * that lost such a write puts the lists right from the hosts (reconcileHosts).
 */
import type { XmlNode } from '../common/xml-tree.js';
import type { Database } from '../db/database.js';
import { Pool } from '../pool/index.js';
import { Cluster } from './cluster.js';

/** How long host membership changes wait to be written with the next ones. */
const WRITE_DELAY_MS = 1000;

/** Host membership changes per cluster id: host id → whether it is now a member. */
type Changes = Map<number, Map<number, boolean>>;

export class ClusterPool extends Pool<Cluster> {
  /** Changes made in memory and not yet written. */
  private unwritten: Changes = new Map();
  /** Changes being written. */
  private writing: Changes = new Map();
  private timer: NodeJS.Timeout | undefined;
  private db: Database | undefined;
  private flushing: Promise<void> = Promise.resolve();
  /** Receives errors of delayed writes (they are tried again). */
  onWriteError: (err: unknown) => void = () => {};

  constructor() {
    super({ table: 'cluster_pool', type: 'CLUSTER', root: 'CLUSTER_POOL', nameScope: 'pool' });
  }

  protected fromXml(node: XmlNode): Cluster {
    return Cluster.fromXml(node);
  }

  /**
   * Adds a host to a cluster's hosts (or removes it): in memory now (its XML is rendered again
   * when asked), its row written with the other changes soon. Call it once the host's row (its
   * CLUSTER_ID) is committed.
   */
  setHost(db: Database, cid: number, hid: number, member: boolean): void {
    // Looked up now: after a failed commit elsewhere the pool may hold a new instance.
    const cluster = this.get(cid);
    if (!cluster) return;
    if (member) cluster.hosts.add(hid);
    else cluster.hosts.delete(hid);
    this.objectChanged(cluster);
    let changes = this.unwritten.get(cluster.oid);
    if (!changes) this.unwritten.set(cluster.oid, (changes = new Map()));
    changes.set(hid, member);
    this.db = db;
    if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), WRITE_DELAY_MS);
      this.timer.unref();
    }
  }

  /** Writes the rows of the clusters whose hosts changed (at stop, and by the timer). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.flushing = this.flushing.then(() => this.writeChanged());
    return this.flushing;
  }

  private async writeChanged(): Promise<void> {
    if (this.unwritten.size === 0 || !this.db) return;
    this.writing = this.unwritten;
    this.unwritten = new Map();
    const writes = [...this.writing.keys()].flatMap((cid) => {
      const cluster = this.get(cid);
      return cluster ? this.rowWrites(cluster) : [];
    });
    try {
      if (writes.length > 0) await this.db.write(writes);
    } catch (err) {
      // Kept to be written again; newer changes of the same host win.
      for (const [cid, changes] of this.writing) {
        const newer = this.unwritten.get(cid);
        this.unwritten.set(cid, newer ? new Map([...changes, ...newer]) : changes);
      }
      this.onWriteError(err);
      if (!this.timer) {
        this.timer = setTimeout(() => void this.flush(), WRITE_DELAY_MS);
        this.timer.unref();
      }
    } finally {
      this.writing = new Map();
    }
  }

  /**
   * A cluster put back from its row or an earlier body (after a failed commit) gets the host
   * changes that row may not have yet.
   */
  override restore(oid: number, xml: string | null): void {
    super.restore(oid, xml);
    const cluster = this.get(oid);
    if (!cluster) return;
    for (const changes of [this.writing.get(oid), this.unwritten.get(oid)]) {
      for (const [hid, member] of changes ?? []) {
        if (member) cluster.hosts.add(hid);
        else cluster.hosts.delete(hid);
      }
    }
  }

  /**
   * At load, after the hosts: each cluster lists exactly the hosts whose CLUSTER_ID names it
   * (a crash may have lost a delayed write). Lists that were wrong are written again.
   */
  reconcileHosts(db: Database, hosts: Iterable<{ readonly oid: number; readonly clusterId: number }>): void {
    const members = new Map<number, Set<number>>();
    for (const h of hosts) {
      let set = members.get(h.clusterId);
      if (!set) members.set(h.clusterId, (set = new Set()));
      set.add(h.oid);
    }
    for (const cluster of [...this.all()]) {
      const want = members.get(cluster.oid) ?? new Set<number>();
      for (const hid of [...cluster.hosts]) if (!want.has(hid)) this.setHost(db, cluster.oid, hid, false);
      for (const hid of want) if (!cluster.hosts.has(hid)) this.setHost(db, cluster.oid, hid, true);
    }
  }
}
