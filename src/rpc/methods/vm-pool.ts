/**
 * `one.vmpool.*`: listings (short form and extended), accounting from the history table,
 * showback (monthly costs computed from it into `vm_showback`) and monitoring samples. Listings with a state filter walk only the VMs of that state.
 */
import { VirtualMachinePool, calculateShowback, showbackRecordsXml, showbackWindow, type VirtualMachine } from '../../vm/index.js';
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

/** The ids of an infoset call ("3,7,12"): whole numbers, else the error says which part is not. */
function idSet(ids: string): number[] {
  const parts = ids.split(',').map((p) => p.trim());
  const bad = parts.find((p) => !/^\d+$/.test(p));
  if (bad !== undefined) throw new ApiError(ErrorCode.XML_RPC_API, `Incorrect VM id list "${ids}": "${bad}" is not a VM id (use ids separated by commas, such as 3,7,12).`);
  return [...new Set(parts.map(Number))].sort((a, b) => a - b);
}

export const vmPoolMethods: MethodDef[] = [
  method({
    name: 'one.vmpool.info',
    params: POOL_PARAMS,
    run: (req, [filter, start, end, state]) => {
      // A listing is kept per view (what the caller's rights let it see, see Authorizer.viewKey)
      // and arguments: callers who see every VM (admins, users of a VM/* rule) share it, others
      // keep their own. Filters -1, -3 and -4 name the caller's user and groups.
      const c = req.caller;
      const view = req.core.authz.viewKey(c, 'VM');
      const who = filter === -2 || filter >= 0 ? '' : `${c.uid}:${c.gid}:${[...c.gids].join(',')}`;
      return new EscapedBytes(req.core.vms.shortListing(`${view}|${who}|${filter}:${start}:${end}:${state}`, () => listVms(req, filter, start, end, state)));
    },
  }),
  method({
    name: 'one.vmpool.infoextended',
    params: POOL_PARAMS,
    run: (req, [filter, start, end, state]) => new EscapedString(req.core.vms.toEscapedXml(listVms(req, filter, start, end, state))),
  }),
  method({
    // The VMs of the listed ids the caller may see (others and unknown ids are left out): only
    // those are looked at, whatever the pool's size.
    name: 'one.vmpool.infoset',
    params: ['s', { opt: 'b', def: false }],
    run: (req, [ids, extended]) => {
      const vms = req.core.vms;
      const source = idSet(ids).flatMap((id) => vms.get(id) ?? []);
      const shown = listPool(req, vms, -2, -1, -1, undefined, undefined, source);
      return new EscapedString(extended ? vms.toEscapedXml(shown) : vms.toEscapedShortXml(shown));
    },
  }),
  method({
    name: 'one.vmpool.accounting',
    params: ['i', 'i', 'i'],
    run: (req, [filter, startTime, endTime]) => req.core.vms.accountingXml(req.core.db, startTime, endTime, visibleIds(req, filter)),
  }),
  method({
    name: 'one.vmpool.showback',
    params: ['i', 'i', 'i', 'i', 'i'],
    run: (req, [filter, startMonth, startYear, endMonth, endYear]) =>
      showbackRecordsXml(req.core.db, visibleIds(req, filter), startMonth, startYear, endMonth, endYear),
  }),
  method({
    name: 'one.vmpool.calculateshowback',
    params: ['i', 'i', 'i', 'i'],
    run: async (req, [startMonth, startYear, endMonth, endYear]) => {
      // As in OpenNebula: members of the oneadmin group only (by primary group).
      if (req.caller.gid !== 0) throw new ApiError(ErrorCode.AUTHORIZATION, 'Action reserved for group 0 only');
      const conf = req.core.config;
      const costs = conf.vector('DEFAULT_COST');
      const cost = (name: string) => {
        const n = Number(costs.get(name) ?? 0);
        return Number.isFinite(n) ? n : 0;
      };
      const window = await showbackWindow(req.core.db, Math.floor(Date.now() / 1000), startMonth, startYear, endMonth, endYear);
      const writes = await calculateShowback(req.core.db, window, { cpu: cost('CPU_COST'), memory: cost('MEMORY_COST'), disk: cost('DISK_COST') }, conf.bool('SHOWBACK_ONLY_RUNNING', false));
      // Large pools: commit in chunks, as OpenNebula writes 1,000 rows at a time.
      for (let i = 0; i < writes.length; i += 1000) await req.core.db.write(writes.slice(i, i + 1000));
      return '';
    },
  }),
  method({
    name: 'one.vmpool.monitoring',
    params: ['i', { opt: 'i', def: -1 }],
    run: (req, [filter, seconds]) => {
      const shown = visibleIds(req, filter);
      return req.core.vms.poolMonitoringXml(req.core.db, seconds, Math.floor(Date.now() / 1000), (vm) => shown(vm.oid));
    },
  }),
  method({
    // Not in OpenNebula 7.4 (whose oned drives its scheduler itself): a scheduler, an API client,
    // sleeps here until a VM becomes PENDING or is flagged for rescheduling (docs/scheduler.md).
    name: 'one.vmpool.waitpending',
    params: ['i', { opt: 'i', def: 30 }],
    run: (req, [mark, timeoutSec]) => {
      if (!req.caller.isAdmin) throw new ApiError(ErrorCode.AUTHORIZATION, `User [${req.caller.uid}] : Not authorized to wait for pending VMs (oneadmin group only).`);
      return req.core.vms.pendingMark.wait(mark, timeoutSec);
    },
  }),
];
