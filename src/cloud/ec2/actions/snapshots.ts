/**
 * EBS snapshots are copies of a volume kept as images marked `EBS_SNAPSHOT = "YES"` (with
 * `EBS_SNAPSHOT_VOLUME`, the volume's image id). CreateSnapshot copies a volume no instance
 * has with `one.image.clone`, and an attached one with `one.vm.disksaveas` of the instance's
 * disk (a copy of the disk as it is while the instance runs); the snapshot is pending until the
 * datastore has copied it, completed after. CreateVolume with a SnapshotId clones it back into a
 * volume; DeleteSnapshot deletes the image.
 */
import { UpdateMode, type Image } from '../../../oca/index.js';
import { childText } from '../../../common/xml-tree.js';
import type { Ec2Action, Ec2Context } from '../context.js';
import { Ec2Error } from '../errors.js';
import { formatId } from '../ids.js';
import { applyFilters, isTagFilter, paginate, tagFilterValues } from '../paging.js';
import { templateXml, type TemplateSpec } from '../records.js';
import { tagsSpec } from '../tags.js';
import { el, isoTime, itemSet, tagSet } from '../xml.js';
import { description, freshName, imageCallError, imageTags, listImages, ownImage, pickByIds, regTime, removal } from './storage.js';
import { diskOfImage, ImageState, sizeGiB, snapshotState } from './storage-model.js';

/** The volume a snapshot was taken of, as an EC2 id. */
function volumeOf(snap: Image): string {
  const v = snap.get('TEMPLATE/EBS_SNAPSHOT_VOLUME');
  return /^\d+$/.test(v) ? formatId('vol', Number(v)) : '';
}

function snapshotXml(snap: Image): string {
  const state = snapshotState(snap.state) ?? 'pending';
  return (
    el('snapshotId', formatId('snap', snap.id)) +
    el('volumeId', volumeOf(snap)) +
    el('status', state) +
    (state === 'error' ? el('statusMessage', snap.get('TEMPLATE/ERROR') || undefined) : '') +
    el('startTime', isoTime(regTime(snap))) +
    el('progress', state === 'completed' ? '100%' : state === 'pending' ? '0%' : '') +
    el('ownerId', String(snap.uid)) +
    el('volumeSize', sizeGiB(snap)) +
    el('description', snap.get('TEMPLATE/DESCRIPTION')) +
    el('encrypted', false) +
    tagSet(imageTags(snap))
  );
}

/** Owner.N: `self` or the caller's id select the caller's snapshots; any other owner has none here. */
function ownersMatch(ctx: Ec2Context): boolean {
  const owners = ctx.params.list('Owner');
  return owners.length === 0 || owners.some((o) => o === 'self' || o === String(ctx.user.id));
}

const SNAPSHOT_FILTERS = ['snapshot-id', 'volume-id', 'status', 'owner-id', 'description', 'start-time', 'volume-size', 'progress', 'encrypted'];

const describeSnapshots: Ec2Action = async (ctx) => {
  const ids = ctx.params.list('SnapshotId');
  let snaps = (await listImages(ctx, 'snapshot')).filter((s) => snapshotState(s.state) !== undefined);
  if (ids.length) snaps = pickByIds(snaps, 'snapshot', ids);
  if (!ownersMatch(ctx)) snaps = [];
  const shown = applyFilters(snaps, ctx.params.filters(), (f) => SNAPSHOT_FILTERS.includes(f) || isTagFilter(f), (s, f) => {
    switch (f) {
      case 'snapshot-id': return [formatId('snap', s.id)];
      case 'volume-id': return [volumeOf(s)];
      case 'status': return [snapshotState(s.state) ?? ''];
      case 'owner-id': return [String(s.uid)];
      case 'description': return [s.get('TEMPLATE/DESCRIPTION')];
      case 'start-time': return [isoTime(regTime(s))];
      case 'volume-size': return [String(sizeGiB(s))];
      case 'progress': return [snapshotState(s.state) === 'completed' ? '100%' : '0%'];
      case 'encrypted': return ['false'];
      default: return tagFilterValues(imageTags(s), f) ?? [];
    }
  });
  const page = paginate(shown, ctx.params, ids.length > 0);
  return itemSet('snapshotSet', page.items.map(snapshotXml)) + el('nextToken', page.nextToken);
};

const createSnapshot: Ec2Action = async (ctx) => {
  const volText = ctx.params.str('VolumeId');
  const desc = description(ctx);
  const tags = ctx.params.tagsFor('snapshot');
  const vol = await ownImage(ctx, 'volume', volText);
  const name = freshName('ec2-snapshot');
  let id: number;
  const users = vol.ids('VMS');
  if (users.length > 0) {
    // Attached: a copy of the instance's disk, as it is now.
    const vm = (await ctx.one.vms.infoSet(users, true)).find((v) => v.uid === ctx.user.id && diskOfImage(v, vol.id));
    if (!vm) throw new Ec2Error('IncorrectState', `Volume '${volText}' is in use by an instance of another user`);
    const diskId = Number(childText(diskOfImage(vm, vol.id)!, 'DISK_ID'));
    try {
      id = await ctx.one.vms.diskSaveas(vm.id, diskId, name, '', -1);
    } catch (err) {
      const e = imageCallError(err, 'volume', vol.id);
      throw e.code === 'IncorrectState' ? new Ec2Error('IncorrectState', `Volume '${volText}' cannot be copied while its instance ${formatId('i', vm.id)} is busy: ${e.message}`) : e;
    }
  } else {
    if (vol.state !== ImageState.READY && vol.state !== ImageState.CLONE) throw new Ec2Error('IncorrectState', `Volume '${volText}' cannot be copied while it is being made or in error`);
    try {
      id = await ctx.one.images.clone(vol.id, name);
    } catch (err) {
      throw imageCallError(err, 'volume', vol.id);
    }
    // The clone has the volume's template (its marks, attachments and tags): clear them.
    await ctx.one.images.update(id, removal('EBS_VOLUME', 'EBS', 'EBS_FROM_SNAPSHOT', 'EC2_TAGS', 'DESCRIPTION'), UpdateMode.MERGE);
  }
  const spec: TemplateSpec = { EBS_SNAPSHOT: 'YES', EBS_SNAPSHOT_VOLUME: vol.id, DESCRIPTION: desc, EC2_TAGS: tagsSpec(tags) };
  await ctx.one.images.update(id, templateXml(spec), UpdateMode.MERGE);
  return snapshotXml(await ctx.one.images.info(id));
};

const deleteSnapshot: Ec2Action = async (ctx) => {
  const text = ctx.params.str('SnapshotId');
  const snap = await ownImage(ctx, 'snapshot', text);
  if (snap.state === ImageState.CLONE || snap.int('CLONING_OPS') > 0) throw new Ec2Error('InvalidSnapshot.InUse', `Snapshot '${text}' is being copied into a volume: try again when the volume is made`);
  try {
    await ctx.one.images.delete(snap.id);
  } catch (err) {
    throw imageCallError(err, 'snapshot', snap.id);
  }
  return el('return', true);
};

export const snapshotActions: Record<string, Ec2Action> = {
  CreateSnapshot: createSnapshot,
  DescribeSnapshots: describeSnapshots,
  DeleteSnapshot: deleteSnapshot,
};
