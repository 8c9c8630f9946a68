/**
 * CreateTags, DeleteTags, DescribeTags on every taggable kind (instances here; images, volumes
 * and snapshots register theirs with `registerTaggedKind`). Resources are named by their EC2
 * ids; a resource of another user, or none, is its kind's NotFound.
 */
import type { Ec2Action, Ec2Context } from '../context.js';
import { Ec2Error, invalid, missing } from '../errors.js';
import { formatId, requireId } from '../ids.js';
import { applyFilters, paginate } from '../paging.js';
import { changeTags, ownObject, taggedKindOf, taggedKinds, tagsOf, withoutTags, withTags, type TaggedKind } from '../tags.js';
import { el, itemSet } from '../xml.js';

/** The kinds and OpenNebula ids of `ResourceId.N`. */
function resources(ctx: Ec2Context): Array<{ kind: TaggedKind; id: number; text: string }> {
  const ids = ctx.params.list('ResourceId');
  if (ids.length === 0) throw missing('ResourceId.1');
  if (ids.length > 1000) throw invalid('ResourceId', 'at most 1000 resources at a time');
  return ids.map((text) => {
    const prefix = text.slice(0, Math.max(0, text.indexOf('-')));
    const kind = taggedKindOf(prefix);
    if (!kind) throw new Ec2Error('InvalidID', `The ID '${text}' is not valid: taggable resources here are ${taggedKinds().map((k) => `${k.prefix}-...`).join(', ')}`);
    return { kind, id: requireId(kind.prefix, text), text };
  });
}

const createTags: Ec2Action = async (ctx) => {
  const targets = resources(ctx);
  const tags = ctx.params.tags('Tag');
  if (tags.length === 0) throw missing('Tag.1.Key');
  // Every resource is checked before any is changed.
  for (const t of targets) await ownObject(ctx.one, t.kind, t.id, ctx.user.id);
  for (const t of targets) await changeTags(ctx.one, t.kind, t.id, ctx.user.id, (have) => withTags(have, tags));
  return el('return', true);
};

const deleteTags: Ec2Action = async (ctx) => {
  const targets = resources(ctx);
  const selectors = ctx.params.tagSelectors('Tag');
  for (const t of targets) await ownObject(ctx.one, t.kind, t.id, ctx.user.id);
  // No Tag.N: every tag of the resources goes.
  for (const t of targets) await changeTags(ctx.one, t.kind, t.id, ctx.user.id, (have) => withoutTags(have, selectors));
  return el('return', true);
};

interface TagRow {
  readonly resourceId: string;
  readonly resourceType: string;
  readonly key: string;
  readonly value: string;
}

const TAG_FILTERS = ['resource-id', 'resource-type', 'key', 'value'];

const describeTags: Ec2Action = async (ctx) => {
  const filters = ctx.params.filters();
  const typesWanted = filters.find((f) => f.name === 'resource-type')?.values;
  const rows: TagRow[] = [];
  for (const kind of taggedKinds()) {
    if (typesWanted && !typesWanted.includes(kind.resourceType)) continue;
    for (const obj of await kind.list(ctx.one, ctx.user.id)) {
      if (obj.uid !== ctx.user.id || (kind.accepts && !kind.accepts(obj))) continue;
      for (const t of tagsOf(obj, kind.templatePath)) rows.push({ resourceId: formatId(kind.prefix, obj.id), resourceType: kind.resourceType, key: t.key, value: t.value });
    }
  }
  rows.sort((a, b) => (a.resourceId < b.resourceId ? -1 : a.resourceId > b.resourceId ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const shown = applyFilters(rows, filters, (f) => TAG_FILTERS.includes(f), (r, f) => [f === 'resource-id' ? r.resourceId : f === 'resource-type' ? r.resourceType : f === 'key' ? r.key : r.value]);
  const page = paginate(shown, ctx.params);
  return itemSet('tagSet', page.items.map((r) => el('resourceId', r.resourceId) + el('resourceType', r.resourceType) + el('key', r.key) + el('value', r.value))) + el('nextToken', page.nextToken);
};

export const tagActions: Record<string, Ec2Action> = {
  CreateTags: createTags,
  DeleteTags: deleteTags,
  DescribeTags: describeTags,
};
