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

export class MasterForwarder {
  private readonly client: XmlRpcClient;

  constructor(
    readonly endpoint: string,
    timeoutMs = 30_000,
  ) {
    this.client = new XmlRpcClient(endpoint, { timeoutMs });
  }

  forwards(method: string): boolean {
    return FORWARDED_METHODS.has(method);
  }

  /** The master's answer to the call (`params` with the session first), or the failure envelope when it cannot be reached. */
  async call(method: string, params: readonly XmlRpcValue[]): Promise<XmlRpcValue> {
    try {
      return await this.client.call(method, [...params]);
    } catch (err) {
      if (err instanceof XmlRpcFault) throw err;
      const e = err as NodeJS.ErrnoException;
      const why = e.code === 'ECONNREFUSED' ? 'connection refused' : e.message;
      return [
        false,
        `[${method}] Could not connect to the federation master oned at ${this.endpoint} (${why}). ` +
          'Users, groups, ACL rules, zones, VDCs and marketplaces are written through the master; retry when it is back. ' +
          'This zone keeps serving its own resources and reads.',
        ErrorCode.INTERNAL,
        -1,
        -1n,
      ];
    }
  }

  close(): void {
    this.client.close();
  }
}
