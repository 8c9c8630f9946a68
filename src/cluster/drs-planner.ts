/**
 * The cluster optimizer behind `one.cluster.optimize` (OpenNebula 7.x's DRS): a list of live
 * VM migrations that balances (or packs) the load of a cluster's hosts. It is deliberately
 * simple and greedy; the cluster template's `ONE_DRS = [ ... ]` tunes it:
 *
 * - A host's load is the weighted mean of its CPU and memory use (USED_CPU / MAX_CPU and
 *   USED_MEMORY / MAX_MEM from its last monitoring, but never less than what its VMs are
 *   given), weights CPU_WEIGHT and MEMORY_WEIGHT (1 each by default).
 * - A VM is taken to bring its monitored CPU and memory use with it, or its allocation (CPU,
 *   MEMORY) when it reports none. A move must fit the destination's free allocation (MAX_CPU
 *   and MAX_MEM less what its VMs are given), as the scheduler asks.
 * - `POLICY = "balance"` (default): while the most loaded host is more than TOLERANCE (a
 *   fraction, 0.1 by default; our own key) above the least loaded one, move the VM of the most
 *   loaded host that lowers the higher of the two loads most, to the least loaded host it fits
 *   in. It stops when no move helps.
 * - `POLICY = "pack"`: empty the least loaded hosts, one at a time, into the most loaded
 *   ones that still have room; a host is emptied only when all its VMs fit elsewhere.
 * - `MIGRATION_THRESHOLD`: at most that many moves (-1, the default, no limit).
 *
 * Each VM moves at most once per plan.
 */

export interface PlannerHost {
  readonly id: number;
  /** Capacity (CPU ×100, memory KB) and what VMs are given of it. */
  readonly maxCpu: number;
  readonly maxMem: number;
  allocCpu: number;
  allocMem: number;
  /** Measured use, same units. */
  usedCpu: number;
  usedMem: number;
}

export interface PlannerVm {
  readonly id: number;
  readonly hostId: number;
  /** Allocation (CPU ×100, memory KB). */
  readonly cpu: number;
  readonly mem: number;
  /** The use it brings along (its monitored use, or its allocation). */
  readonly usedCpu: number;
  readonly usedMem: number;
}

export interface DrsSettings {
  readonly policy: 'balance' | 'pack';
  /** Most moves in a plan, -1 for no limit. */
  readonly migrationThreshold: number;
  /** Load difference (fraction) the balance policy accepts. */
  readonly tolerance: number;
  readonly cpuWeight: number;
  readonly memoryWeight: number;
}

export interface Move {
  readonly vmId: number;
  readonly from: number;
  readonly to: number;
}

export const DEFAULT_DRS: DrsSettings = { policy: 'balance', migrationThreshold: -1, tolerance: 0.1, cpuWeight: 1, memoryWeight: 1 };

/** ONE_DRS keys and the values they take (as 7.4 checks them on cluster update). */
const NUMBER = /^\d+(\.\d+)?$/;

/**
 * The settings of a cluster's `ONE_DRS` vector (absent: the defaults).
 * @throws Error naming the first invalid key, as 7.4's "contains invalid POLICY"
 */
export function drsSettings(v: ReadonlyMap<string, string> | undefined): DrsSettings {
  if (!v) return DEFAULT_DRS;
  const get = (k: string) => (v.get(k) ?? '').trim().toLowerCase();
  const invalid = (k: string) => new Error(`Error cluster template contains invalid ${k}`);
  const policy = get('POLICY');
  if (policy !== '' && policy !== 'pack' && policy !== 'balance') throw invalid('POLICY');
  const automation = get('AUTOMATION');
  if (automation !== '' && !['manual', 'partial', 'full'].includes(automation)) throw invalid('AUTOMATION');
  const threshold = get('MIGRATION_THRESHOLD');
  if (threshold !== '' && threshold !== '-1' && !NUMBER.test(threshold)) throw invalid('MIGRATION_THRESHOLD');
  const num = (k: string, def: number) => {
    const s = get(k);
    if (s === '') return def;
    if (!NUMBER.test(s)) throw invalid(k);
    return Number(s);
  };
  for (const k of ['CPU_USAGE_WEIGHT', 'NET_WEIGHT', 'DISK_WEIGHT', 'PREDICTIVE']) num(k, 0);
  return {
    policy: policy === 'pack' ? 'pack' : 'balance',
    migrationThreshold: threshold === '' ? -1 : Math.floor(Number(threshold)),
    tolerance: num('TOLERANCE', DEFAULT_DRS.tolerance),
    cpuWeight: num('CPU_WEIGHT', 1),
    memoryWeight: num('MEMORY_WEIGHT', 1),
  };
}

/** AUTOMATION of a cluster's ONE_DRS: `full` plans are applied as soon as they are made. */
export function drsAutomation(v: ReadonlyMap<string, string> | undefined): 'manual' | 'partial' | 'full' {
  const a = (v?.get('AUTOMATION') ?? '').trim().toLowerCase();
  return a === 'full' || a === 'partial' ? a : 'manual';
}

class State {
  readonly hosts: Map<number, PlannerHost>;
  readonly vmsOn = new Map<number, PlannerVm[]>();
  readonly moves: Move[] = [];
  private readonly moved = new Set<number>();

  constructor(hosts: readonly PlannerHost[], vms: readonly PlannerVm[], private readonly s: DrsSettings) {
    this.hosts = new Map(hosts.filter((h) => h.maxCpu > 0 && h.maxMem > 0).map((h) => [h.id, { ...h }]));
    for (const h of this.hosts.keys()) this.vmsOn.set(h, []);
    for (const vm of vms) this.vmsOn.get(vm.hostId)?.push(vm);
  }

  load(h: PlannerHost, dCpu = 0, dMem = 0): number {
    const w = this.s.cpuWeight + this.s.memoryWeight;
    if (w <= 0) return 0;
    return (this.s.cpuWeight * ((h.usedCpu + dCpu) / h.maxCpu) + this.s.memoryWeight * ((h.usedMem + dMem) / h.maxMem)) / w;
  }

  fits(h: PlannerHost, vm: PlannerVm): boolean {
    return h.allocCpu + vm.cpu <= h.maxCpu && h.allocMem + vm.mem <= h.maxMem;
  }

  room(): number {
    return this.s.migrationThreshold < 0 ? Infinity : this.s.migrationThreshold - this.moves.length;
  }

  movable(hid: number): PlannerVm[] {
    return (this.vmsOn.get(hid) ?? []).filter((vm) => !this.moved.has(vm.id));
  }

  move(vm: PlannerVm, from: PlannerHost, to: PlannerHost): void {
    from.allocCpu -= vm.cpu;
    from.allocMem -= vm.mem;
    from.usedCpu -= vm.usedCpu;
    from.usedMem -= vm.usedMem;
    to.allocCpu += vm.cpu;
    to.allocMem += vm.mem;
    to.usedCpu += vm.usedCpu;
    to.usedMem += vm.usedMem;
    const list = this.vmsOn.get(from.id)!;
    list.splice(list.indexOf(vm), 1);
    this.vmsOn.get(to.id)!.push(vm);
    this.moved.add(vm.id);
    this.moves.push({ vmId: vm.id, from: from.id, to: to.id });
  }

  /** Hosts by load, least loaded first (ties by id). */
  byLoad(): PlannerHost[] {
    return [...this.hosts.values()].sort((a, b) => this.load(a) - this.load(b) || a.id - b.id);
  }
}

function balance(st: State, tolerance: number): void {
  while (st.room() > 0) {
    const sorted = st.byLoad();
    const src = sorted[sorted.length - 1];
    if (!src) return;
    const srcLoad = st.load(src);
    let best: { vm: PlannerVm; dst: PlannerHost; after: number } | undefined;
    for (const dst of sorted) {
      if (dst === src || srcLoad - st.load(dst) <= tolerance) break;
      for (const vm of st.movable(src.id)) {
        if (!st.fits(dst, vm)) continue;
        const after = Math.max(st.load(src, -vm.usedCpu, -vm.usedMem), st.load(dst, vm.usedCpu, vm.usedMem));
        if (after < srcLoad - 1e-9 && (!best || after < best.after - 1e-12)) best = { vm, dst, after };
      }
      if (best) break;
    }
    if (!best) return;
    st.move(best.vm, src, best.dst);
  }
}

function pack(st: State): void {
  for (;;) {
    let emptied = false;
    const active = st.byLoad().filter((h) => (st.vmsOn.get(h.id) ?? []).length > 0);
    for (const src of active) {
      const vms = [...(st.vmsOn.get(src.id) ?? [])].sort((a, b) => b.cpu - a.cpu || b.mem - a.mem || a.id - b.id);
      if (vms.length > st.room() || vms.length !== st.movable(src.id).length) continue;
      // Try on copies: the host is emptied only when every VM fits somewhere.
      const targets = active.filter((h) => h !== src).reverse().map((h) => ({ ...h }));
      const chosen: [PlannerVm, number][] = [];
      for (const vm of vms) {
        const t = targets.find((h) => st.fits(h, vm));
        if (!t) break;
        t.allocCpu += vm.cpu;
        t.allocMem += vm.mem;
        chosen.push([vm, t.id]);
      }
      if (chosen.length !== vms.length) continue;
      for (const [vm, to] of chosen) st.move(vm, src, st.hosts.get(to)!);
      emptied = true;
      break;
    }
    if (!emptied) return;
  }
}

/** The moves that balance (or pack) `hosts`, given the VMs that may move and where they are. */
export function planMigrations(hosts: readonly PlannerHost[], vms: readonly PlannerVm[], settings: DrsSettings = DEFAULT_DRS): Move[] {
  const st = new State(hosts, vms, settings);
  if (settings.policy === 'pack') pack(st);
  else balance(st, settings.tolerance);
  return st.moves;
}
