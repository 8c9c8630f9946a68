/**
 * How OpenNebula images read as EC2 storage (pure: no calls to oned).
 *
 * Every AMI, volume and snapshot is an OpenNebula image, and its EC2 id is the image id:
 * `ami-00000007`, `vol-00000007` and `snap-00000007` all name image 7, each only if the image is
 * of that kind. The kind is a mark in the image's template: `EBS_VOLUME = "YES"` (made by
 * CreateVolume), `EBS_SNAPSHOT = "YES"` (CreateSnapshot); any other image of type OS, CDROM or
 * DATABLOCK is an AMI (`EC2_AMI = "YES"` marks those registered or made through EC2). Files
 * (KERNEL, RAMDISK, CONTEXT) and backups are not shown.
 */
import { childText, type XmlNode } from '../../../common/xml-tree.js';
import type { Image, VirtualMachine } from '../../../oca/index.js';
import { invalid } from '../errors.js';
import { formatId } from '../ids.js';

export type StorageKind = 'ami' | 'volume' | 'snapshot';

/** Image TYPE numbers an AMI may have: OS, CDROM, DATABLOCK. */
const AMI_TYPES = new Set([0, 1, 2]);

/** OpenNebula's image states (spec §3.4). */
export const ImageState = { INIT: 0, READY: 1, USED: 2, DISABLED: 3, LOCKED: 4, ERROR: 5, CLONE: 6, DELETE: 7, USED_PERS: 8, LOCKED_USED: 9, LOCKED_USED_PERS: 10 } as const;

export const yes = (v: string) => v.trim().toUpperCase() === 'YES';

/** What kind of EC2 object an image is; undefined for images EC2 does not show (files, backups). */
export function kindOf(img: Image): StorageKind | undefined {
  if (yes(img.get('TEMPLATE/EBS_VOLUME'))) return 'volume';
  if (yes(img.get('TEMPLATE/EBS_SNAPSHOT'))) return 'snapshot';
  return AMI_TYPES.has(img.type) ? 'ami' : undefined;
}

/** The EC2 id of an image of `kind`. */
export function ec2IdOf(kind: StorageKind, id: number): string {
  return formatId(kind === 'ami' ? 'ami' : kind === 'volume' ? 'vol' : 'snap', id);
}

/**
 * An AMI's `imageState` from the image state, as OpenNebula's econe-server mapped it: INIT and
 * LOCKED pending, READY / USED / CLONE available, USED_PERS in-use, ERROR failed; DISABLED and
 * DELETE are not listed (undefined). The locked-while-used states of 7.x are pending.
 */
export function amiState(state: number): string | undefined {
  switch (state) {
    case ImageState.INIT:
    case ImageState.LOCKED:
    case ImageState.LOCKED_USED:
    case ImageState.LOCKED_USED_PERS:
      return 'pending';
    case ImageState.READY:
    case ImageState.USED:
    case ImageState.CLONE:
      return 'available';
    case ImageState.USED_PERS:
      return 'in-use';
    case ImageState.ERROR:
      return 'failed';
    default:
      return undefined;
  }
}

/**
 * A volume's `status`: creating while the datastore makes it, available when READY (or being
 * copied by a snapshot), in-use when a VM has it, deleting while the driver removes it, error
 * when the driver failed or the image is disabled.
 */
export function volumeStatus(state: number): string {
  switch (state) {
    case ImageState.INIT:
    case ImageState.LOCKED:
      return 'creating';
    case ImageState.READY:
    case ImageState.CLONE:
      return 'available';
    case ImageState.USED:
    case ImageState.USED_PERS:
    case ImageState.LOCKED_USED:
    case ImageState.LOCKED_USED_PERS:
      return 'in-use';
    case ImageState.DELETE:
      return 'deleting';
    default:
      return 'error';
  }
}

/** A snapshot's `status`: pending while copied, completed when usable, error when the copy failed; undefined while deleted. */
export function snapshotState(state: number): string | undefined {
  switch (state) {
    case ImageState.INIT:
    case ImageState.LOCKED:
      return 'pending';
    case ImageState.ERROR:
      return 'error';
    case ImageState.DELETE:
      return undefined;
    default:
      return 'completed';
  }
}

/** An image's size in whole GiB (at least 1), as EC2 sizes volumes and snapshots. */
export function sizeGiB(img: Image): number {
  const mb = img.sizeMb;
  return Number.isFinite(mb) && mb > 0 ? Math.max(1, Math.ceil(mb / 1024)) : 1;
}

/**
 * The disk TARGET of an EC2 device name: `/dev/sdf` → `sdf`, `xvdh` → `xvdh`.
 * @throws Ec2Error InvalidParameterValue for anything that is not a plain device name
 */
export function deviceTarget(device: string): string {
  const m = /^(?:\/dev\/)?([a-z]{2,4}[a-z0-9]{0,4})$/.exec(device.trim());
  if (!m) throw invalid('Device', `"${device}" is not a device name such as /dev/sdf or xvdf`);
  return m[1]!;
}

/** What AttachVolume records in the image's template: `EBS = [ INSTANCE_ID, DEVICE, ATTACH_TIME ]`. */
export interface EbsRecord {
  readonly instanceId: string;
  readonly device: string;
  /** Epoch seconds. */
  readonly attachTime: number;
}

export function ebsRecords(img: Image): EbsRecord[] {
  return img.all('TEMPLATE/EBS').map((n) => ({
    instanceId: childText(n, 'INSTANCE_ID'),
    device: childText(n, 'DEVICE'),
    attachTime: Number(childText(n, 'ATTACH_TIME')) || 0,
  }));
}

export interface Attachment {
  readonly volumeId: string;
  readonly instanceId: string;
  readonly device: string;
  /** attaching, attached or detaching. */
  readonly status: string;
  /** Epoch seconds. */
  readonly attachTime: number;
}

/** LCM states of a disk being plugged in (17 HOTPLUG also unplugs) or out. */
const LCM = { HOTPLUG: 17, HOTPLUG_PROLOG_POWEROFF: 33, HOTPLUG_EPILOG_POWEROFF: 34 } as const;
const ACTIVE = 3;

/** The DISK of `vm` made from image `imageId`. */
export function diskOfImage(vm: VirtualMachine, imageId: number): XmlNode | undefined {
  return vm.all('TEMPLATE/DISK').find((d) => childText(d, 'IMAGE_ID') === String(imageId));
}

/**
 * Where a volume is attached, from the VMs that use it (`vms`: those of the image's VMS list the
 * caller can see). The device is the one AttachVolume was given (the EBS record) or the disk's
 * TARGET; while the VM plugs the disk in (the disk marked ATTACH) it is attaching, while it
 * plugs it out (marked DETACH too) detaching.
 */
export function attachmentsOf(img: Image, vms: readonly VirtualMachine[]): Attachment[] {
  const records = ebsRecords(img);
  const out: Attachment[] = [];
  for (const vm of vms) {
    const disk = diskOfImage(vm, img.id);
    if (!disk) continue;
    const instanceId = formatId('i', vm.id);
    const record = records.find((r) => r.instanceId === instanceId);
    let status = 'attached';
    const plugging = vm.state === ACTIVE && (Object.values(LCM) as number[]).includes(vm.lcmState) && yes(childText(disk, 'ATTACH'));
    if (plugging) status = yes(childText(disk, 'DETACH')) ? 'detaching' : 'attaching';
    out.push({
      volumeId: formatId('vol', img.id),
      instanceId,
      device: record?.device || `/dev/${childText(disk, 'TARGET')}`,
      status,
      attachTime: record?.attachTime || Number(vm.get('STIME')) || 0,
    });
  }
  return out;
}
