/**
 * Consoles, the byte half: the node server's `upgrade` event on `/api/console/ws?token=...`
 * becomes a websocket (the `ws` package) once the Origin is the server's own, the browser's
 * session is the one the token was issued to and the token is fresh and unused. Its bytes go to
 * the VM's VNC port over TCP: directly when the host's address answers, else through
 * `ssh -W <listen>:<port> <host>` (a child process with arguments, never a shell line), as the
 * server's user reaches hosts like oned does.
 * A refusal is a websocket close with a 4xxx code and a sentence the page shows.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { IncomingMessage, Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ConsoleTarget, ConsoleTokens } from './console.js';
import type { SessionStore } from './sessions.js';

export const CONSOLE_WS_PATH = '/api/console/ws';
/** How long a direct TCP connection may take before the proxy tries ssh. */
const DIRECT_TIMEOUT_MS = 3000;

export const CLOSE = { TOKEN: 4001, UNREACHABLE: 4002, SESSION: 4003 } as const;

/** Handles console websockets on `server`; other upgrade requests are refused. */
export function attachConsoleProxy(server: Server, tokens: ConsoleTokens, sessions: SessionStore, cookieName: string): void {
  const wss = new WebSocketServer({ noServer: true, handleProtocols: (p) => (p.has('binary') ? 'binary' : false) });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== CONSOLE_WS_PATH) return refuse(socket, 404, 'Not Found');
    if (!sameOrigin(req)) return refuse(socket, 403, 'Forbidden');
    wss.handleUpgrade(req, socket, head, (ws) => {
      const session = sessions.get(cookie(req, cookieName));
      if (!session) return ws.close(CLOSE.SESSION, 'Your session has expired: log in again');
      const target = tokens.consume(url.searchParams.get('token') ?? '');
      if (!target || target.sessionId !== session.id)
        return ws.close(CLOSE.TOKEN, 'This console link has expired or was already used: open the console again');
      void (target.kind === 'serial' ? serial(ws, target) : pipe(ws, target));
    });
  });
}

/** The Origin header names this very server (a page of another site may not open consoles). */
function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (!origin || !req.headers.host) return false;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

function refuse(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

/** Relays the websocket to the VNC server; what the browser sends meanwhile waits in order. */
async function pipe(ws: WebSocket, target: ConsoleTarget): Promise<void> {
  const pending: Buffer[] = [];
  let upstream: { write(b: Buffer): void; end(): void } | undefined;
  ws.on('message', (data: Buffer) => (upstream ? upstream.write(data) : pending.push(data)));
  let closed = false;
  ws.on('close', () => {
    closed = true;
    upstream?.end();
  });
  const toBrowser = (b: Buffer) => ws.readyState === ws.OPEN && ws.send(b, { binary: true });
  const ended = (why?: string) => {
    if (ws.readyState === ws.OPEN) ws.close(why ? CLOSE.UNREACHABLE : 1000, why?.slice(0, 120) ?? 'The console closed');
  };

  const direct = await connectDirect(target.host, target.port);
  if (closed) {
    direct?.destroy();
    return;
  }
  // One line per console opened: who, which VM, and how the server reached it.
  console.log(`sunstone-server: console of VM ${target.vmId} for ${target.user}: ${direct ? 'direct TCP' : 'ssh -W'} to ${target.host}:${target.port}`);
  if (direct) {
    direct.on('data', toBrowser);
    direct.on('close', () => ended());
    direct.on('error', () => undefined);
    upstream = { write: (b) => direct.write(b), end: () => direct.destroy() };
  } else {
    const ssh = sshTunnel(target);
    let stderr = '';
    let got = false;
    ssh.stdout!.on('data', (b: Buffer) => {
      got = true;
      toBrowser(b);
    });
    ssh.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
    ssh.stdin!.on('error', () => undefined);
    ssh.on('error', (err) => ended(`Cannot run ssh to ${target.host}: ${err.message}`));
    ssh.on('close', (code) => ended(got ? undefined : `Cannot reach the VNC server of VM ${target.vmId} on ${target.host}:${target.port}${code ? ` (ssh: ${stderr.trim().split('\n').pop() ?? code})` : ''}`));
    upstream = { write: (b) => ssh.stdin!.write(b), end: () => ssh.kill() };
  }
  for (const b of pending.splice(0)) upstream.write(b);
}

function connectDirect(host: string, port: number): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    const fail = () => {
      s.destroy();
      resolve(undefined);
    };
    s.setTimeout(DIRECT_TIMEOUT_MS, fail);
    s.once('error', fail);
    s.once('connect', () => {
      s.setTimeout(0);
      s.removeListener('error', fail);
      resolve(s);
    });
  });
}

/** `ssh -W`: the host's sshd connects to the VNC port on the host's side (its loopback when VNC listens everywhere). */
function sshTunnel(t: ConsoleTarget): ChildProcess {
  const listen = !t.listen || t.listen === '0.0.0.0' || t.listen === '::' ? '127.0.0.1' : t.listen;
  const dest = listen.includes(':') ? `[${listen}]:${t.port}` : `${listen}:${t.port}`;
  return spawn('ssh', ['-o', 'BatchMode=yes', '-o', 'ConnectTimeout=10', '-W', dest, '--', t.host], { stdio: ['pipe', 'pipe', 'pipe'] });
}

/** Bytes of the serial file sent at first (its end: the latest boot), then what the guest adds. */
const SERIAL_TAIL_BYTES = 256 * 1024;

/**
 * The serial file to the browser, read-only: `ssh host tail -F` (ssh hands its remote command to
 * the host's shell, so the path goes single-quoted).
 */
function serial(ws: WebSocket, t: ConsoleTarget): void {
  console.log(`sunstone-server: serial output of VM ${t.vmId} for ${t.user}: ssh to ${t.host}`);
  const quoted = `'${(t.path ?? '').replace(/'/g, `'\\''`)}'`;
  const ssh = spawn('ssh', ['-o', 'BatchMode=yes', '-o', 'ConnectTimeout=10', '--', t.host, 'tail', '-c', String(SERIAL_TAIL_BYTES), '-F', quoted], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let got = false;
  ssh.stdout!.on('data', (b: Buffer) => {
    got = true;
    if (ws.readyState === ws.OPEN) ws.send(b, { binary: true });
  });
  ssh.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
  ws.on('close', () => ssh.kill());
  ws.on('message', () => undefined);
  const end = (why: string) => ws.readyState === ws.OPEN && ws.close(CLOSE.UNREACHABLE, why.slice(0, 120));
  ssh.on('error', (err) => end(`Cannot run ssh to ${t.host}: ${err.message}`));
  ssh.on('close', (code) => end(got ? 'The serial output ended' : `Cannot read the serial output of VM ${t.vmId} on ${t.host}${code ? ` (${stderr.trim().split('\n').pop() ?? code})` : ''}`));
}
