/**
 * oned's side of a driver host: one process (src/mad/host/main.ts) running the built-in drivers
 * oned gives it, each seen by its Driver as if it were a process of its own (a DriverProcess
 * whose stdin, stdout and stderr are the driver's channel). The host starts with the first
 * driver and ends, its pipe closed, with the last; if it dies, every driver in it sees its
 * process die (and restarts, starting the host again).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { PassThrough, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { DriverProcess } from '../driver.js';
import { encodeFrame, FrameDecoder, FrameType, type Frame } from './frames.js';

/** The host's entry point, beside this file once compiled. */
export const DRIVER_HOST_MAIN = fileURLToPath(new URL('./main.js', import.meta.url));

export interface DriverHostOptions {
  /** Environment of the host, hence of every driver it runs and of the scripts they run. */
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Node options of the host process (V8 heap flags...). */
  readonly execArgv?: readonly string[];
  /** Lines the host itself writes to stderr (not those of a driver, which go to its channel). */
  readonly onStderr?: (line: string) => void;
}

/** Where a hosted driver's frames go: the host process it was started in. */
interface FrameSink {
  send(frame: Buffer): void;
}

/** A driver running in a host, seen as a process: what Driver needs of a ChildProcess. */
class HostedDriver extends EventEmitter implements DriverProcess {
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  readonly stdin: Writable;
  private gone = false;

  constructor(
    private readonly host: FrameSink,
    readonly channel: number,
  ) {
    super();
    this.stdin = new Writable({
      write: (chunk: Buffer, _enc, cb) => {
        if (!this.gone) host.send(encodeFrame(FrameType.DATA, channel, chunk));
        cb();
      },
      // Requests Driver gathered (corked) in one event-loop turn: one frame, one write to the host.
      writev: (chunks, cb) => {
        if (!this.gone) host.send(encodeFrame(FrameType.DATA, channel, Buffer.concat(chunks.map((c) => c.chunk as Buffer))));
        cb();
      },
      final: (cb) => {
        if (!this.gone) host.send(encodeFrame(FrameType.END, channel));
        cb();
      },
    });
  }

  kill(): boolean {
    if (this.gone) return false;
    this.host.send(encodeFrame(FrameType.KILL, this.channel));
    return true;
  }

  /** The driver (or its whole host) is gone: its output ends, then 'close' as for a process. */
  exited(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.gone) return;
    this.gone = true;
    let open = 2;
    const ended = () => {
      if (--open === 0) this.emit('close', code, signal);
    };
    for (const s of [this.stdout, this.stderr]) {
      s.once('end', ended);
      s.end();
      // Nobody reading: 'end' would never come.
      if (s.listenerCount('data') === 0) s.resume();
    }
  }
}

/** One host process and the drivers it runs. */
class HostProcess implements FrameSink {
  readonly drivers = new Map<number, HostedDriver>();
  private readonly child: ChildProcess;
  /** Told that the pipe was closed: it ends once its drivers have. */
  private ending = false;

  constructor(options: DriverHostOptions, onGone: () => void) {
    const { env, cwd, execArgv = [], onStderr } = options;
    const child = spawn(process.execPath, [...execArgv, DRIVER_HOST_MAIN], { env, cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    child.stdin!.on('error', () => {});
    const decoder = new FrameDecoder((f) => this.onFrame(f));
    child.stdout!.on('data', (chunk: Buffer) => {
      try {
        decoder.push(chunk);
      } catch (e) {
        onStderr?.(`driver host sent a broken stream (${(e as Error).message}): killed`);
        child.kill('SIGKILL');
      }
    });
    let rest = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (c: string) => {
      const lines = (rest + c).split('\n');
      rest = lines.pop()!;
      for (const l of lines) onStderr?.(l);
    });
    let gone = false;
    const processGone = (code: number | null, signal: NodeJS.Signals | null, error?: Error) => {
      if (gone) return;
      gone = true;
      if (rest !== '') onStderr?.(rest);
      onGone();
      for (const d of [...this.drivers.values()]) {
        if (error) d.emit('error', error);
        d.exited(code, signal);
      }
    };
    child.on('error', (e) => processGone(null, null, e));
    child.on('close', (code, signal) => processGone(code, signal));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Writes a frame to the host (dropped when it is gone: its drivers hear of that). */
  send(frame: Buffer): void {
    if (!this.ending && this.child.stdin?.writable) this.child.stdin.write(frame);
  }

  /** Closes the host's input: it exits (its drivers, if any, see their input end first). */
  end(): void {
    this.ending = true;
    this.child.stdin?.end();
  }

  private onFrame(frame: Frame): void {
    const driver = this.drivers.get(frame.channel);
    if (!driver) return;
    switch (frame.type) {
      case FrameType.DATA:
        driver.stdout.write(frame.payload);
        return;
      case FrameType.STDERR:
        driver.stderr.write(frame.payload);
        return;
      case FrameType.EXIT: {
        const { code, signal } = JSON.parse(frame.payload.toString('utf8')) as { code: number | null; signal: NodeJS.Signals | null };
        driver.exited(code, signal);
        return;
      }
    }
  }
}

export class DriverHost {
  private current?: HostProcess;
  private nextChannel = 1;

  constructor(private readonly options: DriverHostOptions = {}) {}

  /** The running host's pid. */
  get pid(): number | undefined {
    return this.current?.pid;
  }

  /** Number of drivers running in the current host. */
  get size(): number {
    return this.current?.drivers.size ?? 0;
  }

  /** Starts built-in driver `name` with `argv` in the host (starting the host first if needed). */
  spawn(name: string, argv: readonly string[]): DriverProcess {
    const host =
      this.current ??
      (this.current = new HostProcess(this.options, () => {
        if (this.current === host) this.current = undefined;
      }));
    const channel = this.nextChannel;
    this.nextChannel = channel >= 0xffffffff ? 1 : channel + 1;
    const driver = new HostedDriver(host, channel);
    host.drivers.set(channel, driver);
    driver.once('close', () => {
      host.drivers.delete(channel);
      // The last driver gone: the host goes too (a new one starts with the next driver).
      if (host.drivers.size === 0 && this.current === host) {
        this.current = undefined;
        host.end();
      }
    });
    host.send(encodeFrame(FrameType.OPEN, channel, JSON.stringify({ name, argv })));
    return driver;
  }
}
