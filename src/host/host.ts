/**
 * A host: a hypervisor node oned deploys VMs on, monitored through its IM driver. Its body holds
 * what describes it (state, drivers, cluster, share, VMs, template); monitoring samples live in
 * `host_monitoring`, and only the latest is kept here, in memory, to show in its XML.
 */
import type { XmlNode } from '../common/xml-tree.js';
import { child, childInt, childText } from '../common/xml-tree.js';
import { xmlElement, xmlEscapeText } from '../common/xml.js';
import { flat } from '../common/flat-string.js';
import { timestamp } from '../common/log.js';
import { Template } from '../common/template/index.js';
import type { Row } from '../db/database.js';
import { PoolObject, templateFromNode } from '../pool/index.js';
import { INFRASTRUCTURE_OWNER, INFRASTRUCTURE_PERMISSIONS, type Reserved } from '../cluster/index.js';
import { HostShare } from './host-share.js';
import { probeInt, type HostMonitoring, type MonitoringReport } from './host-monitoring.js';

/**
 * Host states (`/HOST/STATE`). OpenNebula 3.x–5.10 also had transient MONITORING_* states while
 * a probe ran; HEAD dropped them and so does nebula-ts (a round in flight is `monitoringSince`),
 * but their numbers stay reserved so clients' state tables keep working.
 */
export const HostState = {
  /** Enabled, not monitored yet. */
  INIT: 0,
  MONITORING_MONITORED: 1,
  /** Monitored successfully: deployments allowed. */
  MONITORED: 2,
  /** The last monitoring failed (message in the template's ERROR). */
  ERROR: 3,
  /** Still monitored, VMs may be deployed by hand, the scheduler skips it. */
  DISABLED: 4,
  MONITORING_ERROR: 5,
  MONITORING_INIT: 6,
  MONITORING_DISABLED: 7,
  /** Not monitored, no deployments at all. */
  OFFLINE: 8,
} as const;

export type HostStateValue = (typeof HostState)[keyof typeof HostState];

/** `one.host.status` values. */
export const HostStatus = { ENABLED: 0, DISABLED: 1, OFFLINE: 2 } as const;

export type HostStatusValue = (typeof HostStatus)[keyof typeof HostStatus];

/**
 * Template attributes the share takes out of monitoring reports (not kept in the template).
 * TOTALCPU and TOTALMEMORY go to the share and stay in the template, as in OpenNebula 7.
 */
const SHARE_ATTRIBUTES = ['DS_LOCATION_TOTAL_MB', 'DS_LOCATION_FREE_MB', 'DS_LOCATION_USED_MB', 'DS', 'PCI', 'CORE', 'HUGEPAGE', 'MEMORY_NODE'];
/** Monitored values that go stale when a host goes offline. */
const OFFLINE_STALE = ['TOTALCPU', 'TOTALMEMORY', 'FREECPU', 'FREEMEMORY', 'USEDCPU', 'USEDMEMORY'];

/**
 * Checks an IM or VMM driver name; returns the error message, or null when valid. Any name of
 * letters, digits, `_` and `-` passes until the drivers configured in oned.conf are known.
 */
export function driverNameError(kind: 'IM_MAD' | 'VMM_MAD' | 'VN_MAD', name: string): string | null {
  if (name === '') return `${kind}_NAME cannot be empty.`;
  if (!/^[a-z0-9_-]+$/i.test(name)) return `Invalid ${kind} "${name}": only letters, digits, "_" and "-" are allowed.`;
  return null;
}

export class Host extends PoolObject {
  readonly type = 'HOST' as const;
  /** VMs on the host (`<VMS>`). */
  readonly vms: Set<number>;
  /** The latest monitoring sample (memory only; loaded from `host_monitoring` at start). */
  monitoring: HostMonitoring | null = null;
  /** When the monitoring round in flight started (epoch seconds, memory only), null when none. */
  monitoringSince: number | null = null;
  private body: string | null = null;
  /** Escaped XML of pool listings (see toEscapedListXml). */
  private escapedListXml: string | null = null;
  /** Key of the last monitoring report applied to the body (see MonitoringReport.key). */
  private appliedReport: string | null = null;
  private clusterIdList: readonly number[];

  constructor(
    oid: number,
    name: string,
    public state: HostStateValue,
    /** The state before the last state change. */
    public prevState: HostStateValue,
    public imMad: string,
    public vmMad: string,
    private cid: number,
    private cname: string,
    readonly share: HostShare,
    public template: Template,
    vms: Iterable<number> = [],
  ) {
    super(oid, name, INFRASTRUCTURE_OWNER, INFRASTRUCTURE_PERMISSIONS);
    this.vms = new Set(vms);
    this.clusterIdList = [cid];
  }

  /** A new host in INIT, its template holding its drivers and empty reserved capacity as OpenNebula's does. */
  static create(oid: number, name: string, imMad: string, vmMad: string, clusterId: number, clusterName: string): Host {
    const template = new Template();
    template.set('IM_MAD', imMad);
    template.set('VM_MAD', vmMad);
    template.set('RESERVED_CPU', '');
    template.set('RESERVED_MEM', '');
    return new Host(oid, name, HostState.INIT, HostState.INIT, imMad, vmMad, clusterId, clusterName, new HostShare(), template);
  }

  get clusterId(): number {
    return this.cid;
  }

  get clusterName(): string {
    return this.cname;
  }

  /** The clusters the host is in (one), for `HOST/%cid` ACL rules. */
  get clusterIds(): readonly number[] {
    return this.clusterIdList;
  }

  /** Moves the host to another cluster (the caller updates both clusters' HOSTS). */
  setCluster(id: number, name: string): void {
    if (id !== this.cid) this.clusterIdList = [id];
    this.cid = id;
    this.cname = name;
  }

  /** The host's own RESERVED_CPU and RESERVED_MEM ('' where unset: its cluster's apply). */
  get ownReserved(): Reserved {
    return { cpu: this.template.get('RESERVED_CPU') ?? '', mem: this.template.get('RESERVED_MEM') ?? '' };
  }

  /** `one.host.status` ENABLED: back to INIT to be monitored again, or straight to MONITORED from DISABLED when its capacity is known. */
  enable(): void {
    this.setState(this.state === HostState.DISABLED && this.share.totalCpu > 0 ? HostState.MONITORED : HostState.INIT);
  }

  disable(): void {
    this.setState(HostState.DISABLED);
  }

  /** `one.host.status` OFFLINE: no monitoring, no deployments, and the monitored capacity is forgotten. */
  offline(): void {
    this.setState(HostState.OFFLINE);
    this.share.resetCapacity();
    for (const name of OFFLINE_STALE) this.template.remove(name);
    this.appliedReport = null;
  }

  /** Applies a status of `one.host.status`. */
  setStatus(status: HostStatusValue): void {
    if (status === HostStatus.ENABLED) this.enable();
    else if (status === HostStatus.DISABLED) this.disable();
    else this.offline();
  }

  /**
   * After `update` replaced or merged the template: IM_MAD and VM_MAD there rename the drivers
   * and are put back when missing. The caller then refreshes the capacity (RESERVED_* may have
   * changed).
   */
  templateUpdated(): void {
    this.imMad = this.template.get('IM_MAD') || this.imMad;
    this.vmMad = this.template.get('VM_MAD') || this.vmMad;
    this.template.set('IM_MAD', this.imMad);
    this.template.set('VM_MAD', this.vmMad);
    // The template may have lost monitored attributes: the next report is applied in full.
    this.appliedReport = null;
  }

  /**
   * Marks the start of a monitoring round (memory only). False when the host is not monitored
   * (OFFLINE) or a round is already in flight: each round ends with monitoringSucceeded or
   * monitoringFailed of the pool, a timed-out one included.
   */
  startMonitoring(now: number): boolean {
    if (this.state === HostState.OFFLINE || this.monitoringSince !== null) return false;
    this.monitoringSince = now;
    return true;
  }

  /** Whether applying `report` (applyReport) would change the stored body. */
  reportChangesBody(report: MonitoringReport): boolean {
    if (this.state === HostState.OFFLINE) return false;
    return report.key !== this.appliedReport || (this.state !== HostState.MONITORED && this.state !== HostState.DISABLED) || this.template.has('ERROR');
  }

  /**
   * Applies a successful report: its description merged into the template, total capacity,
   * disks, PCI devices and NUMA topology into the share (MAX_* from `reserved`), ERROR cleared,
   * MONITORED unless DISABLED. Ignored for an OFFLINE host, which is not monitored.
   */
  applyReport(report: MonitoringReport, reserved: Reserved): void {
    if (this.state === HostState.OFFLINE) return;
    const t = this.template;
    t.remove('ERROR');
    t.merge(report.info);
    const share = this.share;
    const totalCpu = probeInt(t.get('TOTALCPU')) ?? share.totalCpu;
    const totalMem = probeInt(t.get('TOTALMEMORY')) ?? share.totalMem;
    if (totalCpu !== share.totalCpu || totalMem !== share.totalMem) share.setTotals(totalCpu, totalMem, reserved);
    const disk = share.disk;
    share.disk = {
      max: probeInt(t.get('DS_LOCATION_TOTAL_MB')) ?? disk.max,
      free: probeInt(t.get('DS_LOCATION_FREE_MB')) ?? disk.free,
      used: probeInt(t.get('DS_LOCATION_USED_MB')) ?? disk.used,
      ds: t.getAll('DS').flatMap((a) => (typeof a.value === 'string' ? [] : [a.value])),
    };
    share.pci.applyProbe(report.info);
    share.numa.applyProbe(report.info);
    for (const name of SHARE_ATTRIBUTES) t.remove(name);
    if (this.state !== HostState.DISABLED) this.setState(HostState.MONITORED);
    this.appliedReport = report.key;
  }

  /**
   * A failed monitoring: ERROR (unless DISABLED or OFFLINE, which stay) with the message in the
   * template's ERROR attribute, as OpenNebula records it.
   */
  recordFailure(message: string, now: number): void {
    if (this.state !== HostState.OFFLINE && this.state !== HostState.DISABLED) this.setState(HostState.ERROR);
    this.template.set('ERROR', `${timestamp(new Date(now * 1000))}: Error monitoring Host ${this.name} (${this.oid}): ${message}`);
  }

  /** Shows a new monitoring sample; the body (and so the database row) is untouched. */
  setMonitoring(sample: HostMonitoring): void {
    this.monitoring = sample;
    super.changed();
  }

  /** Epoch seconds of the latest monitoring sample, 0 if never monitored. */
  get lastMonTime(): number {
    return this.monitoring?.timestamp ?? 0;
  }

  override changed(): void {
    super.changed();
    this.body = null;
    this.escapedListXml = null;
  }

  /**
   * The host as `one.hostpool.info` lists it, escaped: OpenNebula 7 lists hosts with an empty
   * `<MONITORING/>` (samples come from `one.hostpool.monitoring`), so a new sample leaves it as is.
   */
  toEscapedListXml(): string {
    return (this.escapedListXml ??= flat(xmlEscapeText(`${this.toBody().slice(0, -'</HOST>'.length)}<MONITORING/></HOST>`)));
  }

  /** The stored body: the XML without the (separately stored) monitoring sample. */
  override toBody(): string {
    return (this.body ??= flat(this.renderBody()));
  }

  override toRow(): Row {
    return { ...super.toRow(), state: this.state, cid: this.cid };
  }

  protected renderXml(): string {
    const body = this.toBody();
    return `${body.slice(0, -'</HOST>'.length)}${this.monitoring?.xml ?? '<MONITORING/>'}</HOST>`;
  }

  private renderBody(): string {
    let vms = '<VMS>';
    for (const id of [...this.vms].sort((a, b) => a - b)) vms += `<ID>${id}</ID>`;
    return (
      `<HOST><ID>${this.oid}</ID>${xmlElement('NAME', this.name)}<STATE>${this.state}</STATE><PREV_STATE>${this.prevState}</PREV_STATE>` +
      `${xmlElement('IM_MAD', this.imMad)}${xmlElement('VM_MAD', this.vmMad)}<CLUSTER_ID>${this.cid}</CLUSTER_ID>${xmlElement('CLUSTER', this.cname)}` +
      `${this.share.toXml()}${vms}</VMS>${this.template.toXml()}</HOST>`
    );
  }

  private setState(state: HostStateValue): void {
    if (state === this.state) return;
    this.prevState = this.state;
    this.state = state;
  }

  static fromXml(node: XmlNode): Host {
    return new Host(
      childInt(node, 'ID'),
      childText(node, 'NAME'),
      childInt(node, 'STATE') as HostStateValue,
      childInt(node, 'PREV_STATE') as HostStateValue,
      childText(node, 'IM_MAD'),
      childText(node, 'VM_MAD'),
      childInt(node, 'CLUSTER_ID'),
      childText(node, 'CLUSTER'),
      HostShare.fromXml(child(node, 'HOST_SHARE')),
      templateFromNode(child(node, 'TEMPLATE')),
      (child(node, 'VMS')?.children ?? []).map((c) => Number(c.text)),
    );
  }
}
