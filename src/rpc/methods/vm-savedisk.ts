/**
 * `one.vm.savedisk(id, disk_id, image_name, image_type)`, the 3.x deferred save-as: a new image
 * is made at once in the disk's datastore (an empty one of the disk's size, LOCKED), the DISK
 * is marked `SAVE = YES`, `SAVE_AS = <image id>`, `SAVE_AS_SOURCE`, and the VM's epilog moves
 * the disk into it (MVDS); the image is READY once the VM is done.
 */
import { AuthOp } from '../../auth/operation.js';
import { Template } from '../../common/template/index.js';
import { Image, ImageState, imageTypeOf } from '../../image/index.js';
import { vectors, VmState, type VirtualMachine } from '../../vm/index.js';
import type { Vector } from '../../common/template/index.js';
import type { Request } from '../request.js';
import { ApiError, ErrorCode } from '../api-error.js';
import { method, type MethodDef } from '../request-manager.js';
import { allocateError, checkName, checkNameFree, newObjectPermissions } from './common.js';
import { createImage } from './image.js';

/** The value of the 5th argument when a (3.x) client gives none. */
const NOT_GIVEN = -2147483648;

/**
 * Makes the image a disk is saved into (3.x savedisk, 7.4 disksaveas): in the datastore of the
 * disk's image, named `name` (free for the caller), of `typeText` (empty: the source image's
 * type), `sizeMb` big, LOCKED with the SOURCE the datastore driver gave it (MKFS). Resolves once
 * the driver answered; throws the API error (nothing made) or, when the driver failed, one naming
 * the image left in ERROR.
 */
export async function makeSavedImage(req: Request, vm: VirtualMachine, disk: Vector, name: string, typeText: string, sizeMb: number): Promise<Image> {
  const { images, datastores } = req.core;
  const oid = vm.oid;
  const diskId = disk.get('DISK_ID');
  const source = req.get(images, Number(disk.get('IMAGE_ID')));
  const type = typeText.trim() === '' ? source.fields.type : imageTypeOf(typeText.trim());
  if (type === undefined) throw new ApiError(ErrorCode.XML_RPC_API, `Unknown image type "${typeText}": use OS, CDROM, DATABLOCK, KERNEL, RAMDISK or CONTEXT.`, oid);
  req.authorizeCreate('IMAGE');
  const ds = req.get(datastores, source.fields.datastoreId);
  req.authorize(ds, AuthOp.USE, ds.clusterIds);
  const c = req.caller;
  try {
    checkName(name, ErrorCode.ALLOCATE);
    checkNameFree(images, name, c.uid, ErrorCode.ALLOCATE);
  } catch (err) {
    throw allocateError(images, (err as Error).message);
  }
  const template = new Template();
  template.set('SAVED_VM_ID', String(oid));
  template.set('SAVED_DISK_ID', String(diskId));
  template.set('SAVED_IMAGE_ID', String(source.oid));
  const prefix = source.template.get('DEV_PREFIX');
  if (prefix) template.set('DEV_PREFIX', prefix);
  const now = Math.floor(Date.now() / 1000);
  const owner = { uid: c.uid, gid: c.gid, uname: c.uname, gname: c.gname };
  const image = await createImage(req, ds, name, (iid) => new Image(iid, name, owner, newObjectPermissions(req), {
    type, persistent: false, path: '', size: sizeMb, fs: '', format: source.fields.format || 'raw', diskType: ds.fields.diskType,
    regtime: now, modtime: now, source: '', state: ImageState.LOCKED, prevState: ImageState.INIT,
    cloningOps: 0, cloningId: -1, targetSnapshot: -1, datastoreId: ds.oid, datastore: ds.name,
  }, template));
  await req.core.imageManager.registerSaved(image, ds);
  // The driver answered: the image has its SOURCE (or failed, in ERROR with the reason).
  const made = images.get(image.oid);
  if (!made || made.state !== ImageState.LOCKED || made.fields.source === '') {
    throw new ApiError(ErrorCode.ACTION, `Cannot save DISK ${diskId} of VM ${oid}: image ${image.oid} could not be made (${made?.template.get('ERROR') ?? 'gone'}).`, oid);
  }
  return made;
}

export const vmSavediskMethods: MethodDef[] = [
  method({
    name: 'one.vm.savedisk',
    params: ['i', 'i', 's', 's', { opt: 'i', def: NOT_GIVEN }],
    run: async (req, [oid, diskId, name, typeText, fifth]) => {
      if (fifth !== NOT_GIVEN) {
        throw new ApiError(ErrorCode.XML_RPC_API, 'one.vm.savedisk takes (id, disk_id, image_name, image_type) as in 3.x; a 5th argument (4.x: hot save or snapshot id) is not served.', oid);
      }
      const { vms, images } = req.core;
      const vm = req.authorized(vms, oid, AuthOp.MANAGE);
      if (vm.state === VmState.DONE) throw new ApiError(ErrorCode.ACTION, `VM ${oid} is DONE: its disks are gone.`, oid);
      const disk = vectors(vm.template, 'DISK').find((d) => d.get('DISK_ID') === String(diskId));
      if (!disk) throw new ApiError(ErrorCode.ACTION, `VM ${oid} has no DISK with DISK_ID ${diskId}.`, oid);
      if (disk.get('IMAGE_ID') === undefined) throw new ApiError(ErrorCode.ACTION, `DISK ${diskId} of VM ${oid} is volatile: only disks of images can be saved.`, oid);
      if (disk.get('SAVE_AS') !== undefined) throw new ApiError(ErrorCode.ACTION, `DISK ${diskId} of VM ${oid} is already to be saved as image ${disk.get('SAVE_AS')}.`, oid);
      if (disk.get('PERSISTENT') === 'YES') throw new ApiError(ErrorCode.ACTION, `DISK ${diskId} of VM ${oid} is of persistent image ${disk.get('IMAGE_ID')}: its changes are saved into it already.`, oid);
      const made = await makeSavedImage(req, vm, disk, name, typeText, Number(images.get(Number(disk.get('IMAGE_ID')))?.fields.size ?? 0));
      const now2 = vms.get(oid);
      const d2 = now2 && vectors(now2.template, 'DISK').find((d) => d.get('DISK_ID') === String(diskId));
      const tx = req.transaction();
      if (!now2 || now2.state === VmState.DONE || !d2) {
        tx.touch(images, made).failed(`VM ${oid} ended before its DISK ${diskId} could be marked to be saved.`);
        await tx.commit();
        throw new ApiError(ErrorCode.ACTION, `VM ${oid} ended before DISK ${diskId} could be marked: image ${made.oid} is in ERROR.`, oid);
      }
      tx.touch(vms, now2);
      d2.set('SAVE', 'YES');
      d2.set('SAVE_AS', String(made.oid));
      d2.set('SAVE_AS_SOURCE', made.fields.source);
      await tx.commit();
      return made.oid;
    },
  }),
];
