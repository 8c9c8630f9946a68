/**
 * `one.image.restore(backup_image_id, ds_id, options)` (OpenNebula 7.4): the backup datastore's
 * driver (RESTORE) brings the disks of a backup (the chosen INCREMENT_ID of a chain, the last
 * by default) into image datastore `ds_id`; oned makes an image of each (`<name>-disk-<id>`,
 * OS for disk 0, DATABLOCK for the others) and, unless DISK_ID names one disk, a VM template
 * `<name>` with the backed-up VM's settings using them (NO_NIC: without its NICs, NO_IP:
 * without their addresses). Answers `"<template id> <image id>..."` (-1 as the template id
 * with DISK_ID). Refused, with nothing made, for an image that is not a READY backup, a
 * datastore that is not an image datastore, an unknown increment or disk.
 */
import { AuthOp } from '../../auth/operation.js';
import { DatastoreType } from '../../datastore/index.js';
import { actionData, Image, ImageState, ImageType } from '../../image/index.js';
import { VmTemplate } from '../../vmtemplate/index.js';
import { backedUpTemplate, parseRestoreReply, restoredVmTemplate, restoreOptions, restoreRequestXml, type RestoreOptions } from '../../backup/restore.js';
import { Template } from '../../common/template/index.js';
import { ApiError, ErrorCode } from '../api-error.js';
import { method, type MethodDef } from '../request-manager.js';
import type { Request } from '../request.js';
import { newObjectPermissions } from './common.js';
import { createImage } from './image.js';
import { createOwned } from './owned.js';

const now = () => Math.floor(Date.now() / 1000);

function checked(req: Request, imageId: number, dsId: number, text: string): { image: Image; options: RestoreOptions } {
  const image = req.authorized(req.core.images, imageId, AuthOp.USE);
  if (image.fields.type !== ImageType.BACKUP) throw new ApiError(ErrorCode.ACTION, `Image ${imageId} is not a backup image (TYPE BACKUP): only backups can be restored.`, imageId);
  if (image.state !== ImageState.READY) throw new ApiError(ErrorCode.ACTION, `Backup image ${imageId} is not READY.`, imageId);
  const ds = req.get(req.core.datastores, dsId);
  req.authorize(ds, AuthOp.USE, ds.clusterIds);
  if (ds.fields.dsType !== DatastoreType.IMAGE_DS) throw new ApiError(ErrorCode.ACTION, `Datastore ${dsId} is not an image datastore: backups are restored into an IMAGE_DS.`, dsId);
  let options: RestoreOptions;
  try {
    options = restoreOptions(text);
  } catch (e) {
    throw new ApiError(ErrorCode.ACTION, `Bad restore options: ${(e as Error).message}`, imageId);
  }
  const chain = image.backup;
  if (options.incrementId >= 0 && (chain.isChain ? !chain.increment(options.incrementId) : options.incrementId !== 0)) {
    const known = chain.isChain ? chain.increments.map((i) => i.id).join(', ') : '0';
    throw new ApiError(ErrorCode.ACTION, `Backup image ${imageId} has no increment ${options.incrementId} (increments: ${known}).`, imageId);
  }
  if (options.diskId >= 0 && chain.diskIds.length > 0 && !chain.diskIds.includes(options.diskId)) {
    throw new ApiError(ErrorCode.ACTION, `Backup image ${imageId} has no disk ${options.diskId} (disks: ${chain.diskIds.join(', ')}).`, imageId);
  }
  return { image, options };
}

export const imageRestoreMethods: MethodDef[] = [
  method({
    name: 'one.image.restore',
    params: ['i', 'i', { opt: 's', def: '' }],
    run: async (req, [imageId, dsId, text]) => {
      const { image, options } = checked(req, imageId, dsId, text);
      const { datastores, images } = req.core;
      const dest = datastores.get(dsId)!;
      const backupDs = datastores.get(image.fields.datastoreId);
      if (!backupDs) throw new ApiError(ErrorCode.ACTION, `The backup datastore of image ${imageId} is gone.`, imageId);
      const incrementId = options.incrementId >= 0 ? options.incrementId : (image.backup.increments.at(-1)?.id ?? 0);
      const dsXml = req.core.attributes.decryptedXml('DATASTORE', backupDs.toXml(), backupDs.template);
      const data = actionData(image.toXml(), restoreRequestXml({ incrementId, diskId: options.diskId, destinationDsId: dest.oid, destinationBasePath: dest.fields.basePath }), dsXml);
      const reply = await req.core.imageManager.restoreRequest(image.oid, data);
      if (!reply.ok) throw new ApiError(ErrorCode.ACTION, `Cannot restore backup image ${imageId}: ${reply.info}`, imageId);
      let parsed: ReturnType<typeof parseRestoreReply>;
      try {
        parsed = parseRestoreReply(reply.info);
      } catch (e) {
        throw new ApiError(ErrorCode.ACTION, `Cannot restore backup image ${imageId}: ${(e as Error).message}`, imageId);
      }
      const vmId = [...image.vms][0] ?? -1;
      const source = backedUpTemplate(parsed.vmXml) ?? req.core.vms.get(vmId)?.template;
      const base = options.name || `${vmId}-${image.oid}`;
      const c = req.caller;
      const owner = { uid: c.uid, gid: c.gid, uname: c.uname, gname: c.gname };
      const made = new Map<number, number>();
      for (const d of parsed.disks) {
        if (options.diskId >= 0 && d.diskId !== options.diskId) continue;
        let name = `${base}-disk-${d.diskId}`;
        if (images.getByName(name, c.uid)) name = `${name}-${now()}`;
        const t = new Template();
        t.set('FROM_BACKUP_DS', String(backupDs.oid));
        const prefix = source?.getAll('DISK').map((a) => a.value).find((v) => typeof v !== 'string' && v.get('DISK_ID') === String(d.diskId));
        const devPrefix = prefix && typeof prefix !== 'string' ? prefix.get('DEV_PREFIX') : undefined;
        t.set('DEV_PREFIX', devPrefix || req.core.images.defaultDevPrefix(ImageType.OS));
        const t0 = now();
        const img = await createImage(req, dest, name, (oid) => new Image(oid, name, owner, newObjectPermissions(req), {
          type: d.diskId === 0 ? ImageType.OS : ImageType.DATABLOCK, diskType: dest.fields.diskType, persistent: false,
          regtime: t0, modtime: t0, source: d.source, path: '', format: d.format, fs: '', size: d.sizeMb,
          state: ImageState.READY, prevState: ImageState.INIT, cloningOps: 0, cloningId: -1, targetSnapshot: -1, datastoreId: dest.oid, datastore: dest.name,
        }, t));
        made.set(d.diskId, img.oid);
      }
      if (made.size === 0) throw new ApiError(ErrorCode.ACTION, `Cannot restore backup image ${imageId}: the driver restored no disk ${options.diskId}.`, imageId);
      let templateId = -1;
      if (options.diskId < 0) {
        const t = restoredVmTemplate(source, made, options);
        let name = base;
        if (req.core.templates.getByName(name, c.uid)) name = `${name}-${now()}`;
        templateId = await createOwned(req, req.core.templates, name, (oid, o, perms) => new VmTemplate(oid, name, o, perms, now(), t), 'internal');
      }
      req.core.log.info('ImM', `Backup image ${imageId} restored: template ${templateId}, images ${[...made.values()].join(' ')}`);
      return `${templateId} ${[...made.values()].join(' ')}`;
    },
  }),
];
