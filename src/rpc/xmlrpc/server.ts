/** oned's XML-RPC endpoint: POST /RPC2 over node:http (or node:https), methods dispatched to one async handler. */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { DEFAULT_MAX_NESTING, decodeMethodCall, decodeUtf8 } from './decode.js';
import { encodeFault, encodeResponseParts } from './encode.js';
import { FaultCode, XmlRpcFault, type MethodCall, type XmlRpcValue } from './value.js';

/** Who is calling. */
export interface CallContext {
  readonly remoteAddress: string;
}

/**
 * Runs one call. Throwing XmlRpcFault answers with that fault; any other throw answers
 * fault -500 "Internal error" (the error goes to `onError`, never to the client).
 * Unknown methods are the handler's to refuse, with FaultCode.NO_SUCH_METHOD.
 */
export type CallHandler = (call: MethodCall, ctx: CallContext) => XmlRpcValue | Promise<XmlRpcValue>;

/** Server settings; the names in capitals are oned.conf's. */
export interface XmlRpcServerOptions {
  /** LISTEN_ADDRESS. */
  host: string;
  /** PORT (2633); 0 picks a free port. */
  port: number;
  /** Request path, default '/RPC2'. */
  path?: string;
  /** MESSAGE_SIZE: a larger body is answered with fault -509 and its connection closed, unread. */
  maxBodyBytes: number;
  /** MAX_NESTING, default 64: arrays and structs nested deeper are refused with fault -503. */
  maxNesting?: number;
  /** KEEPALIVE_TIMEOUT, default 15 s. */
  keepAliveTimeoutSec?: number;
  /** KEEPALIVE_MAX_CONN: requests served per connection; 0/undefined = unlimited. */
  keepAliveMaxRequests?: number;
  /**
   * TIMEOUT, default 15 s: a client that has not sent its whole request by then is cut off (HTTP
   * 408), and a new connection that has not begun a request by then is closed.
   */
  requestTimeoutSec?: number;
  /**
   * MAX_CONN: connections served at once; 0/undefined = unlimited. At the cap, a new connection
   * closes the one idle longest; when all are busy with calls, it waits its turn.
   */
  maxConnections?: number;
  /**
   * MAX_CONN_BACKLOG, default 15: connections that may wait for a MAX_CONN slot. (This is not
   * the kernel's listen backlog, which is LISTEN_BACKLOG: see there.)
   */
  connectionBacklog?: number;
  /** XMLRPC_TLS: serve https with this certificate (chain) and key, PEM. */
  tls?: { readonly cert: string | Buffer; readonly key: string | Buffer };
  handler: CallHandler;
  /** Receives handler errors other than faults, and server errors after listen(). */
  onError?: (err: unknown) => void;
}

const DEFAULT_TIMEOUT_SEC = 15;
const DEFAULT_BACKLOG = 15;
/**
 * The kernel's accept queue (capped by net.core.somaxconn). node's default, 511, overflows when a
 * thousand clients connect at once while the event loop is busy for a moment: the kernel then
 * drops the handshake's last ACK, the client believes it is connected, and its request waits on
 * TCP retransmits (1, 2, 4, 8, 16 s...) before oned ever sees it. Connections are accepted at
 * once and MAX_CONN decides what to keep, so a deep queue costs nothing but absorbs the burst.
 */
const LISTEN_BACKLOG = 4096;
/** How often node:http looks for requests past their timeout; its default (30 s) would double TIMEOUT. */
const MAX_TIMEOUT_CHECK_MS = 1000;

export class XmlRpcServer {
  readonly #http: http.Server | https.Server;
  readonly #host: string;
  readonly #port: number;
  readonly #path: string;
  readonly #maxBodyBytes: number;
  readonly #maxNesting: number;
  readonly #backlog: number;
  readonly #handler: CallHandler;
  readonly #onError: (err: unknown) => void;
  /** Set by close(): responses written from then on close their connection. */
  #closing = false;
  /** The admitted connections: calls begin and end on them; one idle at MAX_CONN is evicted. */
  readonly #connections = new WeakMap<Socket, { begin(): void; end(): void; evict(): void; requests(): number }>();
  /** Drops the connections waiting for a MAX_CONN slot. */
  #dropWaiting: () => void = () => {};

  constructor(opts: XmlRpcServerOptions) {
    this.#host = opts.host;
    this.#port = opts.port;
    this.#path = opts.path ?? '/RPC2';
    this.#maxBodyBytes = opts.maxBodyBytes;
    this.#maxNesting = opts.maxNesting ?? DEFAULT_MAX_NESTING;
    this.#backlog = opts.connectionBacklog ?? DEFAULT_BACKLOG;
    this.#handler = opts.handler;
    this.#onError = opts.onError ?? (() => {});
    const requestTimeout = (opts.requestTimeoutSec ?? DEFAULT_TIMEOUT_SEC) * 1000;
    const httpOptions: http.ServerOptions = {
      requestTimeout,
      keepAliveTimeout: (opts.keepAliveTimeoutSec ?? DEFAULT_TIMEOUT_SEC) * 1000,
      connectionsCheckingInterval: Math.min(requestTimeout || MAX_TIMEOUT_CHECK_MS, MAX_TIMEOUT_CHECK_MS),
      // Old XML-RPC clients may omit Host; xmlrpc-c's server does not insist on it either.
      requireHostHeader: false,
    };
    const onRequest = (req: http.IncomingMessage, res: http.ServerResponse): void => this.#onRequest(req, res);
    if (opts.tls) {
      this.#http = https.createServer({ ...httpOptions, cert: opts.tls.cert, key: opts.tls.key }, onRequest);
      this.#answerPlainHttp();
    } else {
      this.#http = http.createServer(httpOptions, onRequest);
    }
    this.#http.maxRequestsPerSocket = opts.keepAliveMaxRequests ?? 0;
    this.#manageConnections(opts.maxConnections ?? 0, requestTimeout);
    this.#http.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => this.#clientError(err, socket));
  }

  /**
   * What node:http does with a client's error (an HTTP answer saying why, then close), except
   * for TIMEOUT when oned itself was late. node:http counts TIMEOUT from the accept, and checks
   * it on a timer that runs before the next read of the sockets: a connection accepted just
   * before oned was busy for longer than TIMEOUT (a 100,000-VM listing on a loaded machine) was
   * answered 408, or hung up on, though its whole request was waiting in the socket. The
   * verdict waits for the end of the next event-loop turn, whose reads begin such a request.
   */
  #clientError(err: NodeJS.ErrnoException, socket: Socket): void {
    if (err.code !== 'ERR_HTTP_REQUEST_TIMEOUT') return answerClientError(err, socket);
    const before = this.#connectionOf(socket)?.requests() ?? 0;
    setImmediate(() => {
      if ((this.#connectionOf(socket)?.requests() ?? 0) === before) answerClientError(err, socket);
    });
  }

  /** The admitted connection of a request's socket (on the TLS port, the TCP connection it wraps). */
  #connectionOf(socket: Socket) {
    return this.#connections.get(socket) ?? this.#connections.get((socket as { _parent?: Socket })._parent as Socket);
  }

  /** Starts listening; resolves with the bound address (useful with port 0). */
  listen(): Promise<{ address: string; port: number }> {
    const server = this.#http;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: this.#host, port: this.#port, backlog: LISTEN_BACKLOG }, () => {
        server.off('error', reject);
        server.on('error', this.#onError);
        const { address, port } = server.address() as AddressInfo;
        resolve({ address, port });
      });
    });
  }

  /**
   * Stops accepting connections, lets in-flight calls finish (their connections close after
   * the response), closes idle keep-alive connections (node:http does so on close), and
   * resolves once every connection is gone.
   */
  close(): Promise<void> {
    this.#closing = true;
    return new Promise((resolve) => {
      // The callback gets an error only when the server was not listening: closed is closed.
      this.#http.close(() => resolve());
      this.#dropWaiting();
    });
  }

  #onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    // On the TLS port, requests arrive on the TLS socket that wraps the admitted TCP connection.
    const connection = this.#connectionOf(req.socket);
    if (connection) {
      connection.begin();
      res.once('close', () => connection.end());
    }
    const url = req.url ?? '';
    const path = this.#path;
    if (url !== path && !(url.startsWith(path) && url.charCodeAt(path.length) === 0x3f /* ? */)) {
      this.#sendText(res, 404, 'Not Found');
      return;
    }
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      this.#sendText(res, 405, 'Method Not Allowed');
      return;
    }
    const limit = this.#maxBodyBytes;
    const declared = Number(req.headers['content-length']);
    if (declared > limit) {
      this.#refuseTooLarge(req, res, `${declared} bytes`);
      return;
    }
    // Without a Content-Length (chunked) the size is only known while reading.
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) this.#refuseTooLarge(req, res, `more than ${limit} bytes`);
      else chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => {
      if (size > limit) return;
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
      void this.#answer(body, req.socket.remoteAddress ?? '').then((xml) => this.#sendXml(res, xml));
    });
  }

  /** The response document for one request body; never throws. */
  async #answer(body: Buffer, remoteAddress: string): Promise<(string | Buffer)[]> {
    try {
      const call = decodeMethodCall(decodeUtf8(body), this.#maxNesting);
      return encodeResponseParts(await this.#handler(call, { remoteAddress }));
    } catch (err) {
      if (err instanceof XmlRpcFault) return [encodeFault(err.code, err.message)];
      this.#onError(err);
      return [encodeFault(FaultCode.INTERNAL, 'Internal error')];
    }
  }

  /** Answers fault -509 and closes the connection instead of reading the rest of the body. */
  #refuseTooLarge(req: http.IncomingMessage, res: http.ServerResponse, size: string): void {
    req.removeAllListeners('data');
    req.pause();
    res.setHeader('Connection', 'close');
    const message = `XML-RPC request of ${size} exceeds the maximum message size of ${this.#maxBodyBytes} bytes`;
    this.#sendXml(res, [encodeFault(FaultCode.LIMIT_EXCEEDED, message)]);
  }

  #sendXml(res: http.ServerResponse, parts: readonly (string | Buffer)[]): void {
    this.#send(res, 200, 'text/xml', parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p)));
  }

  #sendText(res: http.ServerResponse, status: number, text: string): void {
    this.#send(res, status, 'text/plain', [Buffer.from(`${text}\n`, 'latin1')]);
  }

  #send(res: http.ServerResponse, status: number, contentType: string, body: readonly Buffer[]): void {
    if (this.#closing) res.setHeader('Connection', 'close');
    res.setHeader('Content-Type', contentType);
    res.setHeader('Content-Length', body.reduce((n, b) => n + b.length, 0));
    res.writeHead(status);
    for (let i = 0; i < body.length - 1; i++) res.write(body[i]);
    res.end(body[body.length - 1]);
  }

  /**
   * On a TLS port, a plain-HTTP client fails the handshake (OpenSSL's "http request"); it gets a
   * plain HTTP 400 saying to use https, written on the raw connection, instead of a reset that
   * tells nothing. Nothing is added to the path of TLS connections.
   */
  #answerPlainHttp(): void {
    const text = 'This XML-RPC endpoint speaks HTTPS only: use an https:// URL.\n';
    const answer = `HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: ${text.length}\r\nConnection: close\r\n\r\n${text}`;
    this.#http.on('tlsClientError', (err: NodeJS.ErrnoException, socket: { _parent?: Socket }) => {
      const raw = socket._parent;
      if (err.code === 'ERR_SSL_HTTP_REQUEST' && raw && !raw.destroyed) raw.end(answer);
    });
  }

  /**
   * Every connection passes through here (node:http's connection listener is taken over, and
   * each admitted socket handed to it: emitting 'connection' is node's way to inject sockets).
   *
   * - A connection that has not sent a whole request head within TIMEOUT is closed: node:http
   *   times out a request once it has begun, but not a connection that sends nothing at all.
   * - MAX_CONN: at most `max` connections are served. When a connection arrives at the cap, an
   *   idle one is closed to make room: the oldest of those that never began a request (idle or
   *   trickling), else the one kept alive longest since its last answer. Idle and slow
   *   connections thus cannot starve clients that call. When every
   *   connection is busy with a call, further ones wait (up to the backlog) until one closes,
   *   as with xmlrpc-c, rather than being refused.
   */
  #manageConnections(max: number, firstRequestMs: number): void {
    const server = this.#http;
    const listeners = server.listeners('connection');
    if (listeners.length !== 1) throw new Error('node:http registered an unexpected number of connection listeners');
    const serve = listeners[0] as (socket: Socket) => void;
    server.removeAllListeners('connection');
    let active = 0;
    /** Admitted connections that have not begun a request, oldest first. */
    const fresh = new Set<Socket>();
    /** Admitted connections kept alive between calls, longest idle first. */
    const idle = new Set<Socket>();
    const waiting: Socket[] = [];
    const ignoreError = (): void => {};
    const admitWaiting = (): void => {
      while (waiting.length > 0 && active < max) {
        const next = waiting.shift()!;
        next.off('error', ignoreError);
        admit(next);
      }
    };
    const admit = (socket: Socket): void => {
      active++;
      let counted = true;
      let calls = 0;
      let requests = 0;
      fresh.add(socket);
      // Deferred as #clientError's verdict: a request read in the next turn is served.
      const firstRequest = firstRequestMs > 0 ? setTimeout(() => setImmediate(() => requests === 0 && socket.destroy()), firstRequestMs) : undefined;
      firstRequest?.unref();
      const release = (): void => {
        if (!counted) return;
        counted = false;
        active--;
        fresh.delete(socket);
        idle.delete(socket);
      };
      this.#connections.set(socket, {
        begin: () => {
          clearTimeout(firstRequest);
          calls++;
          requests++;
          fresh.delete(socket);
          idle.delete(socket);
        },
        end: () => {
          if (--calls === 0 && counted) idle.add(socket);
        },
        evict: () => {
          release();
          socket.destroy();
        },
        requests: () => requests,
      });
      socket.once('close', () => {
        clearTimeout(firstRequest);
        release();
        admitWaiting();
      });
      serve.call(server, socket);
    };
    server.on('connection', (socket: Socket) => {
      if (max > 0 && active >= max) {
        const oldest = fresh.values().next().value ?? idle.values().next().value;
        if (oldest) this.#connections.get(oldest)?.evict();
      }
      if (max === 0 || active < max) return admit(socket);
      if (waiting.length >= this.#backlog) return void socket.destroy();
      waiting.push(socket);
      // A waiting socket has no other listener yet: a reset must not become an uncaught error.
      socket.on('error', ignoreError);
      socket.once('close', () => {
        const index = waiting.indexOf(socket);
        if (index >= 0) waiting.splice(index, 1);
      });
    });
    this.#dropWaiting = () => {
      for (const socket of waiting.splice(0)) socket.destroy();
    };
  }
}

/** node:http's answer to a client's error: 408, 431, 413 or 400 when nothing was answered yet, then close. */
function answerClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  if (socket.destroyed) return;
  const status: Record<string, string> = {
    ERR_HTTP_REQUEST_TIMEOUT: '408 Request Timeout',
    HPE_HEADER_OVERFLOW: '431 Request Header Fields Too Large',
    HPE_CHUNK_EXTENSIONS_OVERFLOW: '413 Payload Too Large',
  };
  const pending = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (socket.writable && !pending?.headersSent) socket.write(`HTTP/1.1 ${status[err.code ?? ''] ?? '400 Bad Request'}\r\nConnection: close\r\n\r\n`);
  socket.destroy(err);
}
