/**
 * The scheduler: an API client of oned, as OpenNebula's mm_sched. Each cycle it reads the pools
 * through OCA, plans (planner.ts), and carries the plan out with `one.vm.deploy`,
 * `one.vm.migrate`, `one.vm.action` and `one.vm.update` (SCHED_MESSAGE). It wakes every
 * SCHED_INTERVAL, earlier when a reservation starts or a lease ends, and soon after a VM
 * becomes pending (pending-watch.ts).
 */
import { parseXmlTree, select } from '../common/xml-tree.js';
import { Oca, OneError, PoolFilter, UpdateMode } from '../oca/index.js';
import { consideredVms, plan, explain, type Action, type CycleInput, type Verdict } from './planner.js';
import type { SchedConfig } from './sched-config.js';
import { datastoreClusters, SchedDatastore } from './sched-datastore.js';
import { SchedHost } from './sched-host.js';
import { pciRequestsOf, SchedVm, VmState } from './sched-vm.js';
import { SchedVmGroup } from './vm-groups.js';
import { OwnerAcl, UNRESTRICTED, userGroups, type OwnerAccess } from './owner-acl.js';
import { PendingWatch } from './pending-watch.js';
import { clustersKeyOf, VmCache } from './vm-cache.js';
import { HostCache } from './host-cache.js';

/** Where the scheduler says what it does (sched.log). */
export interface SchedLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface CycleReport {
  readonly pending: number;
  readonly hosts: number;
  readonly dispatched: number;
  readonly failed: number;
  readonly messages: number;
  /** Milliseconds reading the pools (of which fetchMs waiting for oned), planning, and carrying the plan out. */
  readonly readMs: number;
  readonly fetchMs: number;
  readonly planMs: number;
  readonly dispatchMs: number;
  /** Epoch seconds of the next reservation start or lease end, Infinity when none. */
  readonly nextEvent: number;
}

/** Pending VMs whose whole documents one `one.vmpool.infoset` call reads (PCI requests), and calls in flight. */
const PCI_BATCH = 2000;
const PCI_CONCURRENCY = 2;

/** Markers of a short VM element the scheduler must read; the others are skipped unparsed. */
const WANTED = ['<STATE>1</STATE>', '<RESCHED>1</RESCHED>', '<SCHED_START>', '<SCHED_DURATION>', '<SCHED_PREEMPTIBLE>', '<SCHED_END>', '<SCHED_PREEMPTED>'];

/** Template text of one attribute, its value quoted for the template parser. */
function attribute(name: string, value: string): string {
  return `${name} = "${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

const nowSec = () => Math.floor(Date.now() / 1000);
/** How long the first cycle waits for the pending watch to learn oned's mark. */
const WATCH_START_MS = 2000;

export class Scheduler {
  private timer: NodeJS.Timeout | undefined;
  /** When the timer fires (performance.now() ms). */
  private timerAt = Infinity;
  private running: Promise<void> | undefined;
  private stopped = false;
  private watch: PendingWatch | undefined;
  /** A cycle is running now. */
  private cycling = false;
  /** oned announced new pending VMs that no cycle has begun to read since. */
  private poked = false;
  /** When the last cycle woken by news ended (performance.now() ms). */
  private lastWokenEnd = -Infinity;
  /** Milliseconds the last snapshot waited for oned's answers (the rest of reading is parsing). */
  private fetchMs = 0;

  constructor(
    private readonly oca: Oca,
    private readonly config: SchedConfig,
    private readonly log: SchedLog,
    private readonly clock: () => number = nowSec,
  ) {}

  /** The hosts parsed by the previous cycle, reused while their listing text and sample are the same. */
  private readonly hostCache = new HostCache();
  /** The VMs parsed by the previous cycle, reused while their listing text is the same. */
  private readonly vmCache = new VmCache();

  /** Clusters of each datastore, from the latest snapshot (DISKs of the short VM listing name only their datastore). */
  private dsClusters = new Map<number, ReadonlySet<number>>();

  /** Reads what a cycle needs: hosts, system datastores, networks, and the VMs it acts on. */
  async snapshot(): Promise<CycleInput> {
    const started = performance.now();
    const [hostXml, monitoringXml, dsXml, vnetXml, vmXml, vmGroupXml] = await Promise.all([
      this.oca.hosts.listXml(),
      // hostpool.info lists hosts without their monitoring (OpenNebula 7): the latest samples.
      this.oca.hosts.poolMonitoringXml(0),
      this.oca.datastores.listXml(),
      this.oca.vnets.listXml(PoolFilter.ALL, -1, -1),
      this.oca.vms.listXml(PoolFilter.ALL, -1, -1, -1),
      this.oca.vmGroups.listXml(PoolFilter.ALL, -1, -1),
    ]);
    this.fetchMs = performance.now() - started;
    const now = this.clock();
    const hosts = this.hostCache.read(hostXml, monitoringXml);
    const dsPool = parseXmlTree(dsXml);
    const datastores = SchedDatastore.systemOf(dsPool);
    this.dsClusters = datastoreClusters(dsPool);
    const networkClusters = new Map<number, Set<number>>();
    for (const n of parseXmlTree(vnetXml).children) {
      if (n.name !== 'VNET') continue;
      networkClusters.set(Number(select(n, 'ID')[0]?.text ?? -1), new Set(select(n, 'CLUSTERS/ID').map((c) => Number(c.text))));
    }
    const vms = wantedVms(vmXml, now, this.dsClusters, this.vmCache);
    const [access] = await Promise.all([this.readAccess(vms), this.readPci(hosts, vms)]);
    const vmGroups = SchedVmGroup.poolOf(parseXmlTree(vmGroupXml));
    return { now, config: this.config, hosts, datastores, vms, networkClusters, vmGroups, access };
  }

  /** The zone this scheduler's oned serves (FEDERATION/ZONE_ID), read once. */
  private zoneId: Promise<number> | undefined;

  /**
   * Where the owners of the VMs to place may deploy, as OpenNebula's scheduler filters hosts and
   * datastores: the ACL rules and the users' groups are read only when some VM to place belongs
   * to another user than oneadmin and its group.
   */
  private async readAccess(vms: readonly SchedVm[]): Promise<((vm: SchedVm) => OwnerAccess) | undefined> {
    if (!vms.some((v) => v.uid !== 0 && v.gid !== 0)) return undefined;
    this.zoneId ??= this.oca.system.configXml().then(
      (xml) => Number(/<FEDERATION>[\s\S]*?<ZONE_ID>\s*(\d+)\s*<\/ZONE_ID>/.exec(xml)?.[1] ?? 0),
      () => 0,
    );
    const [aclXml, userXml, zoneId] = await Promise.all([this.oca.acls.listXml(), this.oca.users.listXml(), this.zoneId]);
    const acl = OwnerAcl.fromXml(aclXml, zoneId);
    const groups = userGroups(userXml);
    // As OpenNebula's match_host: VMs of oneadmin or of the oneadmin group are not filtered.
    return (vm) => (vm.gid === 0 ? UNRESTRICTED : acl.access(vm.uid, groups.get(vm.uid) ?? [vm.gid]));
  }

  /**
   * The PCI requests of the pending VMs the plan may place: the short listing has no
   * TEMPLATE/PCI (as 7.4's), so when some host has free PCI devices the whole documents of those
   * VMs are read for them (`one.vmpool.infoset`, in batches), only for VMs new or changed since
   * they were last read. Those the plan may place are the reservations and the first MAX_VM
   * best-effort VMs (planner.ts, consideredVms): with 100,000 pending and MAX_VM 300, a cold
   * cycle reads 300 documents, not 100,000.
   */
  private async readPci(hosts: readonly SchedHost[], vms: readonly SchedVm[]): Promise<void> {
    if (!hosts.some((h) => h.pciFree.length > 0)) return;
    const placeable = new Set(consideredVms(vms, this.config.maxVm).bestEffort);
    const unknown = vms.filter((v) => v.pending && (placeable.has(v) || v.lease?.start !== undefined) && !this.vmCache.knowsPci(v));
    if (unknown.length === 0) return;
    const byId = new Map(unknown.map((v) => [v.id, v]));
    const batches: number[][] = [];
    for (let i = 0; i < unknown.length; i += PCI_BATCH) batches.push(unknown.slice(i, i + PCI_BATCH).map((v) => v.id));
    await this.parallel(batches, async (ids) => {
      const xml = await this.oca.vms.infoSetXml(ids, true);
      for (let from = xml.indexOf('<VM>'); from !== -1; ) {
        const end = xml.indexOf('</VM>', from);
        if (end === -1) break;
        const chunk = xml.slice(from, end + 5);
        if (chunk.includes('<PCI>')) {
          const node = parseXmlTree(chunk);
          const vm = byId.get(Number(select(node, 'ID')[0]?.text ?? -1));
          if (vm) vm.pci = pciRequestsOf(node);
        }
        from = xml.indexOf('<VM>', end);
      }
      for (const id of ids) this.vmCache.pciRead(byId.get(id)!);
    }, PCI_CONCURRENCY);
  }

  /** One cycle: read, plan, act. */
  async cycle(): Promise<CycleReport> {
    const t0 = performance.now();
    const input = await this.snapshot();
    const t1 = performance.now();
    const p = plan(input);
    const t2 = performance.now();
    for (const line of p.log) this.log.warn(line);
    const outcome = await this.carryOut(p.actions);
    const t3 = performance.now();
    const pending = input.vms.filter((v) => v.pending).length;
    const report: CycleReport = {
      pending,
      hosts: input.hosts.length,
      dispatched: outcome.dispatched,
      failed: outcome.failed,
      messages: outcome.messages,
      readMs: t1 - t0,
      fetchMs: this.fetchMs,
      planMs: t2 - t1,
      dispatchMs: t3 - t2,
      nextEvent: p.wakeSoon ? input.now + 1 : nextEvent(input),
    };
    if (pending > 0 || outcome.dispatched > 0 || outcome.failed > 0) {
      this.log.info(
        `Cycle: ${pending} pending, ${input.hosts.length} hosts; dispatched ${outcome.dispatched}, failed ${outcome.failed}, ${outcome.messages} messages; ` +
          `read ${report.readMs.toFixed(0)} ms (oned ${report.fetchMs.toFixed(0)} ms), plan ${report.planMs.toFixed(0)} ms, dispatch ${report.dispatchMs.toFixed(0)} ms`,
      );
    }
    return report;
  }

  /** For one VM, every host's verdict (why it is filtered, or its rank), best first. */
  async explain(vmId: number): Promise<{ vm: SchedVm; verdicts: { host: SchedHost; verdict: Verdict }[]; error?: string; notes: string[] }> {
    const input = await this.snapshot();
    const node = parseXmlTree(await this.oca.vms.listXml(PoolFilter.ALL, vmId, vmId, -1)).children.find((n) => n.name === 'VM');
    if (!node) throw new Error(`VM ${vmId} does not exist`);
    const vm = SchedVm.fromXml(node, input.now, this.dsClusters);
    const { verdicts, group } = explain(input, vm);
    return { vm, verdicts, error: group.error ?? vm.leaseError, notes: group.notes };
  }

  /**
   * Runs cycles until `stop`: every SCHED_INTERVAL (sooner when a reservation starts or a lease
   * ends), and, with WAKE_ON_PENDING, soon after oned says a VM became pending: WAKE_DELAY_MS
   * after the first such news, and WAKE_GAP_MS at least after the previous woken cycle, so a
   * burst of allocations runs a few cycles. A cycle that fails (oned unreachable) is logged and
   * retried at the next interval.
   */
  start(): void {
    const begin = async () => {
      if (this.config.wakeOnPending) {
        this.watch = new PendingWatch(this.oca.client, () => this.poke(), this.log);
        const known = this.watch.start();
        // The first cycle waits for the watch to know oned's mark, but not for long: cycles must
        // never hang on the watch. A VM that became pending before a late mark is known gets a
        // cycle when it is.
        let timer: NodeJS.Timeout | undefined;
        const inTime = await Promise.race([known.then(() => true), new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), WATCH_START_MS)))]);
        clearTimeout(timer);
        if (!inTime) {
          this.log.warn(`The watch for pending VMs has not heard from oned in ${WATCH_START_MS} ms; cycles start without it`);
          void known.then(() => this.poke());
        }
      }
      if (!this.stopped) await this.runCycle();
    };
    this.running = begin();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.watch?.stop();
    await this.running;
    await this.watch?.ended();
  }

  /** oned has new pending VMs: a cycle soon (after the one running, if any). */
  private poke(): void {
    this.poked = true;
    if (!this.cycling) this.wakeIn(this.wokenDelay());
  }

  private wokenDelay(): number {
    return Math.max(this.config.wakeDelayMs, this.lastWokenEnd + this.config.wakeGapMs - performance.now());
  }

  /** Sets the next cycle `ms` from now, unless one is due sooner. */
  private wakeIn(ms: number): void {
    if (this.stopped) return;
    const at = performance.now() + ms;
    if (this.timer !== undefined && at >= this.timerAt) return;
    clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.runCycle();
    }, ms);
  }

  private async runCycle(): Promise<void> {
    this.cycling = true;
    const woken = this.poked;
    this.poked = false;
    let delay = this.config.intervalSec;
    try {
      const r = await this.cycle();
      const untilEvent = r.nextEvent - this.clock();
      if (untilEvent < delay) delay = Math.max(1, untilEvent);
    } catch (err) {
      this.log.error(`Cycle failed: ${describe(err)}; next try in ${delay} s`);
    } finally {
      this.cycling = false;
    }
    if (woken) this.lastWokenEnd = performance.now();
    this.wakeIn(delay * 1000);
    // News that came during the cycle: the VMs it announced may have missed this cycle's read.
    if (this.poked) this.wakeIn(this.wokenDelay());
  }

  /** Lease ends and preemptions first, then dispatches, then messages; calls in parallel per step. */
  private async carryOut(actions: readonly Action[]): Promise<{ dispatched: number; failed: number; messages: number }> {
    let dispatched = 0;
    let failed = 0;
    let messages = 0;
    const steps: Action['kind'][][] = [['end', 'preempt'], ['deploy', 'migrate', 'resume'], ['message']];
    const lateMessages: Action[] = [];
    for (const kinds of steps) {
      const batch = [...actions.filter((a) => kinds.includes(a.kind)), ...(kinds.includes('message') ? lateMessages : [])];
      await this.parallel(batch, async (a) => {
        try {
          await this.act(a);
          if (a.kind === 'deploy' || a.kind === 'migrate') dispatched++;
          if (a.kind === 'message') messages++;
        } catch (err) {
          const what = describe(err);
          if (a.kind === 'deploy' || a.kind === 'migrate') {
            failed++;
            this.log.error(`VM ${a.vm.id}: ${a.kind} to host ${a.host.id} failed: ${what}`);
            lateMessages.push({ kind: 'message', vm: a.vm, text: `Cannot dispatch VM: oned refused the ${a.kind} to host ${a.host.name} (${a.host.id}): ${what}` });
          } else {
            this.log.error(`VM ${a.vm.id}: ${a.kind} failed: ${what}`);
          }
        }
      });
    }
    return { dispatched, failed, messages };
  }

  private async act(a: Action): Promise<void> {
    const vms = this.oca.vms;
    switch (a.kind) {
      case 'end':
        this.log.info(`VM ${a.vm.id}: lease ended, terminating`);
        await vms.action('terminate', a.vm.id);
        return;
      case 'preempt':
        this.log.info(`VM ${a.vm.id}: preempted (${a.how}) to make room for the reservation of VM ${a.forVm.id}`);
        await vms.action(a.how === 'suspend' ? 'suspend' : 'undeploy-hard', a.vm.id);
        await vms.update(a.vm.id, `SCHED_PREEMPTED = "YES"\n${attribute('SCHED_MESSAGE', `Preempted (${a.how}) for the reservation of VM ${a.forVm.id}`)}`, UpdateMode.MERGE);
        return;
      case 'resume':
        await vms.action('resume', a.vm.id);
        await vms.update(a.vm.id, 'SCHED_PREEMPTED = "NO"', UpdateMode.MERGE);
        return;
      case 'deploy':
        await vms.deploy(a.vm.id, a.host.id, false, a.dsId);
        if (a.update !== '') await vms.update(a.vm.id, a.update, UpdateMode.MERGE);
        return;
      case 'migrate':
        await vms.migrate(a.vm.id, a.host.id, a.live, false, -1, 0);
        return;
      case 'message':
        await vms.update(a.vm.id, attribute('SCHED_MESSAGE', a.text), UpdateMode.MERGE);
        return;
    }
  }

  private async parallel<T>(items: readonly T[], run: (item: T) => Promise<void>, concurrency = this.config.dispatchConcurrency): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < items.length) await run(items[next++]!);
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  }
}

/**
 * The VMs of a short pool listing the scheduler acts on, parsed; the rest only scanned. Oldest
 * first, whatever order the listing has (API_LIST_ORDER): VMs are served in the order they came.
 */
export function wantedVms(xml: string, now: number, datastoreClusters?: ReadonlyMap<number, ReadonlySet<number>>, cache?: VmCache): SchedVm[] {
  const out: SchedVm[] = [];
  cache?.begin(datastoreClusters ? clustersKeyOf(datastoreClusters) : '');
  let from = xml.indexOf('<VM>');
  while (from !== -1) {
    const end = xml.indexOf('</VM>', from);
    if (end === -1) break;
    const chunk = xml.slice(from, end + 5);
    if (WANTED.some((m) => chunk.includes(m))) {
      const parse = () => SchedVm.fromXml(parseXmlTree(chunk), now, datastoreClusters);
      const vm = cache ? cache.take(idOf(chunk), chunk, parse) : parse();
      if (vm.pending || vm.wantsResched || vm.lease || vm.leaseError || vm.preempted) out.push(vm);
    }
    from = xml.indexOf('<VM>', end);
  }
  cache?.end();
  return out.sort((a, b) => a.id - b.id);
}

/** The ID of a `<VM>` element (its first child, as listings write it). */
function idOf(chunk: string): number {
  const at = chunk.indexOf('<ID>');
  return at === -1 ? -1 : parseInt(chunk.slice(at + 4, chunk.indexOf('</ID>', at)), 10);
}

/** The next reservation start or lease end after now. */
function nextEvent(input: CycleInput): number {
  let next = Infinity;
  for (const vm of input.vms) {
    const l = vm.lease;
    if (!l) continue;
    if (vm.state === VmState.PENDING && l.start !== undefined && l.start > input.now) next = Math.min(next, l.start);
    if (l.end !== undefined && l.end > input.now) next = Math.min(next, l.end);
  }
  return next;
}

function describe(err: unknown): string {
  if (err instanceof OneError) return err.message;
  return err instanceof Error ? err.message : String(err);
}
