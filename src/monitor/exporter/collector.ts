/**
 * What a scrape answers: one `*pool.info` call per family (hosts, datastores, VMs, all three at
 * once), mapped to samples and rendered once, then served from memory for `cache_ttl` seconds.
 * Scrapes that arrive while a collection runs wait for it rather than starting another, so any
 * number of Prometheus servers cost oned three pool calls per TTL at most.
 */
import { gzip } from 'node:zlib';
import { promisify } from 'node:util';
import type { Oca } from '../../oca/index.js';
import type { GaugeFamily } from './exposition.js';
import { datastoreFamilies, hostFamilies, serverFamilies, vmFamilies } from './mapping.js';
import type { LocalService } from './services.js';

const gzipAsync = promisify(gzip);

/** One rendered scrape. */
export interface Scrape {
  /** The exposition text of the OpenNebula families. */
  readonly text: string;
  /** When it was collected (ms since the epoch). */
  readonly at: number;
  /** How long collecting it took, in ms: the pool calls, mapping and rendering. */
  readonly collectMs: number;
  /** What failed (a pool call oned refused or could not answer), for the log. */
  readonly errors: readonly string[];
}

export interface CollectorOptions {
  /** Milliseconds a scrape is served again. */
  readonly ttlMs: number;
  /** The `one_server_fqdn` label of the service states. */
  readonly fqdn: string;
  /** Which local services run (services.ts). */
  readonly services: () => Promise<Record<LocalService, boolean>>;
  /** Where failures are told (default stderr). */
  readonly warn?: (message: string) => void;
  readonly now?: () => number;
}

export class Collector {
  private cached: Scrape | undefined;
  private gzipped: Promise<Buffer> | undefined;
  private running: Promise<Scrape> | undefined;
  /** Collections run so far. */
  collections = 0;
  /** Told of each collection (the process metrics show its duration). */
  onCollected: ((scrape: Scrape) => void) | undefined;

  constructor(
    private readonly oca: Oca,
    private readonly opts: CollectorOptions,
  ) {}

  /** The current scrape: the cached one while fresh, else a new collection (shared by concurrent callers). */
  scrape(): Promise<Scrape> {
    const now = (this.opts.now ?? Date.now)();
    if (this.cached && now - this.cached.at < this.opts.ttlMs) return Promise.resolve(this.cached);
    this.running ??= this.collect().finally(() => (this.running = undefined));
    return this.running;
  }

  /** The current scrape's text gzipped (compressed once per collection, off the event loop). */
  async scrapeGzipped(): Promise<{ scrape: Scrape; body: Buffer }> {
    const scrape = await this.scrape();
    if (this.gzipped === undefined || this.cached !== scrape) {
      this.cached = scrape;
      this.gzipped = gzipAsync(scrape.text, { level: 1 });
    }
    return { scrape, body: await this.gzipped };
  }

  private async collect(): Promise<Scrape> {
    const t0 = performance.now();
    const errors: string[] = [];
    const call = async (what: string, fetch: () => Promise<string>, map: (xml: string) => GaugeFamily[]): Promise<GaugeFamily[]> => {
      try {
        return map(await fetch());
      } catch (err) {
        errors.push(`${what}: ${(err as Error).message}`);
        return [];
      }
    };
    const [services, hosts, datastores, vms] = await Promise.all([
      this.opts.services(),
      call('one.hostpool.info', () => this.oca.hosts.listXml(), hostFamilies),
      call('one.datastorepool.info', () => this.oca.datastores.listXml(), datastoreFamilies),
      // Every VM but DONE ones, of every user (filter -2, state -1), in the short form of listings.
      call('one.vmpool.info', () => this.oca.vms.listXml(-2, -1, -1, -1), vmFamilies),
    ]);
    // oned is up when it answered at least one of the calls.
    const onedUp = errors.length < 3;
    const families = [...serverFamilies(this.opts.fqdn, { oned: onedUp, ...services }), ...hosts, ...datastores, ...vms];
    const scrape: Scrape = {
      text: families.map((f) => f.render()).join(''),
      at: (this.opts.now ?? Date.now)(),
      collectMs: performance.now() - t0,
      errors,
    };
    for (const e of errors) (this.opts.warn ?? console.error)(`opennebula-exporter: ${e}`);
    this.cached = scrape;
    this.gzipped = undefined;
    this.collections++;
    this.onCollected?.(scrape);
    return scrape;
  }
}
