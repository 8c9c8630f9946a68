/**
 * A tiny VNC server for the console tests: RFB 3.8 with no authentication, a 64x48 screen and one
 * raw frame of a solid colour, enough for noVNC to connect and paint. It counts connections and
 * what it received, so a test can see that bytes crossed the proxy.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export const FAKE_W = 64;
export const FAKE_H = 48;

export class FakeVnc {
  connections = 0;
  /** Connections that finished the handshake (the client sent ClientInit). */
  initialised = 0;
  private readonly sockets = new Set<Socket>();
  private constructor(readonly server: Server) {}

  static async start(host = '127.0.0.1'): Promise<FakeVnc> {
    const server = createServer();
    const fake = new FakeVnc(server);
    server.on('connection', (s) => fake.serve(s));
    await new Promise<void>((res) => server.listen(0, host, res));
    return fake;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  private serve(s: Socket): void {
    this.connections++;
    this.sockets.add(s);
    s.on('close', () => this.sockets.delete(s));
    s.on('error', () => undefined);
    let stage: 'version' | 'security' | 'init' | 'running' = 'version';
    let buf = Buffer.alloc(0);
    let painted = false;
    s.write('RFB 003.008\n');
    s.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (stage === 'version' && buf.length >= 12) {
        buf = buf.subarray(12);
        stage = 'security';
        s.write(Buffer.from([1, 1])); // one security type: None
      }
      if (stage === 'security' && buf.length >= 1) {
        buf = buf.subarray(1);
        stage = 'init';
        s.write(Buffer.from([0, 0, 0, 0])); // SecurityResult: OK
      }
      if (stage === 'init' && buf.length >= 1) {
        buf = buf.subarray(1);
        stage = 'running';
        this.initialised++;
        const name = Buffer.from('fake-vnc');
        const init = Buffer.alloc(24);
        init.writeUInt16BE(FAKE_W, 0);
        init.writeUInt16BE(FAKE_H, 2);
        // Pixel format: 32 bpp, depth 24, little-endian, true colour, 255 per channel, shifts 16/8/0.
        Buffer.from([32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0]).copy(init, 4);
        init.writeUInt32BE(name.length, 20);
        s.write(Buffer.concat([init, name]));
        return;
      }
      // The client's first requests (pixel format, encodings, update request): paint once.
      if (stage === 'running' && !painted && buf.length > 0) {
        painted = true;
        const head = Buffer.alloc(16);
        head.writeUInt8(0, 0); // FramebufferUpdate
        head.writeUInt16BE(1, 2); // one rectangle
        head.writeUInt16BE(FAKE_W, 8);
        head.writeUInt16BE(FAKE_H, 10);
        head.writeInt32BE(0, 12); // raw encoding
        // noVNC asks for 32 bpp little-endian with red at shift 0: bytes R, G, B, pad.
        const pixels = Buffer.alloc(FAKE_W * FAKE_H * 4);
        for (let i = 0; i < pixels.length; i += 4) pixels.set([230, 120, 20, 0], i);
        s.write(Buffer.concat([head, pixels]));
      }
    });
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((res) => this.server.close(() => res()));
  }
}
