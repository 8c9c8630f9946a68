/**
 * Backups in the CLI, as OpenNebula's: `onevm backup VMID -d DATASTORE [--reset]`,
 * `onevm backup-cancel VMID` (and `backupcancel`), the BACKUP CONFIGURATION and VM BACKUPS
 * sections of `onevm show`; `oneimage restore IMAGEID -d DATASTORE [--no_ip] [--no_nic]
 * [--name NAME] [--increment ID] [--disk-id ID]` and the BACKUP INCREMENTS of `oneimage show`.
 */
import { childText } from '../../common/xml-tree.js';
import type { Image, VirtualMachine } from '../../oca/index.js';
import { CliError, type SubcommandDef } from '../command.js';
import { dateTime, size } from '../format.js';
import { arg, wholeNumber } from './common-subcommands.js';
import { pairs, section, subTable } from './show-sections.js';

/** `onevm show`: BACKUP CONFIGURATION (when set) and VM BACKUPS (when any). */
export function backupSections(vm: VirtualMachine): string {
  const out: string[] = [];
  const cfg = vm.all('BACKUPS/BACKUP_CONFIG')[0];
  if (cfg && cfg.children.length > 0) out.push(section('BACKUP CONFIGURATION', pairs(cfg.children.map((c) => [c.name, c.text] as const))));
  const ids = vm.ids('BACKUPS/BACKUP_IDS');
  if (ids.length > 0) out.push(section('VM BACKUPS', pairs([['IMAGE IDS', ids.join(',')]])));
  return out.join('\n');
}

/** `oneimage show` of a backup image: its increments. */
export function incrementsSection(image: Image): string {
  const incs = image.all('BACKUP_INCREMENTS/INCREMENT');
  if (incs.length === 0) return '';
  const rows = incs.map((i) => [childText(i, 'ID'), childText(i, 'PARENT_ID') || '-', childText(i, 'TYPE'), size(Number(childText(i, 'SIZE')), 'M'), dateTime(Number(childText(i, 'DATE'))), childText(i, 'SOURCE')]);
  return section('BACKUP INCREMENTS', subTable([['ID', 3], ['PID', 4], ['T', 12, 'left'], ['SIZE', 8], ['DATE', 15, 'left'], ['SOURCE', 24, 'left']], rows));
}

const cancel = (name: string, description: string): SubcommandDef => ({
  name,
  description,
  args: [{ name: 'VMID', kind: 'vm' }],
  examples: [`onevm ${name} 3`],
  run: async (ctx, args) => {
    await ctx.one.vms.backupCancel(await ctx.resolve('vm', arg(args, 'VMID')));
  },
});

export const vmBackupSubcommands: SubcommandDef[] = [
  {
    name: 'backup',
    description: 'Backs up a powered-off VM into a backup datastore (-d; default: the one of its last backup)',
    args: [{ name: 'VMID', kind: 'vm' }],
    options: [
      { long: 'datastore', short: 'd', value: 'DATASTORE', description: 'Backup datastore (id or name)' },
      { long: 'reset', description: 'Starts a new incremental chain (a full backup)' },
    ],
    examples: ['onevm backup 3 -d backups', 'onevm backup 3 -d 100 --reset'],
    run: async (ctx, args) => {
      const id = await ctx.resolve('vm', arg(args, 'VMID'));
      const ds = typeof ctx.options['datastore'] === 'string' ? await ctx.resolve('datastore', ctx.options['datastore']) : -1;
      await ctx.one.vms.backup(id, ds, ctx.options['reset'] === true);
    },
  },
  cancel('backup-cancel', 'Cancels the running backup of a VM'),
  cancel('backupcancel', 'Cancels the running backup of a VM (same as backup-cancel)'),
];

export const imageRestoreSubcommand: SubcommandDef = {
  name: 'restore',
  description: 'Restores a backup image into an image datastore (-d): an image per disk and a VM template using them',
  args: [{ name: 'IMAGEID', kind: 'image' }],
  options: [
    { long: 'datastore', short: 'd', value: 'DATASTORE', description: 'Image datastore (id or name) to restore into (required)' },
    { long: 'name', value: 'NAME', description: 'Base name of the template and images (default: <vm id>-<image id>)' },
    { long: 'no_ip', description: 'Leaves the IP and MAC addresses out of the NICs' },
    { long: 'no_nic', description: 'Leaves the NICs out of the template' },
    { long: 'increment', value: 'ID', description: 'Increment of an incremental backup to restore (default: the last)' },
    { long: 'disk-id', value: 'ID', description: 'Restores only this disk, as an image (no template)' },
  ],
  examples: ['oneimage restore 12 -d default', 'oneimage restore 12 -d 1 --increment 2 --no_ip'],
  run: async (ctx, args) => {
    const o = ctx.options;
    if (typeof o['datastore'] !== 'string') throw new CliError('Say which datastore: oneimage restore IMAGEID -d DATASTORE');
    const id = await ctx.resolve('image', arg(args, 'IMAGEID'));
    const ds = await ctx.resolve('datastore', o['datastore']);
    const lines: string[] = [];
    if (typeof o['name'] === 'string') lines.push(`NAME = "${o['name'].replace(/["\\]/g, '\\$&')}"`);
    if (o['no_ip'] === true) lines.push('NO_IP = "YES"');
    if (o['no_nic'] === true) lines.push('NO_NIC = "YES"');
    if (typeof o['increment'] === 'string') lines.push(`INCREMENT_ID = "${wholeNumber(o['increment'], 'INCREMENT ID')}"`);
    if (typeof o['disk-id'] === 'string') lines.push(`DISK_ID = "${wholeNumber(o['disk-id'], 'DISK ID')}"`);
    const r = await ctx.one.images.restore(id, ds, lines.join('\n'));
    if (r.templateId >= 0) ctx.print(`VM Template: ${r.templateId}`);
    ctx.print(`Images: ${r.imageIds.join(' ')}`);
  },
};
