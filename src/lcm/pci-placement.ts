/**
 * The PCI devices a VM holds on its host: chosen when the VM is placed there (deploy, migrate),
 * each marked with the VM's id in the host's PCI_DEVICES, and given back when it leaves (see
 * LifeCycleManager.place / unplace). A host without a free device for each request refuses the
 * VM before anything changes.
 */
import type { Host } from '../host/index.js';
import { choosePci, pciWords, placePci, ResourceError, vectors, type VirtualMachine } from '../vm/index.js';
import type { Vector } from '../common/template/index.js';

/** The host device for each of the VM's PCI requests. @throws ResourceError when one has none free */
export function pciFor(vm: VirtualMachine, host: Host): [Vector, Map<string, string>][] {
  const requests = vectors(vm.template, 'PCI');
  if (requests.length === 0) return [];
  const chosen = choosePci(host.share.pci.freeDevices(), requests);
  if (!chosen) {
    throw new ResourceError(`Host ${host.name} (${host.oid}) has no free PCI device for each of VM ${vm.oid}'s: ${requests.map((r) => `[${pciWords(r)}]`).join(' ')}`);
  }
  return requests.map((r, i) => [r, chosen[i]!]);
}

/** Marks the devices held by the VM and copies their addresses into its PCI requests. */
export function holdPci(vm: VirtualMachine, host: Host, pci: [Vector, Map<string, string>][]): void {
  for (const [req, device] of pci) {
    host.share.pci.hold(device.get('ADDRESS') ?? '', vm.oid);
    placePci(req, device);
  }
}
