/**
 * Everything that counts in quotas, as `checkQuotas` (src/auth/quota-check.ts) reads it: VMs that
 * are not DONE (their VM quota, and the image and lease of each DISK and NIC), images (their
 * datastore quota; not while being deleted, whose quota is already given back), and
 * reservations (the leases they hold of their parent). The usage functions are the ones the
 * API charges with, so the check and the charges cannot disagree.
 */
import type { QuotaConsumer } from '../auth/quota-check.js';
import { ImageState, imageQuotaUsage, type ImagePool } from '../image/index.js';
import { VmState, vmQuotaUsage, type VirtualMachinePool } from '../vm/index.js';
import { reservationQuotaUsage, type VirtualNetworkPool } from '../vnet/index.js';

export interface QuotaObjects {
  readonly vms: VirtualMachinePool;
  readonly images: ImagePool;
  readonly vnets: VirtualNetworkPool;
}

export function* quotaConsumers(o: QuotaObjects): Iterable<QuotaConsumer> {
  for (const vm of o.vms.all()) {
    if (vm.state === VmState.DONE) continue;
    yield { uid: vm.owner.uid, gid: vm.owner.gid, usages: vmQuotaUsage(vm.template) };
  }
  for (const image of o.images.all()) {
    if (image.state === ImageState.DELETE) continue;
    yield { uid: image.owner.uid, gid: image.owner.gid, usages: imageQuotaUsage(image) };
  }
  for (const vnet of o.vnets.all()) {
    if (!vnet.isReservation) continue;
    for (const ar of vnet.ars.values()) yield { uid: vnet.owner.uid, gid: vnet.owner.gid, usages: reservationQuotaUsage(vnet.fields.parentId, ar.size) };
  }
}
