/**
 * The live feed of the browser (server-sent events): one poll loop for all windows. Every
 * `poll_interval` it refreshes the pools someone watches (a window subscribed, or a table asked
 * in the last minute), at most once per four times the poll's own duration so a pool of 20,000
 * VMs is not polled back to back, and tells the user's windows which pools changed. It also
 * says when oned stops or starts answering, for the app's banner.
 */
import { OneClient } from '../../oca/client.js';
import { OneConnectionError, OneError } from '../../oca/errors.js';
import { POOL_KINDS } from './pool-kinds.js';
import { PoolThread } from './pool-thread.js';
import { PoolWatcher } from './pool-watcher.js';
import type { Session } from './sessions.js';

export interface Subscriber {
  readonly session: Session;
  send(event: string, data: unknown): void;
}

/**
 * Whose listings a session sees: members of the oneadmin group all see every object, so they
 * share one watcher per pool (one poll of oned for all admins); anyone else has their own.
 */
export function viewerOf(session: Session): string {
  return session.admin ? '@oneadmin' : session.user;
}

export class PoolHub {
  /** Watchers by `viewer|kind`. */
  private readonly watchers = new Map<string, PoolWatcher>();
  private readonly clients = new Map<string, OneClient>();
  private readonly subscribers = new Set<Subscriber>();
  private timer: NodeJS.Timeout | undefined;
  /** The worker thread the watchers read their listings in (started at the first poll). */
  readonly thread = new PoolThread({ timeoutMs: 30_000 });
  onedUp = true;

  constructor(
    private readonly endpoint: string,
    private readonly intervalMs: number,
  ) {}

  /** The client of oned with that session's token (one per login token, kept alive). */
  clientFor(session: Session): OneClient {
    let c = this.clients.get(session.oneSession);
    if (!c) this.clients.set(session.oneSession, (c = new OneClient({ endpoint: this.endpoint, session: session.oneSession, timeoutMs: 30_000 })));
    return c;
  }

  forget(session: Session): void {
    this.clients.get(session.oneSession)?.close();
    this.clients.delete(session.oneSession);
    this.thread.forgetSession(session.oneSession);
    for (const [key, w] of this.watchers) if (key.startsWith(`${viewerOf(session)}|`) && w.client.session === session.oneSession) this.drop(key);
  }

  private drop(key: string): void {
    this.watchers.delete(key);
    this.thread.drop(key);
  }

  watcher(session: Session, kind: string): PoolWatcher | undefined {
    const k = POOL_KINDS[kind];
    if (!k) return undefined;
    const viewer = viewerOf(session);
    const key = `${viewer}|${kind}`;
    let w = this.watchers.get(key);
    if (!w) this.watchers.set(key, (w = new PoolWatcher(k, this.clientFor(session), (changed) => this.announce(viewer, changed), { thread: this.thread, key })));
    else w.client = this.clientFor(session);
    return w;
  }

  /** Tells the user's windows that a pool changed. */
  private announce(viewer: string, w: PoolWatcher): void {
    for (const s of this.subscribers) if (viewerOf(s.session) === viewer) s.send('pool', { kind: w.kind.name, version: w.version });
  }

  /** Reads the pools a new session is most likely to open first, before it asks. */
  prewarm(session: Session, kinds: readonly string[]): void {
    for (const k of kinds) this.watcher(session, k)?.refresh().catch(() => undefined);
  }

  /** After a change made through the server: the user's pools are polled at the next ask. */
  invalidate(session: Session): void {
    for (const [key, w] of this.watchers)
      if (key.startsWith(`${viewerOf(session)}|`)) {
        w.invalidate();
        w.fetchedAt = 0;
      }
    this.kick();
  }

  subscribe(s: Subscriber): () => void {
    this.subscribers.add(s);
    s.send('status', { oned: this.onedUp ? 'up' : 'down' });
    // The versions at hand: a window that read a listing just before a poll changed it, and
    // subscribed just after, would otherwise miss that change until the next one.
    const viewer = viewerOf(s.session);
    for (const [key, w] of this.watchers) if (key.startsWith(`${viewer}|`) && w.version > 0) s.send('pool', { kind: w.kind.name, version: w.version });
    this.start();
    return () => this.subscribers.delete(s);
  }

  start(): void {
    this.timer ??= setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    for (const c of this.clients.values()) c.close();
    void this.thread.stop();
  }

  private kickTimer: NodeJS.Timeout | undefined;
  /** A tick soon (after a change), so windows see the change's effect without waiting a whole interval. */
  kick(): void {
    this.kickTimer ??= setTimeout(() => {
      this.kickTimer = undefined;
      void this.tick();
    }, 150);
  }

  private ticking = false;
  async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      const now = Date.now();
      if (!this.onedUp) {
        const first = [...this.subscribers][0];
        if (first) {
          try {
            await this.clientFor(first.session).call('one.system.version');
            this.setOned(true);
          } catch (err) {
            if (!(err instanceof OneConnectionError)) this.setOned(true);
          }
        }
      }
      const watchedUsers = new Set([...this.subscribers].map((s) => viewerOf(s.session)));
      for (const [key, w] of this.watchers) {
        const user = key.slice(0, key.indexOf('|'));
        const wanted = watchedUsers.has(user) && now - w.lastAsked < 600_000;
        if (!wanted && now - w.lastAsked > 60_000) continue;
        if (w.fetchedAt !== 0 && now - w.fetchedAt < Math.max(this.intervalMs - 50, 4 * w.lastDuration)) continue;
        try {
          await w.refresh();
          this.setOned(true);
        } catch (err) {
          if (err instanceof OneConnectionError) this.setOned(false);
          else if (err instanceof OneError && err.code === 0x0100) this.drop(key);
          else this.setOned(true);
        }
      }
      for (const s of this.subscribers) s.send('tick', { t: now });
    } finally {
      this.ticking = false;
    }
  }

  setOned(up: boolean): void {
    if (up === this.onedUp) return;
    this.onedUp = up;
    for (const s of this.subscribers) s.send('status', { oned: up ? 'up' : 'down' });
  }
}
