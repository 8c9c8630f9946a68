/**
 * What the image-backed actions share (AMIs, volumes, snapshots): their taggable kinds, reading
 * the caller's image of a kind (another user's, or an image of another kind, is that kind's
 * NotFound), listing them, the availability zone of a datastore, the EC2 answer for a failed
 * call on an image, and a free name for a new image.
 */
import { randomUUID } from 'node:crypto';
import { PoolFilter, UpdateMode, type Image, type OneObject } from '../../../oca/index.js';
import type { Ec2Context } from '../context.js';
import { Ec2Error, ec2ErrorOf, invalid } from '../errors.js';
import { formatId, notFound, notFoundCode, requireId, type IdPrefix } from '../ids.js';
import { ownObject, registerTaggedKind, tagsOf, type TaggedKind } from '../tags.js';
import type { Tag } from '../params.js';
import { kindOf, type StorageKind } from './storage-model.js';

export const PREFIX: Record<StorageKind, IdPrefix> = { ami: 'ami', volume: 'vol', snapshot: 'snap' };
const RESOURCE_TYPE: Record<StorageKind, string> = { ami: 'image', volume: 'volume', snapshot: 'snapshot' };

function taggedKind(kind: StorageKind): TaggedKind {
  return {
    prefix: PREFIX[kind],
    resourceType: RESOURCE_TYPE[kind],
    templatePath: 'TEMPLATE',
    info: (one, id) => one.images.info(id),
    update: (one, id, template) => one.images.update(id, template, UpdateMode.MERGE),
    accepts: (obj: OneObject) => kindOf(obj as Image) === kind,
    list: async (one) => (await one.images.list(PoolFilter.MINE)).filter((i) => kindOf(i) === kind),
  };
}

/** The taggable kinds of images, registered with CreateTags / DeleteTags / DescribeTags. */
export const STORAGE_KINDS: Record<StorageKind, TaggedKind> = { ami: taggedKind('ami'), volume: taggedKind('volume'), snapshot: taggedKind('snapshot') };
for (const k of Object.values(STORAGE_KINDS)) registerTaggedKind(k);

/** The caller's own image named by the EC2 id `text` of `kind` (Malformed / NotFound otherwise). */
export async function ownImage(ctx: Ec2Context, kind: StorageKind, text: string): Promise<Image> {
  return (await ownObject(ctx.one, STORAGE_KINDS[kind], requireId(PREFIX[kind], text), ctx.user.id)) as Image;
}

/** The caller's images of `kind` (`all`: every image the caller may see, for AMIs). */
export async function listImages(ctx: Ec2Context, kind: StorageKind, all = false): Promise<Image[]> {
  const images = await ctx.one.images.list(all ? PoolFilter.ALL : PoolFilter.MINE);
  return images.filter((i) => kindOf(i) === kind && (all || i.uid === ctx.user.id)).sort((a, b) => a.id - b.id);
}

/**
 * The images of `ids` (EC2 ids of `kind`) among `images`, in the order asked; ids not there are
 * the kind's NotFound, naming them all.
 */
export function pickByIds(images: readonly Image[], kind: StorageKind, ids: readonly string[]): Image[] {
  const byId = new Map(images.map((i) => [i.id, i]));
  const missingIds: string[] = [];
  const out: Image[] = [];
  for (const text of [...new Set(ids)]) {
    const img = byId.get(requireId(PREFIX[kind], text));
    if (img) out.push(img);
    else missingIds.push(text);
  }
  if (missingIds.length === 1) throw notFound(PREFIX[kind], missingIds[0]!);
  if (missingIds.length > 1) throw new Ec2Error(notFoundCode(PREFIX[kind]), `The IDs '${missingIds.join(', ')}' do not exist`);
  return out;
}

/** Datastore id → the availability zone (cluster name) it is in, as the server account sees them. */
export async function datastoreZones(ctx: Ec2Context): Promise<Map<number, string>> {
  const [datastores, clusters] = await Promise.all([ctx.admin.datastores.list(), ctx.admin.clusters.list()]);
  const names = new Map(clusters.map((c) => [c.id, c.name]));
  return new Map(datastores.map((d) => [d.id, names.get(d.ids('CLUSTERS')[0] ?? -1) ?? '']));
}

/**
 * The EC2 error of a failed call on an image of `kind`: NotFound when it is gone or not the
 * caller's, VolumeInUse / IncorrectState when its state forbids it.
 */
export function imageCallError(err: unknown, kind: StorageKind, id: number): Ec2Error {
  const e = ec2ErrorOf(err, notFoundCode(PREFIX[kind]));
  if (e.code === notFoundCode(PREFIX[kind]) || e.status === 403) return notFound(PREFIX[kind], formatId(PREFIX[kind], id));
  return e;
}

/** The error of an allocate, clone or save-as refused by oned (a taken name is `duplicateCode`). */
export function allocateError(err: unknown, duplicateCode?: string): Ec2Error {
  const e = ec2ErrorOf(err);
  if (duplicateCode && /already taken|NAME is already/i.test(e.message)) return new Ec2Error(duplicateCode, e.message);
  return e;
}

/** A name no image of the caller has: `<prefix>-<uuid>` (OpenNebula image names are unique per owner). */
export function freshName(prefix: string): string {
  return `${prefix}-${randomUUID()}`;
}

/** The description an EC2 call gives (at most 255 characters, as EC2). */
export function description(ctx: Ec2Context, name = 'Description'): string | undefined {
  const d = ctx.params.optional(name);
  if (d !== undefined && d.length > 255) throw invalid(name, 'a description has at most 255 characters');
  return d;
}

/** A MERGE update that removes the attributes `names` (an empty vector deletes its name). */
export function removal(...names: string[]): string {
  return names.map((n) => `${n} = []`).join('\n');
}

/** The tags of an image, for tagSet. */
export function imageTags(img: Image): Tag[] {
  return tagsOf(img, 'TEMPLATE');
}

/** The ISO time of an image's registration. */
export function regTime(img: Image): number {
  return img.int('REGTIME') || 0;
}
