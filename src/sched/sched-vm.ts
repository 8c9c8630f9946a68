/**
 * A VM as the scheduler reads it from the short `one.vmpool.info` listing: what it needs of a
 * host (CPU, memory, system disk), where it may go (requirements, the clusters of its images
 * and networks) and how to order the candidates, plus its lease when it asked for one.
 */
import { child, childInt, childText, select, type XmlNode } from '../common/xml-tree.js';
import { leaseOf, type Lease } from './lease.js';
import { pciWords } from '../vm/vm-pci.js';

/** `/VM/STATE` and `/VM/LCM_STATE` values the scheduler acts on (spec §3.1, §3.2). */
export const VmState = { PENDING: 1, HOLD: 2, ACTIVE: 3, STOPPED: 4, SUSPENDED: 5, DONE: 6, POWEROFF: 8, UNDEPLOYED: 9 } as const;
export const LcmState = { RUNNING: 3, UNKNOWN: 16 } as const;

/** The clusters both allow; `null` allows any. */
export function intersect(a: ReadonlySet<number> | null, b: ReadonlySet<number>): Set<number> {
  return a ? new Set([...a].filter((c) => b.has(c))) : new Set(b);
}

export class SchedVm {
  private constructor(
    readonly id: number,
    readonly uid: number,
    readonly gid: number,
    readonly state: number,
    readonly lcmState: number,
    readonly resched: boolean,
    /** Host and system datastore of its last history record, -1 when never deployed. */
    readonly hostId: number,
    readonly dsId: number,
    /** CPU percent (CPU 0.5 = 50) and memory in KB, as host shares count them. */
    readonly cpu: number,
    readonly mem: number,
    /** MB its volatile disks and image copies take in the system datastore. */
    readonly diskMb: number,
    readonly requirements: string,
    readonly rank: string,
    readonly dsRequirements: string,
    readonly dsRank: string,
    /** Clusters its images' datastores allow (null: any), before its networks are counted. */
    readonly diskClusters: ReadonlySet<number> | null,
    readonly networkIds: readonly number[],
    /** The SCHED_MESSAGE it carries now. */
    readonly message: string,
    readonly lease: Lease | undefined,
    /** A bad SCHED_START / SCHED_DURATION, said on the VM instead of scheduling it. */
    readonly leaseError: string | undefined,
    /** Set by the scheduler when it preempted the VM for a reservation. */
    readonly preempted: boolean,
  ) {}

  /** Its PCI passthrough requests (TEMPLATE/PCI: in full VM documents only, see Scheduler.snapshot). */
  pci: Map<string, string>[] = [];
  /** Its SCHED_BURST as written ('' when absent: the scheduler's default); see burst.ts. */
  burst = '';

  get pending(): boolean {
    return this.state === VmState.PENDING;
  }

  /** Flagged for rescheduling in a state the scheduler can move it from. */
  get wantsResched(): boolean {
    if (!this.resched) return false;
    return this.state === VmState.POWEROFF || (this.state === VmState.ACTIVE && (this.lcmState === LcmState.RUNNING || this.lcmState === LcmState.UNKNOWN));
  }

  /**
   * Grouping key: VMs with the same key are matched the same way against the same hosts (and
   * their leases end alike, which decides whether reservations' room is theirs).
   */
  get matchKey(): string {
    const clusters = this.diskClusters ? [...this.diskClusters].join(',') : '*';
    const lease = this.lease ? `${this.lease.durationSec ?? ''}:${this.lease.preemptible ? 1 : 0}` : '';
    const pci = this.pci.map(pciWords).join('|');
    return `${this.cpu}\0${this.mem}\0${this.diskMb}\0${this.requirements}\0${this.rank}\0${this.dsRequirements}\0${this.dsRank}\0${clusters}\0${this.networkIds.join(',')}\0${lease}\0${pci}\0${this.burst}`;
  }

  /**
   * A VM of the short listing (or a full VM document). `datastoreClusters` gives the clusters of
   * the datastores its DISKs name, as the short listing's DISKs carry no CLUSTER_ID.
   */
  static fromXml(node: XmlNode, now: number, datastoreClusters?: ReadonlyMap<number, ReadonlySet<number>>): SchedVm {
    const t = child(node, 'TEMPLATE') ?? node;
    const u = child(node, 'USER_TEMPLATE') ?? node;
    const last = child(child(node, 'HISTORY_RECORDS') ?? node, 'HISTORY');
    const userText = (...names: string[]) => {
      for (const n of names) {
        const c = child(u, n);
        if (c) return c.text;
      }
      return '';
    };
    let diskClusters: Set<number> | null = null;
    let diskMb = 0;
    for (const d of select(t, 'DISK')) {
      const ids = childText(d, 'CLUSTER_ID').trim();
      const dsId = childText(d, 'DATASTORE_ID').trim();
      if (ids !== '') {
        diskClusters = intersect(diskClusters, new Set(ids.split(',').map(Number)));
      } else if (dsId !== '' && datastoreClusters?.has(Number(dsId))) {
        diskClusters = intersect(diskClusters, new Set(datastoreClusters.get(Number(dsId))));
      }
      // Volatile disks and clones live in the system datastore; persistent images (CLONE = NO) do not.
      const persistent = childText(d, 'PERSISTENT').toUpperCase() === 'YES' || childText(d, 'CLONE').toUpperCase() === 'NO';
      if (!persistent) diskMb += childInt(d, 'SIZE');
    }
    const { lease, error } = leaseOf((name) => child(u, name)?.text, childInt(node, 'STIME', now));
    const vm = new SchedVm(
      childInt(node, 'ID'),
      childInt(node, 'UID'),
      childInt(node, 'GID'),
      childInt(node, 'STATE'),
      childInt(node, 'LCM_STATE'),
      childInt(node, 'RESCHED') === 1,
      last ? childInt(last, 'HID', -1) : -1,
      last ? childInt(last, 'DS_ID', -1) : -1,
      Math.round(Number(childText(t, 'CPU') || '0') * 100),
      Math.round(Number(childText(t, 'MEMORY') || '0') * 1024),
      diskMb,
      userText('SCHED_REQUIREMENTS', 'REQUIREMENTS'),
      userText('SCHED_RANK', 'RANK'),
      userText('SCHED_DS_REQUIREMENTS'),
      userText('SCHED_DS_RANK'),
      diskClusters,
      select(t, 'NIC').map((n) => childInt(n, 'NETWORK_ID', -1)).filter((id) => id >= 0),
      userText('SCHED_MESSAGE'),
      lease,
      error,
      userText('SCHED_PREEMPTED').toUpperCase() === 'YES',
    );
    vm.pci = pciRequestsOf(node);
    vm.burst = userText('SCHED_BURST');
    return vm;
  }
}

/** The PCI requests of a VM document (TEMPLATE/PCI vectors). */
export function pciRequestsOf(node: XmlNode): Map<string, string>[] {
  const t = child(node, 'TEMPLATE') ?? node;
  return select(t, 'PCI').map((p) => new Map(p.children.map((c) => [c.name, c.text])));
}
