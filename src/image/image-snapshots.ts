/**
 * Snapshots of persistent images: a persistent disk's snapshots live with its image (the qcow2
 * internal snapshots are in the image file itself). A VM takes them when it is made (or, for a
 * disk attached later, on its first disk snapshot call) and gives them back when it is done.
 */
import type { Vector } from '../common/template/index.js';
import type { Transaction } from '../pool/index.js';
import { DiskSnapshots } from '../vm/disk-snapshots.js';
import { snapshotsOf, vectors, type VirtualMachine } from '../vm/index.js';
import type { ImagePool } from './image-pool.js';

/** The VM is done (or `disk` is detached): each persistent disk's snapshots become its image's. */
export function imageSnapshotsBack(tx: Transaction, images: ImagePool, vm: VirtualMachine, disk?: Vector): void {
  for (const d of disk ? [disk] : vectors(vm.template, 'DISK')) {
    if (d.get('PERSISTENT') !== 'YES' || !d.has('IMAGE_ID')) continue;
    const snaps = vm.diskSnapshots.get(Number(d.get('DISK_ID')));
    const image = images.get(Number(d.get('IMAGE_ID')));
    if (!snaps || !image) continue;
    tx.touch(images, image).snapshots = snaps.clone(-1);
  }
}

/** The image's snapshots for a VM disk (a copy of them is what the VM starts with). */
export function imageSnapshotsOf(images: ImagePool, imageId: number): DiskSnapshots | undefined {
  const s = images.get(imageId)?.snapshots;
  return s && s.size > 0 ? s : undefined;
}

/** A new VM starts with its persistent disks' image snapshots (and their DISK_SNAPSHOT_TOTAL_SIZE). */
export function takeImageSnapshots(images: ImagePool, vm: VirtualMachine): void {
  for (const d of vectors(vm.template, 'DISK')) {
    if (d.get('PERSISTENT') !== 'YES' || !d.has('IMAGE_ID')) continue;
    const snaps = imageSnapshotsOf(images, Number(d.get('IMAGE_ID')));
    if (snaps) snapshotsOf(vm, d, snaps);
  }
}
