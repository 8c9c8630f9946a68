/**
 * oned's side of one driver process: spawns it, performs the INIT handshake, pipelines requests
 * and matches replies by action and id, fails in-flight requests cleanly when the process dies
 * and restarts it with backoff.
 */
import { spawn } from 'node:child_process';
import type { EventEmitter } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import {
  formatRequest,
  LineSplitter,
  parseDriverLine,
  type LogLine,
  type Reply,
  type Severity,
} from './protocol.js';

/** A LOG line a driver sent about a request. */
export interface DriverLogEntry {
  readonly severity: Severity;
  readonly text: string;
}

/** The outcome of a request: never a rejection, a failure carries its reason in `info`. */
export interface DriverReply {
  readonly ok: boolean;
  /** The driver's INFO (deploy id, monitoring data...) or the failure message. */
  readonly info: string;
  /** LOG lines the driver sent for this id while the request was in flight, in order. */
  readonly logs: readonly DriverLogEntry[];
}

export interface RestartPolicy {
  /** Consecutive failed (re)starts before giving up. */
  readonly maxAttempts: number;
  /** Delay before the first restart; doubled after each failure. */
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  /** A process that ran this long before dying starts a fresh series of attempts. */
  readonly stableMs: number;
}

/**
 * What a Driver needs of its process (a ChildProcess is one): stdio streams, kill, and the
 * 'error' and 'close' (code, signal) events.
 */
export interface DriverProcess extends EventEmitter {
  readonly stdin: Writable | null;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  kill(signal?: NodeJS.Signals): boolean;
}

export interface DriverOptions {
  /** Name used in messages (oned.conf's NAME, or the executable's). */
  readonly name: string;
  /** Program to run and its argv; never interpreted by a shell. */
  readonly command: string;
  readonly args?: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /**
   * Starts the driver instead of spawning `command`: a built-in driver run in a shared driver
   * host (src/mad/host) rather than in a process of its own.
   */
  readonly launch?: () => DriverProcess;
  /** How long INIT may take (OpenNebula waits 10 s). */
  readonly initTimeoutMs?: number;
  /** Grace period after FINALIZE before the process is killed. */
  readonly stopTimeoutMs?: number;
  /** Timeout of requests that do not set their own. */
  readonly requestTimeoutMs?: number;
  /** Send `DRIVER_CANCEL <id>` when a request times out, so the driver kills the action. */
  readonly cancelOnTimeout?: boolean;
  readonly restart?: Partial<RestartPolicy>;
  /**
   * Not started with the others: the first request spawns it (and waits for its INIT). oned
   * starts the VM_MAD and IM_MAD drivers no host uses this way.
   */
  readonly startOnDemand?: boolean;
  /** Every LOG line (also those of requests, which collect them in their reply). */
  readonly onLog?: (line: LogLine) => void;
  /** Replies no request waits for: messages the driver pushes on its own. */
  readonly onMessage?: (reply: Reply) => void;
  /** Each line the driver writes to stderr. */
  readonly onStderr?: (line: string) => void;
  /** Lifecycle and protocol problems worth a line in oned's log. */
  readonly onEvent?: (level: 'info' | 'warning' | 'error', message: string) => void;
  /** After every successful INIT, the first one included (OpenNebula's "reconnected" hook). */
  readonly onReady?: () => void;
}

export interface RequestOptions {
  readonly timeoutMs?: number;
}

export type DriverState = 'stopped' | 'starting' | 'ready' | 'restarting' | 'stopping' | 'failed';

interface Pending {
  readonly key: string;
  readonly id: number;
  readonly line: string;
  readonly logs: DriverLogEntry[];
  readonly resolve: (r: DriverReply) => void;
  timer?: NodeJS.Timeout;
  readonly timeoutMs: number;
  /** Written to the current process (else waiting in `queued` for INIT). */
  sent: boolean;
}

const DEFAULT_RESTART: RestartPolicy = { maxAttempts: 5, initialDelayMs: 1000, maxDelayMs: 30_000, stableMs: 60_000 };
/** Bound on remembered timed-out requests whose late replies must be dropped. */
const MAX_TIMED_OUT = 10_000;

export class Driver {
  private readonly restartPolicy: RestartPolicy;
  private stateValue: DriverState = 'stopped';
  private child?: DriverProcess;
  private readyAt = 0;
  private attempts = 0;
  private restartTimer?: NodeJS.Timeout;
  private initTimer?: NodeJS.Timeout;
  /** Settles the promise of the start() or restart in progress. */
  private startWaiter?: { resolve: () => void; reject: (e: Error) => void };
  private stopWaiter?: () => void;
  /** stop() was called: a driver started on demand stays down. */
  private closed = false;
  /** Requests made while the process is not ready (starting, restarting): sent after INIT. */
  private queued: Pending[] = [];
  /** Why the current process is being killed, reported instead of its exit status. */
  private killReason?: string;
  private readonly pendingByKey = new Map<string, Pending[]>();
  private readonly pendingById = new Map<number, Pending[]>();
  private readonly timedOut = new Map<string, number>();

  constructor(private readonly options: DriverOptions) {
    this.restartPolicy = { ...DEFAULT_RESTART, ...options.restart };
  }

  get name(): string {
    return this.options.name;
  }

  get state(): DriverState {
    return this.stateValue;
  }

  /** The timeout oned.conf set for every request of this driver (its entry's TIMEOUT), if any. */
  get configuredTimeoutMs(): number | undefined {
    return this.options.requestTimeoutMs;
  }

  /** Number of requests waiting for their reply. */
  get inFlight(): number {
    let n = 0;
    for (const list of this.pendingByKey.values()) n += list.length;
    return n;
  }

  /**
   * Spawns the process and performs the INIT handshake.
   * Rejects (and leaves the driver stopped) if it cannot be spawned, does not answer
   * `INIT SUCCESS` within the INIT timeout, or exits first.
   */
  start(): Promise<void> {
    if (this.stateValue !== 'stopped' && this.stateValue !== 'failed') {
      return Promise.reject(new Error(`Driver ${this.name} is already ${this.stateValue}`));
    }
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    this.attempts = 0;
    this.closed = false;
    return new Promise((resolve, reject) => {
      this.startWaiter = { resolve, reject };
      this.spawnProcess('starting');
    });
  }

  /**
   * Sends `ACTION ID ARGS...` and resolves with the matching `ACTION SUCCESS|FAILURE ID` reply.
   * Requests are pipelined; replies may come in any order. A request times out as a failure
   * ("Timeout after N s") counted from when it is written: one made while the driver restarts
   * waits for it (or fails with the restart); a request to a driver that is not running fails at
   * once.
   * @throws RangeError when the action, id or an argument cannot be sent as one protocol field
   * (arguments must be non-empty and free of blanks: base64-encode free text).
   */
  request(action: string, id: number, args: readonly string[], options: RequestOptions = {}): Promise<DriverReply> {
    const line = formatRequest(action, id, args);
    if (this.stateValue === 'stopped' && this.options.startOnDemand && !this.closed) {
      this.event('info', 'starting on first use');
      // A failed start fails the requests queued meanwhile, with its reason.
      this.start().catch(() => {});
    }
    const state = this.stateValue;
    if (state === 'stopped' || state === 'failed' || state === 'stopping') {
      return Promise.resolve({ ok: false, info: `Driver ${this.name} is not running`, logs: [] });
    }
    const timeoutMs = options.timeoutMs ?? this.options.requestTimeoutMs ?? 120_000;
    return new Promise((resolve) => {
      const pending: Pending = { key: `${action} ${id}`, id, line, logs: [], resolve, sent: false, timeoutMs };
      push(this.pendingByKey, pending.key, pending);
      push(this.pendingById, id, pending);
      if (state === 'ready') this.send(pending);
      else this.queued.push(pending);
    });
  }

  /**
   * Sends FINALIZE, closes the pipe and waits for the process to exit, killing it after the grace
   * period. Requests still in flight fail. The driver is not restarted afterwards.
   */
  stop(): Promise<void> {
    this.closed = true;
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    const child = this.child;
    if (!child) {
      this.stateValue = 'stopped';
      this.failAll(`Driver ${this.name} stopped`);
      return Promise.resolve();
    }
    if (this.stateValue === 'stopping') return new Promise((r) => this.onceStopped(r));
    this.stateValue = 'stopping';
    this.settleStart(new Error(`Driver ${this.name} stopped before INIT`));
    this.failAll(`Driver ${this.name} stopped`);
    return new Promise((resolve) => {
      this.onceStopped(resolve);
      const kill = setTimeout(() => child.kill('SIGKILL'), this.options.stopTimeoutMs ?? 5000);
      kill.unref();
      child.once('close', () => clearTimeout(kill));
      if (child.stdin?.writable) child.stdin.end('FINALIZE\n');
    });
  }

  private onceStopped(resolve: () => void): void {
    const previous = this.stopWaiter;
    this.stopWaiter = () => {
      previous?.();
      resolve();
    };
  }

  private spawnProcess(state: 'starting' | 'restarting'): void {
    this.stateValue = state;
    const { command, args = [], env, cwd, launch } = this.options;
    let child: DriverProcess;
    try {
      child = launch ? launch() : spawn(command, args, { env, cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    } catch (e) {
      this.processGone(undefined, `could not be started: ${(e as Error).message}`);
      return;
    }
    this.child = child;
    let gone = false;
    const onGone = (reason: string) => {
      if (gone) return;
      gone = true;
      this.processGone(child, reason);
    };
    child.on('error', (e) => onGone(`could not be started: ${e.message}`));
    child.on('close', (code, signal) => onGone(`exited (${signal ? `signal ${signal}` : `code ${code}`})`));
    // A driver that dies makes writes fail with EPIPE; 'close' reports it.
    child.stdin!.on('error', () => {});
    const out = new LineSplitter(
      (l) => this.onLine(l),
      (n) => this.event('warning', `Driver ${this.name} wrote a line of ${n} bytes without end: dropped`),
    );
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (c: string) => out.push(c));
    // A line without its line break is an answer cut short by the process dying: never acted on.
    child.stdout!.on('end', () => out.end((l) => this.event('warning', `Driver ${this.name} ended with a line cut short: dropped: ${truncate(l)}`)));
    const err = new LineSplitter((l) => this.options.onStderr?.(l));
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (c: string) => err.push(c));
    child.stderr!.on('end', () => err.end());

    const initTimeoutMs = this.options.initTimeoutMs ?? 10_000;
    this.initTimer = setTimeout(() => {
      this.initFailed(`did not answer INIT within ${seconds(initTimeoutMs)} s`);
    }, initTimeoutMs);
    child.stdin!.write('INIT\n');
  }

  private onLine(line: string): void {
    const msg = parseDriverLine(line);
    switch (msg.type) {
      case 'garbage':
        if (msg.reason !== 'empty line') {
          this.event('warning', `Driver ${this.name} sent an invalid line (${msg.reason}): ${truncate(msg.line)}`);
        }
        return;
      case 'log':
        this.options.onLog?.(msg);
        if (msg.id !== -1) {
          for (const p of this.pendingById.get(msg.id) ?? []) p.logs.push({ severity: msg.severity, text: msg.text });
        }
        return;
      case 'reply':
        this.onReply(msg);
    }
  }

  private onReply(msg: Reply): void {
    if (msg.action === 'INIT') {
      // Only the process being started is waited for; a stray INIT answer means nothing.
      if (this.stateValue !== 'starting' && this.stateValue !== 'restarting') return;
      if (msg.result === 'SUCCESS') this.initSucceeded();
      else this.initFailed(`answered INIT FAILURE${msg.info ? `: ${msg.info}` : ''}`);
      return;
    }
    const key = `${msg.action} ${msg.id}`;
    // A waiting request wins over a timed-out one of the same action and id: the timed-out
    // action was cancelled, so this reply is most likely the new request's.
    const pending = this.pendingByKey.get(key)?.[0];
    if (pending) {
      this.settle(pending, { ok: msg.result === 'SUCCESS', info: msg.info, logs: pending.logs });
      return;
    }
    const late = this.timedOut.get(key);
    if (late !== undefined) {
      if (late <= 1) this.timedOut.delete(key);
      else this.timedOut.set(key, late - 1);
      this.event('info', `Driver ${this.name}: late reply to ${key} ignored`);
      return;
    }
    if (this.options.onMessage) this.options.onMessage(msg);
    else this.event('warning', `Driver ${this.name}: unexpected answer ignored: ${msg.action} ${msg.result} ${msg.id} ${truncate(msg.info)}`);
  }

  private initSucceeded(): void {
    clearTimeout(this.initTimer);
    const restarted = this.stateValue === 'restarting';
    this.stateValue = 'ready';
    this.readyAt = Date.now();
    if (restarted) this.event('info', `Driver ${this.name} restarted`);
    const queued = this.queued;
    this.queued = [];
    for (const p of queued) this.send(p);
    this.settleStart();
    this.options.onReady?.();
  }

  private initFailed(reason: string): void {
    clearTimeout(this.initTimer);
    this.killReason = reason;
    // 'close' follows the kill and handles the rest (restart or start failure).
    this.child?.kill('SIGKILL');
  }

  /** The process is gone (exited, killed, or could not be spawned). */
  private processGone(child: DriverProcess | undefined, reason: string): void {
    if (child !== this.child) return;
    clearTimeout(this.initTimer);
    this.child = undefined;
    this.timedOut.clear();
    const message = `Driver ${this.name} ${this.killReason ?? reason}`;
    this.killReason = undefined;
    const state = this.stateValue;
    if (state === 'stopping') {
      this.stateValue = 'stopped';
      const w = this.stopWaiter;
      this.stopWaiter = undefined;
      w?.();
      return;
    }
    if (state === 'starting') {
      this.stateValue = 'stopped';
      this.failAll(message);
      this.settleStart(new Error(message));
      return;
    }
    this.failSent(`${message} before answering`);
    if (state === 'ready' && Date.now() - this.readyAt >= this.restartPolicy.stableMs) this.attempts = 0;
    this.scheduleRestart(message);
  }

  private scheduleRestart(reason: string): void {
    const { maxAttempts, initialDelayMs, maxDelayMs } = this.restartPolicy;
    if (this.attempts >= maxAttempts) {
      // Requests fail at once from now on, but the driver is not abandoned (OpenNebula restarts
      // its drivers for ever): one more start every maxDelayMs, and a success serves again.
      this.stateValue = 'failed';
      this.event('error', `${reason}; giving up after ${this.attempts} restart attempts in a row: requests fail until it starts again (next try in ${seconds(maxDelayMs)} s)`);
      this.failAll(`Driver ${this.name} is not running`);
      this.restartTimer = setTimeout(() => {
        this.restartTimer = undefined;
        if (this.stateValue === 'failed' && !this.closed) this.spawnProcess('restarting');
      }, maxDelayMs);
      this.restartTimer.unref();
      return;
    }
    const delay = Math.min(maxDelayMs, initialDelayMs * 2 ** this.attempts);
    this.attempts++;
    this.stateValue = 'restarting';
    this.event('warning', `${reason}; restart attempt ${this.attempts}/${maxAttempts} in ${seconds(delay)} s`);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      this.spawnProcess('restarting');
    }, delay);
  }

  /** Writes the request; its timeout runs from now (a request waiting for a restart is not late). */
  private send(p: Pending): void {
    p.sent = true;
    p.timer = setTimeout(() => this.timeout(p, p.timeoutMs), p.timeoutMs);
    // The requests of one event-loop turn (a deploy storm's many) go in one write: one system
    // call, and one wake-up of the driver, rather than one each.
    const stdin = this.child!.stdin!;
    if (stdin.writableCorked === 0) {
      stdin.cork();
      setImmediate(() => stdin.uncork());
    }
    stdin.write(p.line);
  }

  private timeout(p: Pending, timeoutMs: number): void {
    p.timer = undefined;
    // Its reply may still come: remember to drop it rather than take it for a pushed message.
    const oldest = this.timedOut.size >= MAX_TIMED_OUT ? this.timedOut.keys().next().value : undefined;
    if (oldest !== undefined) this.timedOut.delete(oldest);
    this.timedOut.set(p.key, (this.timedOut.get(p.key) ?? 0) + 1);
    if (this.options.cancelOnTimeout !== false) this.child?.stdin?.write(`DRIVER_CANCEL ${p.id}\n`);
    const action = p.key.slice(0, p.key.indexOf(' '));
    this.settle(p, { ok: false, info: `Timeout after ${seconds(timeoutMs)} s: driver ${this.name} did not answer ${action}`, logs: p.logs });
  }

  private settle(p: Pending, reply: DriverReply): void {
    if (p.timer) clearTimeout(p.timer);
    remove(this.pendingByKey, p.key, p);
    remove(this.pendingById, p.id, p);
    p.resolve(reply);
  }

  private failAll(info: string): void {
    this.queued = [];
    this.failWhere(() => true, info);
  }

  /** Fails the requests the dead process had received; queued ones wait for the restart. */
  private failSent(info: string): void {
    this.failWhere((p) => p.sent, info);
  }

  private failWhere(match: (p: Pending) => boolean, info: string): void {
    for (const list of [...this.pendingByKey.values()]) {
      for (const p of [...list]) if (match(p)) this.settle(p, { ok: false, info, logs: p.logs });
    }
  }

  private settleStart(error?: Error): void {
    const w = this.startWaiter;
    this.startWaiter = undefined;
    if (!w) return;
    if (error) w.reject(error);
    else w.resolve();
  }

  private event(level: 'info' | 'warning' | 'error', message: string): void {
    this.options.onEvent?.(level, message);
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function remove<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (!list) return;
  const i = list.indexOf(value);
  if (i !== -1) list.splice(i, 1);
  if (list.length === 0) map.delete(key);
}

function seconds(ms: number): string {
  return String(Math.round(ms / 100) / 10);
}

function truncate(s: string): string {
  return s.length > 200 ? `${s.slice(0, 200)}...` : s;
}
