/**
 * `onevm` system snapshots: `snapshot-create`, `snapshot-revert`, `snapshot-delete`, and the
 * SNAPSHOTS section of `onevm show` (`=>` marks the active one), as OpenNebula's CLI has them.
 */
import { childText } from '../../common/xml-tree.js';
import type { VirtualMachine } from '../../oca/index.js';
import type { SubcommandDef } from '../command.js';
import { dateTime } from '../format.js';
import { arg, wholeNumber } from './common-subcommands.js';
import { section, subTable } from './show-sections.js';

export function snapshotSection(vm: VirtualMachine): string {
  const snaps = vm.all('TEMPLATE/SNAPSHOT');
  if (!snaps.length) return '';
  const rows = snaps.map((s) => [
    childText(s, 'ACTIVE') === 'YES' ? '=>' : '',
    childText(s, 'SNAPSHOT_ID'),
    dateTime(Number(childText(s, 'TIME'))),
    childText(s, 'NAME'),
    childText(s, 'HYPERVISOR_ID') || '-',
  ]);
  return section('SNAPSHOTS', subTable([['AC', 2, 'left'], ['ID', 4], ['TIME', 14, 'left'], ['NAME', 40, 'left'], ['HYPERVISOR_ID', 15, 'left']], rows));
}

export const snapshotSubcommands: SubcommandDef[] = [
  {
    name: 'snapshot-create',
    description: 'Takes a system snapshot of a running VM (memory and disks, by the hypervisor)',
    args: [{ name: 'VMID', kind: 'vm' }, { name: 'NAME', optional: true }],
    examples: ['onevm snapshot-create 3', 'onevm snapshot-create 3 before-upgrade'],
    run: async (ctx, args) => {
      const id = await ctx.resolve('vm', arg(args, 'VMID'));
      await ctx.one.vms.snapshotCreate(id, (args['NAME'] as string | undefined) ?? '');
    },
  },
  {
    name: 'snapshot-revert',
    description: 'Puts a running VM back to one of its system snapshots',
    args: [{ name: 'VMID', kind: 'vm' }, { name: 'SNAPSHOT_ID' }],
    examples: ['onevm snapshot-revert 3 0'],
    run: async (ctx, args) => {
      const id = await ctx.resolve('vm', arg(args, 'VMID'));
      await ctx.one.vms.snapshotRevert(id, wholeNumber(arg(args, 'SNAPSHOT_ID'), 'SNAPSHOT_ID'));
    },
  },
  {
    name: 'snapshot-delete',
    description: 'Deletes a system snapshot of a running VM',
    args: [{ name: 'VMID', kind: 'vm' }, { name: 'SNAPSHOT_ID' }],
    examples: ['onevm snapshot-delete 3 1'],
    run: async (ctx, args) => {
      const id = await ctx.resolve('vm', arg(args, 'VMID'));
      await ctx.one.vms.snapshotDelete(id, wholeNumber(arg(args, 'SNAPSHOT_ID'), 'SNAPSHOT_ID'));
    },
  },
];
