/**
 * Pool listings for the browser, polled from oned once for all the windows of a user: each
 * watcher keeps the last listing's rows; a poll whose XML did not change costs no parsing; a
 * changed one bumps the version the event stream announces. Filtering, sorting and paging run
 * on the rows, so a table of 20,000 VMs asks for one page at a time.
 */
import type { OneClient } from '../../oca/client.js';
import { readListing, type PoolKind, type Row } from './pool-kinds.js';
import type { PoolThread } from './pool-thread.js';

export interface PoolQuery {
  /** Words every listed row contains (ID, name, owner...; case-insensitive). */
  q?: string;
  sort?: string;
  dir?: 'asc' | 'desc';
  offset?: number;
  limit?: number;
  /** Exact field values (`STATE=3`, `HID=0`). */
  where?: Record<string, string>;
}

export interface PoolPage {
  kind: string;
  version: number;
  /** Members after the filter. */
  total: number;
  offset: number;
  rows: Row[];
}

interface Snapshot {
  /** The XML read here (a watcher reading in the pool thread holds only a token of it). */
  readonly xml?: string;
  readonly token: number;
  readonly rows: Row[];
  /** Lower-case text each row is searched in. */
  readonly haystack: string[];
}

/** Where a watcher reads its listing: in the pool thread, under the watcher's key there. */
export interface PoolReader {
  readonly thread: PoolThread;
  readonly key: string;
}

/** Tokens of listings read in the pool thread (0: none), unique in the process. */
let lastToken = 0;

export class PoolWatcher {
  version = 0;
  /** When the last poll ended, and how long it took (ms). */
  fetchedAt = 0;
  lastDuration = 0;
  /** Last time a browser asked for this pool (ms). */
  lastAsked = 0;
  private snapshot: Snapshot | undefined;
  /** Changes made through the server so far, and how many of them the last poll saw. */
  private changes = 0;
  private seenChanges = 0;
  private inflight: Promise<void> | undefined;
  private readonly sorted = new Map<string, Row[]>();

  constructor(
    readonly kind: PoolKind,
    public client: OneClient,
    /** Told after every poll that changed the listing (the event stream announces it). */
    private readonly onChange: (w: PoolWatcher) => void = () => undefined,
    /**
     * Read the listings in the pool thread, off the event loop (what PoolHub does); without it,
     * the client's answer is read here, on the event loop.
     */
    private readonly reader?: PoolReader,
  ) {}

  /** Polls oned now (joining a poll already running); true when the listing changed. */
  async refresh(): Promise<boolean> {
    const before = this.version;
    if (!this.inflight) {
      this.inflight = this.poll().finally(() => (this.inflight = undefined));
    }
    await this.inflight;
    return this.version !== before;
  }

  /** A change was made through the server: the next ask waits for a poll started after it. */
  invalidate(): void {
    this.changes++;
  }

  private async poll(): Promise<void> {
    const start = Date.now();
    const changes = this.changes;
    const snapshot = this.reader ? await this.readInThread(this.reader) : await this.readHere();
    if (snapshot) {
      this.snapshot = snapshot;
      this.sorted.clear();
      this.version++;
      this.onChange(this);
    }
    this.fetchedAt = Date.now();
    this.lastDuration = this.fetchedAt - start;
    this.seenChanges = changes;
  }

  /** The listing read on the event loop; undefined when its XML did not change. */
  private async readHere(): Promise<Snapshot | undefined> {
    const xml = String(await this.client.call(this.kind.method, ...this.kind.args));
    if (this.snapshot?.xml === xml) return undefined;
    return { xml, token: 0, ...readListing(this.kind, xml) };
  }

  /** The listing read in the pool thread (which holds the last XML); undefined when unchanged. */
  private async readInThread(reader: PoolReader): Promise<Snapshot | undefined> {
    const next = ++lastToken;
    const answer = await reader.thread.poll({
      key: reader.key,
      endpoint: this.client.endpoint,
      session: this.client.session,
      method: this.kind.method,
      args: this.kind.args,
      kind: this.kind.name,
      have: this.snapshot?.token ?? 0,
      next,
    });
    if (!answer.changed) return undefined;
    return { token: next, rows: answer.rows, haystack: answer.haystack };
  }

  /**
   * The page of the current listing. The first ask, and asks after a change made through the
   * server (the user reads their own change), wait for a poll of oned; otherwise the
   * rows at hand are answered at once and, when older than `maxAgeMs`, a poll starts whose change
   * the event stream announces (a 20,000-VM listing never holds a page back for freshness alone).
   */
  async page(query: PoolQuery, maxAgeMs: number): Promise<PoolPage> {
    this.lastAsked = Date.now();
    while (!this.snapshot || this.seenChanges < this.changes) await this.refresh();
    if (Date.now() - this.fetchedAt > maxAgeMs) this.refresh().catch(() => undefined);
    return this.select(query);
  }

  select(query: PoolQuery): PoolPage {
    const snap = this.snapshot!;
    let rows = this.order(query.sort, query.dir);
    const words = (query.q ?? '').toLowerCase().split(/\s+/).filter(Boolean);
    const where = Object.entries(query.where ?? {});
    if (words.length > 0 || where.length > 0) {
      // The haystack is indexed by listing position; sorted rows find theirs through a map.
      const pos = rows === snap.rows ? undefined : this.positions(snap);
      rows = rows.filter((r, i) => {
        for (const [f, v] of where) if (String(r[f]) !== v) return false;
        if (words.length === 0) return true;
        const h = snap.haystack[pos ? pos.get(r)! : i]!;
        return words.every((w) => h.includes(w));
      });
    }
    const offset = Math.max(0, query.offset ?? 0);
    const limit = Math.min(Math.max(1, query.limit ?? 100), 1000);
    return { kind: this.kind.name, version: this.version, total: rows.length, offset, rows: rows.slice(offset, offset + limit) };
  }

  private positionMap: Map<Row, number> | undefined;
  private positionVersion = -1;
  private positions(snap: Snapshot): Map<Row, number> {
    if (this.positionVersion !== this.version || !this.positionMap) {
      this.positionMap = new Map(snap.rows.map((r, i) => [r, i]));
      this.positionVersion = this.version;
    }
    return this.positionMap;
  }

  /** The rows in the asked order (oned's listing order when none), cached per version. */
  private order(sort: string | undefined, dir: 'asc' | 'desc' | undefined): Row[] {
    const rows = this.snapshot!.rows;
    if (!sort) return dir === 'asc' ? this.cached('ID:asc', () => [...rows].sort((a, b) => Number(a.ID) - Number(b.ID))) : rows;
    const key = `${sort}:${dir ?? 'asc'}`;
    return this.cached(key, () => {
      const sign = dir === 'desc' ? -1 : 1;
      const val = (r: Row) => (Array.isArray(r[sort]) ? (r[sort] as string[]).join(',') : r[sort]);
      return [...rows].sort((a, b) => {
        const x = val(a);
        const y = val(b);
        const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x ?? '').localeCompare(String(y ?? ''), undefined, { numeric: true });
        return sign * (c || Number(a.ID) - Number(b.ID));
      });
    });
  }

  private cached(key: string, make: () => Row[]): Row[] {
    let v = this.sorted.get(key);
    if (!v) this.sorted.set(key, (v = make()));
    return v;
  }
}
