/**
 * A virtual machine: an owned pool object with its states, its system TEMPLATE (what oned
 * manages: CPU, MEMORY, DISKs, NICs, CONTEXT...), the USER_TEMPLATE users edit, and its history
 * records. It keeps both its full XML (`one.vm.info`) and the short `<VM>` of `one.vmpool.info`
 * (spec §2.1.2) rendered until it changes, so listings of many VMs are joins of strings.
 */
import { VmBackups } from './vm-backups.js';
import type { XmlNode } from '../common/xml-tree.js';
import { child, childInt, childText, parseXmlTree } from '../common/xml-tree.js';
import { xmlElement, xmlEscapeText } from '../common/xml.js';
import { flat } from '../common/flat-string.js';
import { Template } from '../common/template/index.js';
import type { Row } from '../db/database.js';
import { PoolObject, Permissions, templateFromNode, type Lock, type Ownership } from '../pool/index.js';
import { History, type Placement } from './history.js';
import { DiskSnapshots } from './disk-snapshots.js';
import { LcmState, VmState, type LcmStateValue, type VmStateValue } from './vm-state.js';

/** DISK attributes of the short form of `one.vmpool.info`, each always present (empty when the disk has none), in OpenNebula's order. */
const SHORT_DISK = ['DISK_ID', 'DATASTORE', 'DATASTORE_ID', 'IMAGE', 'IMAGE_ID', 'SIZE', 'TYPE', 'CLONE', 'CLONE_TARGET', 'LN_TARGET', 'DISK_SNAPSHOT_TOTAL_SIZE'];
/** NIC attributes of the short form shown only when set, then those always present. */
const SHORT_NIC_OPTIONAL = ['IP', 'EXTERNAL_IP', 'IP6', 'IP6_ULA', 'IP6_LINK', 'IP6_GLOBAL', 'NETWORK_MODE', 'SCHED_REQUIREMENTS', 'SCHED_RANK'];
const SHORT_NIC = ['MAC', 'NETWORK', 'NETWORK_ID', 'NIC_ID', 'SECURITY_GROUPS'];
/**
 * USER_TEMPLATE attributes of the short form (what Sunstone and the scheduler read of a
 * listing): OpenNebula 7.4's, then those our scheduler also reads (the 3.x RANK and
 * REQUIREMENTS, the lease, preemption and burst attributes), shown only when set.
 */
const SHORT_USER_SINGLE = [
  'LABELS', 'ERROR', 'SCHED_MESSAGE', 'SCHED_RANK', 'SCHED_DS_RANK', 'SCHED_REQUIREMENTS', 'SCHED_DS_REQUIREMENTS', 'USER_PRIORITY',
  'RANK', 'REQUIREMENTS', 'SCHED_START', 'SCHED_DURATION', 'SCHED_END', 'SCHED_PREEMPTIBLE', 'SCHED_PREEMPTED', 'SCHED_BURST',
];
const SHORT_USER_VECTORS = ['PUBLIC_CLOUD', 'SCHED_ACTION'];

/** What a VM takes of its host: CPU in percent (100 = one CPU), memory in KB. */
export interface VmCapacity {
  readonly cpu: number;
  readonly mem: number;
}

export class VirtualMachine extends PoolObject {
  readonly type = 'VM' as const;
  private shortEscaped: string | null = null;

  constructor(
    oid: number,
    name: string,
    owner: Ownership,
    perms: Permissions,
    public state: VmStateValue,
    public lcmState: LcmStateValue,
    public prevState: VmStateValue,
    public prevLcmState: LcmStateValue,
    /** Creation time, epoch seconds. */
    readonly stime: number,
    /** The system template (TEMPLATE). */
    public template: Template,
    /** USER_TEMPLATE. */
    public userTemplate: Template,
    /** History records, oldest first (SEQ 0, 1, ...). */
    readonly history: History[] = [],
    lock: Lock | null = null,
  ) {
    super(oid, name, owner, perms, lock);
  }

  /** 1 when flagged for rescheduling. */
  resched = 0;
  /** End time (DONE), epoch seconds; 0 before. */
  etime = 0;
  /** The hypervisor's id for the VM, from the VMM DEPLOY reply. */
  deployId = '';
  /** Epoch of the latest monitoring sample. */
  lastPoll = 0;
  /** The latest `<MONITORING>` element ('' when never monitored). */
  monitoring = '';
  /** `<BACKUPS>`: BACKUP_CONFIG and BACKUP_IDS (OpenNebula 7.4 renders it for every VM). */
  backups = new VmBackups();
  /** Disk snapshots by DISK_ID (top-level `<SNAPSHOTS>`, one per disk that has any). */
  readonly diskSnapshots = new Map<number, DiskSnapshots>();

  /** A new VM in PENDING (or HOLD), created now. */
  static create(oid: number, name: string, owner: Ownership, perms: Permissions, template: Template, userTemplate: Template, hold: boolean, now: number): VirtualMachine {
    const state = hold ? VmState.HOLD : VmState.PENDING;
    return new VirtualMachine(oid, name, owner, perms, state, LcmState.LCM_INIT, state, LcmState.LCM_INIT, now, template, userTemplate);
  }

  /** What the VM takes of a host: CPU × 100 and MEMORY (MB) × 1024. */
  get capacity(): VmCapacity {
    return { cpu: Math.round(Number(this.template.get('CPU') ?? 0) * 100), mem: Math.round(Number(this.template.get('MEMORY') ?? 0) * 1024) };
  }

  /** The open (last) history record, if the VM was ever deployed. */
  get lastHistory(): History | undefined {
    return this.history[this.history.length - 1];
  }

  /** The record before the last one (the source host of a migration). */
  get previousHistory(): History | undefined {
    return this.history[this.history.length - 2];
  }

  /** The host the VM is placed on (the last record's), or -1. */
  get hostId(): number {
    return this.lastHistory?.placement.hid ?? -1;
  }

  /** Moves to `state` / `lcm`, remembering the previous ones. Call `pool.setState` so the state index follows. */
  setState(state: VmStateValue, lcm: LcmStateValue = LcmState.LCM_INIT): void {
    if (state !== this.state || lcm !== this.lcmState) {
      this.prevState = this.state;
      this.prevLcmState = this.lcmState;
    }
    this.state = state;
    this.lcmState = state === VmState.ACTIVE ? lcm : LcmState.LCM_INIT;
  }

  /** Opens a new history record at `now` (deploy, migration). */
  openHistory(placement: Placement, now: number): History {
    const h = new History(this.oid, this.history.length, placement);
    h.stime = now;
    this.history.push(h);
    return h;
  }

  /** Sets (or clears, with null) USER_TEMPLATE/ERROR, as OpenNebula reports driver failures. */
  setError(message: string | null): void {
    if (message === null) this.userTemplate.remove('ERROR');
    else this.userTemplate.set('ERROR', message);
  }

  override changed(): void {
    super.changed();
    this.shortEscaped = null;
  }

  override toRow(): Row {
    return { ...super.toRow(), state: this.state, lcm_state: this.lcmState };
  }

  /** The short `<VM>` of `one.vmpool.info`, escaped as XML text. */
  toEscapedShortXml(): string {
    return (this.shortEscaped ??= flat(xmlEscapeText(this.toShortXml())));
  }

  toShortXml(): string {
    const t = this.template;
    let tmpl = `<TEMPLATE>${xmlElement('CPU', t.get('CPU') ?? '')}${xmlElement('MEMORY', t.get('MEMORY') ?? '')}${xmlElement('VCPU', t.get('VCPU') ?? '')}`;
    for (const a of t.getAll('DISK')) {
      if (typeof a.value === 'string') continue;
      const d = a.value;
      tmpl += `<DISK>${SHORT_DISK.map((k) => xmlElement(k, d.get(k) ?? '')).join('')}</DISK>`;
    }
    for (const a of t.getAll('NIC')) {
      if (typeof a.value === 'string') continue;
      const n = a.value;
      let nic = '<NIC>';
      for (const k of SHORT_NIC_OPTIONAL) if (n.get(k)) nic += xmlElement(k, n.get(k)!);
      for (const k of SHORT_NIC) nic += xmlElement(k, n.get(k) ?? '');
      tmpl += `${nic}</NIC>`;
    }
    const graphics = t.getVector('GRAPHICS');
    if (graphics) tmpl += new Template([{ name: 'GRAPHICS', value: graphics }]).toXml().slice('<TEMPLATE>'.length, -'</TEMPLATE>'.length);
    tmpl += '</TEMPLATE>';
    const u = this.userTemplate;
    let user = '';
    for (const k of SHORT_USER_SINGLE) {
      const v = u.get(k);
      if (v !== undefined && (v !== '' || !['LABELS', 'ERROR', 'SCHED_MESSAGE'].includes(k))) user += xmlElement(k, v);
    }
    const vectorsXml = SHORT_USER_VECTORS.flatMap((k) => u.getAll(k).filter((a) => typeof a.value !== 'string'));
    if (vectorsXml.length > 0) user += new Template(vectorsXml).toXml().slice('<TEMPLATE>'.length, -'</TEMPLATE>'.length);
    const last = this.lastHistory;
    // Not kept: only its escaped form is (toEscapedShortXml), one copy per VM at 100,000 VMs.
    return (
      `<VM>${this.idAndOwnerXml()}${xmlElement('NAME', this.name)}<LAST_POLL>${this.lastPoll}</LAST_POLL>` +
      `<STATE>${this.state}</STATE><LCM_STATE>${this.lcmState}</LCM_STATE><RESCHED>${this.resched}</RESCHED>` +
      `<STIME>${this.stime}</STIME><ETIME>${this.etime}</ETIME>${xmlElement('DEPLOY_ID', this.deployId)}` +
      `${this.lock ? `<LOCK><LOCKED>${this.lock.level}</LOCKED></LOCK>` : ''}` +
      `${tmpl}${shortMonitoring(this.monitoring)}${u.size === 0 ? '<USER_TEMPLATE/>' : `<USER_TEMPLATE>${user}</USER_TEMPLATE>`}` +
      `${last ? `<HISTORY_RECORDS>${last.toShortXml()}</HISTORY_RECORDS>` : '<HISTORY_RECORDS/>'}</VM>`);
  }

  /**
   * The VM as a history record stores it (`one.vmpool.accounting`): the full XML with its own
   * history records left out, as OpenNebula nests it in `<HISTORY>`.
   */
  toHistoryXml(): string {
    const xml = this.toXml();
    const start = xml.lastIndexOf('<HISTORY_RECORDS>');
    const end = xml.lastIndexOf('</HISTORY_RECORDS>');
    if (start < 0 || end < start) return xml;
    return `${xml.slice(0, start)}<HISTORY_RECORDS/>${xml.slice(end + '</HISTORY_RECORDS>'.length)}`;
  }

  /** `<SCHED_ACTIONS>` lists the ids of the actions, which TEMPLATE/SCHED_ACTION holds (as 7.4). */
  private schedActionIdsXml(): string {
    let ids = '';
    for (const a of this.template.getAll('SCHED_ACTION')) if (typeof a.value !== 'string') ids += `<ID>${a.value.get('ID') ?? ''}</ID>`;
    return ids ? `<SCHED_ACTIONS>${ids}</SCHED_ACTIONS>` : '<SCHED_ACTIONS/>';
  }

  private diskSnapshotsXml(): string {
    let xml = '';
    for (const id of [...this.diskSnapshots.keys()].sort((a, b) => a - b)) xml += this.diskSnapshots.get(id)!.toXml();
    return xml;
  }

  protected renderXml(): string {
    let history = '<HISTORY_RECORDS>';
    for (const h of this.history) history += h.toXml();
    return (
      `<VM>${this.idAndOwnerXml()}${xmlElement('NAME', this.name)}${this.perms.toXml()}<LAST_POLL>${this.lastPoll}</LAST_POLL>` +
      `<STATE>${this.state}</STATE><LCM_STATE>${this.lcmState}</LCM_STATE><PREV_STATE>${this.prevState}</PREV_STATE><PREV_LCM_STATE>${this.prevLcmState}</PREV_LCM_STATE>` +
      `<RESCHED>${this.resched}</RESCHED><STIME>${this.stime}</STIME><ETIME>${this.etime}</ETIME>${xmlElement('DEPLOY_ID', this.deployId)}${this.lockXml()}` +
      `${this.monitoring || '<MONITORING/>'}${this.schedActionIdsXml()}${this.template.toXml()}${this.userTemplate.toXml('USER_TEMPLATE')}${history}</HISTORY_RECORDS>${this.diskSnapshotsXml()}${this.backups.toXml()}</VM>`
    );
  }

  static fromXml(node: XmlNode): VirtualMachine {
    const vm = new VirtualMachine(
      childInt(node, 'ID'),
      childText(node, 'NAME'),
      PoolObject.ownerFromXml(node),
      Permissions.fromXml(child(node, 'PERMISSIONS')),
      childInt(node, 'STATE') as VmStateValue,
      childInt(node, 'LCM_STATE') as LcmStateValue,
      childInt(node, 'PREV_STATE') as VmStateValue,
      childInt(node, 'PREV_LCM_STATE') as LcmStateValue,
      childInt(node, 'STIME'),
      templateFromNode(child(node, 'TEMPLATE')),
      templateFromNode(child(node, 'USER_TEMPLATE')),
      (child(node, 'HISTORY_RECORDS')?.children ?? []).map((h) => History.fromXml(h)),
      PoolObject.lockFromXml(node),
    );
    vm.resched = childInt(node, 'RESCHED');
    vm.etime = childInt(node, 'ETIME');
    vm.deployId = childText(node, 'DEPLOY_ID');
    vm.lastPoll = childInt(node, 'LAST_POLL');
    vm.backups = VmBackups.fromXml(child(node, 'BACKUPS'));
    const mon = child(node, 'MONITORING');
    if (mon && mon.children.length > 0) vm.monitoring = monitoringXml(mon);
    for (const s of node.children) {
      if (s.name !== 'SNAPSHOTS') continue;
      const snaps = DiskSnapshots.fromXml(s);
      vm.diskSnapshots.set(snaps.diskId, snaps);
    }
    return vm;
  }
}

/** The `<MONITORING>` of the short listing: CPU, MEMORY and STATE of the latest sample, as OpenNebula lists them. */
function shortMonitoring(monitoring: string): string {
  if (monitoring === '') return '<MONITORING/>';
  const node = parseXmlTree(monitoring);
  return `<MONITORING>${['CPU', 'MEMORY', 'STATE'].map((k) => xmlElement(k, childText(node, k))).join('')}</MONITORING>`;
}

/** Renders a parsed `<MONITORING>` element back (flat keys and one level of vectors). */
function monitoringXml(node: XmlNode): string {
  let xml = '<MONITORING>';
  for (const c of node.children) {
    if (c.children.length === 0) xml += xmlElement(c.name, c.text);
    else xml += `<${c.name}>${c.children.map((k) => xmlElement(k.name, k.text)).join('')}</${c.name}>`;
  }
  return `${xml}</MONITORING>`;
}
