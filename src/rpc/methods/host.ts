/** `one.host.*`, `one.hostpool.info` and `one.hostpool.monitoring`. */
import { AuthOp, type AuthOpValue } from '../../auth/operation.js';
import { ObjectType } from '../../common/object-type.js';
import { DEFAULT_CLUSTER_ID, NONE_CLUSTER_ID } from '../../cluster/index.js';
import { Host, HostState, HostStatus, driverNameError, type HostStatusValue } from '../../host/index.js';
import { ApiError, ErrorCode, type ErrorCodeValue } from '../api-error.js';
import { EscapedString } from '../xmlrpc/index.js';
import { encryptAttributes, infoAnswer } from './template-attributes.js';
import { method, type MethodDef } from '../request-manager.js';
import type { Request } from '../request.js';
import { allocateError, checkName, checkNameFree, inListOrder, parseTemplate, renameInPool } from './common.js';
import { forgetResource } from './vdc.js';

/**
 * The host, authorized for `op` with its cluster, so `HOST/%cid` ACL rules apply. OpenNebula
 * asks ADMIN for every change of a host and USE to read it.
 */
export function authorizedHost(req: Request, oid: number, op: AuthOpValue): Host {
  const host = req.get(req.core.hosts, oid);
  req.authorize(host, op, host.clusterIds);
  return host;
}

/** Throws `code` when a driver name is not valid. */
function checkDriver(kind: 'IM_MAD' | 'VMM_MAD' | 'VN_MAD', name: string, code: ErrorCodeValue, oid = -1): void {
  const error = driverNameError(kind, name);
  if (error) throw new ApiError(code, error, oid);
}

/** Refuses a driver that oned.conf does not configure, naming the ones it does. */
function checkConfigured(section: string, name: string, configured: ReadonlySet<string>): void {
  if (!configured.has(name)) {
    throw new Error(`${section} "${name}" is not configured in oned.conf (configured: ${[...configured].join(', ') || 'none'}).`);
  }
}

/** `one.host.status` and the 3.x `one.host.enable`. */
async function setStatus(req: Request, oid: number, status: HostStatusValue): Promise<number> {
  const hosts = req.core.hosts;
  const host = authorizedHost(req, oid, AuthOp.ADMIN);
  const tx = req.transaction();
  const wasDisabled = host.state === HostState.DISABLED;
  tx.touch(hosts, host).setStatus(status);
  await tx.commit();
  if (!wasDisabled && host.state === HostState.DISABLED) req.core.hooks.hostEvent('DISABLE', { oid, name: host.name, xml: host.toXml() });
  return oid;
}

export const hostMethods: MethodDef[] = [
  method({
    name: 'one.host.allocate',
    // HEAD: (name, im_mad, vmm_mad, cluster_id); 3.x: (name, im_mad, vmm_mad, vnm_mad, cluster_id); 3.0: (name, im_mad, vmm_mad, tm_mad).
    params: ['s', 's', 's', 'is', { opt: 'i', def: NONE_CLUSTER_ID }],
    run: async (req, [name, imMad, vmMad, fourth, fifth]) => {
      const { hosts, clusters } = req.core;
      // 3.0: (name, im_mad, vmm_mad, tm_mad); its transfer drivers were named tm_<something>.
      const tmMad3 = typeof fourth === 'string' && fourth.startsWith('tm_') ? fourth : '';
      const [vnMad, clusterArg] = typeof fourth === 'number' ? ['', fourth] : tmMad3 !== '' ? ['', fifth] : [fourth, fifth];
      const cluster = req.get(clusters, clusterArg === NONE_CLUSTER_ID ? DEFAULT_CLUSTER_ID : clusterArg);
      req.authorizeCreateIn('HOST', cluster, AuthOp.ADMIN);
      try {
        checkName(name, ErrorCode.ALLOCATE);
        checkDriver('IM_MAD', imMad, ErrorCode.ALLOCATE);
        checkDriver('VMM_MAD', vmMad, ErrorCode.ALLOCATE);
        checkConfigured('IM_MAD', imMad, req.core.driverNames.im);
        checkConfigured('VM_MAD', vmMad, req.core.driverNames.vmm);
        if (vnMad !== '') checkDriver('VN_MAD', vnMad, ErrorCode.ALLOCATE);
        checkNameFree(hosts, name, -1, ErrorCode.ALLOCATE);
      } catch (err) {
        throw allocateError(hosts, (err as Error).message);
      }
      const host = Host.create(hosts.nextOid(), name, imMad, vmMad, cluster.oid, cluster.name);
      // HEAD keeps network drivers on networks; a 3.x client's choice is kept for reference.
      if (vnMad !== '') host.template.set('VN_MAD', vnMad);
      if (tmMad3 !== '') host.template.set('TM_MAD', tmMad3);
      const tx = req.transaction();
      tx.create(hosts, host);
      tx.touch(clusters, cluster).hosts.add(host.oid);
      await tx.commit();
      req.core.hooks.hostEvent('CREATE', { oid: host.oid, name: host.name, xml: host.toXml() });
      return host.oid;
    },
  }),
  method({
    name: 'one.host.delete',
    params: ['i'],
    run: async (req, [oid]) => {
      const { hosts, clusters } = req.core;
      const host = authorizedHost(req, oid, AuthOp.ADMIN);
      if (host.vms.size > 0) {
        throw new ApiError(ErrorCode.ACTION, `Cannot delete host. Can not remove a host with VMs: ${[...host.vms].sort((a, b) => a - b).join(', ')}.`, oid);
      }
      const tx = req.transaction();
      const cluster = clusters.get(host.clusterId);
      if (cluster) tx.touch(clusters, cluster).hosts.delete(oid);
      tx.delete(hosts, host);
      tx.write(hosts.monitoringDelete(host));
      await tx.commit();
      await req.core.acl.delResourceRules(ObjectType.HOST, oid);
      await forgetResource(req, 'HOST', oid);
      return oid;
    },
  }),
  method({
    name: 'one.host.info',
    params: ['i', { opt: 'b', def: false }],
    run: (req, [oid, decrypt]) => {
      const host = authorizedHost(req, oid, AuthOp.USE);
      return infoAnswer(req, 'HOST', host, decrypt, [host.template]);
    },
  }),
  method({
    name: 'one.host.update',
    params: ['i', 's', { opt: 'i', def: 0 }],
    run: async (req, [oid, text, type]) => {
      if (type !== 0 && type !== 1) throw new ApiError(ErrorCode.XML_RPC_API, `Wrong update type ${type}: use 0 (replace) or 1 (merge).`, oid);
      const hosts = req.core.hosts;
      const host = authorizedHost(req, oid, AuthOp.ADMIN);
      const tmpl = parseTemplate(text, ErrorCode.ACTION, undefined, oid);
      for (const [attr, kind] of [['IM_MAD', 'IM_MAD'], ['VM_MAD', 'VMM_MAD']] as const) {
        const value = tmpl.get(attr);
        if (value) checkDriver(kind, value, ErrorCode.ACTION, oid);
      }
      const tx = req.transaction();
      tx.touch(hosts, host);
      if (type === 0) host.template = tmpl;
      else host.template.merge(tmpl);
      encryptAttributes(req, 'HOST', host.template);
      host.templateUpdated();
      hosts.refreshCapacity(tx, host);
      await tx.commit();
      return oid;
    },
  }),
  method({
    name: 'one.host.status',
    params: ['i', 'i'],
    run: (req, [oid, status]) => {
      if (status !== HostStatus.ENABLED && status !== HostStatus.DISABLED && status !== HostStatus.OFFLINE) {
        // OpenNebula answers a bad status with INTERNAL.
        throw new ApiError(ErrorCode.INTERNAL, `Wrong status code ${status}: use 0 (enabled), 1 (disabled) or 2 (offline).`, oid);
      }
      return setStatus(req, oid, status);
    },
  }),
  method({
    name: 'one.host.enable',
    params: ['i', 'b'],
    run: (req, [oid, enable]) => setStatus(req, oid, enable ? HostStatus.ENABLED : HostStatus.DISABLED),
  }),
  method({
    name: 'one.host.rename',
    params: ['i', 's'],
    run: async (req, [oid, name]) => {
      return renameInPool(req, req.core.hosts, authorizedHost(req, oid, AuthOp.ADMIN), name);
    },
  }),
  method({
    name: 'one.host.monitoring',
    params: ['i'],
    run: (req, [oid]) => {
      authorizedHost(req, oid, AuthOp.USE);
      return req.core.hosts.monitoringXml(req.core.db, oid);
    },
  }),
  method({
    name: 'one.hostpool.info',
    params: [],
    run: (req) => {
      const hosts = req.core.hosts;
      return new EscapedString(hosts.toEscapedListXml(inListOrder(req, hosts.list({ visible: hostVisibility(req) }))));
    },
  }),
  method({
    name: 'one.hostpool.monitoring',
    params: [{ opt: 'i', def: -1 }],
    run: (req, [seconds]) => req.core.hosts.poolMonitoringXml(req.core.db, seconds, Math.floor(Date.now() / 1000), hostVisibility(req)),
  }),
];

/** Which hosts the caller may see: all for admins, else those ACL rules grant (by id, or `%cid` by cluster). */
function hostVisibility(req: Request) {
  const hosts = req.core.hosts;
  return req.core.authz.visibility(req.caller, 'HOST', (obj) => hosts.get(obj.oid)?.clusterIds ?? []);
}
