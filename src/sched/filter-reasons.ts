/**
 * Why a host was not chosen for a VM, and the SCHED_MESSAGE that sums them up in numbers:
 * "Cannot dispatch VM: of 40 hosts: 3 disabled, 12 filtered by requirements, 25 lack memory".
 */

export const Reason = {
  NOT_MONITORED: 'not monitored yet',
  DISABLED: 'disabled',
  ERROR: 'in error',
  OFFLINE: 'offline',
  AUTH: 'not authorized for the VM owner (ACL)',
  HYBRID: 'hybrid, and the VM does not burst (SCHED_BURST = NEVER)',
  CURRENT: 'the VM is already there',
  VMGROUP: 'break VM group rules',
  CLUSTER: 'in other clusters than its images and networks',
  REQUIREMENTS: 'filtered by requirements',
  CPU: 'lack CPU',
  MEMORY: 'lack memory',
  PCI: 'lack free PCI devices',
  RESERVED: 'keep their room for reservations',
  DATASTORE: 'have no system datastore with room',
  MAX_HOST: 'reached MAX_HOST this cycle',
} as const;
export type ReasonText = (typeof Reason)[keyof typeof Reason];

const ORDER: readonly ReasonText[] = Object.values(Reason);

/** Counts of hosts per reason. */
export class ReasonCounts {
  private readonly counts = new Map<ReasonText, number>();

  add(reason: ReasonText, n = 1): void {
    this.counts.set(reason, (this.counts.get(reason) ?? 0) + n);
  }

  get(reason: ReasonText): number {
    return this.counts.get(reason) ?? 0;
  }

  clone(): ReasonCounts {
    const c = new ReasonCounts();
    for (const [r, n] of this.counts) c.add(r, n);
    return c;
  }

  /** "3 disabled, 12 filtered by requirements", in a fixed order. */
  toString(): string {
    return ORDER.filter((r) => this.get(r) > 0)
      .map((r) => `${this.get(r)} ${r}`)
      .join(', ');
  }
}

/**
 * The message of a VM no host could take. `notes` add what the numbers cannot say (an
 * expression that names what no host has, a rank that failed).
 */
export function unplacedMessage(hostCount: number, counts: ReasonCounts, notes: readonly string[] = []): string {
  const base = hostCount === 0 ? 'Cannot dispatch VM: there are no hosts' : `Cannot dispatch VM: of ${hostCount} host${hostCount === 1 ? '' : 's'}: ${counts.toString()}`;
  return notes.length === 0 ? base : `${base}. ${notes.join('. ')}`;
}
