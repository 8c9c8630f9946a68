/**
 * The Information Manager: monitors every host through its IM driver, one round per host every
 * HOST_MONITORING_INTERVAL seconds (0 turns host monitoring off), spread over the interval so
 * thousands of hosts do not all report at once. A report updates the host's share and template (and its monitoring row); a
 * failure or a timeout puts the host in ERROR with the driver's message.
 */
import { Template, TemplateSyntaxError } from '../common/template/index.js';
import type { Logger } from '../common/log.js';
import type { Database } from '../db/database.js';
import type { Host, HostPool } from '../host/index.js';
import { decodePayload, type Driver } from '../mad/index.js';
import { Transaction } from '../pool/index.js';
import type { HookManager } from '../hm/index.js';
import { HostState } from '../host/index.js';

export interface InformationManagerOptions {
  readonly hosts: HostPool;
  readonly db: Database;
  readonly log: Logger;
  /** IM drivers by NAME. */
  readonly drivers: ReadonlyMap<string, Driver>;
  /** Seconds between two rounds of the same host. */
  readonly intervalSec: number;
  /** How long a MONITOR may take before the host is put in ERROR. */
  readonly timeoutSec: number;
  /** Monitoring samples older than this many seconds are deleted (0 keeps them all). */
  readonly expirationSec: number;
  /** Told when a host enters ERROR (HOST_HOOK ON = ERROR). */
  readonly hooks?: HookManager;
  /** What a host's monitoring means for its VMs (the LCM), applied in the same transaction. */
  readonly vms?: HostVmsMonitor;
}

/** The VM side of host monitoring: the VMs a report lists, and what a failed host means for its VMs. */
export interface HostVmsMonitor {
  hostMonitored(tx: Transaction, host: Host, probe: Template, now: number): void;
  hostFailed(tx: Transaction, host: Host): void;
}

/** How often old monitoring samples are purged. */
const PURGE_EVERY_MS = 60_000;

/** How often the manager looks for hosts due for monitoring. */
const TICK_MS = 1000;

export class InformationManager {
  private timer: NodeJS.Timeout | undefined;
  /** When each host was last asked (epoch ms), in memory: a restart monitors everything soon. */
  private readonly lastAsked = new Map<number, number>();
  private readonly rounds = new Set<Promise<void>>();
  private lastPurge = 0;

  constructor(private readonly o: InformationManagerOptions) {}

  start(): void {
    // Hosts known at start are given a random phase, so a restart of a large cloud spreads its
    // rounds over the interval; hosts added later are monitored at once, as admins expect.
    const now = Date.now();
    for (const host of this.o.hosts.all()) this.lastAsked.set(host.oid, now - Math.floor(Math.random() * this.o.intervalSec * 1000));
    this.timer = setInterval(() => this.tick(Date.now()), TICK_MS);
    this.timer.unref();
    this.tick(now);
  }

  /** Stops asking; waits for the rounds in flight. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all(this.rounds);
  }

  /** Starts the rounds that are due. */
  private tick(now: number): void {
    const intervalMs = this.o.intervalSec * 1000;
    for (const host of this.o.hosts.all()) {
      const last = this.lastAsked.get(host.oid);
      if (last !== undefined && now - last < intervalMs) continue;
      if (!host.startMonitoring(Math.floor(now / 1000))) continue;
      this.lastAsked.set(host.oid, now);
      const round = this.monitor(host.oid, host.name, host.imMad).finally(() => this.rounds.delete(round));
      this.rounds.add(round);
    }
    for (const oid of this.lastAsked.keys()) if (!this.o.hosts.get(oid)) this.lastAsked.delete(oid);
    const purgeEvery = Math.min(PURGE_EVERY_MS, this.o.expirationSec * 1000);
    if (this.o.expirationSec > 0 && now - this.lastPurge >= purgeEvery) {
      this.lastPurge = now;
      const round = this.purge(Math.floor(now / 1000) - this.o.expirationSec).finally(() => this.rounds.delete(round));
      this.rounds.add(round);
    }
  }

  /** Deletes the monitoring samples taken before `before` (epoch seconds): the retention limit. */
  private async purge(before: number): Promise<void> {
    try {
      await this.o.db.write([{ kind: 'delete', table: 'host_monitoring', where: {}, below: { last_mon_time: before } }]);
    } catch (err) {
      this.o.log.error('InM', `Cannot purge old host monitoring: ${(err as Error).message}`);
    }
  }

  private async monitor(oid: number, name: string, imMad: string): Promise<void> {
    const { hosts, db, log } = this.o;
    const driver = this.o.drivers.get(imMad);
    let probe: Template | null = null;
    let error = '';
    if (!driver) {
      error = `IM_MAD "${imMad}" is not configured in oned.conf`;
    } else {
      const reply = await driver.request('MONITOR', oid, [name, '-', '0'], { timeoutMs: this.o.timeoutSec * 1000 });
      if (reply.ok) {
        try {
          probe = Template.parse(decodePayload(reply.info));
        } catch (err) {
          error = `Monitoring data of host ${name} is not a template: ${err instanceof TemplateSyntaxError ? err.message : String(err)}`;
        }
      } else {
        error = reply.info || `Error monitoring host ${name}`;
      }
    }
    // The driver call yielded: look the host up again (it may be gone or replaced).
    const host = hosts.get(oid);
    if (!host) return;
    const now = Math.floor(Date.now() / 1000);
    const tx = new Transaction(db);
    const wasError = host.state === HostState.ERROR;
    if (probe) {
      hosts.monitoringSucceeded(tx, host, probe, now);
      this.o.vms?.hostMonitored(tx, host, probe, now);
    } else {
      log.error('InM', `Host ${name} (${oid}): ${error}`);
      hosts.monitoringFailed(tx, host, error, now);
      this.o.vms?.hostFailed(tx, host);
    }
    try {
      await tx.commit();
    } catch (err) {
      log.error('InM', `Host ${name} (${oid}): cannot store monitoring: ${(err as Error).message}`);
      return;
    }
    if (!wasError && host.state === HostState.ERROR) this.o.hooks?.hostEvent('ERROR', { oid, name, xml: host.toXml() });
  }
}
