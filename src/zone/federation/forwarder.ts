/**
 * What a federation slave does with writes of federated objects: it forwards the call, session
 * and all, to the master's XML-RPC endpoint and answers with the master's answer, as
 * OpenNebula's slaves proxy them. The master writes; PostgreSQL replicates the rows back.
 * With the master away, the call fails with INTERNAL "Could not connect to the federation master
 * oned", OpenNebula's message, and says why and what still works.
 */
import { ErrorCode } from '../../common/error-code.js';
import { XmlRpcClient, XmlRpcFault, type XmlRpcValue } from '../../rpc/xmlrpc/index.js';

const USER = ['allocate', 'update', 'delete', 'passwd', 'chgrp', 'addgroup', 'delgroup', 'chauth', 'login', 'enable'];
const GROUP = ['allocate', 'update', 'delete', 'addadmin', 'deladmin', 'vlan'];
const ZONE = ['allocate', 'update', 'delete', 'rename', 'enable', 'addserver', 'delserver'];
const VDC = ['allocate', 'update', 'delete', 'rename', 'addgroup', 'delgroup', 'addcluster', 'delcluster', 'addhost', 'delhost', 'adddatastore', 'deldatastore', 'addvnet', 'delvnet'];
const MARKET = ['allocate', 'update', 'delete', 'rename', 'chown', 'chmod', 'enable'];
const MARKETAPP = [...MARKET, 'lock', 'unlock'];

/** The methods a slave forwards: every write of users, groups, ACL rules, zones, VDCs and marketplaces (and their apps). */
export const FORWARDED_METHODS: ReadonlySet<string> = new Set([
  ...USER.map((m) => `one.user.${m}`),
  ...GROUP.map((m) => `one.group.${m}`),
  'one.acl.addrule',
  'one.acl.delrule',
  ...ZONE.map((m) => `one.zone.${m}`),
  ...VDC.map((m) => `one.vdc.${m}`),
  ...MARKET.map((m) => `one.market.${m}`),
  ...MARKETAPP.map((m) => `one.marketapp.${m}`),
]);

/**
 * Sends calls, session and all, to another oned and gives back its answer; when that oned cannot
 * be reached, the failure envelope (INTERNAL) with the caller's words for it. Used by federation
 * slaves (to the master) and HA followers (to the leader, see src/ha).
 */
export class Forwarder {
  private readonly clients = new Map<string, XmlRpcClient>();

  constructor(private readonly timeoutMs = 30_000) {}

  async call(endpoint: string, method: string, params: readonly XmlRpcValue[], unreachable: (why: string) => string): Promise<XmlRpcValue> {
    let client = this.clients.get(endpoint);
    if (!client) this.clients.set(endpoint, (client = new XmlRpcClient(endpoint, { timeoutMs: this.timeoutMs })));
    try {
      return await client.call(method, [...params]);
    } catch (err) {
      if (err instanceof XmlRpcFault) throw err;
      const e = err as NodeJS.ErrnoException;
      const why = e.code === 'ECONNREFUSED' ? 'connection refused' : e.message;
      return [false, `[${method}] ${unreachable(why)}`, ErrorCode.INTERNAL, -1, -1n];
    }
  }

  close(): void {
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
  }
}

export class MasterForwarder {
  private readonly fwd: Forwarder;

  constructor(
    readonly endpoint: string,
    timeoutMs = 30_000,
  ) {
    this.fwd = new Forwarder(timeoutMs);
  }

  forwards(method: string): boolean {
    return FORWARDED_METHODS.has(method);
  }

  /** The master's answer to the call (`params` with the session first), or the failure envelope when it cannot be reached. */
  call(method: string, params: readonly XmlRpcValue[]): Promise<XmlRpcValue> {
    return this.fwd.call(
      this.endpoint,
      method,
      params,
      (why) =>
        `Could not connect to the federation master oned at ${this.endpoint} (${why}). ` +
        'Users, groups, ACL rules, zones, VDCs and marketplaces are written through the master; retry when it is back. ' +
        'This zone keeps serving its own resources and reads.',
    );
  }

  close(): void {
    this.fwd.close();
  }
}
