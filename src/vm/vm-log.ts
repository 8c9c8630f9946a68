/**
 * Each VM's own log, `$ONE_LOCATION/var/vms/<id>/vm.log`, in OpenNebula's line format
 * (`Tue Dec  1 10:00:00 2026 [Z0][VM][I]: New state is ACTIVE`). Lines are gathered and
 * appended once per event-loop turn per VM, off the API's path: a state change never waits for
 * the disk. They and the deployment and transfer files are written by a thread of their own
 * (vm-files-writer.ts), one message per turn. (Gathering them for 20 ms saved appends during deploy storms, but a reader of vm.log
 * right after a state change, a user's `tail` or a test, then missed the last lines.)
 */
import { mkdir } from 'node:fs';
import { join } from 'node:path';
import { timestamp, type Logger } from '../common/log.js';
import { WorkerCalls } from '../common/worker-calls.js';
import { APPEND, REPLACE, type FileFailures, type FileOps } from './vm-files-writer.js';

export type VmLogSeverity = 'I' | 'W' | 'E' | 'D';

/**
 * OpenNebula's vm.log time stamp: like oned.log's but the day of the month padded with a blank
 * (`Tue Dec  1`).
 */
export function vmLogTimestamp(d: Date): string {
  return timestamp(d).replace(/^(\w{3} \w{3}) 0(\d)/, '$1  $2');
}

/** The time stamp of the current second, made once per second rather than once per line. */
let stampSecond = -1;
let stampText = '';
function currentStamp(): string {
  const ms = Date.now();
  const second = Math.floor(ms / 1000);
  if (second !== stampSecond) {
    stampSecond = second;
    stampText = vmLogTimestamp(new Date(ms));
  }
  return stampText;
}

/** A write queued for the next batch: a VM's log lines, or a file someone awaits. */
type Queued = { readonly vid: number } | { readonly resolve: () => void; readonly reject: (e: Error) => void };

export class VmLogs {
  private pending = new Map<number, string>();
  private files: FileOps = [];
  private fileWaiters: Queued[] = [];
  private readonly made = new Set<number>();
  private flushing: Promise<void> = Promise.resolve();
  private scheduled = false;
  /** A batch is at the writer thread: the next one waits for its answer, gathering meanwhile. */
  private sending = false;
  private writer: WorkerCalls<FileFailures> | undefined;

  constructor(
    /** `$ONE_LOCATION/var/vms`. */
    readonly dir: string,
    private readonly log?: Logger,
  ) {}

  /** The VM's directory (deployment, transfer and context files, vm.log). */
  vmDir(vid: number): string {
    return join(this.dir, String(vid));
  }

  /** Adds a line to the VM's log; written soon, in order. */
  write(vid: number, module: string, severity: VmLogSeverity, message: string): void {
    const line = `${currentStamp()} [Z0][${module}][${severity}]: ${message}\n`;
    this.pending.set(vid, (this.pending.get(vid) ?? '') + line);
    this.schedule();
  }

  /**
   * Writes a file of the VM's directory (a deployment or transfer file), making the directory
   * if needed; resolves with its path once it is written.
   */
  writeFile(vid: number, name: string, text: string): Promise<string> {
    const dir = this.vmDir(vid);
    return new Promise<void>((resolve, reject) => {
      this.files.push(dir, name, text, REPLACE);
      this.fileWaiters.push({ resolve, reject });
      this.schedule();
    }).then(() => join(dir, name));
  }

  /** Makes the VM's directory (once per VM and run). */
  async ensureDir(vid: number): Promise<string> {
    const dir = this.vmDir(vid);
    if (!this.made.has(vid)) {
      await new Promise<void>((resolve, reject) => mkdir(dir, { recursive: true }, (err) => (err ? reject(err) : resolve())));
      this.made.add(vid);
    }
    return dir;
  }

  /** Resolves once every line written so far is on disk. */
  async drain(): Promise<void> {
    while (this.scheduled || this.sending || this.pending.size > 0 || this.files.length > 0) {
      await new Promise((r) => setImmediate(r));
      await this.flushing;
    }
    await this.flushing;
  }

  /**
   * The writes of this event-loop turn go together, once it is over; while a batch is at the
   * writer thread, they wait for its answer and go as one batch then (one message, and one
   * wake-up of each thread, for as many writes as a busy moment brings).
   */
  private schedule(): void {
    if (this.scheduled || this.sending) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flushing = this.flush();
    });
  }

  /**
   * Sends every VM's gathered lines and the queued files to the writer thread in one message
   * (see vm-files-writer.ts); the thread answers batches in order.
   */
  private flush(): Promise<void> {
    const ops = this.files;
    const waiters = this.fileWaiters;
    this.files = [];
    this.fileWaiters = [];
    for (const [vid, text] of this.pending) {
      ops.push(this.vmDir(vid), 'vm.log', text, APPEND);
      waiters.push({ vid });
    }
    this.pending.clear();
    if (waiters.length === 0) return Promise.resolve();
    this.sending = true;
    this.writer ??= new WorkerCalls<FileFailures>(new URL('./vm-files-writer.js', import.meta.url), { vmFilesWriter: true }, 'vm files');
    const failedAt = (i: number, message: string) => {
      const w = waiters[i]!;
      if ('vid' in w) this.log?.error('VM', `Cannot write the log of VM ${w.vid}: ${message}`);
      else w.reject(new Error(message));
    };
    return this.writer.call({ ops }).then(
      (failed) => {
        const bad = new Set<number>();
        for (let i = 0; failed && i < failed.length; i += 2) {
          bad.add(failed[i] as number);
          failedAt(failed[i] as number, failed[i + 1] as string);
        }
        for (let i = 0; i < waiters.length; i++) {
          const w = waiters[i]!;
          if (!bad.has(i) && 'resolve' in w) w.resolve();
        }
      },
      (error: Error) => {
        for (let i = 0; i < waiters.length; i++) failedAt(i, error.message);
      },
    ).then(() => {
      this.sending = false;
      // What was gathered meanwhile goes now; drain() waits for it through this promise.
      if (this.pending.size > 0 || this.files.length > 0) return this.flush();
    });
  }
}
