/**
 * `onevm disk-resize` (`one.vm.diskresize`) and `onevm disk-saveas` (`one.vm.disksaveas`), as
 * OpenNebula's CLI has them: sizes in MB or with a unit (512M, 10G, 1T).
 */
import { CliError, type SubcommandDef } from '../command.js';
import { arg, printId, wholeNumber } from './common-subcommands.js';

const UNIT_MB: Record<string, number> = { '': 1, m: 1, mb: 1, g: 1024, gb: 1024, t: 1024 * 1024, tb: 1024 * 1024 };

/** A size as OpenNebula's CLI reads it ("10G", "512M", "2048"): whole MB. */
export function sizeMb(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  const unit = m ? UNIT_MB[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) throw new CliError(`SIZE must be a size such as 2048 (MB), 512M, 10G or 1T, not "${text}"`);
  const mb = Number(m[1]) * unit;
  if (!Number.isInteger(mb) || mb <= 0) throw new CliError(`SIZE must come to a whole positive number of MB, not "${text}"`);
  return mb;
}

export const diskOpsSubcommands: SubcommandDef[] = [
  {
    name: 'disk-resize',
    description: 'Grows a disk of a VM (running, powered off or undeployed) to SIZE (MB, or with a unit: 512M, 10G)',
    args: [{ name: 'VMID', kind: 'vm' }, { name: 'DISKID' }, { name: 'SIZE' }],
    examples: ['onevm disk-resize 3 0 20G', 'onevm disk-resize myvm 1 4096'],
    run: async (ctx, args) => {
      const id = await ctx.resolve('vm', arg(args, 'VMID'));
      await ctx.one.vms.diskResize(id, wholeNumber(arg(args, 'DISKID'), 'DISKID'), sizeMb(arg(args, 'SIZE')));
    },
  },
  {
    name: 'disk-saveas',
    description: 'Saves a disk of a VM as a new image in the datastore of the disk\'s image (usable once READY); prints its ID',
    args: [{ name: 'VMID', kind: 'vm' }, { name: 'DISKID' }, { name: 'IMG_NAME' }],
    options: [
      { long: 'type', short: 't', value: 'TYPE', description: 'Type of the new image (OS, DATABLOCK, CDROM...; default: that of the disk\'s image)' },
      { long: 'snapshot', short: 's', value: 'SNAPSHOT_ID', description: 'Saves this disk snapshot instead of the disk as it is now' },
    ],
    examples: ['onevm disk-saveas 3 0 web-golden', 'onevm disk-saveas myvm 1 data-copy --type DATABLOCK'],
    run: async (ctx, args) => {
      const id = await ctx.resolve('vm', arg(args, 'VMID'));
      const o = ctx.options;
      const snap = typeof o['snapshot'] === 'string' ? wholeNumber(o['snapshot'], '--snapshot') : -1;
      const type = typeof o['type'] === 'string' ? o['type'].toUpperCase() : '';
      printId(ctx, await ctx.one.vms.diskSaveas(id, wholeNumber(arg(args, 'DISKID'), 'DISKID'), arg(args, 'IMG_NAME'), type, snap), 'Image ID');
    },
  },
];
