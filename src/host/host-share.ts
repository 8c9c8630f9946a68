/**
 * A host's share: its capacity (what monitoring found, less what is reserved) and what the VMs
 * placed on it take. Units as OpenNebula's: CPU in percent (100 = one CPU), memory in KB, disk
 * in MB.
 */
import type { XmlNode } from '../common/xml-tree.js';
import { child, childInt } from '../common/xml-tree.js';
import { xmlElement } from '../common/xml.js';
import type { Vector } from '../common/template/index.js';
import type { Reserved } from '../cluster/index.js';
import { HostNuma } from './host-share-numa.js';
import { HostPci } from './host-share-pci.js';

/** What a VM takes of a host. */
export interface Capacity {
  /** Percent of a CPU: 100 = one CPU. */
  readonly cpu: number;
  /** KB. */
  readonly mem: number;
}

/**
 * The capacity left for VMs (MAX_CPU, MAX_MEM) out of `total` once `reserved` is kept back:
 * an amount (`"200"`, negative to over-commit), a percentage of the total (`"10%"`), or nothing
 * (`''`). Text that is neither reserves nothing, as in OpenNebula.
 */
export function reservedMax(total: number, reserved: string): number {
  const text = reserved.trim();
  if (text === '') return total;
  const percent = text.endsWith('%');
  const amount = percent ? text.slice(0, -1) : text;
  if (!/^[+-]?\d+$/.test(amount)) return total;
  const value = Number(amount);
  return percent ? Math.trunc(total * (1 - value / 100)) : total - value;
}

/** Disk figures of the host's datastores, as the IM reports them (MB). */
export interface DiskInfo {
  /** DS_LOCATION_TOTAL_MB, _FREE_MB and _USED_MB: the system datastore location. */
  readonly max: number;
  readonly free: number;
  readonly used: number;
  /** One `DS = [ID, FREE_MB, TOTAL_MB, USED_MB]` per datastore not shared between hosts. */
  readonly ds: readonly Vector[];
}

export class HostShare {
  /** Allocated to VMs. */
  memUsage = 0;
  cpuUsage = 0;
  /** What the host has, as last monitored. */
  totalMem = 0;
  totalCpu = 0;
  /** What the scheduler may allocate: the totals less the reserved capacity. */
  maxMem = 0;
  maxCpu = 0;
  runningVms = 0;
  vmsThread = 1;
  /** MB of disk allocated to VMs. */
  diskUsage = 0;
  disk: DiskInfo = NO_DISK;
  /** PCI devices, each free or held by a VM. */
  pci = new HostPci();
  /** NUMA topology: cores (with pinned VMs), huge pages and memory per node. */
  numa = new HostNuma();

  /** Sets the totals found by monitoring and the maxima they leave after `reserved`. */
  setTotals(totalCpu: number, totalMem: number, reserved: Reserved): void {
    this.totalCpu = totalCpu;
    this.totalMem = totalMem;
    this.applyReserved(reserved);
  }

  /** MAX_CPU and MAX_MEM for the current totals and `reserved`. */
  maxFor(reserved: Reserved): { cpu: number; mem: number } {
    return { cpu: reservedMax(this.totalCpu, reserved.cpu), mem: reservedMax(this.totalMem, reserved.mem) };
  }

  applyReserved(reserved: Reserved): void {
    const max = this.maxFor(reserved);
    this.maxCpu = max.cpu;
    this.maxMem = max.mem;
  }

  /** Accounts a VM placed on the host. */
  add(c: Capacity): void {
    this.cpuUsage += c.cpu;
    this.memUsage += c.mem;
    this.runningVms++;
  }

  /** Releases what `add` accounted. */
  remove(c: Capacity): void {
    this.cpuUsage -= c.cpu;
    this.memUsage -= c.mem;
    this.runningVms--;
  }

  /** Forgets the monitored capacity (the host went offline); what VMs use stays accounted. */
  resetCapacity(): void {
    this.totalCpu = this.totalMem = this.maxCpu = this.maxMem = 0;
    this.disk = NO_DISK;
  }

  toXml(): string {
    const d = this.disk;
    let ds = '';
    for (const v of d.ds) {
      ds += '<DS>';
      for (const key of [...v.keys()].sort()) ds += xmlElement(key, v.get(key)!);
      ds += '</DS>';
    }
    return (
      `<HOST_SHARE><MEM_USAGE>${this.memUsage}</MEM_USAGE><CPU_USAGE>${this.cpuUsage}</CPU_USAGE>` +
      `<TOTAL_MEM>${this.totalMem}</TOTAL_MEM><TOTAL_CPU>${this.totalCpu}</TOTAL_CPU>` +
      `<MAX_MEM>${this.maxMem}</MAX_MEM><MAX_CPU>${this.maxCpu}</MAX_CPU>` +
      `<RUNNING_VMS>${this.runningVms}</RUNNING_VMS><VMS_THREAD>${this.vmsThread}</VMS_THREAD>` +
      `<DATASTORES><DISK_USAGE>${this.diskUsage}</DISK_USAGE>${ds}<FREE_DISK>${d.free}</FREE_DISK>` +
      `<MAX_DISK>${d.max}</MAX_DISK><USED_DISK>${d.used}</USED_DISK></DATASTORES>` +
      `${this.pci.toXml()}${this.numa.toXml(this.vmsThread)}</HOST_SHARE>`
    );
  }

  static fromXml(node: XmlNode | undefined): HostShare {
    const share = new HostShare();
    if (!node) return share;
    share.memUsage = childInt(node, 'MEM_USAGE');
    share.cpuUsage = childInt(node, 'CPU_USAGE');
    share.totalMem = childInt(node, 'TOTAL_MEM');
    share.totalCpu = childInt(node, 'TOTAL_CPU');
    share.maxMem = childInt(node, 'MAX_MEM');
    share.maxCpu = childInt(node, 'MAX_CPU');
    share.runningVms = childInt(node, 'RUNNING_VMS');
    share.vmsThread = childInt(node, 'VMS_THREAD', 1);
    const ds = child(node, 'DATASTORES');
    if (ds) {
      share.diskUsage = childInt(ds, 'DISK_USAGE');
      share.disk = {
        max: childInt(ds, 'MAX_DISK'),
        free: childInt(ds, 'FREE_DISK'),
        used: childInt(ds, 'USED_DISK'),
        ds: ds.children.filter((c) => c.name === 'DS').map((c) => new Map(c.children.map((k) => [k.name, k.text]))),
      };
    }
    share.pci = HostPci.fromXml(child(node, 'PCI_DEVICES'));
    share.numa = HostNuma.fromXml(child(node, 'NUMA_NODES'));
    return share;
  }
}

const NO_DISK: DiskInfo = { max: 0, free: 0, used: 0, ds: [] };
