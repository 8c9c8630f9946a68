/**
 * A host as one scheduling cycle sees it: its capacity and usage from `one.hostpool.info`, its
 * latest monitoring sample from `one.hostpool.monitoring` (7.x lists hosts without it), and
 * what this cycle has dispatched to it so far, so the next VM of the same cycle sees the room
 * that is really left (and packing, striping and load-aware ranks see it too).
 */
import { child, childInt, childText, type XmlNode } from '../common/xml-tree.js';
import type { Attributes } from './expr/index.js';
import { attributeMap } from './attribute-map.js';
import { isHybridHost } from './burst.js';

/** `/HOST/STATE` values the scheduler tells apart (spec §3.3). */
export const HostState = { INIT: 0, MONITORING_MONITORED: 1, MONITORED: 2, ERROR: 3, DISABLED: 4, MONITORING_ERROR: 5, MONITORING_DISABLED: 7, OFFLINE: 8 } as const;

/** Where a host's variables are looked up, first match wins (spec §5.4, HEAD). */
const PATHS = ['TEMPLATE', 'HOST_SHARE', 'HOST_SHARE/DATASTORES', 'MONITORING/CAPACITY', 'MONITORING/SYSTEM', ''];

/** OpenNebula 3.x's probe names for what is now under MONITORING/CAPACITY. */
const ALIASES: ReadonlyMap<string, string> = new Map([
  ['FREECPU', 'FREE_CPU'],
  ['FREEMEMORY', 'FREE_MEMORY'],
  ['USEDCPU', 'USED_CPU'],
  ['USEDMEMORY', 'USED_MEMORY'],
  ['TOTALCPU', 'TOTAL_CPU'],
  ['TOTALMEMORY', 'TOTAL_MEM'],
]);

export class SchedHost implements Attributes {
  /** CPU (percent) and memory (KB) the scheduler may allocate, less what VMs hold. */
  cpuUsage: number;
  memUsage: number;
  runningVms: number;
  /** Monitored free CPU / memory, lowered by what this cycle dispatched. */
  freeCpu: number;
  freeMemory: number;
  /** VMs dispatched to it in this cycle (MAX_HOST). */
  dispatched = 0;
  /** Moves on every change of the numbers above: ranks computed before are stale. */
  version = 0;
  /** PCI devices no VM holds (HOST_SHARE/PCI_DEVICES with VMID -1), less those dispatched this cycle. */
  pciFree: Map<string, string>[] = [];
  /** The VMs it runs (HOST/VMS), for VM group rules. */
  vmIds: number[] = [];
  /** A public-cloud host (burst.ts): PUBLIC_CLOUD = "YES", or VM_MAD ec2 / one. */
  readonly hybrid: boolean;

  private constructor(
    readonly id: number,
    readonly name: string,
    readonly state: number,
    readonly clusterId: number,
    readonly maxCpu: number,
    readonly maxMem: number,
    share: { cpuUsage: number; memUsage: number; runningVms: number; freeCpu: number; freeMemory: number },
    private readonly attrs: Map<string, string[]>,
  ) {
    this.cpuUsage = share.cpuUsage;
    this.memUsage = share.memUsage;
    this.runningVms = share.runningVms;
    this.freeCpu = share.freeCpu;
    this.freeMemory = share.freeMemory;
    this.hybrid = isHybridHost(attrs.get('PUBLIC_CLOUD')?.[0], attrs.get('VM_MAD')?.[0]);
  }

  /** CPU percent left. */
  get cpuLeft(): number {
    return this.maxCpu - this.cpuUsage;
  }

  /** KB of memory left. */
  get memLeft(): number {
    return this.maxMem - this.memUsage;
  }

  lookup(name: string): readonly string[] | undefined {
    switch (name) {
      case 'RUNNING_VMS':
        return [String(this.runningVms)];
      case 'CPU_USAGE':
        return [String(this.cpuUsage)];
      case 'MEM_USAGE':
        return [String(this.memUsage)];
      case 'FREE_CPU':
      case 'FREECPU':
        return [String(this.freeCpu)];
      case 'FREE_MEMORY':
      case 'FREEMEMORY':
        return [String(this.freeMemory)];
    }
    return this.attrs.get(name) ?? this.attrs.get(ALIASES.get(name) ?? '');
  }

  /** A copy for one cycle to change (take, PCI devices), its numbers as read; the original stays as read. */
  copy(): SchedHost {
    const h = new SchedHost(
      this.id,
      this.name,
      this.state,
      this.clusterId,
      this.maxCpu,
      this.maxMem,
      { cpuUsage: this.cpuUsage, memUsage: this.memUsage, runningVms: this.runningVms, freeCpu: this.freeCpu, freeMemory: this.freeMemory },
      this.attrs,
    );
    // Cycles replace these arrays (planner: pciFree = pciFree.filter), never change them.
    h.pciFree = this.pciFree;
    h.vmIds = this.vmIds;
    return h;
  }

  /** Accounts a VM dispatched (or about to be) in this cycle. */
  take(cpu: number, mem: number): void {
    this.cpuUsage += cpu;
    this.memUsage += mem;
    this.freeCpu -= cpu;
    this.freeMemory -= mem;
    this.runningVms++;
    this.version++;
  }

  /** Gives back what `take` accounted (a dispatch that oned refused). */
  release(cpu: number, mem: number): void {
    this.cpuUsage -= cpu;
    this.memUsage -= mem;
    this.freeCpu += cpu;
    this.freeMemory += mem;
    this.runningVms--;
    this.version++;
  }

  /**
   * A host of `one.hostpool.info`, with `sample` (a `<MONITORING>` of `one.hostpool.monitoring`)
   * in place of the listing's empty MONITORING; without one, the listing's MONITORING is used.
   */
  static fromXml(node: XmlNode, sample?: XmlNode): SchedHost {
    if (sample) {
      const i = node.children.findIndex((c) => c.name === 'MONITORING');
      if (i >= 0) node.children[i] = sample;
      else node.children.push(sample);
    }
    const share = child(node, 'HOST_SHARE');
    const capacity = child(child(node, 'MONITORING') ?? node, 'CAPACITY');
    const num = (n: XmlNode | undefined, name: string) => (n ? childInt(n, name) : 0);
    const maxCpu = num(share, 'MAX_CPU');
    const maxMem = num(share, 'MAX_MEM');
    const cpuUsage = num(share, 'CPU_USAGE');
    const memUsage = num(share, 'MEM_USAGE');
    const host = new SchedHost(
      childInt(node, 'ID'),
      childText(node, 'NAME'),
      childInt(node, 'STATE'),
      childInt(node, 'CLUSTER_ID', -1),
      maxCpu,
      maxMem,
      {
        cpuUsage,
        memUsage,
        runningVms: num(share, 'RUNNING_VMS'),
        // Not monitored yet: what the allocation leaves.
        freeCpu: capacity && child(capacity, 'FREE_CPU') ? childInt(capacity, 'FREE_CPU') : maxCpu - cpuUsage,
        freeMemory: capacity && child(capacity, 'FREE_MEMORY') ? childInt(capacity, 'FREE_MEMORY') : maxMem - memUsage,
      },
      attributeMap(node, PATHS),
    );
    host.vmIds = (child(node, 'VMS')?.children ?? []).filter((c) => c.name === 'ID').map((c) => Number(c.text));
    const pci = share ? child(share, 'PCI_DEVICES') : undefined;
    for (const d of pci?.children ?? []) {
      if (d.name === 'PCI' && childText(d, 'VMID') === '-1') host.pciFree.push(new Map(d.children.map((c) => [c.name, c.text])));
    }
    return host;
  }
}
