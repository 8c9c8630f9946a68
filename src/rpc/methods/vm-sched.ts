/**
 * Scheduled actions of a VM: `one.vm.schedadd`, `one.vm.schedupdate`, `one.vm.scheddelete`,
 * and the check of a new VM's SCHED_ACTIONs. They live in the VM's TEMPLATE as SCHED_ACTION
 * vectors, each with an ID unique across VMs (as OpenNebula's); the Scheduled Action Manager
 * runs them. Error codes as OpenNebula 6.10's: schedupdate answers INTERNAL for what schedadd
 * answers ACTION.
 */
import { AuthOp } from '../../auth/operation.js';
import type { Template, Vector } from '../../common/template/index.js';
import { checkSchedAction, orderedAction, SchedActionError } from '../../sa/index.js';
import { vectors, type VirtualMachine } from '../../vm/index.js';
import type { Core } from '../core.js';
import { ApiError, ErrorCode, type ErrorCodeValue } from '../api-error.js';
import { method, type MethodDef } from '../request-manager.js';
import type { Request } from '../request.js';
import { parseTemplate } from './common.js';

/** A new id: the manager's counter, or (a core without one, in unit tests) the next after the template's. */
function newId(core: Core, template: Template): number {
  if (core.schedActions) return core.schedActions.allocateId();
  return vectors(template, 'SCHED_ACTION').reduce((m, sa) => Math.max(m, Number(sa.get('ID') ?? -1)), -1) + 1;
}

function withIds(id: number, vmId: number, sa: Vector): Vector {
  const out: Vector = new Map(sa);
  out.set('ID', String(id));
  out.set('PARENT_ID', String(vmId));
  out.set('TYPE', 'VM');
  return orderedAction(out);
}

/** The SCHED_ACTION vector of a call's template (a copy), or the error OpenNebula gives. */
function givenAction(text: string, oid: number, code: ErrorCodeValue): Vector {
  const t = parseTemplate(text, code, undefined, oid);
  const v = t.getVector('SCHED_ACTION');
  if (!v) throw new ApiError(code, 'No SCHED_ACTION attribute in template', oid);
  const copy: Vector = new Map(v);
  for (const k of ['ID', 'PARENT_ID', 'TYPE']) copy.delete(k);
  return copy;
}

/**
 * Checks the SCHED_ACTIONs of a new VM's template and gives each an id ("+N" times count from
 * the VM's start, `stime`). Returns the error, or null.
 */
export function prepareSchedActions(core: Core, system: Template, vmId: number, stime: number): string | null {
  const all = vectors(system, 'SCHED_ACTION');
  if (!all.length) return null;
  const checked: Vector[] = [];
  try {
    for (const sa of all) {
      const copy: Vector = new Map(sa);
      for (const k of ['ID', 'PARENT_ID', 'TYPE', 'DONE', 'MESSAGE']) copy.delete(k);
      checked.push(checkSchedAction(copy, { stime }));
    }
  } catch (err) {
    if (err instanceof SchedActionError) return err.message;
    throw err;
  }
  system.remove('SCHED_ACTION');
  for (const sa of checked) system.add('SCHED_ACTION', withIds(newId(core, system), vmId, sa));
  return null;
}

function check(sa: Vector, vm: VirtualMachine, code: ErrorCodeValue): void {
  try {
    checkSchedAction(sa, { stime: vm.stime, now: Math.floor(Date.now() / 1000) });
  } catch (err) {
    if (err instanceof SchedActionError) throw new ApiError(code, err.message, vm.oid);
    throw err;
  }
}

function findAction(vm: VirtualMachine, saId: number): Vector | undefined {
  return vectors(vm.template, 'SCHED_ACTION').find((s) => s.get('ID') === String(saId));
}

function vmFor(req: Request, oid: number): VirtualMachine {
  return req.authorized(req.core.vms, oid, AuthOp.MANAGE);
}

export const vmSchedMethods: MethodDef[] = [
  method({
    name: 'one.vm.schedadd',
    params: ['i', 's'],
    run: async (req, [oid, text]) => {
      const vm = vmFor(req, oid);
      const given = givenAction(text, oid, ErrorCode.ACTION);
      given.delete('DONE');
      given.delete('MESSAGE');
      check(given, vm, ErrorCode.ACTION);
      const tx = req.transaction();
      tx.touch(req.core.vms, vm);
      const id = newId(req.core, vm.template);
      vm.template.add('SCHED_ACTION', withIds(id, oid, given));
      await tx.commit();
      req.core.schedActions?.changed(vm);
      return id;
    },
  }),
  method({
    name: 'one.vm.schedupdate',
    params: ['i', 'i', 's'],
    run: async (req, [oid, saId, text]) => {
      const vm = vmFor(req, oid);
      const given = givenAction(text, oid, ErrorCode.INTERNAL);
      const current = findAction(vm, saId);
      if (!current) throw new ApiError(ErrorCode.INTERNAL, `SCHED_ACTION with id = ${saId} doesn't exist in VM ${oid}`, oid);
      // The attributes given replace the action's; DONE stays, so a TIME later than it runs again.
      const merged: Vector = new Map(current);
      for (const [k, v] of given) merged.set(k, v);
      check(merged, vm, ErrorCode.INTERNAL);
      const tx = req.transaction();
      tx.touch(req.core.vms, vm);
      current.clear();
      for (const [k, v] of orderedAction(merged)) current.set(k, v);
      await tx.commit();
      req.core.schedActions?.changed(vm);
      return saId;
    },
  }),
  method({
    name: 'one.vm.scheddelete',
    params: ['i', 'i'],
    run: async (req, [oid, saId]) => {
      const vm = vmFor(req, oid);
      if (!findAction(vm, saId)) throw new ApiError(ErrorCode.NO_EXISTS, `Error getting scheduled action [${saId}]: VM ${oid} has no SCHED_ACTION with that ID.`, saId);
      const tx = req.transaction();
      tx.touch(req.core.vms, vm);
      const keep = vm.template.getAll('SCHED_ACTION').filter((a) => typeof a.value === 'string' || a.value.get('ID') !== String(saId));
      vm.template.remove('SCHED_ACTION');
      for (const a of keep) vm.template.add('SCHED_ACTION', a.value);
      await tx.commit();
      req.core.schedActions?.changed(vm);
      return saId;
    },
  }),
];
