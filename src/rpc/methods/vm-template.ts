/**
 * `one.template.*` and `one.templatepool.info`. Instantiation arrives with virtual machines. A
 * recursive clone also clones the images the template's DISKs name (and points the new
 * template's DISKs at the clones); a recursive delete also deletes them.
 */
import { AuthOp } from '../../auth/operation.js';
import { VmTemplate } from '../../vmtemplate/index.js';
import { ApiError, ErrorCode } from '../api-error.js';
import { method, type MethodDef } from '../request-manager.js';
import type { Request } from '../request.js';
import { objectMethods } from './object-methods.js';
import { checkRestrictedSet, decryptedAnswer, encryptAttributes } from './template-attributes.js';
import { checkDeletable, cloneImage, deleteImage } from './image.js';
import type { Template, Vector } from '../../common/template/index.js';
import type { Image } from '../../image/index.js';
import { EscapedString } from '../xmlrpc/index.js';
import { xmlEscapeText } from '../../common/xml.js';
import { createOwned, deleteOwned, ownedPoolXml, templateAndName } from './owned.js';

const kind = { prefix: 'one.template', pool: (core: Request['core']) => core.templates, restricted: 'VM', encrypted: 'VM', infoExtended: true } as const;

const now = () => Math.floor(Date.now() / 1000);

/** The images the template's DISKs name (DISKs naming none, volatile disks, are skipped). */
function diskImages(req: Request, tmpl: VmTemplate): { disk: Vector; image: Image | undefined }[] {
  return tmpl.template.getAll('DISK').flatMap((a): { disk: Vector; image: Image | undefined }[] => {
    if (typeof a.value === 'string') return [];
    const disk = a.value;
    if (!disk.has('IMAGE_ID') && !disk.has('IMAGE')) return [{ disk, image: undefined }];
    try {
      return [{ disk, image: req.core.images.resolveDisk(disk, tmpl.owner.uid) }];
    } catch (err) {
      throw new ApiError(ErrorCode.ACTION, `Template ${tmpl.oid}: ${(err as Error).message}`, tmpl.oid);
    }
  });
}

/**
 * The template of a recursive clone: each DISK's image cloned as `<name>-disk-<n>`, the DISK
 * naming the clone by IMAGE_ID. Images cloned before a failure stay (they are logged).
 */
async function cloneWithImages(req: Request, source: VmTemplate, name: string): Promise<Template> {
  const template = source.template.clone();
  const disks = diskImages(req, source);
  template.remove('DISK');
  const cloned: number[] = [];
  try {
    for (const [n, { disk, image }] of disks.entries()) {
      const copy = new Map(disk);
      if (image) {
        const id = await cloneImage(req, image.oid, `${name}-disk-${n}`, -1);
        cloned.push(id);
        for (const k of ['IMAGE', 'IMAGE_UNAME', 'IMAGE_UID']) copy.delete(k);
        copy.set('IMAGE_ID', String(id));
      }
      template.add('DISK', copy);
    }
  } catch (err) {
    req.core.log.error('ReM', `Recursive clone of template ${source.oid} failed; its image clones ${cloned.join(', ') || '(none)'} stay`);
    throw err;
  }
  return template;
}

export const vmTemplateMethods: MethodDef[] = [
  method({
    name: 'one.template.allocate',
    params: ['s'],
    run: (req, [text]) => {
      const { template, name } = templateAndName(req.core.templates, text, 'VM template');
      checkRestrictedSet(req, 'VM', template, 'VM Template');
      encryptAttributes(req, 'VM', template);
      return createOwned(req, req.core.templates, name, (oid, owner, perms) => new VmTemplate(oid, name, owner, perms, now(), template), 'internal');
    },
  }),
  method({
    name: 'one.template.clone',
    params: ['i', 's', { opt: 'b', def: false }],
    run: async (req, [oid, name, recursive]) => {
      const source = req.authorized(req.core.templates, oid, AuthOp.USE);
      const template = recursive ? await cloneWithImages(req, source, name) : source.template.clone();
      return createOwned(req, req.core.templates, name, (id, owner, perms) => new VmTemplate(id, name, owner, perms, now(), template), 'internal');
    },
  }),
  method({
    name: 'one.template.delete',
    params: ['i', { opt: 'b', def: false }],
    run: async (req, [oid, recursive]) => {
      if (!recursive) return deleteOwned(req, req.core.templates, oid);
      const tmpl = req.authorized(req.core.templates, oid, AuthOp.MANAGE);
      // Every image must be deletable before anything is: a refusal leaves all as it was.
      const images = [...new Set(diskImages(req, tmpl).flatMap(({ image }) => (image ? [image] : [])))];
      for (const image of images) {
        req.authorize(image, AuthOp.MANAGE);
        checkDeletable(image);
      }
      await deleteOwned(req, req.core.templates, oid);
      for (const image of images) await deleteImage(req, image.oid);
      return oid;
    },
  }),
  // info extended (second argument) shows the DISKs filled from their images, as a VM would have them.
  ...objectMethods(kind).filter((m) => m.name !== 'one.template.info'),
  method({
    name: 'one.template.info',
    params: ['i', { opt: 'b', def: false }, { opt: 'b', def: false }],
    // decrypt (third argument): VM_ENCRYPTED_ATTR values in clear, for admins.
    run: (req, [oid, extended, decrypt]) => {
      const tmpl = req.authorized(req.core.templates, oid, AuthOp.USE_NO_LCK);
      if (!extended) return decryptedAnswer(req, 'VM', new EscapedString(tmpl.toEscapedXml()), decrypt, [tmpl.template]);
      const template = tmpl.template.clone();
      req.core.vmResources.extendDisks(template, tmpl.owner.uid);
      const answer = new EscapedString(xmlEscapeText(new VmTemplate(tmpl.oid, tmpl.name, tmpl.owner, tmpl.perms, tmpl.regtime, template, tmpl.lock).toXml()));
      return decryptedAnswer(req, 'VM', answer, decrypt, [template]);
    },
  }),
  method({
    name: 'one.templatepool.info',
    params: [{ opt: 'i', def: -2 }, { opt: 'i', def: -1 }, { opt: 'i', def: -1 }],
    run: (req, [filter, start, end]) => ownedPoolXml(req, req.core.templates, filter, start, end),
  }),
];
