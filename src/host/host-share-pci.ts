/**
 * A host's PCI devices (`HOST_SHARE/PCI_DEVICES`), as the IM's system probe lists them
 * (`PCI = [ADDRESS, BUS, SLOT, FUNCTION, DOMAIN, SHORT_ADDRESS, VENDOR, DEVICE, CLASS, TYPE,
 * NUMA_NODE, …names]`), each with the VM holding it (`VMID`, -1 when free), as OpenNebula keeps
 * them: known by ADDRESS. A report adds the devices not known yet and drops the free ones it no
 * longer lists; a device a VM holds stays until the VM releases it.
 */
import type { Template, Vector } from '../common/template/index.js';
import type { XmlNode } from '../common/xml-tree.js';
import { flat } from '../common/flat-string.js';
import { xmlElement } from '../common/xml.js';

export class HostPci {
  /** Each device's attributes (VMID included) by ADDRESS, in the order they were found. */
  readonly devices = new Map<string, Map<string, string>>();
  /**
   * The rendered `<PCI_DEVICES>`, kept until a device changes: the host's body is rendered again
   * whenever a VM is placed on it or leaves, and the devices (dozens on a real host) seldom change
   * then. Only the methods below change devices; they drop it.
   */
  #xml: string | undefined;

  /** The VM holding the device at `address`: -1 when free, undefined when there is no such device. */
  vmOf(address: string): number | undefined {
    const d = this.devices.get(address);
    return d ? Number.parseInt(d.get('VMID') ?? '-1', 10) : undefined;
  }

  /** The devices no VM holds. */
  freeDevices(): Map<string, string>[] {
    return [...this.devices.values()].filter((d) => d.get('VMID') === '-1');
  }

  /** VM `vmId` holds the device at `address`. */
  hold(address: string, vmId: number): void {
    this.devices.get(address)?.set('VMID', String(vmId));
    this.#xml = undefined;
  }

  /** VM `vmId` no longer holds the device at `address` (every device it holds, without one). */
  release(vmId: number, address?: string): void {
    for (const [a, d] of this.devices) if ((address === undefined || a === address) && d.get('VMID') === String(vmId)) d.set('VMID', '-1');
    this.#xml = undefined;
  }

  /** Takes in the `PCI` vectors of a report (see the file comment). */
  applyProbe(info: Template): void {
    this.#xml = undefined;
    const listed = new Set<string>();
    for (const a of info.getAll('PCI')) {
      if (typeof a.value === 'string') continue;
      const address = a.value.get('ADDRESS') ?? '';
      if (address === '') continue;
      listed.add(address);
      if (this.devices.has(address)) continue;
      const device: Vector = new Map(a.value);
      device.set('VMID', '-1');
      this.devices.set(address, device);
    }
    for (const address of [...this.devices.keys()]) {
      if (!listed.has(address) && this.vmOf(address) === -1) this.devices.delete(address);
    }
  }

  toXml(): string {
    // Flat: a kept rope would be walked piece by piece each time a host body copies it.
    return (this.#xml ??= flat(this.render()));
  }

  private render(): string {
    if (this.devices.size === 0) return '<PCI_DEVICES/>';
    let xml = '<PCI_DEVICES>';
    for (const d of this.devices.values()) {
      xml += '<PCI>';
      for (const key of [...d.keys()].sort()) xml += xmlElement(key, d.get(key)!);
      xml += '</PCI>';
    }
    return `${xml}</PCI_DEVICES>`;
  }

  static fromXml(node: XmlNode | undefined): HostPci {
    const pci = new HostPci();
    for (const c of node?.children ?? []) {
      if (c.name !== 'PCI') continue;
      const device: Vector = new Map(c.children.map((k) => [k.name, k.text]));
      const address = device.get('ADDRESS') ?? '';
      if (address === '' || pci.devices.has(address)) continue;
      if (!device.has('VMID')) device.set('VMID', '-1');
      pci.devices.set(address, device);
    }
    return pci;
  }
}
