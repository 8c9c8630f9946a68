/**
 * Disk snapshots in the CLI: `onevm disk-snapshot-create/revert/delete/rename`, the
 * `VM DISK SNAPSHOTS` section of `onevm show`, `oneimage snapshot-delete/revert/flatten` and the
 * `IMAGE SNAPSHOTS` section of `oneimage show`, as OpenNebula's CLI has them (`=>` marks the
 * active snapshot; SIZE is `<used>/<disk size>`, the used part `-` until monitored).
 */
import { childText, type XmlNode } from '../../common/xml-tree.js';
import type { Image, VirtualMachine } from '../../oca/index.js';
import type { SubcommandDef } from '../command.js';
import { dateTime, size } from '../format.js';
import { arg, wholeNumber } from './common-subcommands.js';
import { section, subTable } from './show-sections.js';

function rows(snapshots: readonly XmlNode[], withDisk: boolean): string[][] {
  return snapshots.flatMap((list) =>
    list.children
      .filter((s) => s.name === 'SNAPSHOT')
      .map((s) => [
        childText(s, 'ACTIVE') === 'YES' ? '=>' : '',
        childText(s, 'ID'),
        ...(withDisk ? [childText(list, 'DISK_ID')] : []),
        childText(s, 'PARENT'),
        dateTime(Number(childText(s, 'DATE'))),
        `-/${size(Number(childText(s, 'SIZE')), 'M')}`,
        childText(s, 'NAME'),
      ]),
  );
}

export function diskSnapshotSection(vm: VirtualMachine): string {
  const r = rows(vm.all('SNAPSHOTS'), true);
  if (!r.length) return '';
  return section('VM DISK SNAPSHOTS', subTable([['AC', 2, 'left'], ['ID', 4], ['DISK', 4], ['PARENT', 6], ['DATE', 14, 'left'], ['SIZE', 12], ['NAME', 30, 'left']], r));
}

export function imageSnapshotSection(image: Image): string {
  const r = rows(image.all('SNAPSHOTS'), false);
  if (!r.length) return '';
  return section('IMAGE SNAPSHOTS', subTable([['AC', 2, 'left'], ['ID', 4], ['PARENT', 6], ['DATE', 14, 'left'], ['SIZE', 12], ['NAME', 30, 'left']], r));
}

const vmDisk = [{ name: 'VMID', kind: 'vm' as const }, { name: 'DISKID' }];

export const diskSnapshotSubcommands: SubcommandDef[] = [
  {
    name: 'disk-snapshot-create',
    description: 'Takes a snapshot of a VM disk (POWEROFF or SUSPENDED; RUNNING where the driver can)',
    args: [...vmDisk, { name: 'NAME' }],
    examples: ['onevm disk-snapshot-create 3 0 before-upgrade'],
    run: async (ctx, args) => {
      const id = await ctx.resolve('vm', arg(args, 'VMID'));
      await ctx.one.vms.diskSnapshotCreate(id, wholeNumber(arg(args, 'DISKID'), 'DISKID'), arg(args, 'NAME'));
    },
  },
  {
    name: 'disk-snapshot-revert',
    description: 'Puts a VM disk back to one of its snapshots (POWEROFF or SUSPENDED)',
    args: [...vmDisk, { name: 'SNAPSHOT_ID' }],
    examples: ['onevm disk-snapshot-revert 3 0 1'],
    run: async (ctx, args) => {
      const id = await ctx.resolve('vm', arg(args, 'VMID'));
      await ctx.one.vms.diskSnapshotRevert(id, wholeNumber(arg(args, 'DISKID'), 'DISKID'), wholeNumber(arg(args, 'SNAPSHOT_ID'), 'SNAPSHOT_ID'));
    },
  },
  {
    name: 'disk-snapshot-delete',
    description: 'Deletes a snapshot of a VM disk (not the active one, nor one with children)',
    args: [...vmDisk, { name: 'SNAPSHOT_ID' }],
    examples: ['onevm disk-snapshot-delete 3 0 1'],
    run: async (ctx, args) => {
      const id = await ctx.resolve('vm', arg(args, 'VMID'));
      await ctx.one.vms.diskSnapshotDelete(id, wholeNumber(arg(args, 'DISKID'), 'DISKID'), wholeNumber(arg(args, 'SNAPSHOT_ID'), 'SNAPSHOT_ID'));
    },
  },
  {
    name: 'disk-snapshot-rename',
    description: 'Renames a snapshot of a VM disk',
    args: [...vmDisk, { name: 'SNAPSHOT_ID' }, { name: 'NEW_NAME' }],
    examples: ['onevm disk-snapshot-rename 3 0 1 known-good'],
    run: async (ctx, args) => {
      const id = await ctx.resolve('vm', arg(args, 'VMID'));
      await ctx.one.vms.diskSnapshotRename(id, wholeNumber(arg(args, 'DISKID'), 'DISKID'), wholeNumber(arg(args, 'SNAPSHOT_ID'), 'SNAPSHOT_ID'), arg(args, 'NEW_NAME'));
    },
  },
];

function imageSnapshot(name: string, description: string, call: (ctx: Parameters<SubcommandDef['run']>[0], id: number, snap: number) => Promise<number>): SubcommandDef {
  return {
    name,
    description,
    args: [{ name: 'IMAGEID', kind: 'image' }, { name: 'SNAPSHOT_ID' }],
    examples: [`oneimage ${name} 3 1`],
    run: async (ctx, args) => {
      const id = await ctx.resolve('image', arg(args, 'IMAGEID'));
      await call(ctx, id, wholeNumber(arg(args, 'SNAPSHOT_ID'), 'SNAPSHOT_ID'));
    },
  };
}

export const imageSnapshotSubcommands: SubcommandDef[] = [
  imageSnapshot('snapshot-delete', 'Deletes a snapshot of an image not in use', (ctx, id, s) => ctx.one.images.snapshotDelete(id, s)),
  imageSnapshot('snapshot-revert', 'Puts an image not in use back to one of its snapshots', (ctx, id, s) => ctx.one.images.snapshotRevert(id, s)),
  imageSnapshot('snapshot-flatten', "Makes a snapshot the image's content and removes all its snapshots", (ctx, id, s) => ctx.one.images.snapshotFlatten(id, s)),
];
