/**
 * `one.vm.resize`: CPU, VCPU and MEMORY of a VM, as OpenNebula 7.4. Only the template changes for
 * a VM that does not run (INIT, PENDING, HOLD, POWEROFF, UNDEPLOYED, CLONING*); a RUNNING VM is
 * resized hot (HOTPLUG_RESIZE, the VMM driver's RESIZE action) when its driver allows it
 * (VM_MAD LIVE_RESIZE) and its template does (VCPU_MAX / MEMORY_MAX). The owner's quota is
 * charged the difference and the host's share follows, all or nothing.
 */
import { AuthOp } from '../../auth/operation.js';
import { chargeQuotas, QuotaExceededError } from '../../auth/quota-charge.js';
import type { Template } from '../../common/template/index.js';
import { displayState, hostCapacity, LcmState, requestedSize, resizeQuotaDelta, ResizeValueError, setSize, sizeOf, storeResize, VmState, type VirtualMachine, type VmSize } from '../../vm/index.js';
import { ApiError, ErrorCode } from '../api-error.js';
import { method, type MethodDef } from '../request-manager.js';
import type { Request } from '../request.js';
import { parseTemplate } from './common.js';
import { checkRestrictedSet } from './template-attributes.js';

/** States where a resize only changes the template (and the host share of a POWEROFF VM). */
const COLD: ReadonlySet<number> = new Set([VmState.INIT, VmState.PENDING, VmState.HOLD, VmState.POWEROFF, VmState.UNDEPLOYED, VmState.CLONING, VmState.CLONING_FAILURE]);

/** Whether oned.conf's VM_MAD `name` says LIVE_RESIZE = "yes". */
function liveResize(req: Request, name: string): boolean {
  for (const a of req.core.config.template.getAll('VM_MAD')) {
    if (typeof a.value !== 'string' && a.value.get('NAME') === name) return (a.value.get('LIVE_RESIZE') ?? '').toLowerCase() === 'yes';
  }
  return false;
}

/** Why a RUNNING VM cannot be resized hot to `to`, or null. */
function hotProblem(req: Request, vm: VirtualMachine, from: VmSize, to: VmSize): string | null {
  const mad = vm.lastHistory?.placement.vmMad ?? '';
  if (!liveResize(req, mad)) return `Hotplug resize not supported by driver ${mad}`;
  const limit = (name: string) => {
    const v = vm.template.get(name);
    return v === undefined || v.trim() === '' ? undefined : Number(v);
  };
  const vcpuMax = limit('VCPU_MAX');
  if (to.vcpu !== from.vcpu) {
    if (vcpuMax === undefined) return 'Cannot resize VCPU of a running VM without VCPU_MAX in its template';
    if (to.vcpu > vcpuMax) return `Cannot resize VCPU to ${to.vcpu}: the VM's VCPU_MAX is ${vcpuMax}`;
  }
  const memoryMax = limit('MEMORY_MAX');
  if (to.memory > from.memory) {
    if (memoryMax === undefined) return 'Cannot grow MEMORY of a running VM without MEMORY_MAX in its template';
    if (to.memory > memoryMax) return `Cannot resize MEMORY to ${to.memory} MB: the VM's MEMORY_MAX is ${memoryMax} MB`;
  }
  return null;
}

/**
 * Resizes `vm` to what `request` asks in one transaction: quota, host share, template, and for a
 * RUNNING VM the HOTPLUG_RESIZE state whose driver action follows the commit.
 */
async function resize(req: Request, vm: VirtualMachine, request: Template, enforce: boolean): Promise<number> {
  const oid = vm.oid;
  const from = sizeOf(vm.template);
  let to: VmSize;
  try {
    to = requestedSize(request, from);
  } catch (err) {
    if (err instanceof ResizeValueError) throw new ApiError(ErrorCode.INTERNAL, err.message, oid);
    throw err;
  }
  const running = vm.state === VmState.ACTIVE && vm.lcmState === LcmState.RUNNING;
  if (!COLD.has(vm.state) && !running) throw new ApiError(ErrorCode.ACTION, `Cannot resize a VM in state ${displayState(vm.state, vm.lcmState)}`, oid);
  const unchanged = to.cpu === from.cpu && to.vcpu === from.vcpu && to.memory === from.memory;
  if (unchanged) return oid; // OpenNebula: "Nothing to resize", a success
  if (running) {
    const problem = hotProblem(req, vm, from, to);
    if (problem) throw new ApiError(ErrorCode.ACTION, problem, oid);
  }
  // A VM placed on a host (POWEROFF, RUNNING) takes the difference of the host's share.
  const host = vm.hostId >= 0 && (vm.state === VmState.POWEROFF || running) ? req.core.hosts.get(vm.hostId) : undefined;
  const [a, b] = [hostCapacity(from), hostCapacity(to)];
  const dcpu = b.cpu - a.cpu;
  const dmem = b.mem - a.mem;
  if (host?.vms.has(oid) && enforce) {
    const s = host.share;
    if ((dcpu > 0 && s.cpuUsage + dcpu > s.maxCpu) || (dmem > 0 && s.memUsage + dmem > s.maxMem)) {
      throw new ApiError(
        ErrorCode.ACTION,
        `Cannot resize VM ${oid}: host ${host.oid} does not have enough capacity (CPU ${s.cpuUsage}${dcpu >= 0 ? '+' : ''}${dcpu} of ${s.maxCpu}, MEMORY ${s.memUsage}${dmem >= 0 ? '+' : ''}${dmem} KB of ${s.maxMem} KB).`,
        oid,
      );
    }
  }
  const tx = req.transaction();
  try {
    chargeQuotas(tx, req.core, vm.owner.uid, vm.owner.gid, resizeQuotaDelta(from, to));
  } catch (err) {
    tx.rollback();
    if (err instanceof QuotaExceededError) throw new ApiError(ErrorCode.AUTHORIZATION, err.message, oid);
    throw err;
  }
  tx.touch(req.core.vms, vm);
  if (host?.vms.has(oid)) {
    const share = tx.touch(req.core.hosts, host).share;
    share.cpuUsage += dcpu;
    share.memUsage += dmem;
  }
  setSize(vm.template, to);
  const what = `CPU ${from.cpu} → ${to.cpu}, VCPU ${from.vcpu || '-'} → ${to.vcpu || '-'}, MEMORY ${from.memory} → ${to.memory} MB`;
  if (running) {
    storeResize(vm.template, from);
    vm.resched = 0;
    req.core.lcm.enter(tx, vm, VmState.ACTIVE, LcmState.HOTPLUG_RESIZE);
  }
  await tx.commit();
  req.core.vmLogs.write(oid, 'ReM', 'I', `${running ? 'Hot resize' : 'Resize'}: ${what}`);
  return oid;
}

export const vmResizeMethods: MethodDef[] = [
  method({
    name: 'one.vm.resize',
    params: ['i', 's', { opt: 'b', def: true }],
    run: (req, [oid, text, enforce]) => {
      const vm = req.authorized(req.core.vms, oid, AuthOp.MANAGE);
      const t = parseTemplate(text, ErrorCode.INTERNAL, undefined, oid);
      checkRestrictedSet(req, 'VM', t, 'Template', oid);
      // Only oneadmin's group may skip the host capacity check, as OpenNebula.
      return resize(req, vm, t, enforce || !req.caller.isAdmin);
    },
  }),
];
