/**
 * The VMs the previous cycle parsed, by id, with the listing text each came from: a VM whose
 * `<VM>` element reads the same in this cycle's listing is taken as parsed, so a cycle over
 * 100,000 pending VMs parses only the VMs that are new or changed since the last one. VMs with a
 * lease are parsed every time (what their lease means depends on the time), and everything is
 * parsed again when the clusters of the datastores change (DISKs are matched against them).
 */
import type { SchedVm } from './sched-vm.js';

/** Markers of VMs whose parse depends on the time of the cycle. */
const TIMED = ['<SCHED_START>', '<SCHED_DURATION>', '<SCHED_END>'];

interface Entry {
  readonly chunk: string;
  readonly vm: SchedVm;
}

export class VmCache {
  /** VMs whose PCI requests were read from their whole document (the short listing has none). */
  private readonly pciKnown = new WeakSet<SchedVm>();

  private kept = new Map<number, Entry>();
  private next = new Map<number, Entry>();
  private clustersKey = '';
  /** VMs of the last read taken from the cache / parsed. */
  hits = 0;
  misses = 0;

  /** Starts a read of the listing; `clustersKey` stands for the datastores' clusters. */
  begin(clustersKey: string): void {
    if (clustersKey !== this.clustersKey) this.kept.clear();
    this.clustersKey = clustersKey;
    this.next = new Map();
    this.hits = 0;
    this.misses = 0;
  }

  /** The VM parsed from the same text last time, or `parse`'s (kept for next time when it may be). */
  take(id: number, chunk: string, parse: () => SchedVm): SchedVm {
    const kept = this.kept.get(id);
    if (kept && kept.chunk === chunk) {
      this.next.set(id, { chunk, vm: kept.vm });
      this.hits++;
      return kept.vm;
    }
    this.misses++;
    const vm = parse();
    if (!TIMED.some((m) => chunk.includes(m))) this.next.set(id, { chunk, vm });
    return vm;
  }

  /** Whether the VM's PCI requests were read already (it is the same VM, unchanged, as then). */
  knowsPci(vm: SchedVm): boolean {
    return this.pciKnown.has(vm);
  }

  pciRead(vm: SchedVm): void {
    this.pciKnown.add(vm);
  }

  /** Ends the read: VMs no longer listed (or no longer wanted) are forgotten. */
  end(): void {
    this.kept = this.next;
    this.next = new Map();
  }
}

/** A key that changes when any datastore's clusters change. */
export function clustersKeyOf(clusters: ReadonlyMap<number, ReadonlySet<number>>): string {
  let key = '';
  for (const [ds, set] of clusters) key += `${ds}:${[...set].join(',')};`;
  return key;
}
