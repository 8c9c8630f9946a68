/**
 * One scheduling cycle's decisions, from a snapshot of the pools: which pending VM goes to which
 * host and system datastore, which flagged VM moves, which leases end, which preemptible VMs
 * make room for a reservation, and the SCHED_MESSAGE of each VM that stays pending. Pure: the
 * dispatcher carries the plan out through the API.
 *
 * VMs that need the same (same capacity, requirements, ranks and clusters) are matched as one
 * group: requirements are evaluated once per host and group, and each group keeps its
 * candidates in a heap by rank, re-ranking only the hosts this cycle dispatched to. A host that
 * lacks room for one VM of a group lacks it for the rest of the cycle, so it leaves that heap.
 */
import { choosePci } from '../vm/vm-pci.js';
import { parseRank, parseRequirements, RankError, type Rank, type Requirements } from './expr/index.js';
import { policyRank, type SchedConfig } from './sched-config.js';
import { HostState, type SchedHost } from './sched-host.js';
import type { SchedDatastore } from './sched-datastore.js';
import { intersect, VmState, type SchedVm } from './sched-vm.js';
import { Reason, ReasonCounts, unplacedMessage, type ReasonText } from './filter-reasons.js';
import { RankHeap } from './rank-heap.js';
import { Reservations } from './reservations.js';
import { Affinity, type SchedVmGroup } from './vm-groups.js';
import { UNRESTRICTED, type OwnerAccess } from './owner-acl.js';
import { BurstPolicy, parseBurst, type BurstPolicyValue } from './burst.js';

export interface CycleInput {
  /** Epoch seconds. */
  readonly now: number;
  readonly config: SchedConfig;
  readonly hosts: readonly SchedHost[];
  readonly datastores: readonly SchedDatastore[];
  /** Pending VMs, VMs flagged for rescheduling, and VMs with leases, in ID order. */
  readonly vms: readonly SchedVm[];
  /** The clusters of each virtual network (empty: any). */
  readonly networkClusters: ReadonlyMap<number, ReadonlySet<number>>;
  /** The VM groups (roles, rules, their VMs); none when left out. */
  readonly vmGroups?: readonly SchedVmGroup[];
  /** Where each VM's owner may deploy (ACL rules); every VM may go anywhere when left out. */
  readonly access?: (vm: SchedVm) => OwnerAccess;
}

export type Action =
  | { readonly kind: 'deploy'; readonly vm: SchedVm; readonly host: SchedHost; readonly dsId: number; readonly update: string }
  | { readonly kind: 'migrate'; readonly vm: SchedVm; readonly host: SchedHost; readonly live: boolean }
  | { readonly kind: 'preempt'; readonly vm: SchedVm; readonly how: 'requeue' | 'suspend'; readonly forVm: SchedVm }
  | { readonly kind: 'resume'; readonly vm: SchedVm }
  | { readonly kind: 'end'; readonly vm: SchedVm }
  | { readonly kind: 'message'; readonly vm: SchedVm; readonly text: string };

export interface CyclePlan {
  /** In the order they must run: lease ends and preemptions before the dispatches they free room for. */
  readonly actions: Action[];
  /** Pending VMs considered (at most MAX_VM). */
  readonly considered: number;
  /** Lines for sched.log (expression errors, reservations that cannot be honored). */
  readonly log: string[];
  /** Run the next cycle at once: a reservation waits for preempted VMs to leave. */
  readonly wakeSoon: boolean;
}

/** A host's verdict for a VM: the reason it was filtered, or its rank. */
export type Verdict = { readonly reason: ReasonText; readonly detail?: string } | { readonly rank: number; readonly dsId: number };

const ANY = -1;

/** Matching shared by the VMs of one group. */
export class MatchGroup {
  readonly requirements: Requirements | undefined;
  readonly rank: Rank | undefined;
  readonly dsRequirements: Requirements | undefined;
  readonly dsRank: Rank | undefined;
  /** A parse error that stops every VM of the group. */
  readonly error: string | undefined;
  /** Host clusters its images and networks allow (undefined: any). */
  readonly clusters: ReadonlySet<number> | undefined;
  /** How the VMs may burst to hybrid hosts (burst.ts). */
  readonly burst: BurstPolicyValue;
  readonly notes: string[] = [];
  private readonly errors: string[] = [];
  private rankFailed = false;

  constructor(
    readonly vm: SchedVm,
    private readonly ctx: PlanContext,
    /** Where the owner of the group's VMs may deploy. */
    readonly access: OwnerAccess = UNRESTRICTED,
  ) {
    const { config } = ctx;
    const parse = <T>(what: string, text: string, parser: (t: string) => T): T | undefined => {
      try {
        return parser(text);
      } catch (err) {
        this.errors.push(`${what} "${text}": ${(err as Error).message}`);
        return undefined;
      }
    };
    this.requirements = parse('SCHED_REQUIREMENTS', vm.requirements, parseRequirements);
    this.rank = parse('SCHED_RANK', vm.rank || policyRank(config.hostPolicy, 'host'), parseRank);
    this.dsRequirements = parse('SCHED_DS_REQUIREMENTS', vm.dsRequirements, parseRequirements);
    this.dsRank = parse('SCHED_DS_RANK', vm.dsRank || policyRank(config.dsPolicy, 'datastore'), parseRank);
    this.burst = parse('SCHED_BURST', vm.burst, (t) => parseBurst(t, config.burst)) ?? config.burst;
    this.error = this.errors.length > 0 ? this.errors.join('. ') : undefined;
    let clusters = vm.diskClusters;
    for (const id of vm.networkIds) {
      const net = ctx.input.networkClusters.get(id);
      if (net && net.size > 0) clusters = intersect(clusters, net);
    }
    this.clusters = clusters ?? undefined;
    if (this.requirements) {
      const unknown = this.requirements.variables.filter((v) => !ctx.input.hosts.some((h) => h.lookup(v) !== undefined));
      if (unknown.length > 0) this.notes.push(`SCHED_REQUIREMENTS names ${unknown.join(', ')}, which no host has`);
    }
  }

  /** Why the host can never take VMs of this group in this cycle, if it cannot. */
  staticReason(host: SchedHost): ReasonText | undefined {
    switch (host.state) {
      case HostState.MONITORED:
      case HostState.MONITORING_MONITORED:
        break;
      case HostState.DISABLED:
      case HostState.MONITORING_DISABLED:
        return Reason.DISABLED;
      case HostState.OFFLINE:
        return Reason.OFFLINE;
      case HostState.ERROR:
      case HostState.MONITORING_ERROR:
        return Reason.ERROR;
      default:
        return Reason.NOT_MONITORED;
    }
    if (!this.access.host(host.id, host.clusterId)) return Reason.AUTH;
    if (host.hybrid && this.burst === BurstPolicy.NEVER) return Reason.HYBRID;
    if (this.clusters && !this.clusters.has(host.clusterId)) return Reason.CLUSTER;
    if (this.requirements && !this.requirements.test(host)) return Reason.REQUIREMENTS;
    return undefined;
  }

  /** Local hosts come before hybrid ones (tier 1 and 0) under AUTO; one tier otherwise. */
  tierOf(host: SchedHost): number {
    return this.burst === BurstPolicy.AUTO && !host.hybrid ? 1 : 0;
  }

  /** The heap entry of a host. */
  ranked(host: SchedHost): { host: SchedHost; rank: number; version: number; tier: number } {
    return { host, rank: this.rankOf(host), version: host.version, tier: this.tierOf(host) };
  }

  /** Whether `host` (ranked `rank`) goes before `other` (ranked `otherRank`): tier, then rank. */
  outranks(host: SchedHost, rank: number, other: SchedHost, otherRank: number): boolean {
    const t = this.tierOf(host) - this.tierOf(other);
    return t !== 0 ? t > 0 : rank > otherRank;
  }

  /** What the VM's SCHED_MESSAGE says when it goes to `host`: why it burst there, or nothing. */
  burstNote(host: SchedHost, counts?: ReasonCounts): string {
    if (!host.hybrid) return '';
    if (this.burst === BurstPolicy.RANK) return `Deployed on hybrid host ${host.name} (${host.id}) by rank (SCHED_BURST = RANK)`;
    const why = counts?.toString() ?? '';
    return `Burst to hybrid host ${host.name} (${host.id}): no local host could take it${why ? ` (of ${this.ctx.input.hosts.length} hosts: ${why})` : ''}`;
  }

  /** The host's rank for this group; a failing rank (division by zero) ranks it last, once noted. */
  rankOf(host: SchedHost): number {
    if (!this.rank) return 0;
    try {
      return this.rank.evaluate(host);
    } catch (err) {
      if (!(err instanceof RankError)) throw err;
      if (!this.rankFailed) {
        this.rankFailed = true;
        this.notes.push(`SCHED_RANK failed on host ${host.name}: ${err.message}`);
        this.ctx.log.push(`VM ${this.vm.id}: SCHED_RANK "${this.rank.text}" failed on host ${host.id}: ${err.message}`);
      }
      return -Infinity;
    }
  }

  /** The best system datastore for `vm` on `host` (its current one when it has one), or undefined. */
  datastoreFor(host: SchedHost, vm: SchedVm): SchedDatastore | undefined | typeof ANY {
    if (vm.dsId >= 0 && vm.state !== VmState.PENDING) return ANY;
    let best: SchedDatastore | undefined;
    let bestRank = -Infinity;
    for (const ds of this.ctx.input.datastores) {
      if (!ds.enabled || (ds.clusters.size > 0 && !ds.clusters.has(host.clusterId)) || ds.freeMb < vm.diskMb) continue;
      if (!this.access.datastore(ds.id, ds.clusters)) continue;
      if (this.dsRequirements && !this.dsRequirements.test(ds)) continue;
      let r: number;
      try {
        r = this.dsRank ? this.dsRank.evaluate(ds) : 0;
      } catch {
        r = -Infinity;
      }
      if (best === undefined || r > bestRank) {
        best = ds;
        bestRank = r;
      }
    }
    return best;
  }
}

/**
 * Why `host` cannot take `vm` now, given this cycle's dispatches; undefined when it can. A VM
 * group rule it would break is added to `rules`.
 */
function dynamicReason(ctx: PlanContext, g: MatchGroup, host: SchedHost, vm: SchedVm, end: number, rules?: Set<string>): ReasonText | undefined {
  if (vm.hostId === host.id && vm.state !== VmState.PENDING && vm.state !== VmState.UNDEPLOYED) return Reason.CURRENT;
  const rule = ctx.affinity.check(vm.id, host.id);
  if (rule) {
    rules?.add(rule);
    return Reason.VMGROUP;
  }
  if (ctx.blocked.has(host.id)) return Reason.RESERVED;
  if (vm.cpu > host.cpuLeft) return Reason.CPU;
  if (vm.mem > host.memLeft) return Reason.MEMORY;
  if (vm.pci.length > 0 && !choosePci(host.pciFree, vm.pci)) return Reason.PCI;
  if (!ctx.reservations.allows(host, vm, end)) return Reason.RESERVED;
  if (g.datastoreFor(host, vm) === undefined) return Reason.DATASTORE;
  if (host.dispatched >= ctx.config.maxHost) return Reason.MAX_HOST;
  return undefined;
}

/** State shared by the steps of one plan. */
class PlanContext {
  readonly config: SchedConfig;
  readonly reservations: Reservations;
  readonly hostsById: Map<number, SchedHost>;
  /** VM group rules, with where this cycle puts the VMs of groups. */
  readonly affinity: Affinity;
  readonly groups = new Map<string, MatchGroup>();
  readonly log: string[] = [];
  readonly actions: Action[] = [];
  dispatched = 0;
  /** Hosts a starting reservation waits on: nothing else goes there this cycle. */
  readonly blocked = new Set<number>();
  /** The next cycle should not wait for SCHED_INTERVAL (a reservation waits for room being freed). */
  wakeSoon = false;

  constructor(readonly input: CycleInput) {
    this.config = input.config;
    this.hostsById = new Map(input.hosts.map((h) => [h.id, h]));
    this.affinity = new Affinity(input.vmGroups ?? [], input.hosts.map((h) => [h.id, h.vmIds]));
    this.reservations = new Reservations(input.vms.filter((v) => v.hostId >= 0 && v.lease && (v.state === VmState.ACTIVE || v.state === VmState.POWEROFF || v.state === VmState.SUSPENDED)));
  }

  private byCluster: Map<number, SchedHost[]> | undefined;

  /** The hosts of these ids or clusters (built on first use: only owners confined to some hosts need it). */
  hostsIn(scope: { readonly ids: ReadonlySet<number>; readonly clusters: ReadonlySet<number> }): SchedHost[] {
    if (!this.byCluster) {
      this.byCluster = new Map();
      for (const h of this.input.hosts) {
        const list = this.byCluster.get(h.clusterId);
        if (list) list.push(h);
        else this.byCluster.set(h.clusterId, [h]);
      }
    }
    const out: SchedHost[] = [];
    for (const c of scope.clusters) for (const h of this.byCluster.get(c) ?? []) out.push(h);
    for (const id of scope.ids) {
      const h = this.hostsById.get(id);
      if (h && !scope.clusters.has(h.clusterId)) out.push(h);
    }
    return out;
  }

  group(vm: SchedVm): MatchGroup {
    const access = this.input.access?.(vm) ?? UNRESTRICTED;
    const key = `${access.key}\0${vm.matchKey}`;
    let g = this.groups.get(key);
    if (!g) this.groups.set(key, (g = new MatchGroup(vm, this, access)));
    return g;
  }

  message(vm: SchedVm, text: string): void {
    if (vm.message !== text) this.actions.push({ kind: 'message', vm, text });
  }

  /** Accounts and records a dispatch. */
  dispatch(vm: SchedVm, host: SchedHost, dsId: number, end: number, note = ''): void {
    host.take(vm.cpu, vm.mem);
    host.dispatched++;
    this.affinity.place(vm.id, host.id);
    const pci = vm.pci.length > 0 ? choosePci(host.pciFree, vm.pci) : undefined;
    if (pci) host.pciFree = host.pciFree.filter((d) => !pci.includes(d));
    this.reservations.take(host, vm, end);
    const ds = dsId >= 0 ? this.input.datastores.find((d) => d.id === dsId) : undefined;
    if (ds) ds.freeMb -= vm.diskMb;
    this.dispatched++;
    if (vm.state === VmState.PENDING || vm.state === VmState.UNDEPLOYED) {
      const writes: string[] = [];
      if (vm.lease?.durationSec !== undefined) writes.push(`SCHED_END = "${end}"`);
      if (vm.preempted) writes.push('SCHED_PREEMPTED = "NO"');
      if (note !== '') writes.push(`SCHED_MESSAGE = "${note.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`);
      this.actions.push({ kind: 'deploy', vm, host, dsId, update: writes.join('\n') });
    } else {
      this.actions.push({ kind: 'migrate', vm, host, live: this.config.liveRescheds && vm.state === VmState.ACTIVE && vm.lcmState === 3 });
    }
  }
}

/** When a lease placed now ends: its reservation's end, or now + its duration, or never. */
function leaseEnd(vm: SchedVm, now: number): number {
  const l = vm.lease;
  if (!l || l.durationSec === undefined) return Infinity;
  return (l.start !== undefined ? Math.max(l.start, now) : now) + l.durationSec;
}

/**
 * Every host's verdict for one VM, best first (the explain mode): the reason a host is filtered,
 * or its rank and the system datastore it would get.
 */
export function explain(input: CycleInput, vm: SchedVm): { verdicts: { host: SchedHost; verdict: Verdict }[]; group: MatchGroup } {
  const ctx = new PlanContext(input);
  const g = ctx.group(vm);
  const end = leaseEnd(vm, input.now);
  const verdicts = input.hosts.map((host) => {
    if (g.error) return { host, verdict: { reason: Reason.REQUIREMENTS, detail: g.error } as Verdict };
    const rules = new Set<string>();
    const reason = g.staticReason(host) ?? dynamicReason(ctx, g, host, vm, end, rules);
    if (reason) return { host, verdict: (rules.size > 0 ? { reason, detail: [...rules][0] } : { reason }) as Verdict };
    const ds = g.datastoreFor(host, vm);
    return { host, verdict: { rank: g.rankOf(host), dsId: typeof ds === 'number' ? ANY : ds!.id } as Verdict };
  });
  const rankOf = (v: Verdict) => ('rank' in v ? v.rank : -Infinity);
  const tierOf = (x: { host: SchedHost; verdict: Verdict }) => ('rank' in x.verdict ? g.tierOf(x.host) : -1);
  verdicts.sort((a, b) => tierOf(b) - tierOf(a) || rankOf(b.verdict) - rankOf(a.verdict) || ('rank' in b.verdict ? 1 : 0) - ('rank' in a.verdict ? 1 : 0) || a.host.id - b.host.id);
  return { verdicts, group: g };
}

/** Plans one cycle. The hosts' and datastores' numbers are updated as the plan takes room. */
export function plan(input: CycleInput): CyclePlan {
  const ctx = new PlanContext(input);
  const { now, config } = input;
  const vms = input.vms;

  // 1. Leases that are over end.
  for (const vm of vms) {
    if (vm.lease?.end !== undefined && vm.lease.end <= now && vm.hostId >= 0 && vm.state !== VmState.PENDING && vm.state !== VmState.DONE) {
      ctx.actions.push({ kind: 'end', vm });
    }
  }

  // 2. Reservations: those due start now (preempting if they must); the others get a host to hold.
  const reservations = vms.filter((v) => v.pending && v.lease?.start !== undefined && !v.leaseError).sort((a, b) => a.lease!.start! - b.lease!.start! || a.id - b.id);
  for (const vm of reservations) {
    const start = vm.lease!.start!;
    if (start <= now) startReservation(ctx, vm);
    else planReservation(ctx, vm, start);
  }
  ctx.reservations.settle(ctx.hostsById);

  // 3. Suspended preemptible VMs resume where the room is back.
  for (const vm of vms) {
    if (vm.preempted && vm.state === VmState.SUSPENDED) {
      const host = ctx.hostsById.get(vm.hostId);
      if (host && host.cpuUsage <= host.maxCpu && host.memUsage <= host.maxMem && ctx.reservations.holdsOn(host).every((h) => h.start > now + config.intervalSec)) {
        ctx.actions.push({ kind: 'resume', vm });
      }
    }
  }

  // 4. Best-effort work: pending (and requeued) VMs, then those flagged for rescheduling.
  const { bestEffort, leaseErrors } = consideredVms(vms, config.maxVm);
  const considered = bestEffort.length;
  for (const vm of leaseErrors) ctx.message(vm, `Cannot dispatch VM: ${vm.leaseError}`);
  const heaps = new Map<MatchGroup, { heap: RankHeap; counts: ReasonCounts }>();
  for (const vm of bestEffort) {
    if (ctx.dispatched >= config.maxDispatch) break;
    const g = ctx.group(vm);
    if (g.error) {
      ctx.message(vm, `Cannot dispatch VM: ${g.error}`);
      continue;
    }
    // VMs of VM groups are placed one by one: whether a host suits one depends on where the others went.
    if (vm.wantsResched || ctx.affinity.has(vm.id)) {
      placeOne(ctx, g, vm);
      continue;
    }
    let h = heaps.get(g);
    if (!h) heaps.set(g, (h = candidates(ctx, g)));
    const end = leaseEnd(vm, now);
    const host = popBest(ctx, g, h.heap, h.counts, vm, end);
    if (host) {
      const ds = g.datastoreFor(host.host, vm);
      ctx.dispatch(vm, host.host, typeof ds === 'number' || !ds ? ANY : ds.id, end, g.burstNote(host.host, h.counts));
      h.heap.push(g.ranked(host.host));
    } else {
      ctx.message(vm, unplacedMessage(input.hosts.length, h.counts, g.notes));
    }
  }
  return { actions: ctx.actions, considered, log: ctx.log, wakeSoon: ctx.wakeSoon };
}

/**
 * The best-effort VMs a cycle considers, oldest first: pending (and requeued) VMs without a
 * reservation, and VMs flagged for rescheduling, at most `maxVm` (0: all); and the pending VMs
 * met on the way whose lease is wrong (said on the VM instead). The scheduler reads the PCI
 * requests of these VMs only: the others wait for a later cycle.
 */
export function consideredVms(vms: readonly SchedVm[], maxVm: number): { bestEffort: SchedVm[]; leaseErrors: SchedVm[] } {
  const bestEffort: SchedVm[] = [];
  const leaseErrors: SchedVm[] = [];
  for (const vm of vms) {
    if (vm.leaseError && vm.pending) {
      leaseErrors.push(vm);
      continue;
    }
    const waiting = (vm.pending && vm.lease?.start === undefined) || (vm.preempted && vm.state === VmState.UNDEPLOYED);
    if (!waiting && !vm.wantsResched) continue;
    if (maxVm > 0 && bestEffort.length >= maxVm) break;
    bestEffort.push(vm);
  }
  return { bestEffort, leaseErrors };
}

/**
 * The group's candidate hosts in a heap by rank, and the counts of the hosts filtered out. When
 * the owner may use only some hosts (a VDC of a few clusters) only those are looked at, through
 * the hosts-by-cluster index: the others are counted as not authorized without a visit.
 */
function candidates(ctx: PlanContext, g: MatchGroup): { heap: RankHeap; counts: ReasonCounts } {
  const heap = new RankHeap();
  const counts = new ReasonCounts();
  const scope = g.access.hostScope();
  const hosts = scope ? ctx.hostsIn(scope) : ctx.input.hosts;
  if (hosts.length < ctx.input.hosts.length) counts.add(Reason.AUTH, ctx.input.hosts.length - hosts.length);
  for (const host of hosts) {
    const reason = g.staticReason(host);
    if (reason) counts.add(reason);
    else heap.push(g.ranked(host));
  }
  return { heap, counts };
}

/** The best host that can take `vm` now; hosts that cannot leave the heap (counted). */
function popBest(ctx: PlanContext, g: MatchGroup, heap: RankHeap, counts: ReasonCounts, vm: SchedVm, end: number): { host: SchedHost } | undefined {
  for (;;) {
    const top = heap.pop();
    if (!top) return undefined;
    if (top.version !== top.host.version) {
      heap.push(g.ranked(top.host));
      continue;
    }
    const reason = dynamicReason(ctx, g, top.host, vm, end);
    if (!reason) return { host: top.host };
    counts.add(reason);
  }
}

/** Places one VM by scanning every host (rescheduling, reservations): the best or the message. */
function placeOne(ctx: PlanContext, g: MatchGroup, vm: SchedVm): SchedHost | undefined {
  const end = leaseEnd(vm, ctx.input.now);
  const counts = new ReasonCounts();
  const rules = new Set<string>();
  let best: SchedHost | undefined;
  let bestRank = -Infinity;
  for (const host of ctx.input.hosts) {
    const reason = g.staticReason(host) ?? dynamicReason(ctx, g, host, vm, end, rules);
    if (reason) {
      counts.add(reason);
      continue;
    }
    const r = g.rankOf(host);
    if (!best || g.outranks(host, r, best, bestRank)) {
      best = host;
      bestRank = r;
    }
  }
  if (!best) {
    ctx.message(vm, unplacedMessage(ctx.input.hosts.length, counts, [...g.notes, ...rules]));
    return undefined;
  }
  const ds = g.datastoreFor(best, vm);
  ctx.dispatch(vm, best, typeof ds === 'number' || !ds ? ANY : ds.id, end, g.burstNote(best, counts));
  return best;
}

/** A reservation whose start has come: deployed now, preempting preemptible VMs if it must. */
function startReservation(ctx: PlanContext, vm: SchedVm): void {
  const g = ctx.group(vm);
  if (g.error) {
    ctx.message(vm, `Cannot start the reservation: ${g.error}`);
    return;
  }
  // First a host with room as it is; else the host it started on in an earlier cycle (its
  // preempted VMs may still be leaving), or the best one where preempting makes room.
  if (placeQuiet(ctx, g, vm)) return;
  const end = leaseEnd(vm, ctx.input.now);
  const earlier = /^Starting the reservation on host .* \((\d+)\)/.exec(vm.message);
  let chosen = earlier ? ctx.hostsById.get(Number(earlier[1])) : undefined;
  if (chosen && g.staticReason(chosen)) chosen = undefined;
  if (!chosen) {
    for (const host of ctx.input.hosts) {
      if (g.staticReason(host) || g.datastoreFor(host, vm) === undefined) continue;
      const pre = ctx.reservations.preemptibleAmount(host);
      if (vm.cpu <= host.cpuLeft + pre.cpu && vm.mem <= host.memLeft + pre.mem && (!chosen || g.outranks(host, g.rankOf(host), chosen, g.rankOf(chosen)))) chosen = host;
    }
  }
  if (!chosen) {
    const counts = new ReasonCounts();
    for (const host of ctx.input.hosts) counts.add(g.staticReason(host) ?? dynamicReason(ctx, g, host, vm, end) ?? Reason.CPU);
    const text = `Cannot start the reservation due at ${new Date(vm.lease!.start! * 1000).toISOString()}: ${unplacedMessage(ctx.input.hosts.length, counts, g.notes).replace('Cannot dispatch VM: ', '')}`;
    ctx.message(vm, text);
    ctx.log.push(`VM ${vm.id}: ${text}`);
    return;
  }
  // The preempted VMs leave first; the reservation is deployed once oned has freed their room
  // (a next cycle, which comes at once). Until then no one else may take that host.
  for (const victim of [...ctx.reservations.preemptibleOn(chosen)]) {
    if (vm.cpu <= chosen.cpuLeft && vm.mem <= chosen.memLeft) break;
    ctx.actions.push({ kind: 'preempt', vm: victim, how: ctx.config.preemption, forVm: vm });
    ctx.reservations.preempted(chosen, victim);
    chosen.release(victim.cpu, victim.mem);
  }
  chosen.take(vm.cpu, vm.mem);
  ctx.blocked.add(chosen.id);
  ctx.wakeSoon = true;
  ctx.message(vm, `Starting the reservation on host ${chosen.name} (${chosen.id}): waiting for preempted VMs to leave`);
}

/** placeOne without a message when nothing fits (the caller tries harder). */
function placeQuiet(ctx: PlanContext, g: MatchGroup, vm: SchedVm): boolean {
  const end = leaseEnd(vm, ctx.input.now);
  const ok = ctx.input.hosts.some((h) => !g.staticReason(h) && !dynamicReason(ctx, g, h, vm, end));
  return ok && placeOne(ctx, g, vm) !== undefined;
}

/** A future reservation: the best host with room at its start holds it. */
function planReservation(ctx: PlanContext, vm: SchedVm, start: number): void {
  const g = ctx.group(vm);
  const end = start + vm.lease!.durationSec!;
  if (g.error) {
    ctx.message(vm, `Cannot hold the reservation: ${g.error}`);
    return;
  }
  const counts = new ReasonCounts();
  let best: SchedHost | undefined;
  let bestRank = -Infinity;
  let larger = true;
  // The host it was given in earlier cycles keeps it while it still has the room.
  const earlier = /^Reserved on host .* \((\d+)\) from /.exec(vm.message);
  const previous = earlier ? Number(earlier[1]) : -1;
  for (const host of ctx.input.hosts) {
    if (vm.cpu <= host.maxCpu && vm.mem <= host.maxMem) larger = false;
    const reason = g.staticReason(host);
    if (reason) {
      counts.add(reason);
      continue;
    }
    const room = ctx.reservations.roomAt(host, start, end, true);
    if (vm.cpu > room.cpu) counts.add(Reason.CPU);
    else if (vm.mem > room.mem) counts.add(Reason.MEMORY);
    else if (g.datastoreFor(host, vm) === undefined) counts.add(Reason.DATASTORE);
    else {
      const r = host.id === previous ? Infinity : g.rankOf(host);
      if (!best || (host.id === previous ? true : best.id === previous ? false : g.outranks(host, r, best, bestRank))) {
        best = host;
        bestRank = r;
      }
    }
  }
  const when = `${new Date(start * 1000).toISOString()} to ${new Date(end * 1000).toISOString()}`;
  if (!best) {
    const why = larger ? `it asks for more than any host has (CPU ${vm.cpu / 100}, MEMORY ${vm.mem / 1024} MB)` : unplacedMessage(ctx.input.hosts.length, counts, g.notes).replace('Cannot dispatch VM: ', '');
    const text = `Cannot hold the reservation from ${when}: ${why}`;
    ctx.message(vm, text);
    ctx.log.push(`VM ${vm.id}: ${text}`);
    return;
  }
  ctx.reservations.hold(best, vm, start, end);
  ctx.message(vm, `Reserved on host ${best.name} (${best.id}) from ${when}`);
}
