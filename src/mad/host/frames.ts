/**
 * How oned and a driver host share one pair of pipes among several drivers: frames of
 * `type (1 byte) | channel (uint32 BE) | length (uint32 BE) | payload`. Each channel carries one
 * driver's stdin, stdout and stderr byte for byte (the driver protocol itself is unchanged), and
 * what oned otherwise learns from a process: that it started with given arguments, was killed,
 * exited.
 */

export const FrameType = {
  /** oned → host: start built-in driver; payload JSON `{ name, argv }`. */
  OPEN: 1,
  /** oned → host: the driver's stdin; host → oned: its stdout. */
  DATA: 2,
  /** host → oned: the driver's stderr. */
  STDERR: 3,
  /** oned → host: stdin closed (end of input). */
  END: 4,
  /** oned → host: kill the driver now (what SIGKILL is to a process). */
  KILL: 5,
  /** host → oned: the driver is gone; payload JSON `{ code, signal }`. */
  EXIT: 6,
} as const;
export type FrameTypeValue = (typeof FrameType)[keyof typeof FrameType];

export interface Frame {
  readonly type: FrameTypeValue;
  readonly channel: number;
  readonly payload: Buffer;
}

const HEADER = 9;
/** Larger frames are a broken stream, not a driver's answer (drivers' lines stop at 64 MiB). */
export const MAX_FRAME = 256 * 1024 * 1024;

export function encodeFrame(type: FrameTypeValue, channel: number, payload: Buffer | string = ''): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const out = Buffer.allocUnsafe(HEADER + body.length);
  out.writeUInt8(type, 0);
  out.writeUInt32BE(channel, 1);
  out.writeUInt32BE(body.length, 5);
  body.copy(out, HEADER);
  return out;
}

/** Cuts a byte stream into frames, whatever the chunks it arrives in. */
export class FrameDecoder {
  private buffered: Buffer[] = [];
  private size = 0;

  constructor(private readonly onFrame: (frame: Frame) => void) {}

  /** @throws Error on an unknown frame type or an impossible length (the stream is broken). */
  push(chunk: Buffer): void {
    this.buffered.push(chunk);
    this.size += chunk.length;
    while (this.size >= HEADER) {
      // Bytes are joined only once a whole frame is there: a large frame in many chunks is copied once.
      const head = this.buffered[0]!.length >= HEADER ? this.buffered[0]! : this.flatten();
      const type = head.readUInt8(0);
      const length = head.readUInt32BE(5);
      if (type < FrameType.OPEN || type > FrameType.EXIT) throw new Error(`Unknown frame type ${type}`);
      if (length > MAX_FRAME) throw new Error(`Frame of ${length} bytes`);
      if (this.size < HEADER + length) return;
      const all = this.buffered.length === 1 ? head : this.flatten();
      const frame: Frame = { type: type as FrameTypeValue, channel: all.readUInt32BE(1), payload: all.subarray(HEADER, HEADER + length) };
      const rest = all.subarray(HEADER + length);
      this.buffered = rest.length > 0 ? [rest] : [];
      this.size = rest.length;
      this.onFrame(frame);
    }
  }

  private flatten(): Buffer {
    const all = Buffer.concat(this.buffered, this.size);
    this.buffered = [all];
    return all;
  }
}
