/**
 * Marks a DISK carries while a driver works on it, as OpenNebula 7.4 writes them:
 * - `one.vm.diskresize`: `RESIZE = YES`, the new `SIZE` and the former one in `SIZE_PREV`
 *   (the size comes back from it when the driver fails);
 * - `one.vm.disksaveas`: `HOTPLUG_SAVE_AS = <image id>`, `HOTPLUG_SAVE_AS_ACTIVE = YES`,
 *   `HOTPLUG_SAVE_AS_SOURCE = <image SOURCE>`, `HOTPLUG_SAVE_AS_SNAPSHOT_ID = <snap id>`.
 */
import type { Vector } from '../common/template/index.js';
import type { Template } from '../common/template/index.js';
import type { QuotaUsage } from '../auth/quotas.js';
import { vectors } from './vm-resources.js';

export function findDisk(t: Template, diskId: number): Vector | undefined {
  return vectors(t, 'DISK').find((d) => d.get('DISK_ID') === String(diskId));
}

/** The DISK being resized (RESIZE = YES). */
export function resizingDisk(t: Template): Vector | undefined {
  return vectors(t, 'DISK').find((d) => d.get('RESIZE') === 'YES');
}

/** The DISK being saved as a new image (HOTPLUG_SAVE_AS_ACTIVE = YES). */
export function savingDisk(t: Template): Vector | undefined {
  return vectors(t, 'DISK').find((d) => d.get('HOTPLUG_SAVE_AS_ACTIVE') === 'YES');
}

/** Whether the VM has a disk operation pending (resize or save-as): one at a time. */
export function diskOpPending(t: Template): boolean {
  return resizingDisk(t) !== undefined || savingDisk(t) !== undefined;
}

export function markResize(disk: Vector, sizeMb: number): void {
  disk.set('SIZE_PREV', disk.get('SIZE') ?? '0');
  disk.set('SIZE', String(sizeMb));
  disk.set('RESIZE', 'YES');
}

/**
 * Ends the pending resize: kept on success, SIZE back from SIZE_PREV on failure. Returns the
 * disk with its former and new sizes, or undefined when none was pending.
 */
export function resizeDone(t: Template, ok: boolean): { disk: Vector; from: number; to: number } | undefined {
  const disk = resizingDisk(t);
  if (!disk) return undefined;
  const from = Number(disk.get('SIZE_PREV') ?? 0);
  const to = Number(disk.get('SIZE') ?? 0);
  if (!ok) disk.set('SIZE', String(from));
  disk.delete('SIZE_PREV');
  disk.delete('RESIZE');
  return { disk, from, to };
}

/**
 * Who pays for growing `disk` by `deltaMb` (OpenNebula's resize_quotas for the SYSTEM clone
 * target of the fs datastores): a persistent image's datastore SIZE (its image's owner), else
 * the VM's SYSTEM_DISK_SIZE (the VM's owner; for an image disk the growth beyond ORIGINAL_SIZE,
 * see systemDiskSize).
 */
export function resizeQuota(disk: Vector, deltaMb: number): { payer: 'image' | 'vm'; usage: QuotaUsage } {
  if (disk.get('IMAGE_ID') !== undefined && disk.get('PERSISTENT') === 'YES') {
    return { payer: 'image', usage: { kind: 'DATASTORE', id: Number(disk.get('DATASTORE_ID') ?? -1), amounts: { SIZE: deltaMb } } };
  }
  return { payer: 'vm', usage: { kind: 'VM', amounts: { SYSTEM_DISK_SIZE: deltaMb } } };
}

export function markSaveAs(disk: Vector, imageId: number, source: string, snapId: number): void {
  disk.set('HOTPLUG_SAVE_AS', String(imageId));
  disk.set('HOTPLUG_SAVE_AS_ACTIVE', 'YES');
  disk.set('HOTPLUG_SAVE_AS_SOURCE', source);
  disk.set('HOTPLUG_SAVE_AS_SNAPSHOT_ID', String(snapId));
}

/** Ends the pending save-as: the marks go; returns the new image's id, or undefined. */
export function saveAsDone(t: Template): number | undefined {
  const disk = savingDisk(t);
  if (!disk) return undefined;
  const id = Number(disk.get('HOTPLUG_SAVE_AS'));
  for (const k of ['HOTPLUG_SAVE_AS', 'HOTPLUG_SAVE_AS_ACTIVE', 'HOTPLUG_SAVE_AS_SOURCE', 'HOTPLUG_SAVE_AS_SNAPSHOT_ID']) disk.delete(k);
  return id;
}
