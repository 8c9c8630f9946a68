/**
 * The VM pool: table `vm_pool` (with `state` and `lcm_state` columns for SQL), history records
 * in `history`, monitoring samples in `vm_monitoring`. VM names need not be unique. An index by
 * state lets listings filtered by state (and the default "all but DONE", as DONE VMs pile up)
 * skip the VMs they do not return.
 */
import type { XmlNode } from '../common/xml-tree.js';
import type { Database, Write } from '../db/database.js';
import { Pool, type PoolObject } from '../pool/index.js';
import { VirtualMachine } from './virtual-machine.js';
import { HISTORY_TABLE } from './history.js';
import { VmState, type LcmStateValue, type VmStateValue } from './vm-state.js';
import { PendingMark } from './pending-mark.js';

/** The `vm_monitoring` table. */
export const VM_MONITORING_TABLE = 'vm_monitoring';

/** `one.vmpool.info` state filter: any state, DONE included. */
export const ANY_STATE = -2;
/** `one.vmpool.info` state filter: any state but DONE (the default). */
export const ANY_BUT_DONE = -1;

/** Whole listings kept at once (distinct views and argument sets of `one.vmpool.info`). */
const MAX_KEPT_LISTINGS = 16;

export class VirtualMachinePool extends Pool<VirtualMachine> {
  private readonly byState = new Map<number, Set<VirtualMachine>>();
  private readonly listings = new Map<string, { readonly generation: number; readonly bytes: Buffer }>();
  /** Moves when a VM becomes PENDING or is flagged for rescheduling (`one.vmpool.waitpending`). */
  readonly pendingMark = new PendingMark();

  constructor() {
    super({ table: 'vm_pool', type: 'VM', root: 'VM_POOL', nameScope: 'owner' });
  }

  protected fromXml(node: XmlNode): VirtualMachine {
    return VirtualMachine.fromXml(node);
  }

  /** Loads the VMs, each with its latest monitoring sample (rows store samples apart from the VM). */
  override async load(db: Database): Promise<void> {
    await super.load(db);
    for (const vm of this.all()) this.indexState(vm);
    const rows = await db.query(
      `SELECT m.vid, m.last_poll, m.body FROM ${VM_MONITORING_TABLE} m INNER JOIN ` +
        `(SELECT vid, MAX(last_poll) AS t FROM ${VM_MONITORING_TABLE} GROUP BY vid) l ON l.vid = m.vid AND l.t = m.last_poll`,
    );
    for (const row of rows) {
      const vm = this.get(Number(row.vid));
      if (!vm || Number(row.last_poll) < vm.lastPoll) continue;
      vm.monitoring = String(row.body);
      vm.lastPoll = Number(row.last_poll);
      this.objectChanged(vm);
    }
  }

  override add(vm: VirtualMachine): void {
    super.add(vm);
    this.indexState(vm);
    if (vm.state === VmState.PENDING) this.pendingMark.bump();
  }

  override remove(vm: VirtualMachine): void {
    super.remove(vm);
    this.byState.get(vm.state)?.delete(vm);
  }

  override restore(oid: number, xml: string | null): void {
    const before = this.get(oid);
    if (before) this.byState.get(before.state)?.delete(before);
    super.restore(oid, xml);
    const after = this.get(oid);
    if (after) this.indexState(after);
  }

  /** Moves a VM to a state (see VirtualMachine.setState), keeping the state index right. */
  setState(vm: VirtualMachine, state: VmStateValue, lcm?: LcmStateValue): void {
    const was = vm.state;
    this.byState.get(vm.state)?.delete(vm);
    vm.setState(state, lcm);
    this.indexState(vm);
    if (state === VmState.PENDING && was !== VmState.PENDING) this.pendingMark.bump();
  }

  /** VMs in `state`, in id order. */
  inState(state: number): VirtualMachine[] {
    return [...(this.byState.get(state) ?? [])].sort((a, b) => a.oid - b.oid);
  }

  /**
   * The candidates of a listing with a `one.vmpool.info` state filter, in id order: undefined
   * (the whole pool) for ANY_STATE, else only the VMs of the matching states.
   */
  candidates(filter: number): VirtualMachine[] | undefined {
    if (filter === ANY_STATE) return undefined;
    if (filter !== ANY_BUT_DONE) return this.inState(filter);
    const done = this.byState.get(VmState.DONE)?.size ?? 0;
    if (done < this.size / 2) return undefined; // cheaper to walk the pool and skip DONE ones
    const out: VirtualMachine[] = [];
    for (const [state, vms] of this.byState) if (state !== VmState.DONE) out.push(...vms);
    return out.sort((a, b) => a.oid - b.oid);
  }

  /** Whether a VM passes a `one.vmpool.info` state filter. */
  static matchesState(vm: PoolObject, filter: number): boolean {
    const state = (vm as VirtualMachine).state;
    return filter === ANY_STATE || (filter === ANY_BUT_DONE ? state !== VmState.DONE : state === filter);
  }

  /**
   * The VM row and its open history records: the last one, and the one before (a migration
   * closes it in the same change); older records are closed and stored already.
   */
  override rowWrites(vm: VirtualMachine, deleted = false): Write[] {
    const writes = [this.rowWrite(vm, deleted)];
    if (deleted) return writes;
    const last = vm.lastHistory;
    const prev = vm.previousHistory;
    // Each record nests the VM of its first write (OpenNebula's accounting copy of the VM).
    for (const h of [prev, last]) {
      if (!h) continue;
      h.vmXml ||= vm.toHistoryXml();
      writes.push(h.write(h.vmXml));
    }
    return writes;
  }

  /**
   * A whole short listing as escaped UTF-8 bytes, kept per `key` (the listing's arguments) until
   * a VM changes: monitoring tools and the scheduler ask for the same listing again and again,
   * and writing kept bytes costs a fraction of joining and encoding 20,000 VMs each time.
   */
  shortListing(key: string, vms: () => Iterable<VirtualMachine>): Buffer {
    const kept = this.listings.get(key);
    if (kept && kept.generation === this.generation) return kept.bytes;
    // Listings of an older generation can never be served again: at 100,000 VMs each is
    // 50 MB, so they go now rather than when the map fills.
    for (const [k, l] of this.listings) if (l.generation !== this.generation) this.listings.delete(k);
    const bytes = Buffer.from(this.toEscapedShortXml(vms()), 'utf8');
    if (this.listings.size >= MAX_KEPT_LISTINGS) this.listings.clear();
    this.listings.set(key, { generation: this.generation, bytes });
    return bytes;
  }

  /** `<ROOT>` of short `<VM>` elements, escaped as XML text. */
  toEscapedShortXml(vms: Iterable<VirtualMachine>): string {
    let xml = '&lt;VM_POOL&gt;';
    for (const vm of vms) xml += vm.toEscapedShortXml();
    return `${xml}&lt;/VM_POOL&gt;`;
  }

  /** The write storing a monitoring sample. */
  monitoringWrite(vid: number, time: number, body: string): Write {
    return { kind: 'upsert', table: VM_MONITORING_TABLE, row: { vid, last_poll: time, body } };
  }

  /** The write dropping samples older than `before` (retention). */
  monitoringExpiry(before: number): Write {
    return { kind: 'delete', table: VM_MONITORING_TABLE, where: {}, below: { last_poll: before } };
  }

  /** `one.vm.monitoring`: the VM's stored samples, oldest first. */
  async monitoringXml(db: Database, vid: number): Promise<string> {
    const rows = await db.query(`SELECT body FROM ${VM_MONITORING_TABLE} WHERE vid = ? ORDER BY last_poll`, [vid]);
    return `<MONITORING_DATA>${rows.map((r) => String(r.body)).join('')}</MONITORING_DATA>`;
  }

  /** `one.vmpool.monitoring`: samples of the VMs `visible` lets through, of the last `seconds` (negative: all, 0: latest). */
  async poolMonitoringXml(db: Database, seconds: number, now: number, visible: (vm: VirtualMachine) => boolean): Promise<string> {
    let xml = '<MONITORING_DATA>';
    if (seconds === 0) {
      for (const vm of this.all()) if (vm.monitoring && visible(vm)) xml += vm.monitoring;
    } else {
      const rows =
        seconds < 0
          ? await db.query(`SELECT vid, body FROM ${VM_MONITORING_TABLE} ORDER BY vid, last_poll`)
          : await db.query(`SELECT vid, body FROM ${VM_MONITORING_TABLE} WHERE last_poll > ? ORDER BY vid, last_poll`, [now - seconds]);
      for (const r of rows) {
        const vm = this.get(Number(r.vid));
        if (vm && visible(vm)) xml += String(r.body);
      }
    }
    return `${xml}</MONITORING_DATA>`;
  }

  /**
   * `one.vmpool.accounting`: history records of the VMs `visible` lets through that overlap
   * [start, end] (-1: unbounded): `etime > start or etime = 0`, and `stime < end`.
   */
  async accountingXml(db: Database, start: number, end: number, visible: (vid: number) => boolean): Promise<string> {
    const where: string[] = [];
    const args: number[] = [];
    if (start >= 0) {
      where.push('(etime > ? OR etime = 0)');
      args.push(start);
    }
    if (end >= 0) {
      where.push('stime < ?');
      args.push(end);
    }
    const rows = await db.query(`SELECT vid, body FROM ${HISTORY_TABLE}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY vid, seq`, args);
    let xml = '<HISTORY_RECORDS>';
    for (const r of rows) if (visible(Number(r.vid))) xml += String(r.body);
    return `${xml}</HISTORY_RECORDS>`;
  }

  private indexState(vm: VirtualMachine): void {
    let set = this.byState.get(vm.state);
    if (!set) this.byState.set(vm.state, (set = new Set()));
    set.add(vm);
  }
}
