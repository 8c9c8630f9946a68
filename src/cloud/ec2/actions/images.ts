/**
 * AMIs are OpenNebula images (OS, CDROM and DATABLOCK images that are not volumes or
 * snapshots). DescribeImages lists those the user may use (their own and those shared with
 * them; `Owner.N = self` only their own), in the states of spec §7.1 (DISABLED and DELETE
 * images are not listed). RegisterImage marks an image of the user as an AMI
 * (`EC2_AMI = "YES"`) and enables it, or registers a new one from a path or URL the datastore
 * can read; CreateImage saves an instance's first disk as a new image (`one.vm.disksaveas`);
 * DeregisterImage deletes the image. UploadImage (OpenNebula's own action, a multipart POST
 * with the file in the field `file`) writes the file where oned's datastore drivers may read it
 * and registers it as an OS image in econe.conf's `datastore_id`.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { UpdateMode, type Image, type Oca } from '../../../oca/index.js';
import { removeStale, sanitizeName } from '../../../ui/server/upload.js';
import { childText } from '../../../common/xml-tree.js';
import type { Ec2Action, Ec2Context } from '../context.js';
import { Ec2Error, invalid, missing } from '../errors.js';
import { formatId, parseId, requireId } from '../ids.js';
import { applyFilters, isTagFilter, paginate, tagFilterValues } from '../paging.js';
import { templateXml, type TemplateSpec } from '../records.js';
import { tagsSpec } from '../tags.js';
import { el, isoTime, itemSet, tagSet, wrap } from '../xml.js';
import { allocateError, description, freshName, imageCallError, imageTags, listImages, ownImage, pickByIds, regTime } from './storage.js';
import { amiState, ImageState } from './storage-model.js';
import { ownVm } from './volumes.js';

/** Where UploadImage keeps files until the datastore has copied them: under /var/tmp, which oned's image datastores may read (SAFE_DIRS). */
export const UPLOAD_DIR = '/var/tmp/econe-upload';

/** Whether others (or the group) may use the image. */
function isPublic(img: Image): boolean {
  return img.get('PERMISSIONS/OTHER_U') === '1';
}

function imageXml(img: Image): string {
  const state = amiState(img.state)!;
  const error = img.get('TEMPLATE/ERROR');
  return (
    el('imageId', formatId('ami', img.id)) +
    el('imageLocation', `${img.uname}/${img.name}`) +
    el('imageState', state) +
    el('imageOwnerId', String(img.uid)) +
    el('creationDate', isoTime(regTime(img))) +
    el('isPublic', isPublic(img)) +
    el('architecture', img.get('TEMPLATE/ARCH') || 'x86_64') +
    el('imageType', 'machine') +
    el('name', img.name) +
    el('description', img.get('TEMPLATE/DESCRIPTION') || undefined) +
    el('rootDeviceType', img.int('PERSISTENT') === 1 ? 'ebs' : 'instance-store') +
    el('rootDeviceName', '/dev/sda1') +
    '<blockDeviceMapping/>' +
    el('virtualizationType', 'hvm') +
    el('sourceInstanceId', img.get('TEMPLATE/EC2_SOURCE_INSTANCE') || undefined) +
    (state === 'failed' && error ? wrap('stateReason', el('code', 'Client.ImageError') + el('message', error)) : '') +
    tagSet(imageTags(img))
  );
}

const IMAGE_FILTERS = ['image-id', 'name', 'state', 'owner-id', 'is-public', 'image-type', 'architecture', 'description', 'root-device-type', 'virtualization-type'];

const describeImages: Ec2Action = async (ctx) => {
  const ids = ctx.params.list('ImageId');
  for (const t of ids) requireId('ami', t);
  let images = (await listImages(ctx, 'ami', true)).filter((i) => amiState(i.state) !== undefined);
  if (ids.length) images = pickByIds(images, 'ami', ids);
  const owners = ctx.params.list('Owner');
  if (owners.length) images = images.filter((i) => owners.some((o) => (o === 'self' && i.uid === ctx.user.id) || o === String(i.uid)));
  const shown = applyFilters(images, ctx.params.filters(), (f) => IMAGE_FILTERS.includes(f) || isTagFilter(f), (i, f) => {
    switch (f) {
      case 'image-id': return [formatId('ami', i.id)];
      case 'name': return [i.name];
      case 'state': return [amiState(i.state)!];
      case 'owner-id': return [String(i.uid)];
      case 'is-public': return [String(isPublic(i))];
      case 'image-type': return ['machine'];
      case 'architecture': return [i.get('TEMPLATE/ARCH') || 'x86_64'];
      case 'description': return [i.get('TEMPLATE/DESCRIPTION')];
      case 'root-device-type': return [i.int('PERSISTENT') === 1 ? 'ebs' : 'instance-store'];
      case 'virtualization-type': return ['hvm'];
      default: return tagFilterValues(imageTags(i), f) ?? [];
    }
  });
  const page = paginate(shown, ctx.params, ids.length > 0);
  return itemSet('imagesSet', page.items.map(imageXml)) + el('nextToken', page.nextToken);
};

/** The AMI name of RegisterImage / CreateImage (EC2: 3 to 128 characters). */
function amiName(ctx: Ec2Context, required: boolean): string | undefined {
  const name = required ? ctx.params.str('Name') : ctx.params.optional('Name');
  if (name !== undefined && (name.length < 3 || name.length > 128)) throw invalid('Name', 'an image name has 3 to 128 characters');
  return name;
}

const registerImage: Ec2Action = async (ctx) => {
  const location = ctx.params.optional('ImageLocation');
  if (location === undefined || location === '') throw missing('ImageLocation');
  const name = amiName(ctx, false);
  const desc = description(ctx);
  const tags = ctx.params.tagsFor('image');
  const existing = parseId('ami', location);
  if (existing === undefined) {
    // A path or URL: a new image the datastore driver copies from there.
    if (location.startsWith('ami-')) requireId('ami', location);
    const spec: TemplateSpec = { NAME: name ?? freshName('ec2-image'), TYPE: 'OS', PATH: location, EC2_AMI: 'YES', DESCRIPTION: desc, EC2_TAGS: tagsSpec(tags) };
    try {
      return el('imageId', formatId('ami', await ctx.one.images.allocate(templateXml(spec), ctx.conf.datastore_id)));
    } catch (err) {
      throw allocateError(err, 'InvalidAMIName.Duplicate');
    }
  }
  // An image of the user's (an upload, or one made in OpenNebula): an AMI from now on.
  const img = await ownImage(ctx, 'ami', location);
  if (img.state === ImageState.ERROR) throw new Ec2Error('IncorrectState', `Image '${location}' is in error: ${img.get('TEMPLATE/ERROR')}`);
  try {
    if (name !== undefined && name !== img.name) await ctx.one.images.rename(img.id, name);
    if (img.state === ImageState.DISABLED) await ctx.one.images.enable(img.id, true);
    await ctx.one.images.update(img.id, templateXml({ EC2_AMI: 'YES', DESCRIPTION: desc }), UpdateMode.MERGE);
  } catch (err) {
    throw allocateError(imageCallError(err, 'ami', img.id), 'InvalidAMIName.Duplicate');
  }
  return el('imageId', formatId('ami', img.id));
};

const createImage: Ec2Action = async (ctx) => {
  const vmText = ctx.params.str('InstanceId');
  const name = amiName(ctx, true)!;
  const desc = description(ctx);
  const tags = ctx.params.tagsFor('image', ['image', 'snapshot']);
  const vm = await ownVm(ctx, vmText);
  const disk = vm.all('TEMPLATE/DISK').find((d) => childText(d, 'IMAGE_ID') !== '');
  if (!disk) throw new Ec2Error('InvalidParameterValue', `Instance '${vmText}' has no disk made from an image to save`);
  let id: number;
  try {
    id = await ctx.one.vms.diskSaveas(vm.id, Number(childText(disk, 'DISK_ID')), name, '', -1);
  } catch (err) {
    const e = allocateError(err, 'InvalidAMIName.Duplicate');
    if (e.code === 'IncorrectState') throw new Ec2Error('IncorrectInstanceState', `Instance '${vmText}' cannot be saved in its state: ${e.message}`);
    throw e;
  }
  const spec: TemplateSpec = { EC2_AMI: 'YES', EC2_SOURCE_INSTANCE: formatId('i', vm.id), DESCRIPTION: desc, EC2_TAGS: tagsSpec(tags) };
  await ctx.one.images.update(id, templateXml(spec), UpdateMode.MERGE);
  return el('imageId', formatId('ami', id));
};

const deregisterImage: Ec2Action = async (ctx) => {
  const text = ctx.params.str('ImageId');
  const img = await ownImage(ctx, 'ami', text);
  try {
    await ctx.one.images.delete(img.id);
  } catch (err) {
    throw imageCallError(err, 'ami', img.id);
  }
  return el('return', true);
};

/** Removes an upload's directory once the datastore is done with its file (the image left LOCKED), or after `maxMs`. */
export function removeWhenCopied(one: Oca, imageId: number, dir: string, intervalMs = 2000, maxMs = 6 * 3600 * 1000): void {
  const started = Date.now();
  const check = async (): Promise<void> => {
    let done = Date.now() - started > maxMs;
    if (!done) {
      try {
        const s = (await one.images.info(imageId)).state;
        done = s !== ImageState.LOCKED && s !== ImageState.INIT;
      } catch {
        done = true; // gone, or no longer readable: nothing will read the file
      }
    }
    if (done) await rm(dir, { recursive: true, force: true });
    else setTimeout(() => void check(), intervalMs).unref();
  };
  setTimeout(() => void check(), intervalMs).unref();
}

const uploadImage: Ec2Action = async (ctx) => {
  const file = ctx.files.get('file');
  if (!file) throw missing('file');
  if (file.size === 0) throw invalid('file', 'the file is empty');
  const name = amiName(ctx, false);
  void removeStale(UPLOAD_DIR);
  await mkdir(UPLOAD_DIR, { recursive: true, mode: 0o755 });
  const dir = join(UPLOAD_DIR, randomBytes(12).toString('hex'));
  await mkdir(dir, { mode: 0o700 });
  const path = join(dir, sanitizeName(file.name) || 'image');
  let id: number;
  try {
    await pipeline(Readable.fromWeb(file.stream() as WebReadableStream), createWriteStream(path, { mode: 0o600 }));
    const spec: TemplateSpec = { NAME: name ?? freshName('ec2-image'), TYPE: 'OS', PATH: path, EC2_AMI: 'YES', DESCRIPTION: description(ctx) };
    id = await ctx.one.images.allocate(templateXml(spec), ctx.conf.datastore_id);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw allocateError(err, 'InvalidAMIName.Duplicate');
  }
  removeWhenCopied(ctx.one, id, dir);
  ctx.log(`${ctx.requestId} ${ctx.user.name} UploadImage: ${file.size} bytes as image ${id}`);
  return el('imageId', formatId('ami', id));
};

export const imageActions: Record<string, Ec2Action> = {
  DescribeImages: describeImages,
  RegisterImage: registerImage,
  CreateImage: createImage,
  DeregisterImage: deregisterImage,
  UploadImage: uploadImage,
};
