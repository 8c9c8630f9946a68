/**
 * Login throttling against password guessing (`LOGIN_THROTTLE` in oned.conf). Failed
 * authentications are counted per user name (whether or not the user exists, so a refusal says
 * nothing about that) and, when enabled, per client address, in a window; past the limit the key
 * is refused for a back-off time without checking the password (no scrypt work for an attacker).
 *
 * A call costs a size check when nothing failed lately, and two map lookups otherwise; a
 * successful login is never delayed. It does not clear the count either: a client that logs in
 * correctly every minute would otherwise give a guesser a fresh allowance each time. Memory is bounded: each
 * table keeps at most MAX_ENTRIES keys, dropping the least recently failed first, so a guessing
 * storm across many user names cannot grow it.
 */
import type { Vector } from '../common/template/index.js';
import { ConfigError } from '../common/config.js';

export interface ThrottleConfig {
  /** Failures of one user name in WINDOW seconds before it is refused (0: never). */
  readonly maxFailures: number;
  /** Failures from one client address in WINDOW seconds before it is refused (0: never). */
  readonly maxAddressFailures: number;
  /** Seconds failures are counted over. */
  readonly window: number;
  /** Seconds a key is refused once over its limit. */
  readonly backoff: number;
  /** Keys kept per table. */
  readonly maxEntries: number;
}

export const DEFAULT_THROTTLE: ThrottleConfig = { maxFailures: 10, maxAddressFailures: 0, window: 300, backoff: 300, maxEntries: 10000 };

/** The configuration of a `LOGIN_THROTTLE = [ ... ]` section; errors name the bad value. */
export function throttleConfig(section: Vector | undefined): ThrottleConfig {
  const num = (key: string, fallback: number, min: number): number => {
    const raw = section?.get(key);
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) throw new ConfigError(`LOGIN_THROTTLE ${key} must be an integer of at least ${min}, not ${JSON.stringify(raw)}`);
    return n;
  };
  return {
    maxFailures: num('MAX_FAILURES', DEFAULT_THROTTLE.maxFailures, 0),
    maxAddressFailures: num('MAX_ADDRESS_FAILURES', DEFAULT_THROTTLE.maxAddressFailures, 0),
    window: num('WINDOW', DEFAULT_THROTTLE.window, 1),
    backoff: num('BACKOFF', DEFAULT_THROTTLE.backoff, 1),
    maxEntries: num('MAX_ENTRIES', DEFAULT_THROTTLE.maxEntries, 1),
  };
}

interface Counting {
  /** Failures since `since` (ms). */
  count: number;
  readonly since: number;
}

/**
 * Failures per key, bounded. Keys being counted and keys refused are kept apart, each map at
 * most MAX_ENTRIES long, oldest first (Map insertion order): a storm of names failing once
 * churns the first map only, and evicting a refusal takes MAX_FAILURES x MAX_ENTRIES attempts.
 */
class FailureTable {
  private readonly counting = new Map<string, Counting>();
  /** Refused until then (ms). */
  private readonly refusedUntil = new Map<string, number>();

  constructor(
    private readonly limit: number,
    private readonly conf: ThrottleConfig,
  ) {}

  /** Milliseconds the key is still refused, or 0. */
  refusedFor(key: string, now: number): number {
    if (this.refusedUntil.size === 0) return 0;
    const until = this.refusedUntil.get(key);
    if (until === undefined) return 0;
    if (until > now) return until - now;
    this.refusedUntil.delete(key);
    return 0;
  }

  fail(key: string, now: number): void {
    if (this.limit <= 0) return;
    let e = this.counting.get(key);
    if (e) this.counting.delete(key); // re-inserted last: the most recent failure
    if (!e || now - e.since > this.conf.window * 1000) e = { count: 0, since: now };
    e.count++;
    if (e.count >= this.limit) {
      this.refusedUntil.delete(key);
      bounded(this.refusedUntil, this.conf.maxEntries).set(key, now + this.conf.backoff * 1000);
    } else {
      bounded(this.counting, this.conf.maxEntries).set(key, e);
    }
  }

  get size(): number {
    return this.counting.size + this.refusedUntil.size;
  }

  /** Nothing refused: the common case costs this check only. */
  get idle(): boolean {
    return this.refusedUntil.size === 0;
  }
}

/**
 * The map, with room for one more key: when full, its oldest sixteenth is dropped in one pass
 * (dropping one key at a time from the front of a V8 Map costs a scan of the holes left before it).
 */
function bounded<V>(map: Map<string, V>, max: number): Map<string, V> {
  if (map.size < max) return map;
  let drop = Math.max(1, map.size - max + 1, max >> 4);
  for (const key of map.keys()) {
    map.delete(key);
    if (--drop === 0) break;
  }
  return map;
}

export class LoginThrottle {
  private readonly names: FailureTable;
  private readonly addresses: FailureTable;

  constructor(
    readonly conf: ThrottleConfig = DEFAULT_THROTTLE,
    private readonly clock: () => number = Date.now,
  ) {
    this.names = new FailureTable(conf.maxFailures, conf);
    this.addresses = new FailureTable(conf.maxAddressFailures, conf);
  }

  /** Seconds (rounded up) this attempt must wait, or 0 when it may be checked. */
  refused(name: string, address: string): number {
    if (this.names.idle && this.addresses.idle) return 0;
    const now = this.clock();
    const ms = Math.max(this.names.refusedFor(name, now), this.addresses.refusedFor(address, now));
    return ms === 0 ? 0 : Math.ceil(ms / 1000);
  }

  failed(name: string, address: string): void {
    const now = this.clock();
    this.names.fail(name, now);
    this.addresses.fail(address, now);
  }

  /** Keys held (for tests and monitoring). */
  get size(): { names: number; addresses: number } {
    return { names: this.names.size, addresses: this.addresses.size };
  }
}
