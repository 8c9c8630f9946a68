/**
 * Tags of any EC2 resource kept in an OpenNebula object: `EC2_TAGS = [ KEY_1, VALUE_1, ... ]`
 * in the object's template (a VM's USER_TEMPLATE, an image's TEMPLATE). A kind is described by
 * a `TaggedKind` (its id prefix, EC2 resource type, where the tags live, and how to read and
 * update one object as the user), so instances, images, volumes and snapshots share the code.
 */
import type { Oca, OneObject } from '../../oca/index.js';
import { PoolFilter, UpdateMode } from '../../oca/index.js';
import { Ec2Error, ec2ErrorOf } from './errors.js';
import { formatId, notFound, type IdPrefix } from './ids.js';
import type { Tag } from './params.js';
import { numberedUpdate, readNumbered, serialized, templateNode } from './records.js';

export const TAGS_ATTRIBUTE = 'EC2_TAGS';
/** AWS's limit of tags per resource. */
export const MAX_TAGS = 50;

export interface TaggedKind {
  readonly prefix: IdPrefix;
  /** EC2's resource type (`instance`, `image`, `volume`, `snapshot`). */
  readonly resourceType: string;
  readonly templatePath: 'TEMPLATE' | 'USER_TEMPLATE';
  /** Reads the object as the user (throws OneError). */
  info(one: Oca, id: number): Promise<OneObject>;
  /** MERGE-updates the object's tag template as the user. */
  update(one: Oca, id: number, template: string): Promise<unknown>;
  /** Whether the object is this kind's (e.g. an image that is a volume, not an AMI); default all. */
  accepts?(obj: OneObject): boolean;
  /** The user's objects of this kind (DescribeTags). */
  list(one: Oca, userId: number): Promise<OneObject[]>;
}

export const INSTANCE_KIND: TaggedKind = {
  prefix: 'i',
  resourceType: 'instance',
  templatePath: 'USER_TEMPLATE',
  info: (one, id) => one.vms.info(id),
  update: (one, id, template) => one.vms.update(id, template, UpdateMode.MERGE),
  list: async (one) => one.vms.parseList(await one.vms.listExtendedXml(PoolFilter.MINE)),
};

const KINDS = new Map<IdPrefix, TaggedKind>([['i', INSTANCE_KIND]]);

/** Makes a kind taggable by CreateTags/DeleteTags/DescribeTags (each kind's action module registers its own). */
export function registerTaggedKind(kind: TaggedKind): void {
  KINDS.set(kind.prefix, kind);
}

/** The taggable kinds. */
export function taggedKinds(): TaggedKind[] {
  return [...KINDS.values()];
}

/** The kind whose ids start with `prefix-`. */
export function taggedKindOf(prefix: string): TaggedKind | undefined {
  return KINDS.get(prefix as IdPrefix);
}

/** The tags of an object read with `info`. */
export function tagsOf(obj: OneObject, templatePath: 'TEMPLATE' | 'USER_TEMPLATE'): Tag[] {
  const node = templateNode(obj, templatePath);
  return readNumbered(node, TAGS_ATTRIBUTE).filter((r) => r.KEY !== undefined && r.KEY !== '').map((r) => ({ key: r.KEY!, value: r.VALUE ?? '' }));
}

/** The update that stores `tags` (MERGE mode). */
export function tagsUpdate(tags: readonly Tag[]): string {
  return numberedUpdate(TAGS_ATTRIBUTE, tags.map((t) => ({ KEY: t.key, VALUE: t.value })));
}

/** The `EC2_TAGS` entries of a template being created (allocate), as a TemplateSpec vector. */
export function tagsSpec(tags: readonly Tag[]): Record<string, string> | undefined {
  if (tags.length === 0) return undefined;
  const out: Record<string, string> = {};
  tags.forEach((t, i) => {
    out[`KEY_${i + 1}`] = t.key;
    out[`VALUE_${i + 1}`] = t.value;
  });
  return out;
}

/** The user's object `id` of this kind, or the kind's NotFound error (also for others' objects). */
export async function ownObject(one: Oca, kind: TaggedKind, id: number, userId: number): Promise<OneObject> {
  let obj: OneObject;
  try {
    obj = await kind.info(one, id);
  } catch (err) {
    const e = ec2ErrorOf(err);
    if (e.status === 403 || e.code === 'InvalidParameterValue' || e.code === 'UnauthorizedOperation') throw notFound(kind.prefix, formatId(kind.prefix, id));
    throw e;
  }
  if (obj.uid !== userId || (kind.accepts && !kind.accepts(obj))) throw notFound(kind.prefix, formatId(kind.prefix, id));
  return obj;
}

/** Sets `add` (overwriting tags of the same key). */
export function withTags(tags: readonly Tag[], add: readonly Tag[]): Tag[] {
  const out = tags.slice();
  for (const a of add) {
    const i = out.findIndex((t) => t.key === a.key);
    if (i >= 0) out[i] = a;
    else out.push(a);
  }
  return out;
}

/** Without the tags `remove` selects (a key, and the value when one is given); no selectors: none left. */
export function withoutTags(tags: readonly Tag[], remove: ReadonlyArray<{ key: string; value?: string }>): Tag[] {
  if (remove.length === 0) return [];
  return tags.filter((t) => !remove.some((r) => r.key === t.key && (r.value === undefined || r.value === t.value)));
}

/** Rewrites the tags of the user's object `id` with `edit` (one writer per object at a time). */
export async function changeTags(one: Oca, kind: TaggedKind, id: number, userId: number, edit: (tags: Tag[]) => Tag[]): Promise<void> {
  await serialized(`${kind.prefix}:${id}`, async () => {
    const obj = await ownObject(one, kind, id, userId);
    const tags = edit(tagsOf(obj, kind.templatePath));
    if (tags.length > MAX_TAGS) throw new Ec2Error('TagLimitExceeded', `The maximum number of tags per resource is ${MAX_TAGS}`);
    try {
      await kind.update(one, id, tagsUpdate(tags));
    } catch (err) {
      throw ec2ErrorOf(err, notFound(kind.prefix, formatId(kind.prefix, id)).code);
    }
  });
}
