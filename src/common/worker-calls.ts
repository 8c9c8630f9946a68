/**
 * Calls to a worker thread that answers each request, in order, with `{ id, error? }`: the
 * plumbing shared by oned's writer threads (SQLite's transactions, the VM directories' files).
 * The worker keeps the process alive only while a call is in flight, so a tool that is done may
 * exit; if the worker fails or ends, every call in flight and every later one is refused.
 */
import { Worker } from 'node:worker_threads';

/** What a worker sends back for a request: its id, and an error if the request failed. */
export interface WorkerReply<R = undefined> {
  readonly id: number;
  readonly error?: { readonly message: string; readonly code?: string };
  readonly result?: R;
}

/** An error as a worker can send it back (message and Node's code, no stack). */
export function replyError(error: unknown): { message: string; code?: string } {
  const e = error as { message?: string; code?: unknown };
  return { message: String(e.message ?? error), code: typeof e.code === 'string' ? e.code : undefined };
}

export class WorkerCalls<R = undefined> {
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve: (r: R) => void; reject: (e: Error) => void }>();
  #next = 0;
  #failed: Error | undefined;
  readonly #exited: Promise<void>;

  /** `name` says whose thread it is in errors ("sqlite: the writer thread ended"). */
  constructor(file: URL, workerData: unknown, name: string) {
    this.#worker = new Worker(file, {
      workerData,
      // A process started with `--input-type=module -e` (a test's writer) passes on a flag a worker file refuses.
      execArgv: process.execArgv.filter((a) => !a.startsWith('--input-type')),
    });
    this.#worker.unref();
    this.#worker.on('message', (m: WorkerReply<R>) => {
      const p = this.#pending.get(m.id);
      if (!p) return;
      this.#pending.delete(m.id);
      if (this.#pending.size === 0) this.#worker.unref();
      if (!m.error) return p.resolve(m.result as R);
      const error = new Error(m.error.message) as Error & { code?: string };
      if (m.error.code !== undefined) error.code = m.error.code;
      p.reject(error);
    });
    this.#worker.on('error', (error) => this.#fail(new Error(`${name}: the writer thread failed: ${error.message}`, { cause: error })));
    this.#exited = new Promise((resolve) => this.#worker.once('exit', () => {
      this.#fail(new Error(`${name}: the writer thread ended`));
      resolve();
    }));
  }

  /** Sends `{ id, ...request }`; resolves with the reply's result, rejects with its error. */
  call(request: object, transfer?: readonly ArrayBuffer[]): Promise<R> {
    if (this.#failed) return Promise.reject(this.#failed);
    const id = ++this.#next;
    return new Promise<R>((resolve, reject) => {
      if (this.#pending.size === 0) this.#worker.ref();
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ id, ...request }, transfer);
    });
  }

  /** Sends `{ close: true }` (the worker closes its port) and resolves once the thread has ended. */
  async close(): Promise<void> {
    if (!this.#failed) {
      this.#worker.ref();
      this.#worker.postMessage({ close: true });
    }
    await this.#exited;
  }

  #fail(error: Error): void {
    this.#failed ??= error;
    for (const p of this.#pending.values()) p.reject(error);
    this.#pending.clear();
  }
}
