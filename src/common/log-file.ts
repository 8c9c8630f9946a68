/**
 * oned's log file, written so that its disk cannot take oned down: a failed write (a full disk,
 * a removed directory) never throws. Lines logged meanwhile are dropped and counted, the file is
 * opened again on the first line logged `retryMs` later, and its first line then says how many
 * were lost and why. Lines are gathered and written once per event-loop turn: one stream write
 * per line costs more than the API call it describes.
 */
import { createWriteStream, type WriteStream } from 'node:fs';

export class LogFile {
  private stream: WriteStream | undefined;
  private pending = '';
  private dropped = 0;
  private failedAt = 0;
  private lastError = '';

  constructor(
    private readonly path: string,
    /** How the line reporting lost lines is written (the logger's format). */
    private readonly lostLine: (text: string) => string,
    private readonly retryMs = 5000,
  ) {
    this.open();
  }

  add(line: string): void {
    if (this.pending === '') setImmediate(() => this.flush());
    this.pending += line;
  }

  flush(): void {
    if (this.pending === '') return;
    const text = this.pending;
    this.pending = '';
    if (!this.stream) {
      if (Date.now() - this.failedAt < this.retryMs) {
        this.dropped += countLines(text);
        return;
      }
      this.open();
      if (this.dropped > 0) this.stream!.write(this.lostLine(`${this.dropped} log lines or more could not be written: ${this.lastError}`));
      this.dropped = 0;
    }
    this.stream!.write(text);
  }

  close(): Promise<void> {
    this.flush();
    const s = this.stream;
    this.stream = undefined;
    return s ? new Promise((resolve) => s.end(() => resolve())) : Promise.resolve();
  }

  private open(): void {
    const s = createWriteStream(this.path, { flags: 'a' });
    s.on('error', (err) => {
      if (this.stream === s) {
        this.stream = undefined;
        this.failedAt = Date.now();
        this.lastError = err.message;
        process.stderr.write(`oned: cannot write ${this.path}: ${err.message}\n`);
      }
      s.destroy();
    });
    this.stream = s;
  }
}

function countLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
