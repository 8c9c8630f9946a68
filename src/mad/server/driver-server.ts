/**
 * The driver side of the protocol, shared by every driver executable: reads requests from stdin,
 * answers INIT, runs action handlers with at most `concurrency` at once (OpenNebula's `-t`),
 * writes replies and LOG lines to stdout, kills running actions on `DRIVER_CANCEL <id>`, and
 * exits on FINALIZE or when oned closes the pipe.
 */
import type { Readable, Writable } from 'node:stream';
import { formatLog, formatReply, LineSplitter, parseRequest, type Request, type Severity } from '../protocol.js';

/** What an action handler has besides its request. */
export interface ActionContext {
  /** Aborted on `DRIVER_CANCEL <id>` and at shutdown: kill what the action runs. */
  readonly signal: AbortSignal;
  /** Sends LOG lines for the request's id. */
  log(severity: Severity, text: string): void;
}

/** A handler's answer; `null` sends no reply at all. */
export interface ActionOutcome {
  readonly ok: boolean;
  readonly info?: string;
}

export type ActionHandler = (request: Request, ctx: ActionContext) => ActionOutcome | null | Promise<ActionOutcome | null>;

export interface DriverServerOptions {
  /** Name in messages, e.g. `one_vmm_exec kvm`. */
  readonly name: string;
  /** Handlers by upper-case action name. */
  readonly actions: ReadonlyMap<string, ActionHandler>;
  /** Actions running at once; further requests wait their turn in arrival order. */
  readonly concurrency: number;
  readonly input?: Readable;
  readonly output?: Writable;
  /** Called once the driver has stopped reading and its running actions have ended. */
  readonly onExit?: () => void;
}

interface Job {
  readonly request: Request;
  readonly controller: AbortController;
}

export class DriverServer {
  private readonly output: Writable;
  private readonly waiting: Job[] = [];
  private waitingHead = 0;
  private readonly running = new Set<Job>();
  private closing = false;

  constructor(private readonly options: DriverServerOptions) {
    this.output = options.output ?? process.stdout;
  }

  /** Starts reading requests. */
  start(): void {
    const input = this.options.input ?? process.stdin;
    const lines = new LineSplitter(
      (l) => this.onLine(l),
      (n) => this.log(-1, 'E', `Request line of ${n} bytes without end: dropped`),
    );
    input.setEncoding('utf8');
    input.on('data', (c: string) => lines.push(c));
    input.on('end', () => {
      lines.end();
      this.close();
    });
  }

  /** Writes a reply line. */
  reply(action: string, ok: boolean, id: number, info = ''): void {
    this.output.write(formatReply(action, ok ? 'SUCCESS' : 'FAILURE', id, info));
  }

  /** Writes LOG lines (one per line of `text`). */
  log(id: number, severity: Severity, text: string): void {
    const lines = formatLog(severity, id, text);
    if (lines !== '') this.output.write(lines);
  }

  private onLine(line: string): void {
    if (this.closing || line.trim() === '') return;
    const request = parseRequest(line);
    if (!request) {
      this.log(-1, 'E', `Ignoring malformed request: ${line.slice(0, 200)}`);
      return;
    }
    switch (request.action) {
      case 'INIT':
        this.reply('INIT', true, -1);
        return;
      case 'FINALIZE':
        this.close();
        return;
      case 'DRIVER_CANCEL':
        this.cancel(request.id);
        return;
    }
    if (!this.options.actions.has(request.action)) {
      this.reply(request.action, false, request.id, `Action ${request.action} is not supported by ${this.options.name}`);
      return;
    }
    const job: Job = { request, controller: new AbortController() };
    if (this.running.size < this.options.concurrency) this.run(job);
    else this.waiting.push(job);
  }

  private run(job: Job): void {
    this.running.add(job);
    const { request, controller } = job;
    const ctx: ActionContext = {
      signal: controller.signal,
      log: (severity, text) => this.log(request.id, severity, text),
    };
    let outcome: ActionOutcome | null | Promise<ActionOutcome | null>;
    try {
      outcome = this.options.actions.get(request.action)!(request, ctx);
    } catch (e) {
      outcome = internalError(e);
    }
    if (outcome instanceof Promise) {
      outcome.then(
        (o) => this.finish(job, o),
        (e: unknown) => this.finish(job, internalError(e)),
      );
    } else {
      this.finish(job, outcome);
    }
  }

  private finish(job: Job, outcome: ActionOutcome | null): void {
    this.running.delete(job);
    // A cancelled action gets no reply: oned has given up on it (OpenNebula behaves the same).
    if (outcome && !job.controller.signal.aborted) {
      this.reply(job.request.action, outcome.ok, job.request.id, outcome.info);
    }
    const next = this.nextWaiting();
    if (next) this.run(next);
    else if (this.closing && this.running.size === 0) this.options.onExit?.();
  }

  private nextWaiting(): Job | undefined {
    if (this.closing) return undefined;
    let job: Job | undefined;
    while (this.waitingHead < this.waiting.length) {
      job = this.waiting[this.waitingHead++]!;
      if (!job.controller.signal.aborted) break;
      job = undefined;
    }
    if (this.waitingHead > 1024 && this.waitingHead * 2 > this.waiting.length) {
      this.waiting.splice(0, this.waitingHead);
      this.waitingHead = 0;
    }
    return job;
  }

  private cancel(id: number): void {
    let found = false;
    for (const job of this.running) {
      if (job.request.id === id) {
        job.controller.abort();
        found = true;
      }
    }
    for (let i = this.waitingHead; i < this.waiting.length; i++) {
      const job = this.waiting[i]!;
      if (job.request.id === id && !job.controller.signal.aborted) {
        // Left in the queue, skipped when its turn comes.
        job.controller.abort();
        found = true;
      }
    }
    if (found) this.log(id, 'I', `Driver command for ${id} cancelled`);
  }

  /** Stops reading, kills running actions, and exits once they are gone. */
  private close(): void {
    if (this.closing) return;
    this.closing = true;
    for (const job of this.running) job.controller.abort();
    if (this.running.size === 0) this.options.onExit?.();
  }
}

function internalError(e: unknown): ActionOutcome {
  return { ok: false, info: `Internal driver error: ${e instanceof Error ? e.message : String(e)}` };
}
