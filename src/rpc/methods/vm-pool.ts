/**
 * `one.vmpool.*`: listings (short form and extended), accounting from the history table and
 * monitoring samples. Listings with a state filter walk only the VMs of that state.
 */
import { VirtualMachinePool, type VirtualMachine } from '../../vm/index.js';
import { ApiError, ErrorCode } from '../api-error.js';
import { method, type MethodDef } from '../request-manager.js';
import type { Request } from '../request.js';
import { EscapedBytes, EscapedString } from '../xmlrpc/index.js';
import { listPool } from './common.js';

const POOL_PARAMS = [{ opt: 'i', def: -2 }, { opt: 'i', def: -1 }, { opt: 'i', def: -1 }, { opt: 'i', def: -1 }, { opt: 's', def: '' }] as const;

/** The VMs a `one.vmpool.info(filter, start, end, state)` returns. */
function listVms(req: Request, filter: number, start: number, end: number, state: number): VirtualMachine[] {
  if (state < -2) throw new ApiError(ErrorCode.XML_RPC_API, `Incorrect state filter ${state}: use -2 (any), -1 (any but DONE) or a VM state.`);
  const vms = req.core.vms;
  return listPool(req, vms, filter, start, end, (vm) => VirtualMachinePool.matchesState(vm, state), undefined, vms.candidates(state));
}

/** Which VMs (by id) the caller may see, for answers built from other tables. */
function visibleIds(req: Request, filter: number): (vid: number) => boolean {
  const shown = new Set(listPool(req, req.core.vms, filter, -1, -1).map((vm) => vm.oid));
  return (vid) => shown.has(vid);
}

export const vmPoolMethods: MethodDef[] = [
  method({
    name: 'one.vmpool.info',
    params: POOL_PARAMS,
    run: (req, [filter, start, end, state]) => {
      // What a listing shows depends on the caller's rights: only admins', who see everything
      // their filter asks for, are the same for every caller and kept.
      if (!req.caller.isAdmin) return new EscapedString(req.core.vms.toEscapedShortXml(listVms(req, filter, start, end, state)));
      return new EscapedBytes(req.core.vms.shortListing(`${req.caller.uid}:${req.caller.gid}:${filter}:${start}:${end}:${state}`, () => listVms(req, filter, start, end, state)));
    },
  }),
  method({
    name: 'one.vmpool.infoextended',
    params: POOL_PARAMS,
    run: (req, [filter, start, end, state]) => new EscapedString(req.core.vms.toEscapedXml(listVms(req, filter, start, end, state))),
  }),
  method({
    name: 'one.vmpool.accounting',
    params: ['i', 'i', 'i'],
    run: (req, [filter, startTime, endTime]) => req.core.vms.accountingXml(req.core.db, startTime, endTime, visibleIds(req, filter)),
  }),
  method({
    name: 'one.vmpool.monitoring',
    params: ['i', { opt: 'i', def: -1 }],
    run: (req, [filter, seconds]) => {
      const shown = visibleIds(req, filter);
      return req.core.vms.poolMonitoringXml(req.core.db, seconds, Math.floor(Date.now() / 1000), (vm) => shown(vm.oid));
    },
  }),
];
