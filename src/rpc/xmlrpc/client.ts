/** A small XML-RPC client over keep-alive HTTP(S) connections. */
import http from 'node:http';
import https from 'node:https';
import { decodeMethodResponse, decodeUtf8 } from './decode.js';
import { encodeMethodCall } from './encode.js';
import { fastResponseBytes } from './fast-response-bytes.js';
import type { XmlRpcValue } from './value.js';
import { clientTls } from './trust.js';

export interface XmlRpcClientOptions {
  /** Limit for a whole call (send, server work, receive); default 60 000 ms. */
  timeoutMs?: number;
  /** Connections kept to the server at most; default unlimited. */
  maxSockets?: number;
}

const DEFAULT_TIMEOUT_MS = 60_000;

export class XmlRpcClient {
  readonly #url: URL;
  readonly #agent: http.Agent;
  readonly #request: typeof http.request;
  readonly #timeoutMs: number;

  /** `url` is the endpoint, e.g. `http://localhost:2633/RPC2` (http or https). */
  constructor(url: string, opts: XmlRpcClientOptions = {}) {
    this.#url = new URL(url);
    const secure = this.#url.protocol === 'https:';
    if (!secure && this.#url.protocol !== 'http:') throw new TypeError(`unsupported XML-RPC endpoint ${url}`);
    const agentOptions = { keepAlive: true, maxSockets: opts.maxSockets ?? Infinity };
    // https: the CAs of ONE_CERT_DIR and NODE_EXTRA_CA_CERTS too (trust.ts).
    this.#agent = secure ? new https.Agent({ ...agentOptions, ...clientTls() }) : new http.Agent(agentOptions);
    this.#request = secure ? https.request : http.request;
    this.#timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /**
   * Calls `method` and resolves with the response value. Rejects with XmlRpcFault for a fault
   * response (or an unreadable one: PARSE / INVALID_UTF8), and with an Error for HTTP and
   * network failures, including the timeout (code 'ETIMEDOUT').
   */
  async call(method: string, params: readonly XmlRpcValue[]): Promise<XmlRpcValue> {
    const body = Buffer.from(encodeMethodCall(method, params), 'utf8');
    const answer = await this.#post(body, true);
    // oned's usual answer is read from its bytes; anything else from its text, fully checked.
    return fastResponseBytes(answer) ?? decodeMethodResponse(decodeUtf8(answer));
  }

  /** Closes the kept-alive connections. */
  close(): void {
    this.#agent.destroy();
  }

  /**
   * One POST. A kept-alive connection may be closed by the server just as it is reused; such a
   * request was never received, so it is sent once more on a fresh connection.
   */
  #post(body: Buffer, mayRetry: boolean): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      let responded = false;
      const req = this.#request(this.#url, {
        agent: this.#agent,
        method: 'POST',
        headers: { 'Content-Type': 'text/xml', 'Content-Length': body.length },
      });
      const timer = setTimeout(() => {
        const err: NodeJS.ErrnoException = new Error(`XML-RPC call timed out after ${this.#timeoutMs} ms`);
        err.code = 'ETIMEDOUT';
        req.destroy(err);
      }, this.#timeoutMs);
      const fail = (err: NodeJS.ErrnoException): void => {
        clearTimeout(timer);
        if (mayRetry && !responded && req.reusedSocket && err.code === 'ECONNRESET') resolve(this.#post(body, false));
        else reject(err);
      };
      req.on('error', fail);
      req.on('response', (res) => {
        responded = true;
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', fail);
        res.on('end', () => {
          clearTimeout(timer);
          if (res.statusCode !== 200) {
            // A short plain-text reason (e.g. "this port speaks HTTPS") is part of the message.
            const text = /^text\/plain/.test(res.headers['content-type'] ?? '') ? Buffer.concat(chunks).toString('utf8', 0, 300).trim() : '';
            reject(new Error(`XML-RPC endpoint answered HTTP ${res.statusCode} ${res.statusMessage ?? ''}`.trimEnd() + (text ? `: ${text}` : '')));
            return;
          }
          resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
        });
      });
      req.end(body);
    });
  }
}
