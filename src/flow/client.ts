/**
 * The client of oneflow-server's REST API, as OpenNebula's OneFlow clients: the server at
 * ONEFLOW_URL (default http://localhost:2474), the user's `user:password` from ONE_AUTH (or
 * ~/.one/one_auth) sent by HTTP basic auth. Answers are OneFlow's JSON documents.
 */
import { sessionFromEnvironment } from '../oca/credentials.js';

export const DEFAULT_ONEFLOW_URL = 'http://localhost:2474';

/** A refusal of the server (status and message) or a server that does not answer (status 0). */
export class FlowClientError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** A document as OneFlow answers it. */
export interface FlowDocument<B = Record<string, unknown>> {
  ID: string;
  UID: string;
  GID: string;
  UNAME: string;
  GNAME: string;
  NAME: string;
  TYPE: string;
  PERMISSIONS: Record<string, string>;
  TEMPLATE: { BODY: B };
}

export interface FlowClientOptions {
  readonly url?: string;
  readonly session?: string;
}

export class FlowClient {
  readonly url: string;
  private readonly auth: string;

  constructor(options: FlowClientOptions = {}) {
    this.url = (options.url ?? process.env.ONEFLOW_URL ?? DEFAULT_ONEFLOW_URL).replace(/\/+$/, '');
    this.auth = `Basic ${Buffer.from(options.session ?? sessionFromEnvironment()).toString('base64')}`;
  }

  private async request(method: string, path: string, body?: unknown): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(`${this.url}${path}`, {
        method,
        headers: { authorization: this.auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      throw new FlowClientError(0, `Cannot reach oneflow-server at ${this.url}: ${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message}. Is it running? Check ONEFLOW_URL.`);
    }
    const text = await res.text();
    let data: unknown = undefined;
    if (text !== '') {
      try {
        data = JSON.parse(text);
      } catch {
        data = text;
      }
    }
    if (!res.ok) {
      const message = (data as { error?: { message?: string } } | undefined)?.error?.message ?? (typeof data === 'string' ? data : res.statusText);
      throw new FlowClientError(res.status, message);
    }
    return data;
  }

  private static docs<B>(pool: unknown): FlowDocument<B>[] {
    const d = (pool as { DOCUMENT_POOL?: { DOCUMENT?: FlowDocument<B> | FlowDocument<B>[] } }).DOCUMENT_POOL?.DOCUMENT;
    return d === undefined ? [] : Array.isArray(d) ? d : [d];
  }

  private static doc<B>(answer: unknown): FlowDocument<B> {
    return (answer as { DOCUMENT: FlowDocument<B> }).DOCUMENT;
  }

  private action(path: string, perform: string, params: Record<string, unknown> = {}): Promise<unknown> {
    return this.request('POST', path, { action: { perform, params } });
  }

  // ---- service templates ----
  async listTemplates<B = Record<string, unknown>>(): Promise<FlowDocument<B>[]> {
    return FlowClient.docs<B>(await this.request('GET', '/service_template'));
  }
  async template<B = Record<string, unknown>>(id: number): Promise<FlowDocument<B>> {
    return FlowClient.doc<B>(await this.request('GET', `/service_template/${id}`));
  }
  /** Creates a template from its JSON body; answers the new document. */
  async createTemplate<B = Record<string, unknown>>(body: unknown): Promise<FlowDocument<B>> {
    return FlowClient.doc<B>(await this.request('POST', '/service_template', body));
  }
  /** Replaces the template's body (`append`: merges the given keys into it). */
  async updateTemplate(id: number, body: unknown, append = false): Promise<void> {
    await this.request('PUT', `/service_template/${id}`, append ? { template: body, append: true } : body);
  }
  async deleteTemplate(id: number): Promise<void> {
    await this.request('DELETE', `/service_template/${id}`);
  }
  /** A new service; `merge` changes the template's values for it (name, roles...). */
  async instantiate<B = Record<string, unknown>>(id: number, merge?: Record<string, unknown>): Promise<FlowDocument<B>> {
    return FlowClient.doc<B>(await this.action(`/service_template/${id}/action`, 'instantiate', merge ? { merge_template: merge } : {}));
  }
  async cloneTemplate<B = Record<string, unknown>>(id: number, name: string): Promise<FlowDocument<B>> {
    return FlowClient.doc<B>(await this.action(`/service_template/${id}/action`, 'clone', { name }));
  }
  async templateAction(id: number, perform: 'chown' | 'chgrp' | 'chmod' | 'rename', params: Record<string, unknown>): Promise<void> {
    await this.action(`/service_template/${id}/action`, perform, params);
  }

  // ---- services ----
  async listServices<B = Record<string, unknown>>(): Promise<FlowDocument<B>[]> {
    return FlowClient.docs<B>(await this.request('GET', '/service'));
  }
  async service<B = Record<string, unknown>>(id: number): Promise<FlowDocument<B>> {
    return FlowClient.doc<B>(await this.request('GET', `/service/${id}`));
  }
  /** Undeploys the service (children first) and deletes it once its VMs are gone. */
  async deleteService(id: number): Promise<void> {
    await this.request('DELETE', `/service/${id}`);
  }
  /** recover (`{ delete: true }` to give up and remove), shutdown, chown, chgrp, chmod, rename. */
  async serviceAction(id: number, perform: string, params: Record<string, unknown> = {}): Promise<void> {
    await this.action(`/service/${id}/action`, perform, params);
  }
  /** Sets a role's cardinality (`force` ignores min_vms/max_vms). */
  async scale(id: number, role: string, cardinality: number, force = false): Promise<void> {
    await this.request('POST', `/service/${id}/scale`, { role_name: role, cardinality, force });
  }
  /** A VM action (poweroff, reboot, hold...) on every VM of a role. */
  async roleAction(id: number, role: string, perform: string): Promise<void> {
    await this.action(`/service/${id}/role/${encodeURIComponent(role)}/action`, perform, {});
  }
}
