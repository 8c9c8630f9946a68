/**
 * `one.vm.attachpci(id, "PCI = [ ... ]")` and `one.vm.detachpci(id, pci_id)`, as OpenNebula
 * 7.4: only a POWEROFF or UNDEPLOYED VM, and only its template changes (the next boot has the
 * device). A powered-off VM keeps its host: the host must have a free matching device, which the
 * VM holds from then on (detach gives it back); an undeployed VM gets its device when deployed.
 */
import { AuthOp } from '../../auth/operation.js';
import type { Vector } from '../../common/template/index.js';
import { ActionNotAvailable } from '../../dm/index.js';
import { choosePci, nextPciId, pciRequestProblem, pciWords, placePci, vectors, VmAction, VmState, type VirtualMachine } from '../../vm/index.js';
import { ApiError, ErrorCode } from '../api-error.js';
import { method, type MethodDef } from '../request-manager.js';
import type { Request } from '../request.js';
import { parseTemplate } from './common.js';

/** The VM's state allows PCI changes; its host when it is powered off there. */
function checkState(req: Request, vm: VirtualMachine, action: string) {
  if (vm.state !== VmState.POWEROFF && vm.state !== VmState.UNDEPLOYED) throw new ApiError(ErrorCode.ACTION, new ActionNotAvailable(action, vm).message, -1);
  return vm.state === VmState.POWEROFF ? req.core.hosts.get(vm.hostId) : undefined;
}

async function attach(req: Request, oid: number, text: string): Promise<number> {
  const vm = req.authorized(req.core.vms, oid, AuthOp.MANAGE);
  const t = parseTemplate(text, ErrorCode.INTERNAL, undefined, oid);
  const given = t.getAll('PCI');
  if (given.length !== 1 || typeof given[0]!.value === 'string') throw new ApiError(ErrorCode.INTERNAL, 'The template must have one PCI vector: PCI = [ SHORT_ADDRESS = ... ] or PCI = [ VENDOR = ..., DEVICE = ..., CLASS = ... ]', oid);
  const pci: Vector = new Map(given[0]!.value);
  const problem = pciRequestProblem(pci);
  if (problem) throw new ApiError(ErrorCode.INTERNAL, problem, oid);
  const host = checkState(req, vm, 'pci-attach');
  const device = host ? choosePci(host.share.pci.freeDevices(), [pci])?.[0] : undefined;
  if (host && !device) throw new ApiError(ErrorCode.ACTION, `Cannot attach PCI [${pciWords(pci)}] to VM ${oid}: host ${host.name} (${host.oid}) has no such device free`, oid);
  const tx = req.transaction();
  tx.touch(req.core.vms, vm);
  pci.set('PCI_ID', String(nextPciId(vm.template)));
  if (host && device) {
    tx.touch(req.core.hosts, host).share.pci.hold(device.get('ADDRESS') ?? '', oid);
    placePci(pci, device);
  }
  vm.template.add('PCI', pci);
  vm.lastHistory?.setAction(VmAction.PCI_ATTACH, req.caller.uid, req.caller.gid, req.id);
  await tx.commit();
  req.core.vmLogs.write(oid, 'ReM', 'I', `PCI ${pci.get('PCI_ID')} attached: ${pciWords(pci)}${device ? ` (host device ${device.get('ADDRESS')})` : ''}`);
  return oid;
}

async function detach(req: Request, oid: number, pciId: number): Promise<number> {
  const vm = req.authorized(req.core.vms, oid, AuthOp.MANAGE);
  const pci = vectors(vm.template, 'PCI').find((p) => p.get('PCI_ID') === String(pciId));
  if (!pci) throw new ApiError(ErrorCode.ACTION, `VM ${oid} has no PCI with PCI_ID ${pciId}`, oid);
  const host = checkState(req, vm, 'pci-detach');
  const tx = req.transaction();
  tx.touch(req.core.vms, vm);
  if (host && pci.get('ADDRESS')) tx.touch(req.core.hosts, host).share.pci.release(oid, pci.get('ADDRESS'));
  const rest = vm.template.getAll('PCI').filter((a) => a.value !== pci);
  vm.template.remove('PCI');
  for (const a of rest) vm.template.add('PCI', a.value);
  vm.lastHistory?.setAction(VmAction.PCI_DETACH, req.caller.uid, req.caller.gid, req.id);
  await tx.commit();
  req.core.vmLogs.write(oid, 'ReM', 'I', `PCI ${pciId} detached`);
  return oid;
}

export const vmPciMethods: MethodDef[] = [
  method({ name: 'one.vm.attachpci', params: ['i', 's'], run: (req, [oid, text]) => attach(req, oid, text) }),
  method({ name: 'one.vm.detachpci', params: ['i', 'i'], run: (req, [oid, pciId]) => detach(req, oid, pciId) }),
];
