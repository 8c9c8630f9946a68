/**
 * `onevm pci-attach` (`one.vm.attachpci`) and `onevm pci-detach` (`one.vm.detachpci`), as
 * OpenNebula's CLI: the device by --pci SHORT_ADDRESS, or by --pci_vendor / --pci_device /
 * --pci_class, or a `PCI = [ ... ]` in --file.
 */
import { childText } from '../../common/xml-tree.js';
import type { VirtualMachine } from '../../oca/index.js';
import { readTemplateFile } from '../actions.js';
import { CliError, type SubcommandDef } from '../command.js';
import { arg, wholeNumber } from './common-subcommands.js';
import { section, subTable } from './show-sections.js';

/** The PCI DEVICES section of `onevm show`: each request and the host device it holds (ADDRESS), '-' before placement. */
export function pciSection(vm: VirtualMachine): string {
  const pci = vm.all('TEMPLATE/PCI');
  if (!pci.length) return '';
  const rows = pci.map((p) => [childText(p, 'PCI_ID'), childText(p, 'SHORT_ADDRESS') || '-', childText(p, 'VENDOR') || '-', childText(p, 'DEVICE') || '-', childText(p, 'CLASS') || '-', childText(p, 'ADDRESS') || '-']);
  return section('PCI DEVICES', subTable([['ID', 3], ['SHORT_ADDR', 10, 'left'], ['VENDOR', 6, 'left'], ['DEVICE', 6, 'left'], ['CLASS', 5, 'left'], ['HOST ADDRESS', 14, 'left']], rows));
}

const OPTIONS: readonly [string, string, string][] = [
  ['pci', 'SHORT_ADDRESS', 'SHORT_ADDRESS of the host device (bus:slot.function, e.g. 02:00.0)'],
  ['pci_vendor', 'VENDOR', 'Vendor id of the device (4 hex digits, e.g. 10de)'],
  ['pci_device', 'DEVICE', 'Device id (4 hex digits)'],
  ['pci_class', 'CLASS', 'Device class (4 hex digits, e.g. 0302)'],
];

export const pciSubcommands: SubcommandDef[] = [
  {
    name: 'pci-attach',
    description: 'Attaches a PCI passthrough device to a VM that is powered off or undeployed (it has it from the next boot)',
    args: [{ name: 'VMID', kind: 'vm' }],
    options: [
      ...OPTIONS.map(([long, value, description]) => ({ long, value, description })),
      { long: 'file', short: 'f', value: 'FILE', description: 'File with a PCI = [ ... ] vector' },
    ],
    examples: ['onevm pci-attach 3 --pci 02:00.0', 'onevm pci-attach myvm --pci_vendor 10de --pci_class 0302'],
    run: async (ctx, args) => {
      const o = ctx.options;
      let template: string;
      if (typeof o['file'] === 'string') template = readTemplateFile(o['file']);
      else {
        const pairs: string[] = [];
        for (const [long, key] of OPTIONS) {
          const v = o[long];
          if (typeof v !== 'string') continue;
          if (!/^[0-9A-Fa-f:.]+$/.test(v)) throw new CliError(`--${long} must be hex digits (and : . for an address), not "${v}"`);
          pairs.push(`${key} = "${v}"`);
        }
        if (pairs.length === 0) throw new CliError('Say which device: --pci SHORT_ADDRESS, --pci_vendor, --pci_device, --pci_class or --file FILE');
        template = `PCI = [ ${pairs.join(', ')} ]`;
      }
      await ctx.one.vms.attachPci(await ctx.resolve('vm', arg(args, 'VMID')), template);
    },
  },
  {
    name: 'pci-detach',
    description: 'Detaches a PCI device (by its PCI_ID) from a VM that is powered off or undeployed',
    args: [{ name: 'VMID', kind: 'vm' }, { name: 'PCI_ID' }],
    examples: ['onevm pci-detach 3 0'],
    run: async (ctx, args) => {
      await ctx.one.vms.detachPci(await ctx.resolve('vm', arg(args, 'VMID')), wholeNumber(arg(args, 'PCI_ID'), 'PCI_ID'));
    },
  },
];
