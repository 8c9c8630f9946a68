/**
 * Each VM's own log, `$ONE_LOCATION/var/vms/<id>/vm.log`, in OpenNebula's line format
 * (`Tue Dec  1 10:00:00 2026 [Z0][VM][I]: New state is ACTIVE`). Lines are gathered and
 * appended once per event-loop turn per VM, off the API's path: a state change never waits for
 * the disk.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { timestamp, type Logger } from '../common/log.js';

export type VmLogSeverity = 'I' | 'W' | 'E' | 'D';

/**
 * OpenNebula's vm.log time stamp: like oned.log's but the day of the month padded with a blank
 * (`Tue Dec  1`).
 */
export function vmLogTimestamp(d: Date): string {
  return timestamp(d).replace(/^(\w{3} \w{3}) 0(\d)/, '$1  $2');
}

export class VmLogs {
  private readonly pending = new Map<number, string>();
  private readonly made = new Set<number>();
  private flushing: Promise<void> = Promise.resolve();
  private scheduled = false;

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
    const line = `${vmLogTimestamp(new Date())} [Z0][${module}][${severity}]: ${message}\n`;
    this.pending.set(vid, (this.pending.get(vid) ?? '') + line);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.flushing = this.flushing.then(() => this.flush());
      });
    }
  }

  /** Makes the VM's directory (once per VM and run). */
  async ensureDir(vid: number): Promise<string> {
    const dir = this.vmDir(vid);
    if (!this.made.has(vid)) {
      await mkdir(dir, { recursive: true });
      this.made.add(vid);
    }
    return dir;
  }

  /** Resolves once every line written so far is on disk. */
  async drain(): Promise<void> {
    while (this.scheduled || this.pending.size > 0) {
      await new Promise((r) => setImmediate(r));
      await this.flushing;
    }
    await this.flushing;
  }

  private async flush(): Promise<void> {
    const batch = [...this.pending];
    this.pending.clear();
    await Promise.all(
      batch.map(async ([vid, text]) => {
        try {
          await appendFile(join(await this.ensureDir(vid), 'vm.log'), text);
        } catch (err) {
          this.log?.error('VM', `Cannot write the log of VM ${vid}: ${(err as Error).message}`);
        }
      }),
    );
  }
}
