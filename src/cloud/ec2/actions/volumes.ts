/**
 * EBS volumes are the user's persistent DATABLOCK images marked `EBS_VOLUME = "YES"`:
 * CreateVolume allocates one (Size GiB, FS from econe.conf `ebs_fstype`) in econe.conf's
 * `datastore_id`, or clones a snapshot; AttachVolume hot-plugs it into an instance
 * (`one.vm.attach`, TARGET from Device) and records `EBS = [ INSTANCE_ID, DEVICE, ATTACH_TIME ]`;
 * DetachVolume unplugs the instance's disk of that image; DeleteVolume deletes the image once no
 * instance has it. DescribeVolumes shows the state and attachments from the image and its VMs.
 */
import { UpdateMode, type Image, type VirtualMachine } from '../../../oca/index.js';
import type { Ec2Action, Ec2Context } from '../context.js';
import { Ec2Error, ec2ErrorOf, invalid, missing } from '../errors.js';
import { formatId, notFound, requireId } from '../ids.js';
import { applyFilters, isTagFilter, paginate, tagFilterValues } from '../paging.js';
import { templateXml, type TemplateSpec } from '../records.js';
import { tagsSpec, tagsUpdate } from '../tags.js';
import { el, isoTime, itemSet, tagSet } from '../xml.js';
import { allocateError, datastoreZones, removal, freshName, imageCallError, imageTags, listImages, ownImage, pickByIds, regTime } from './storage.js';
import { attachmentsOf, deviceTarget, diskOfImage, ImageState, sizeGiB, volumeStatus, type Attachment } from './storage-model.js';
import { childText } from '../../../common/xml-tree.js';

/** EC2's largest standard volume, GiB. */
export const MAX_VOLUME_GIB = 16384;

/** The user's VM `text` (an instance id), or InvalidInstanceID.NotFound. */
export async function ownVm(ctx: Ec2Context, text: string): Promise<VirtualMachine> {
  const id = requireId('i', text);
  let vm: VirtualMachine;
  try {
    vm = await ctx.one.vms.info(id);
  } catch (err) {
    const e = ec2ErrorOf(err, 'InvalidInstanceID.NotFound');
    if (e.status >= 500) throw e;
    throw notFound('i', text);
  }
  if (vm.uid !== ctx.user.id || vm.state === 6) throw notFound('i', text);
  return vm;
}

/** The user's VMs (whole documents) using each of `volumes`, by image id. */
async function vmsUsing(ctx: Ec2Context, volumes: readonly Image[]): Promise<Map<number, VirtualMachine[]>> {
  const ids = [...new Set(volumes.flatMap((v) => v.ids('VMS')))];
  const vms = ids.length ? (await ctx.one.vms.infoSet(ids, true)).filter((vm) => vm.uid === ctx.user.id) : [];
  return new Map(volumes.map((v) => [v.id, vms.filter((vm) => v.ids('VMS').includes(vm.id))]));
}

function attachmentXml(a: Attachment): string {
  return el('volumeId', a.volumeId) + el('instanceId', a.instanceId) + el('device', a.device) + el('status', a.status) + el('attachTime', isoTime(a.attachTime)) + el('deleteOnTermination', false);
}

/** The snapshot a volume was made from (`EBS_FROM_SNAPSHOT`), as an EC2 id, or ''. */
function sourceSnapshot(vol: Image): string {
  const s = vol.get('TEMPLATE/EBS_FROM_SNAPSHOT');
  return /^\d+$/.test(s) ? formatId('snap', Number(s)) : '';
}

/** The fields of a volume (a `<item>` of DescribeVolumes, or the body of CreateVolume's answer). */
function volumeXml(vol: Image, zone: string, attachments: readonly Attachment[]): string {
  return (
    el('volumeId', formatId('vol', vol.id)) +
    el('size', sizeGiB(vol)) +
    el('snapshotId', sourceSnapshot(vol)) +
    el('availabilityZone', zone) +
    el('status', attachments.length > 0 && vol.state !== ImageState.DELETE ? 'in-use' : volumeStatus(vol.state)) +
    el('createTime', isoTime(regTime(vol))) +
    itemSet('attachmentSet', attachments.map(attachmentXml)) +
    tagSet(imageTags(vol)) +
    el('volumeType', 'standard') +
    el('encrypted', false) +
    el('multiAttachEnabled', false)
  );
}

const VOLUME_FILTERS = ['volume-id', 'status', 'size', 'availability-zone', 'create-time', 'snapshot-id', 'volume-type', 'encrypted', 'attachment.instance-id', 'attachment.device', 'attachment.status', 'attachment.delete-on-termination'];

const describeVolumes: Ec2Action = async (ctx) => {
  const ids = ctx.params.list('VolumeId');
  let volumes = await listImages(ctx, 'volume');
  if (ids.length) volumes = pickByIds(volumes, 'volume', ids);
  const [zones, users] = await Promise.all([datastoreZones(ctx), vmsUsing(ctx, volumes)]);
  const rows = volumes.map((vol) => ({ vol, zone: zones.get(vol.datastoreId) ?? '', att: attachmentsOf(vol, users.get(vol.id) ?? []) }));
  const shown = applyFilters(rows, ctx.params.filters(), (f) => VOLUME_FILTERS.includes(f) || isTagFilter(f), ({ vol, zone, att }, f) => {
    switch (f) {
      case 'volume-id': return [formatId('vol', vol.id)];
      case 'status': return [att.length > 0 ? 'in-use' : volumeStatus(vol.state)];
      case 'size': return [String(sizeGiB(vol))];
      case 'availability-zone': return [zone];
      case 'create-time': return [isoTime(regTime(vol))];
      case 'snapshot-id': return [sourceSnapshot(vol)];
      case 'volume-type': return ['standard'];
      case 'encrypted': return ['false'];
      case 'attachment.instance-id': return att.map((a) => a.instanceId);
      case 'attachment.device': return att.map((a) => a.device);
      case 'attachment.status': return att.map((a) => a.status);
      case 'attachment.delete-on-termination': return att.map(() => 'false');
      default: return tagFilterValues(imageTags(vol), f) ?? [];
    }
  });
  const page = paginate(shown, ctx.params, ids.length > 0);
  return itemSet('volumeSet', page.items.map((r) => volumeXml(r.vol, r.zone, r.att))) + el('nextToken', page.nextToken);
};

const createVolume: Ec2Action = async (ctx) => {
  const snapText = ctx.params.optional('SnapshotId');
  const sizeGiBAsked = ctx.params.has('Size') ? ctx.params.int('Size', { min: 1, max: MAX_VOLUME_GIB }) : undefined;
  const tags = ctx.params.tagsFor('volume');
  const type = ctx.params.optional('VolumeType');
  if (type !== undefined && type !== 'standard' && type !== 'gp2' && type !== 'gp3') throw invalid('VolumeType', `"${type}" is not offered here (standard)`);
  if (ctx.params.bool('Encrypted')) throw invalid('Encrypted', 'encrypted volumes are not offered here');
  let id: number;
  if (snapText) {
    const snap = await ownImage(ctx, 'snapshot', snapText);
    if (snap.state !== ImageState.READY && snap.state !== ImageState.USED && snap.state !== ImageState.CLONE) {
      throw new Ec2Error('IncorrectState', `Snapshot '${snapText}' is not completed yet`);
    }
    if (sizeGiBAsked !== undefined && sizeGiBAsked < sizeGiB(snap)) throw invalid('Size', `the volume must be at least the snapshot's ${sizeGiB(snap)} GiB`);
    try {
      id = await ctx.one.images.clone(snap.id, freshName('ec2-volume'));
    } catch (err) {
      throw imageCallError(err, 'snapshot', snap.id);
    }
    // The clone has the snapshot's template: make it a volume of its own.
    await ctx.one.images.update(id, templateXml({ EBS_VOLUME: 'YES', EBS_FROM_SNAPSHOT: snap.id }), UpdateMode.MERGE);
    await ctx.one.images.update(id, removal('EBS_SNAPSHOT', 'EBS_SNAPSHOT_VOLUME', 'EBS', 'DESCRIPTION'), UpdateMode.MERGE);
    await ctx.one.images.update(id, tagsUpdate(tags), UpdateMode.MERGE);
    await ctx.one.images.persistent(id, true);
  } else {
    if (sizeGiBAsked === undefined) throw missing('Size');
    const spec: TemplateSpec = {
      NAME: freshName('ec2-volume'),
      TYPE: 'DATABLOCK',
      PERSISTENT: 'YES',
      SIZE: sizeGiBAsked * 1024,
      FS: ctx.conf.ebs_fstype,
      EBS_VOLUME: 'YES',
      EC2_TAGS: tagsSpec(tags),
    };
    try {
      id = await ctx.one.images.allocate(templateXml(spec), ctx.conf.datastore_id);
    } catch (err) {
      throw allocateError(err);
    }
  }
  const vol = await ctx.one.images.info(id);
  const zones = await datastoreZones(ctx);
  return volumeXml(vol, zones.get(vol.datastoreId) ?? '', []);
};

const attachVolume: Ec2Action = async (ctx) => {
  const volText = ctx.params.str('VolumeId');
  const vmText = ctx.params.str('InstanceId');
  const device = ctx.params.str('Device');
  const target = deviceTarget(device);
  const vol = await ownImage(ctx, 'volume', volText);
  const vm = await ownVm(ctx, vmText);
  if (vol.ids('VMS').length > 0 || vol.state === ImageState.USED_PERS) throw new Ec2Error('VolumeInUse', `Volume '${volText}' is already attached to an instance`);
  if (vol.state !== ImageState.READY) throw new Ec2Error('IncorrectState', `Volume '${volText}' is not available (it is ${volumeStatus(vol.state)})`);
  if (vm.all('TEMPLATE/DISK').some((d) => childText(d, 'TARGET') === target)) throw invalid('Device', `${device} is already used by instance ${vmText}`);
  const now = Math.floor(Date.now() / 1000);
  try {
    await ctx.one.vms.attachDisk(vm.id, templateXml({ DISK: { IMAGE_ID: vol.id, TARGET: target } }));
  } catch (err) {
    const e = ec2ErrorOf(err);
    if (e.code === 'IncorrectState') throw new Ec2Error('IncorrectInstanceState', `Instance '${vmText}' cannot take a volume now: ${e.message}`);
    throw e;
  }
  await ctx.one.images.update(vol.id, templateXml({ EBS: { INSTANCE_ID: formatId('i', vm.id), DEVICE: device, ATTACH_TIME: now } }), UpdateMode.MERGE);
  return attachmentXml({ volumeId: volText, instanceId: formatId('i', vm.id), device, status: 'attaching', attachTime: now });
};

const detachVolume: Ec2Action = async (ctx) => {
  const volText = ctx.params.str('VolumeId');
  const vmText = ctx.params.optional('InstanceId');
  const vol = await ownImage(ctx, 'volume', volText);
  const users = (await vmsUsing(ctx, [vol])).get(vol.id) ?? [];
  const vm = vmText ? users.find((v) => formatId('i', v.id) === vmText) : users[0];
  if (!vm) {
    if (vmText) requireId('i', vmText);
    throw new Ec2Error('IncorrectState', `Volume '${volText}' is not attached${vmText ? ` to instance ${vmText}` : ''}`);
  }
  const attachment = attachmentsOf(vol, [vm])[0]!;
  const device = ctx.params.optional('Device');
  if (device !== undefined && device !== attachment.device && `/dev/${deviceTarget(device)}` !== attachment.device) {
    throw new Ec2Error('InvalidAttachment.NotFound', `Volume '${volText}' is not attached as ${device}`);
  }
  const diskId = Number(childText(diskOfImage(vm, vol.id)!, 'DISK_ID'));
  try {
    await ctx.one.vms.detachDisk(vm.id, diskId);
  } catch (err) {
    const e = ec2ErrorOf(err);
    if (e.code === 'IncorrectState') throw new Ec2Error('IncorrectInstanceState', `Instance '${formatId('i', vm.id)}' cannot release a volume now: ${e.message}`);
    throw e;
  }
  await ctx.one.images.update(vol.id, removal('EBS'), UpdateMode.MERGE);
  return attachmentXml({ ...attachment, status: 'detaching' });
};

const deleteVolume: Ec2Action = async (ctx) => {
  const volText = ctx.params.str('VolumeId');
  const vol = await ownImage(ctx, 'volume', volText);
  if (vol.ids('VMS').length > 0 || vol.state === ImageState.USED_PERS || vol.state === ImageState.USED) {
    throw new Ec2Error('VolumeInUse', `Volume '${volText}' is attached to an instance: detach it first`);
  }
  try {
    await ctx.one.images.delete(vol.id);
  } catch (err) {
    throw imageCallError(err, 'volume', vol.id);
  }
  return el('return', true);
};

export const volumeActions: Record<string, Ec2Action> = {
  CreateVolume: createVolume,
  DescribeVolumes: describeVolumes,
  AttachVolume: attachVolume,
  DetachVolume: detachVolume,
  DeleteVolume: deleteVolume,
};
