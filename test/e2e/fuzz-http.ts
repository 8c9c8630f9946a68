/**
 * Raw HTTP for the API fuzzer: pipelined requests over keep-alive sockets (many requests written
 * at once, answers read back in order), and the connection-level attacks no HTTP client would
 * make (giant, truncated and trickled bodies, garbage request lines, idle connections).
 */
import { connect, type Socket } from 'node:net';

export interface RawAnswer {
  readonly status: number;
  readonly close: boolean;
  readonly body: Buffer;
}

/** One request in HTTP/1.1 form. */
export function httpRequest(body: Buffer, opts: { method?: string; path?: string; contentType?: string | null } = {}): Buffer {
  const type = opts.contentType === undefined ? 'text/xml' : opts.contentType;
  const head =
    `${opts.method ?? 'POST'} ${opts.path ?? '/RPC2'} HTTP/1.1\r\nHost: fuzz\r\n` +
    `${type === null ? '' : `Content-Type: ${type}\r\n`}Content-Length: ${body.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

const HEAD_END = Buffer.from('\r\n\r\n');

/** A keep-alive connection that sends batches of requests pipelined and reads their answers in order. */
export class PipelinedConnection {
  private buffer: Buffer = Buffer.alloc(0);
  private waiting: { resolve: (a: RawAnswer) => void; reject: (e: Error) => void }[] = [];
  private closed: Error | undefined;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.buffer = this.buffer.length === 0 ? d : Buffer.concat([this.buffer, d]);
      this.drain();
    });
    const fail = (err: Error): void => {
      this.closed ??= err;
      for (const w of this.waiting.splice(0)) w.reject(this.closed);
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('connection closed')));
  }

  static open(port: number): Promise<PipelinedConnection> {
    return new Promise((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port }, () => {
        s.off('error', reject);
        s.setNoDelay(true);
        resolve(new PipelinedConnection(s));
      });
      s.once('error', reject);
    });
  }

  /** Writes every request at once; resolves with their answers, in order. */
  send(requests: readonly Buffer[]): Promise<RawAnswer[]> {
    if (this.closed) return Promise.reject(this.closed);
    const answers = requests.map(() => new Promise<RawAnswer>((resolve, reject) => this.waiting.push({ resolve, reject })));
    this.socket.write(Buffer.concat(requests));
    return Promise.all(answers);
  }

  close(): void {
    this.socket.destroy();
  }

  private drain(): void {
    for (;;) {
      const end = this.buffer.indexOf(HEAD_END);
      if (end < 0) return;
      const head = this.buffer.subarray(0, end).toString('latin1');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
      if (this.buffer.length < end + 4 + length) return;
      const body = this.buffer.subarray(end + 4, end + 4 + length);
      this.buffer = this.buffer.subarray(end + 4 + length);
      this.waiting.shift()?.resolve({ status, close: /\r\nconnection: *close/i.test(head), body });
    }
  }
}

/**
 * Writes `data` (in pieces `every` ms apart when given) on a new connection and reads until the
 * server closes it or `timeoutMs` passes. Resolves with what came back and whether the server closed.
 */
export function oneShot(port: number, data: Buffer | readonly Buffer[], timeoutMs: number, every = 0): Promise<{ reply: string; closedByServer: boolean; ms: number }> {
  const pieces = Buffer.isBuffer(data) ? [data] : data;
  return new Promise((resolve) => {
    const started = Date.now();
    const chunks: Buffer[] = [];
    const s = connect({ host: '127.0.0.1', port });
    let timer: NodeJS.Timeout | undefined;
    const done = (closedByServer: boolean): void => {
      clearTimeout(timer);
      clearInterval(trickle);
      s.destroy();
      resolve({ reply: Buffer.concat(chunks).toString('latin1'), closedByServer, ms: Date.now() - started });
    };
    let next = 0;
    let trickle: NodeJS.Timeout | undefined;
    s.on('connect', () => {
      if (every === 0) {
        for (const p of pieces) s.write(p);
        return;
      }
      trickle = setInterval(() => {
        if (next < pieces.length && !s.destroyed) s.write(pieces[next++]!);
      }, every);
    });
    s.on('data', (d: Buffer) => chunks.push(d));
    s.on('error', () => {});
    s.on('close', () => done(true));
    timer = setTimeout(() => done(false), timeoutMs);
  });
}

/** Opens `n` connections that send nothing; resolves once all are connected. */
export async function idleConnections(port: number, n: number): Promise<{ sockets: Socket[]; closedByServer: () => number }> {
  let closed = 0;
  const sockets = await Promise.all(
    Array.from({ length: n }, () => new Promise<Socket>((resolve) => {
      const s = connect({ host: '127.0.0.1', port }, () => resolve(s));
      s.on('error', () => resolve(s));
      // Read (nothing comes): a paused socket would never see the server's FIN.
      s.resume();
      s.on('close', () => closed++);
    })),
  );
  return { sockets, closedByServer: () => closed };
}
