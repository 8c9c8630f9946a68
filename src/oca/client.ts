/**
 * The client of oned's XML-RPC API: the session goes first in every call, OpenNebula's
 * `[ok, value, code]` answers become values or OneError, transport failures OneConnectionError.
 * Connections are kept alive between calls.
 */
// The client's own modules, not the package index: it would load the server too.
import { XmlRpcClient } from '../rpc/xmlrpc/client.js';
import { XmlRpcFault, type XmlRpcValue } from '../rpc/xmlrpc/value.js';
import { endpointFromEnvironment, sessionFromEnvironment } from './credentials.js';
import { OneConnectionError, OneError } from './errors.js';

export interface OneClientOptions {
  /** `http://host:2633/RPC2`; default from ONE_XMLRPC / ~/.one/one_endpoint. */
  readonly endpoint?: string;
  /** `user:password`; default from ONE_AUTH / ~/.one/one_auth. */
  readonly session?: string;
  /** Limit of one call, in ms (default 60 s). */
  readonly timeoutMs?: number;
}

export class OneClient {
  readonly endpoint: string;
  readonly session: string;
  private readonly rpc: XmlRpcClient;

  constructor(options: OneClientOptions = {}) {
    this.endpoint = options.endpoint ?? endpointFromEnvironment();
    this.session = options.session ?? sessionFromEnvironment();
    this.rpc = new XmlRpcClient(this.endpoint, { timeoutMs: options.timeoutMs });
  }

  /** The user name of the session. */
  get user(): string {
    return this.session.slice(0, this.session.indexOf(':'));
  }

  /**
   * Calls `method` with the session and `params`; resolves with the value of a successful answer.
   * @throws OneError (oned refused), OneConnectionError (oned unreachable, timeout, not XML-RPC)
   */
  async call(method: string, ...params: XmlRpcValue[]): Promise<XmlRpcValue> {
    let answer: XmlRpcValue;
    try {
      answer = await this.rpc.call(method, [this.session, ...params]);
    } catch (err) {
      if (err instanceof XmlRpcFault) throw new OneError(method, `[${method}] ${err.message}`, err.code);
      const e = err as NodeJS.ErrnoException;
      const why =
        e.code === 'ECONNREFUSED'
          ? 'connection refused (is oned running?)'
          : e.code === 'ETIMEDOUT'
            ? 'no answer in time'
            : /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS_CERT_ALTNAME/.test(e.code ?? '')
              ? `its TLS certificate is not trusted (${e.message}); put the CA that signed it in the directory ONE_CERT_DIR names`
              : e.message;
      throw new OneConnectionError(`Cannot reach oned at ${this.endpoint}: ${why}. Check ONE_XMLRPC or ~/.one/one_endpoint.`);
    }
    if (!Array.isArray(answer) || typeof answer[0] !== 'boolean') throw new OneConnectionError(`${method}: the answer is not an OpenNebula response`);
    if (answer[0]) return answer[1] ?? null;
    const code = typeof answer[2] === 'number' ? answer[2] : -1;
    const id = typeof answer[3] === 'number' ? answer[3] : undefined;
    throw new OneError(method, String(answer[1]), code, id);
  }

  /** Closes the kept-alive connections. */
  close(): void {
    this.rpc.close();
  }
}
