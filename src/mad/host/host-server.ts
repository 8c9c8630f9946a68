/**
 * The driver host's side: runs built-in drivers, one per channel, in this process. Each is the
 * same DriverServer a driver process runs on its stdin/stdout, here on its channel's frames, with
 * the argv oned.conf gives it; the host's environment (process.env) is theirs.
 */
import { PassThrough, Writable, type Readable } from 'node:stream';
import { DriverServer } from '../server/index.js';
import type { DriverSetup } from '../builtin/index.js';
import { encodeFrame, FrameDecoder, FrameType, type Frame } from './frames.js';

export interface DriverHostServerOptions {
  readonly input: Readable;
  readonly output: Writable;
  /** The setup of a built-in driver by executable name (rejects for an unknown one). */
  readonly load: (name: string) => Promise<DriverSetup>;
  /** oned closed the pipe and every driver has ended. */
  readonly onExit?: () => void;
}

interface Channel {
  readonly id: number;
  /** The driver's stdin; what comes before the driver is loaded waits in it. */
  readonly input: PassThrough;
  /** Exit reported: nothing more goes out for this channel. */
  exited: boolean;
  /** Its DriverServer is reading. */
  started: boolean;
}

export class DriverHostServer {
  private readonly channels = new Map<number, Channel>();
  private inputEnded = false;

  constructor(private readonly options: DriverHostServerOptions) {}

  /** Number of drivers running. */
  get size(): number {
    return this.channels.size;
  }

  start(): void {
    const decoder = new FrameDecoder((f) => this.onFrame(f));
    this.options.input.on('data', (chunk: Buffer) => {
      try {
        decoder.push(chunk);
      } catch (e) {
        process.stderr.write(`driver host: broken input from oned: ${(e as Error).message}\n`);
        this.endAll();
      }
    });
    this.options.input.on('end', () => this.endAll());
  }

  private onFrame(frame: Frame): void {
    const { channel: id } = frame;
    switch (frame.type) {
      case FrameType.OPEN:
        this.open(id, JSON.parse(frame.payload.toString('utf8')) as { name: string; argv: string[] });
        return;
      case FrameType.DATA:
        this.channels.get(id)?.input.write(frame.payload);
        return;
      case FrameType.END:
        this.channels.get(id)?.input.end();
        return;
      case FrameType.KILL: {
        const c = this.channels.get(id);
        if (!c) return;
        // Its running actions are aborted as the input ends; oned hears of the kill at once.
        c.input.end();
        this.exit(c, null, 'SIGKILL');
        return;
      }
    }
  }

  private open(id: number, spec: { name: string; argv: string[] }): void {
    const channel: Channel = { id, input: new PassThrough(), exited: false, started: false };
    this.channels.set(id, channel);
    this.options.load(spec.name).then(
      (setup) => {
        if (channel.exited) return;
        let config;
        try {
          config = setup(spec.argv);
        } catch (e) {
          this.stderr(channel, `${spec.name}: ${(e as Error).message}\n`);
          this.exit(channel, 1, null);
          return;
        }
        const output = new Writable({
          write: (chunk: Buffer, _enc, cb) => {
            if (!channel.exited) this.send(encodeFrame(FrameType.DATA, id, chunk));
            cb();
          },
        });
        channel.started = true;
        new DriverServer({ name: spec.name, ...config, input: channel.input, output, onExit: () => this.exit(channel, 0, null) }).start();
      },
      (e: unknown) => {
        this.stderr(channel, `${spec.name}: ${(e as Error).message}\n`);
        this.exit(channel, 1, null);
      },
    );
  }

  private stderr(channel: Channel, text: string): void {
    if (!channel.exited) this.send(encodeFrame(FrameType.STDERR, channel.id, text));
  }

  private exit(channel: Channel, code: number | null, signal: string | null): void {
    if (channel.exited) return;
    channel.exited = true;
    this.send(encodeFrame(FrameType.EXIT, channel.id, JSON.stringify({ code, signal })));
    this.channels.delete(channel.id);
    if (this.inputEnded && this.channels.size === 0) this.options.onExit?.();
  }

  private send(frame: Buffer): void {
    this.options.output.write(frame);
  }

  /** oned is gone: every driver's input ends (aborting its actions); exit once all have ended. */
  private endAll(): void {
    if (this.inputEnded) return;
    this.inputEnded = true;
    for (const c of [...this.channels.values()]) {
      c.input.end();
      // Not loaded yet: nothing of it runs.
      if (!c.started) this.exit(c, 1, null);
    }
    if (this.channels.size === 0) this.options.onExit?.();
  }
}
