/**
 * What oned allows on a VM's disks, so the Storage tab offers an action only where oned takes it
 * and says why otherwise (docs/vms.md, "Disk snapshots" and "Disk resize and save-as").
 */
import { asArray, type Tree } from '../../api';
import { S } from './vm-actions';

const RUNNING = 3;
const running = (s: number, l: number) => s === S.ACTIVE && l === RUNNING;

/** Why the VM's state refuses `what` ('' when it does not). */
function stateProblem(ok: boolean, what: string, states: string): string {
  return ok ? '' : `${what} only when the VM is ${states}`;
}

export const resizeState = (s: number, l: number) => stateProblem(running(s, l) || s === S.POWEROFF || s === S.UNDEPLOYED, 'Disks are resized', 'RUNNING, POWEROFF or UNDEPLOYED');
export const saveAsState = (s: number, l: number) =>
  stateProblem(running(s, l) || ([S.POWEROFF, S.SUSPENDED, S.UNDEPLOYED, S.STOPPED] as number[]).includes(s), 'Disks are saved as images', 'RUNNING, POWEROFF, SUSPENDED, UNDEPLOYED or STOPPED');
/** Taking and deleting disk snapshots. */
export const snapshotState = (s: number, l: number) => stateProblem(running(s, l) || s === S.POWEROFF || s === S.SUSPENDED, 'Disk snapshots are taken and deleted', 'RUNNING, POWEROFF or SUSPENDED');
export const revertState = (s: number) => stateProblem(s === S.POWEROFF || s === S.SUSPENDED, 'A disk is reverted to a snapshot', 'POWEROFF or SUSPENDED');

/** Why the disk itself can have no snapshots ('' when it can). */
export function snapshotDiskProblem(d: Tree): string {
  if (d.IMAGE_ID === undefined) return 'A volatile disk has no snapshots';
  if (d.TYPE === 'CDROM') return 'A CD-ROM has no snapshots';
  if (String(d.READONLY ?? '').toUpperCase() === 'YES') return 'A read-only disk has no snapshots';
  return '';
}

/** The VM's top-level SNAPSHOTS list of disk `diskId`. */
export function diskSnapshotList(vm: Tree, diskId: string | number): Tree | undefined {
  return asArray<Tree>(vm.SNAPSHOTS).find((s) => String(s.DISK_ID) === String(diskId));
}

/** A new size typed in MB or GB, as whole MB, or the reason it is not one bigger than `current` MB. */
export function newDiskSize(text: string, unit: 'MB' | 'GB', current: number): number | string {
  const t = text.trim();
  if (!/^\d+(\.\d+)?$/.test(t)) return `Enter the new size as a number of ${unit}`;
  const mb = unit === 'GB' ? Number(t) * 1024 : Number(t);
  if (!Number.isInteger(mb)) return 'The size must come to a whole number of MB';
  if (mb <= current) return `A disk only grows: enter more than its ${current} MB`;
  return mb;
}
