/**
 * The main thread's side of the pool reader (pool-worker.ts): one worker thread per
 * sunstone-server, started at the first poll, that calls oned's pool listings and reads them
 * into rows so the event loop keeps answering pages while a 20,000-VM listing is read.
 * oned's refusals come back as OneError, transport failures as OneConnectionError, as from
 * OneClient. A worker that dies fails the polls it had with an Error, and the next poll starts
 * a new one. The worker does not keep the process alive when no poll is running.
 */
import { Worker } from 'node:worker_threads';
import { OneConnectionError, OneError } from '../../oca/errors.js';
import type { Row } from './pool-kinds.js';

/** One listing to read, for the watcher `key`. */
export interface PollRequest {
  readonly type: 'poll';
  readonly id: number;
  readonly key: string;
  readonly endpoint: string;
  readonly session: string;
  readonly timeoutMs: number;
  readonly method: string;
  readonly args: readonly (number | boolean | string)[];
  /** The pool kind's name (POOL_KINDS). */
  readonly kind: string;
  /** The token of the listing the watcher holds (0: none): an unchanged XML under it is no change. */
  readonly have: number;
  /** The token the watcher holds a changed listing under. */
  readonly next: number;
}

export type ToWorker =
  | PollRequest
  /** The watcher `key` is gone: its last XML is dropped. */
  | { readonly type: 'drop'; readonly key: string }
  /** The session logged out: its connections are closed. */
  | { readonly type: 'forget'; readonly session: string };

export type WireError =
  | { type: 'one'; method: string; message: string; code: number; objectId?: number }
  | { type: 'connection'; message: string }
  | { type: 'other'; message: string };

export type FromWorker =
  | { id: number; ok: true; changed: false }
  | { id: number; ok: true; changed: true; rows: Row[]; haystack: string[] }
  | { id: number; ok: false; error: WireError };

export type PollAnswer = { changed: false } | { changed: true; rows: Row[]; haystack: string[] };

export type PollInput = Omit<PollRequest, 'type' | 'id' | 'timeoutMs'>;

interface Pending {
  resolve(a: PollAnswer): void;
  reject(e: Error): void;
}

const WORKER_URL = new URL('./pool-worker.js', import.meta.url);

function unwire(e: WireError): Error {
  if (e.type === 'one') return new OneError(e.method, e.message, e.code, e.objectId);
  if (e.type === 'connection') return new OneConnectionError(e.message);
  return new Error(e.message);
}

export class PoolThread {
  #worker: Worker | undefined;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #started = 0;

  constructor(private readonly options: { timeoutMs?: number } = {}) {}

  /** Reads a listing in the worker. @throws OneError, OneConnectionError, Error (the worker died) */
  poll(input: PollInput): Promise<PollAnswer> {
    const w = this.#ensure();
    const id = this.#nextId++;
    return new Promise<PollAnswer>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      if (this.#pending.size === 1) w.ref();
      w.postMessage({ ...input, type: 'poll', id, timeoutMs: this.options.timeoutMs ?? 30_000 } satisfies PollRequest);
    });
  }

  /** The watcher `key` is gone: the worker forgets its last listing. */
  drop(key: string): void {
    this.#worker?.postMessage({ type: 'drop', key } satisfies ToWorker);
  }

  /** The session is over: the worker closes its connections. */
  forgetSession(session: string): void {
    this.#worker?.postMessage({ type: 'forget', session } satisfies ToWorker);
  }

  /** Stops the worker; polls running fail. A later poll starts a new one. */
  async stop(): Promise<void> {
    const w = this.#worker;
    if (!w) return;
    this.#lost(w, new Error('sunstone-server is stopping: the pool reader was stopped'));
    await w.terminate().catch(() => undefined);
  }

  /** Workers started so far (a dead one is replaced at the next poll). */
  get started(): number {
    return this.#started;
  }

  /** The worker thread (for tests). */
  get worker(): Worker | undefined {
    return this.#worker;
  }

  #ensure(): Worker {
    if (this.#worker) return this.#worker;
    const w = new Worker(WORKER_URL, { name: 'sunstone-pool-reader' });
    this.#worker = w;
    this.#started++;
    w.unref();
    w.on('message', (m: FromWorker) => {
      const p = this.#pending.get(m.id);
      if (!p) return;
      this.#settled(w, m.id);
      if (!m.ok) p.reject(unwire(m.error));
      else if (m.changed) p.resolve({ changed: true, rows: m.rows, haystack: m.haystack });
      else p.resolve({ changed: false });
    });
    w.on('error', (err) => this.#lost(w, new Error(`sunstone-server's pool reader failed (${err.message}); the next poll starts a new one`)));
    w.on('messageerror', (err) => this.#lost(w, new Error(`sunstone-server's pool reader sent an unreadable answer (${err.message})`)));
    w.on('exit', (code) => this.#lost(w, new Error(`sunstone-server's pool reader stopped (exit code ${code}); the next poll starts a new one`)));
    return w;
  }

  #settled(w: Worker, id: number): void {
    this.#pending.delete(id);
    if (this.#pending.size === 0) w.unref();
  }

  /** The worker is gone (or going): its polls fail, and the next poll starts another. */
  #lost(w: Worker, err: Error): void {
    if (this.#worker !== w) return;
    this.#worker = undefined;
    w.unref();
    w.terminate().catch(() => undefined);
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of pending) p.reject(err);
  }
}
