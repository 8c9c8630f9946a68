/**
 * The capacity promised to the future. Each cycle, advance reservations not started yet are
 * given a host where, at their start, there is room once preemptible VMs are set aside and
 * leases that end before it are gone; the room they hold limits what best-effort work that
 * would outlive their start may take of that host now.
 */
import type { SchedHost } from './sched-host.js';
import type { SchedVm } from './sched-vm.js';

interface Amount {
  cpu: number;
  mem: number;
}

/** A reservation planned on a host. */
export interface Hold extends Amount {
  readonly vm: SchedVm;
  readonly start: number;
  readonly end: number;
}

/** What one host has promised and what may be taken back. */
class HostLedger {
  readonly holds: Hold[] = [];
  /** Preemptible VMs running there, newest first. */
  readonly preemptible: SchedVm[] = [];
  /** Leases running there that end on their own. */
  readonly endings: { end: number; cpu: number; mem: number }[] = [];
  /** Room left at the tightest reservation start for work that outlives it (Infinity: none). */
  slack: Amount = { cpu: Infinity, mem: Infinity };
}

export class Reservations {
  private readonly ledgers = new Map<number, HostLedger>();

  /** @param running the VMs holding host capacity now that have leases (preemptible or ending). */
  constructor(running: readonly SchedVm[]) {
    for (const vm of running) {
      if (vm.hostId < 0) continue;
      const l = this.ledger(vm.hostId);
      if (vm.lease?.preemptible && !vm.preempted) l.preemptible.push(vm);
      if (vm.lease?.end !== undefined) l.endings.push({ end: vm.lease.end, cpu: vm.cpu, mem: vm.mem });
    }
    for (const l of this.ledgers.values()) l.preemptible.sort((a, b) => b.id - a.id);
  }

  private ledger(hostId: number): HostLedger {
    let l = this.ledgers.get(hostId);
    if (!l) this.ledgers.set(hostId, (l = new HostLedger()));
    return l;
  }

  /** Preemptible VMs on a host, newest first. */
  preemptibleOn(host: SchedHost): readonly SchedVm[] {
    return this.ledgers.get(host.id)?.preemptible ?? [];
  }

  /** CPU and memory the preemptible VMs of a host hold. */
  preemptibleAmount(host: SchedHost): Amount {
    let cpu = 0;
    let mem = 0;
    for (const vm of this.preemptibleOn(host)) {
      cpu += vm.cpu;
      mem += vm.mem;
    }
    return { cpu, mem };
  }

  /** Forgets a preempted VM: its room is the reservation's now. */
  preempted(host: SchedHost, vm: SchedVm): void {
    const l = this.ledgers.get(host.id);
    if (l) l.preemptible.splice(l.preemptible.indexOf(vm), 1);
  }

  /**
   * Room on `host` at time `t` for a lease running from `t` to `end`: the capacity, less what
   * VMs will still hold then (preemptible ones too, unless `preempting`) and the reservations
   * planned over that window.
   */
  roomAt(host: SchedHost, t: number, end: number, preempting: boolean): Amount {
    const l = this.ledgers.get(host.id);
    const pre = preempting ? this.preemptibleAmount(host) : { cpu: 0, mem: 0 };
    let cpu = host.maxCpu - host.cpuUsage + pre.cpu;
    let mem = host.maxMem - host.memUsage + pre.mem;
    if (!l) return { cpu, mem };
    for (const e of l.endings) {
      if (e.end <= t) {
        cpu += e.cpu;
        mem += e.mem;
      }
    }
    for (const h of l.holds) {
      if (h.start < end && h.end > t) {
        cpu -= h.cpu;
        mem -= h.mem;
      }
    }
    return { cpu, mem };
  }

  /** Records a reservation planned on `host`. Call `settle` once all are planned. */
  hold(host: SchedHost, vm: SchedVm, start: number, end: number): void {
    this.ledger(host.id).holds.push({ vm, start, end, cpu: vm.cpu, mem: vm.mem });
  }

  /** Computes each host's slack from the reservations planned on it. */
  settle(hostsById: ReadonlyMap<number, SchedHost>): void {
    for (const [id, l] of this.ledgers) {
      const host = hostsById.get(id);
      if (!host || l.holds.length === 0) continue;
      let cpu = Infinity;
      let mem = Infinity;
      for (const h of l.holds) {
        // Preemptible VMs leave at the reservation, but their room is not free to promise.
        const room = this.roomAt(host, h.start, h.start + 1, false);
        cpu = Math.min(cpu, room.cpu);
        mem = Math.min(mem, room.mem);
      }
      l.slack = { cpu, mem };
    }
  }

  /** The earliest start of a reservation held on the host, Infinity when none. */
  firstHold(host: SchedHost): number {
    const l = this.ledgers.get(host.id);
    let first = Infinity;
    for (const h of l?.holds ?? []) first = Math.min(first, h.start);
    return first;
  }

  /**
   * Whether a best-effort VM placed now on `host`, running until `end` (Infinity when it has no
   * duration), leaves the reservations held there their room.
   */
  allows(host: SchedHost, vm: SchedVm, end: number): boolean {
    const l = this.ledgers.get(host.id);
    if (!l || l.holds.length === 0 || vm.lease?.preemptible || end <= this.firstHold(host)) return true;
    return vm.cpu <= l.slack.cpu && vm.mem <= l.slack.mem;
  }

  /** Accounts a best-effort VM placed by `allows`. */
  take(host: SchedHost, vm: SchedVm, end: number): void {
    const l = this.ledgers.get(host.id);
    if (!l || vm.lease?.preemptible || end <= this.firstHold(host)) return;
    l.slack = { cpu: l.slack.cpu - vm.cpu, mem: l.slack.mem - vm.mem };
  }

  /** The reservations planned on each host. */
  holdsOn(host: SchedHost): readonly Hold[] {
    return this.ledgers.get(host.id)?.holds ?? [];
  }
}
