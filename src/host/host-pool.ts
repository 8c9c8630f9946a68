/**
 * The host pool: table `host_pool`, names unique in the whole pool, and the monitoring samples
 * in `host_monitoring`. Also the operations the Information Manager performs on hosts, each
 * inside the caller's transaction.
 */
import type { XmlNode } from '../common/xml-tree.js';
import type { Template } from '../common/template/index.js';
import type { Database, Write } from '../db/database.js';
import { Pool, type PoolObject, type Transaction } from '../pool/index.js';
import type { ClusterPool, Reserved } from '../cluster/index.js';
import { Host, HostState } from './host.js';
import { HOST_MONITORING_TABLE, HostMonitoring, MonitoringReport } from './host-monitoring.js';

/** Root of monitoring listings. */
const MONITORING_DATA = 'MONITORING_DATA';

export class HostPool extends Pool<Host> {
  constructor(
    /** The clusters hosts belong to, for the reserved capacity they inherit. */
    private readonly clusters: ClusterPool,
  ) {
    super({ table: 'host_pool', type: 'HOST', root: 'HOST_POOL', nameScope: 'pool' });
  }

  protected fromXml(node: XmlNode): Host {
    return Host.fromXml(node);
  }

  /** Loads the hosts and each one's latest monitoring sample. */
  override async load(db: Database): Promise<void> {
    await super.load(db);
    const rows = await db.query(
      `SELECT m.hid, m.last_mon_time, m.body FROM ${HOST_MONITORING_TABLE} m INNER JOIN ` +
        `(SELECT hid, MAX(last_mon_time) AS t FROM ${HOST_MONITORING_TABLE} GROUP BY hid) l ON l.hid = m.hid AND l.t = m.last_mon_time`,
    );
    for (const row of rows) {
      const hid = Number(row.hid);
      this.get(hid)?.setMonitoring(new HostMonitoring(hid, Number(row.last_mon_time), String(row.body)));
    }
  }

  /** `one.hostpool.info` of `hosts`, escaped: each without its monitoring, as OpenNebula 7 lists hosts. */
  toEscapedListXml(hosts: Iterable<Host>): string {
    let xml = `&lt;${this.options.root}&gt;`;
    for (const h of hosts) xml += h.toEscapedListXml();
    return `${xml}&lt;/${this.options.root}&gt;`;
  }

  /** Puts back a stored version of a host, keeping what only memory holds (monitoring). */
  override restore(oid: number, xml: string | null): void {
    const before = this.get(oid);
    super.restore(oid, xml);
    const after = this.get(oid);
    if (before && after && after !== before) {
      if (before.monitoring) after.setMonitoring(before.monitoring);
      after.monitoringSince = before.monitoringSince;
    }
  }

  /** The capacity kept back on the host: its own RESERVED_CPU / RESERVED_MEM, else its cluster's. */
  reservedOf(host: Host): Reserved {
    const own = host.ownReserved;
    if (own.cpu !== '' && own.mem !== '') return own;
    const cluster = this.clusters.get(host.clusterId)?.reserved ?? { cpu: '', mem: '' };
    return { cpu: own.cpu || cluster.cpu, mem: own.mem || cluster.mem };
  }

  /**
   * Recomputes MAX_CPU and MAX_MEM after the reserved capacity may have changed (host or cluster
   * template, cluster membership); touches the host in `tx` only when they change.
   */
  refreshCapacity(tx: Transaction, host: Host): void {
    const max = host.share.maxFor(this.reservedOf(host));
    if (max.cpu === host.share.maxCpu && max.mem === host.share.maxMem) return;
    const share = tx.touch(this, host).share;
    share.maxCpu = max.cpu;
    share.maxMem = max.mem;
  }

  /**
   * A successful probe of `host` at `now` (epoch seconds): the sample goes to `host_monitoring`;
   * the host's row is written only when its description, capacity or state change. Ignored for
   * an OFFLINE host.
   */
  monitoringSucceeded(tx: Transaction, host: Host, probe: Template, now: number): void {
    host.monitoringSince = null;
    if (host.state === HostState.OFFLINE) return;
    const report = MonitoringReport.fromProbe(host.oid, probe, now);
    if (host.reportChangesBody(report)) tx.touch(this, host).applyReport(report, this.reservedOf(host));
    host.setMonitoring(report.sample);
    tx.write(report.sample.write());
  }

  /** A failed probe (or one that timed out): the host goes ERROR with `message` (see Host.recordFailure). */
  monitoringFailed(tx: Transaction, host: Host, message: string, now: number): void {
    host.monitoringSince = null;
    tx.touch(this, host).recordFailure(message, now);
  }

  /** The write that drops a deleted host's monitoring samples. */
  monitoringDelete(host: Host): Write {
    return { kind: 'delete', table: HOST_MONITORING_TABLE, where: { hid: host.oid } };
  }

  /** `one.host.monitoring`: every stored sample of the host, oldest first. */
  async monitoringXml(db: Database, hid: number): Promise<string> {
    const rows = await db.query(`SELECT body FROM ${HOST_MONITORING_TABLE} WHERE hid = ? ORDER BY last_mon_time`, [hid]);
    let xml = `<${MONITORING_DATA}>`;
    for (const row of rows) xml += String(row.body);
    return `${xml}</${MONITORING_DATA}>`;
  }

  /**
   * `one.hostpool.monitoring(seconds)` of the hosts `visible` lets through: 0 the latest sample of
   * each host (from memory), -1 (any negative) every stored sample, N > 0 the samples of the
   * last N seconds before `now`; by host, then time.
   */
  async poolMonitoringXml(db: Database, seconds: number, now: number, visible?: (host: PoolObject) => boolean): Promise<string> {
    const shown = (hid: number) => {
      const host = this.get(hid);
      return host !== undefined && (!visible || visible(host));
    };
    let xml = `<${MONITORING_DATA}>`;
    if (seconds === 0) {
      for (const host of this.all()) if (host.monitoring && (!visible || visible(host))) xml += host.monitoring.xml;
    } else {
      const rows =
        seconds < 0
          ? await db.query(`SELECT hid, body FROM ${HOST_MONITORING_TABLE} ORDER BY hid, last_mon_time`)
          : await db.query(`SELECT hid, body FROM ${HOST_MONITORING_TABLE} WHERE last_mon_time > ? ORDER BY hid, last_mon_time`, [now - seconds]);
      for (const row of rows) if (shown(Number(row.hid))) xml += String(row.body);
    }
    return `${xml}</${MONITORING_DATA}>`;
  }
}
